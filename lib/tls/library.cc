#include "lib/tls/library.h"

#include <openssl/rand.h>

#include <climits>
#include <new>

namespace tlsim::tls {
namespace {

thread_local LibCtx* current = nullptr;

}  // namespace

#if TLSIM_HAS_PROVIDERS
LibCtxPtr NewLibCtx() { return LibCtxPtr(OSSL_LIB_CTX_new()); }
#else
void FreeLibCtx(LibCtx* lib) {
  if (lib == nullptr) return;
  OPENSSL_cleanse(lib->key.data(), lib->key.size());
  OPENSSL_cleanse(lib->block.data(), lib->block.size());
  delete lib;
}

LibCtxPtr NewLibCtx() { return LibCtxPtr(new (std::nothrow) LibCtx); }
#endif

LibraryScope::LibraryScope(LibCtx* lib) : outer_(current) { current = lib; }

LibraryScope::~LibraryScope() { current = outer_; }

LibCtx* CurrentLibrary() { return current; }

SslCtxPtr NewSslContext(LibCtx* lib, const SSL_METHOD* method) {
  LibraryScope scope(lib);
#if TLSIM_HAS_PROVIDERS
  return SslCtxPtr(SSL_CTX_new_ex(lib, nullptr, method));
#else
  return SslCtxPtr(SSL_CTX_new(method));
#endif
}

X509Ptr NewCertificate(LibCtx* lib) {
#if TLSIM_HAS_PROVIDERS
  return X509Ptr(X509_new_ex(lib, nullptr));
#else
  (void)lib;
  return X509Ptr(X509_new());
#endif
}

bool RandomBytes(LibCtx* lib, unsigned char* out, size_t length,
                 bool private_stream) {
#if TLSIM_HAS_PROVIDERS
  return (private_stream ? RAND_priv_bytes_ex(lib, out, length, 0)
                         : RAND_bytes_ex(lib, out, length, 0)) == 1;
#else
  LibraryScope scope(lib);
  if (length > INT_MAX) return false;
  const int n = static_cast<int>(length);
  return (private_stream ? RAND_priv_bytes(out, n) : RAND_bytes(out, n)) == 1;
#endif
}

X509_STORE_CTX* NewStoreContext(LibCtx* lib) {
#if TLSIM_HAS_PROVIDERS
  return X509_STORE_CTX_new_ex(lib, nullptr);
#else
  (void)lib;
  return X509_STORE_CTX_new();
#endif
}

}  // namespace tlsim::tls
