// One owner per OpenSSL object: std::unique_ptr aliases whose deleter is the
// matching *_free function.
//
//   tls::SslPtr ssl(SSL_new(ctx));
//   SSL_set_bio(ssl, bio, bio);  // borrowers take raw pointers
//
// One run's library state (LibCtxPtr) is lib/tls/library.h's.
// Where OpenSSL takes ownership, call .release() on that line and say so.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace tlsim::tls {

template <auto kFree>
struct Free {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

using SslCtxPtr = std::unique_ptr<SSL_CTX, Free<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Free<SSL_free>>;
using SslSessionPtr = std::unique_ptr<SSL_SESSION, Free<SSL_SESSION_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Free<X509_NAME_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Free<X509_STORE_free>>;
using X509ExtensionPtr =
    std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, Free<ASN1_TIME_free>>;
using BigNumPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;

}  // namespace tlsim::tls
