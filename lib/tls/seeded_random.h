// Deterministic randomness for one run's library (library.h): after
// UseSeededRandom, every random byte OpenSSL draws from that library context
// (client and server randoms, key shares, session IDs, ticket keys, ECDSA
// nonces, generated keys) comes from a stream derived from a 64-bit seed, so
// two runs with the same seed produce the same bytes. Other library contexts
// are untouched.
//
//   tls::LibCtxPtr libctx = tls::NewLibCtx();
//   std::string error;
//   if (!tls::UseSeededRandom(libctx.get(), 42, &error)) ...
//   // keys, certificates and SSL_CTXs made from libctx now draw from seed 42
//
// How it works. A small provider of our own, "tlsim-seeded", is added to
// `libctx` alone (OSSL_PROVIDER_add_builtin) and activated, with "default"
// next to it (activating any provider turns off the automatic fallback to
// "default"), through an in-memory configuration loaded into `libctx`
// (NCONF_new_ex + CONF_modules_load). The seed reaches the provider as its
// configuration parameter "seed", read once when it starts
// (core_get_params), so nothing is shared between library contexts.
// Providers activated by configuration belong to the library context and go
// with OSSL_LIB_CTX_free; OSSL_PROVIDER_load would leave a reference that
// only an OSSL_PROVIDER_unload frees. (OpenSSL keeps about 130 bytes of
// configuration-module bookkeeping per call until process exit.)
// The provider's one RAND algorithm, "TLSIM-SEEDED", becomes the seed source
// and the DRBG type of `libctx` (RAND_set_seed_source_type,
// RAND_set_DRBG_type with "provider=tlsim-seeded").
//
// Each generator instance has a label, its creation index within the
// provider: 0 the seed source, 1 the primary DRBG, 2 the public and 3 the
// private DRBG of the calling thread (UseSeededRandom creates these four, in
// that order). Further instances (another thread's public/private DRBGs,
// EVP_RAND_CTX_new by hand) take 4, 5, ... in creation order, so runs are
// reproducible as long as that order is, e.g. one thread per library context.
//
// Instance stream: key = SHA-256("tlsim-seeded/1" || seed || label ||
// length || personalisation string), block i = SHA-256(key || i), all integers
// 64-bit big-endian, hashed in the process-wide (NULL) library context. Output
// is the concatenation of the blocks, whatever the request sizes; it never runs
// dry. Reseeding with entropy or additional input folds them into the key
// (still deterministic); additional input to a generate request and
// prediction resistance are ignored. The generators report strength 256 and
// can serve as parents of OpenSSL's own DRBGs (get_seed / clear_seed).
// This is for reproducible simulation only: the output is as predictable as
// the seed.
//
// On OpenSSL 1.1.1 (no library contexts, no providers) `libctx` is tlsim's
// own LibCtx (library.h) and one generator, label 2 with an empty
// personalisation string, is the whole stream: UseSeededRandom installs a
// process-wide RAND_METHOD (once) whose bytes come from the LibCtx of the
// calling thread's LibraryScope when that one is seeded, and from OpenSSL's
// own generator otherwise. RAND_bytes and RAND_priv_bytes reach a RAND_METHOD
// the same way, so the position's public entry counts every draw; the
// primary and private entries stay 0. RAND_seed and RAND_add inside a seeded
// scope are ignored.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "lib/tls/library.h"

namespace tlsim::tls {

// Makes every random byte drawn from `libctx` come from a deterministic
// stream derived from `seed`. Call once, right after NewLibCtx, before
// anything else uses libctx, from one thread at a time. Returns false with a
// message on failure (NULL libctx, already seeded, randomness already used);
// then discard libctx.
[[nodiscard]] bool UseSeededRandom(LibCtx* libctx, uint64_t seed,
                                   std::string* out_error);

// How far a seeded library context's primary, public and private DRBGs
// (in that order) have gone: the bytes each handed out since its key last
// changed, and how often its key was set (instantiation, reseeds with
// input). With the seed, this fixes every byte each will hand out next.
struct RandomPosition {
  std::array<uint64_t, 3> drawn = {0, 0, 0};
  std::array<uint64_t, 3> rekeys = {0, 0, 0};
  bool operator==(const RandomPosition&) const = default;
  auto operator<=>(const RandomPosition&) const = default;
};

// Reads the position of a library context given to UseSeededRandom. Returns
// false for any other (its DRBGs are not tlsim-seeded).
[[nodiscard]] bool GetRandomPosition(LibCtx* libctx, RandomPosition* out);

// Draws and discards bytes until `libctx` stands at `to`, as if whatever
// drew them had run. Returns false when that cannot be reached by drawing:
// another key (rekeys differ), or a generator already past `to`.
[[nodiscard]] bool AdvanceRandom(LibCtx* libctx, const RandomPosition& to);

// Moves `libctx` back (or on) to `to`, a position it stood at before under
// the same keys: what it hands out next is what it handed out then. Returns
// false when the keys changed since (rekeys differ).
[[nodiscard]] bool RewindRandom(LibCtx* libctx, const RandomPosition& to);

}  // namespace tlsim::tls
