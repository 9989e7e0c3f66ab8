// The key types of tlsim's in-process PKI and the certificate slot OpenSSL
// files each under: one home for the scenario language (which spells them),
// the tls layer (which makes them) and the checks between the two.
//
//   proto::KeyType k = proto::KeyType::kRsa4096;
//   proto::SlotName(proto::SlotOf(k));   // "RSA"
#pragma once

namespace tlsim::proto {

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

}  // namespace tlsim::proto
