// The key types of the in-process PKI, and their generation. With a seed,
// a key is made once per process: later runs with the same seed, asking at
// the same point of the random stream, get a copy and the stream is moved on
// exactly as far as generating it would have moved it, so what the run sends
// afterwards is byte-identical either way.
//
//   tls::EvpPkeyPtr key;
//   std::string error;
//   if (!tls::MakeKey(libctx, tls::KeyType::kRsa4096, seed, &key, &error))
//     ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "lib/tls/handles.h"

namespace tlsim::tls {

enum class KeyType {
  kEcP256,
  kEd25519,
  kRsa2048,
  kRsa3072,
  kRsa4096,
  kRsaPss,        // RSASSA-PSS key, 2048 bits, no parameter restrictions
  kRsaPssSha256,  // RSASSA-PSS key, 2048 bits, SHA-256 / MGF1-SHA-256 / salt 32
  kEd448,
  kEcP384,
  kEcP521,
  kBrainpoolP256r1,
  kBrainpoolP384r1,
  kBrainpoolP512r1,
  kDsa2048,  // 2048-bit p, 256-bit q
};

// What certificate slot OpenSSL files a key of `type` under (SSL_PKEY_*):
// one certificate per slot per SSL_CTX. RSA keys share one slot, RSA-PSS
// keys another, every EC curve the ECC slot.
enum class CertSlot { kRsa, kRsaPss, kDsa, kEcc, kEd25519, kEd448 };
CertSlot SlotOf(KeyType type);
const char* SlotName(CertSlot slot);  // "RSA", "ECDSA", ...

// True for the EC key types (whose points can be written compressed).
bool IsEc(KeyType type);
// True for the RSA types that may also encrypt (keyEncipherment).
bool IsRsaEncryption(KeyType type);

// Makes a key of `type` in `libctx`. `seed`, when set, must be the seed
// `libctx` was given to UseSeededRandom: keys then come from a process-wide
// cache keyed by the seed, the type and the random stream's position, and a
// hit moves the stream on as generating would have. Returns false with a
// message on failure.
[[nodiscard]] bool MakeKey(OSSL_LIB_CTX* libctx, KeyType type,
                           std::optional<uint64_t> seed, EvpPkeyPtr* out_key,
                           std::string* out_error);

// How MakeKey fared, process-wide: keys generated and keys copied from the
// cache. For tests and measurements.
struct KeyCacheStats {
  size_t generated = 0;
  size_t reused = 0;
};
KeyCacheStats GetKeyCacheStats();

}  // namespace tlsim::tls
