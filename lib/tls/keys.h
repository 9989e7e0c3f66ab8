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

#include "lib/proto/keys.h"
#include "lib/tls/handles.h"
#include "lib/tls/library.h"

namespace tlsim::tls {

// The key types and their slots are proto's (lib/proto/keys.h).
using proto::CertSlot;
using proto::IsEc;
using proto::IsRsaEncryption;
using proto::KeyType;
using proto::SlotName;
using proto::SlotOf;

// Makes a key of `type` in `libctx`. `seed`, when set, must be the seed
// `libctx` was given to UseSeededRandom: keys then come from a process-wide
// cache keyed by the seed, the type and the random stream's position, and a
// hit moves the stream on as generating would have. Returns false with a
// message on failure, naming the OpenSSL version when it lacks the type.
[[nodiscard]] bool MakeKey(LibCtx* libctx, KeyType type,
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
