// One run's OpenSSL library state, on every series: on 3.x an OSSL_LIB_CTX
// (keys, certificates and SSL_CTXs are made from it and draw their random
// bytes from it); on 1.1.1, which has no library contexts, a tlsim object
// that holds the run's seeded random stream, read by a process-wide
// RAND_METHOD while this thread is inside the run's LibraryScope.
//
//   tls::LibCtxPtr lib = tls::NewLibCtx();
//   if (!tls::UseSeededRandom(lib.get(), 42, &error)) ...   // seeded_random.h
//   tls::SslCtxPtr ctx = tls::NewSslContext(lib.get(), TLS_method());
//   {
//     tls::RunScope scope(lib.get(), clock);   // scenario clock + this run
//     SSL_connect(ssl);   // every random byte from seed 42, on any series
//   }
//
// lib/tls's own functions that take a LibCtx* (MakeKey, Pki::Build,
// MakeContext) enter its LibraryScope themselves; a caller holds one around
// its own calls into OpenSSL (handshakes, reads, writes) for the run.
#pragma once

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <cstdint>
#include <memory>

#include "lib/tls/clock.h"
#include "lib/tls/compat.h"
#include "lib/tls/handles.h"

namespace tlsim::tls {

#if TLSIM_HAS_PROVIDERS
using LibCtx = OSSL_LIB_CTX;
using LibCtxPtr = std::unique_ptr<OSSL_LIB_CTX, Free<OSSL_LIB_CTX_free>>;
#else
// The seeded stream of a 1.1.1 run (seeded_random.h's construction, one
// generator: the public DRBG's, label 2, serves RAND_bytes and
// RAND_priv_bytes alike, since a RAND_METHOD cannot tell them apart).
struct LibCtx {
  bool seeded = false;
  uint64_t seed = 0;
  std::array<unsigned char, 32> key = {};
  uint64_t next_block = 0;
  std::array<unsigned char, 32> block = {};
  size_t block_used = 32;  // bytes of `block` already handed out
  uint64_t drawn = 0;      // bytes handed out since the last (re)key
  uint64_t rekeys = 0;
};
void FreeLibCtx(LibCtx* lib);
using LibCtxPtr = std::unique_ptr<LibCtx, Free<FreeLibCtx>>;
#endif

// A new run's library state, unseeded (seeded_random.h seeds it); nullptr
// when OpenSSL cannot make one.
[[nodiscard]] LibCtxPtr NewLibCtx();

// Makes `lib` the run whose random stream OpenSSL's draws on this thread
// come from until destroyed (1.1.1); scopes nest, the inner one wins. On 3.x
// every call names its library context already and this changes nothing.
class LibraryScope {
 public:
  explicit LibraryScope(LibCtx* lib);
  ~LibraryScope();
  LibraryScope(const LibraryScope&) = delete;
  LibraryScope& operator=(const LibraryScope&) = delete;

 private:
  LibCtx* outer_;
};

// The library of the innermost LibraryScope on this thread, or nullptr.
LibCtx* CurrentLibrary();

// What a caller holds around its calls into OpenSSL for one run: the
// scenario clock (ClockScope, clock.h) and the run's library.
class RunScope {
 public:
  RunScope(LibCtx* lib, int64_t now) : clock_(now), library_(lib) {}

 private:
  ClockScope clock_;
  LibraryScope library_;
};

// SSL_CTX_new_ex(lib, ...) on 3.x; SSL_CTX_new inside lib's scope on 1.1.1
// (it draws its ticket keys). nullptr when OpenSSL refuses.
[[nodiscard]] SslCtxPtr NewSslContext(LibCtx* lib, const SSL_METHOD* method);

// X509_new_ex(lib, ...) on 3.x, X509_new on 1.1.1.
[[nodiscard]] X509Ptr NewCertificate(LibCtx* lib);

// Draws `length` random bytes from `lib` (RAND_bytes_ex, or RAND_priv_bytes_ex
// when `private_stream`; 1.1.1: RAND_bytes / RAND_priv_bytes inside lib's
// LibraryScope). Returns false when OpenSSL fails.
[[nodiscard]] bool RandomBytes(LibCtx* lib, unsigned char* out, size_t length,
                               bool private_stream = false);

// X509_STORE_CTX_new_ex(lib, ...) on 3.x, X509_STORE_CTX_new on 1.1.1;
// nullptr on failure. The caller frees it with X509_STORE_CTX_free.
[[nodiscard]] X509_STORE_CTX* NewStoreContext(LibCtx* lib);

}  // namespace tlsim::tls
