#include "lib/tls/pki.h"

#include <openssl/err.h>

#include "lib/tls/compat.h"
#if TLSIM_HAS_PROVIDERS
#include <openssl/provider.h>
#endif
#include <openssl/x509_vfy.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lib/tls/handles.h"
#include "tests/openssl_differences.h"

namespace tlsim::tls {
namespace {

using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, Free<X509_STORE_CTX_free>>;
using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES_free>>;

struct X509StackFree {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

constexpr int64_t kNotBefore = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kNotAfter = 1798761600;   // 2027-01-01T00:00:00Z
constexpr time_t kInside = 1780272000;      // 2026-06-01T00:00:00Z

// Specs valid from kNotBefore to kNotAfter. (Designated initializers that
// leave members out trip -Wmissing-field-initializers on g++ 12.)
CertSpec Ca(std::string name, std::string issuer = "",
            KeyType key = KeyType::kEcP256) {
  CertSpec spec;
  spec.name = std::move(name);
  spec.is_ca = true;
  spec.issuer = std::move(issuer);
  spec.key = key;
  spec.not_before = kNotBefore;
  spec.not_after = kNotAfter;
  return spec;
}

CertSpec Leaf(std::string name, std::string issuer,
              KeyType key = KeyType::kEcP256,
              std::vector<std::string> dns = {}) {
  CertSpec spec = Ca(std::move(name), std::move(issuer), key);
  spec.is_ca = false;
  spec.dns = std::move(dns);
  return spec;
}

std::vector<CertSpec> Chain(KeyType key) {
  return {Ca("root", "", key), Ca("intermediate", "root", key),
          Leaf("server.test", "intermediate", key,
               {"server.test", "www.server.test"})};
}

// Verifies `leaf` with `root` as the only trust anchor and `untrusted` as
// chain-building helpers, at time `at`. Returns the X509_STORE_CTX error
// (X509_V_OK on success).
int VerifyAt(LibCtx* libctx, X509* root, X509* leaf,
             const std::vector<X509*>& untrusted, time_t at,
             unsigned long flags = 0) {
  X509StorePtr store(X509_STORE_new());
  REQUIRE(X509_STORE_add_cert(store.get(), root) == 1);
  X509StackPtr chain(sk_X509_new_null());
  for (X509* ca : untrusted) REQUIRE(sk_X509_push(chain.get(), ca) > 0);
  X509StoreCtxPtr ctx(NewStoreContext(libctx));
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf, chain.get()) == 1);
  X509_STORE_CTX_set_time(ctx.get(), 0, at);
  if (flags != 0) X509_STORE_CTX_set_flags(ctx.get(), flags);
  const int ok = X509_verify_cert(ctx.get());
  const int error = X509_STORE_CTX_get_error(ctx.get());
  CHECK((ok == 1) == (error == X509_V_OK));
  ERR_clear_error();
  return error;
}

// VerifyAt for `pki`'s leaf "server.test" with its intermediates.
int VerifyServerAt(LibCtx* libctx, const Pki& pki, X509* root, time_t at,
                   unsigned long flags = 0) {
  return VerifyAt(libctx, root, pki.Find("server.test")->cert.get(),
                  pki.Intermediates("server.test"), at, flags);
}

std::vector<std::string> DnsNames(X509* cert) {
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  std::vector<std::string> dns;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get());
       ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_DNS) continue;
    const ASN1_IA5STRING* s = name->d.dNSName;
    dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     ASN1_STRING_length(s));
  }
  return dns;
}

long Serial(X509* cert) {
  return ASN1_INTEGER_get(X509_get0_serialNumber(cert));
}

// Builds `specs` into a fresh Pki and returns Build's message ("" on
// success).
std::string BuildError(LibCtx* libctx, const std::vector<CertSpec>& specs) {
  Pki pki;
  std::string error;
  if (pki.Build(libctx, specs, &error)) return "";
  CHECK(ERR_peek_error() == 0);  // the failure path emptied the queue
  return error;
}

TEST_CASE("a root, intermediate and leaf verify only inside their window",
          "[pki]") {
  auto [key, algorithm] = GENERATE(std::pair{KeyType::kEcP256, "EC"},
                                   std::pair{KeyType::kEd25519, "ED25519"},
                                   std::pair{KeyType::kRsa2048, "RSA"});
  CAPTURE(algorithm);
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(), Chain(key), &error));
  CHECK(error.empty());
  X509* root = pki.Find("root")->cert.get();

  for (const char* name : {"root", "intermediate", "server.test"}) {
    CHECK(tlsim::tls::KeyIs(pki.Find(name)->key.get(), algorithm));
  }
  if (key == KeyType::kRsa2048) {
    CHECK(tlsim::tls::KeyBits(pki.Find("root")->key.get()) == 2048);
  }

  SECTION("inside the window the chain verifies") {
    CHECK(VerifyServerAt(libctx.get(), pki, root, kInside) == X509_V_OK);
    CHECK(VerifyServerAt(libctx.get(), pki, root, kNotBefore) == X509_V_OK);
    CHECK(VerifyServerAt(libctx.get(), pki, root, kNotAfter - 1) == X509_V_OK);
  }
  SECTION("at not_after itself 3.x already counts the chain expired") {
    // X509_cmp_time treats "equal" as "earlier": notBefore is inclusive,
    // notAfter exclusive (RFC 5280 4.1.2.5 has both inclusive), up to 3.6;
    // 4.0 takes notAfter as inclusive.
    CHECK(
        VerifyServerAt(libctx.get(), pki, root, kNotAfter) ==
        (tests::NotAfterInclusive() ? X509_V_OK : X509_V_ERR_CERT_HAS_EXPIRED));
  }
  SECTION("the chain meets OpenSSL's strict RFC 5280 checks") {
    CHECK(VerifyServerAt(libctx.get(), pki, root, kInside,
                         X509_V_FLAG_X509_STRICT) == X509_V_OK);
  }
  SECTION("after not_after the chain has expired") {
    CHECK(VerifyServerAt(libctx.get(), pki, root, kNotAfter + 1) ==
          X509_V_ERR_CERT_HAS_EXPIRED);
  }
  SECTION("before not_before the chain is not yet valid") {
    CHECK(VerifyServerAt(libctx.get(), pki, root, kNotBefore - 1) ==
          X509_V_ERR_CERT_NOT_YET_VALID);
  }
  SECTION("without the intermediate the leaf has no issuer") {
    CHECK(VerifyAt(libctx.get(), root, pki.Find("server.test")->cert.get(), {},
                   kInside) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  }
}

TEST_CASE("certificates carry the names, serials and extensions of the spec",
          "[pki]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  std::vector<CertSpec> specs = Chain(KeyType::kRsa2048);
  specs.push_back(Leaf("bare.test", "root", KeyType::kEd25519));
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(), specs, &error));
  X509* root = pki.Find("root")->cert.get();
  X509* intermediate = pki.Find("intermediate")->cert.get();
  X509* leaf = pki.Find("server.test")->cert.get();
  X509* bare = pki.Find("bare.test")->cert.get();

  CHECK(CommonName(root) == "root");
  CHECK(CommonName(intermediate) == "intermediate");
  CHECK(CommonName(leaf) == "server.test");
  CHECK(DnsNames(leaf) ==
        std::vector<std::string>{"server.test", "www.server.test"});
  CHECK(DnsNames(bare) == std::vector<std::string>{"bare.test"});
  CHECK(DnsNames(root).empty());

  CHECK(Serial(root) == 1);
  CHECK(Serial(intermediate) == 2);
  CHECK(Serial(leaf) == 3);
  CHECK(Serial(bare) == 4);

  CHECK(X509_get_version(leaf) == tlsim::tls::kX509Version3);
  CHECK(X509_NAME_cmp(X509_get_issuer_name(root),
                      X509_get_subject_name(root)) == 0);
  CHECK(X509_NAME_cmp(X509_get_issuer_name(leaf),
                      X509_get_subject_name(intermediate)) == 0);
  CHECK(X509_check_issued(intermediate, leaf) == X509_V_OK);
  CHECK(X509_check_issued(root, intermediate) == X509_V_OK);

  CHECK(X509_check_ca(root) == 1);
  CHECK(X509_check_ca(intermediate) == 1);
  CHECK(X509_check_ca(leaf) == 0);
  CHECK(X509_get_key_usage(root) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  CHECK(X509_get_key_usage(leaf) ==
        (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  CHECK(X509_get_key_usage(bare) == KU_DIGITAL_SIGNATURE);
  CHECK(X509_get_extended_key_usage(leaf) == (XKU_SSL_SERVER | XKU_SSL_CLIENT));
  CHECK(X509_get0_subject_key_id(root) != nullptr);
  CHECK(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(leaf),
                              X509_get0_subject_key_id(intermediate)) == 0);

  // RSA issuers sign with SHA-256; certificates issued by an Ed25519 key are
  // covered by the chain test above.
  CHECK(X509_get_signature_nid(leaf) == NID_sha256WithRSAEncryption);
  CHECK(X509_get_signature_nid(bare) == NID_sha256WithRSAEncryption);
  CHECK(tlsim::tls::KeyIs(pki.Find("bare.test")->key.get(), "ED25519"));

  CHECK(pki.Find("nobody") == nullptr);
  CHECK(pki.Find("server.test")->issuer == "intermediate");
  CHECK(pki.Find("root")->issuer.empty());
}

TEST_CASE("an Ed25519 issuer signs without a separate digest", "[pki]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(), Chain(KeyType::kEd25519), &error));
  CHECK(X509_get_signature_nid(pki.Find("server.test")->cert.get()) ==
        NID_ED25519);
}

TEST_CASE("Build reports each bad spec by name", "[pki]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  const CertSpec root = Ca("root");

  CHECK(BuildError(libctx.get(), {root, Leaf("x", "nope")}) ==
        "certificate 'x': unknown issuer 'nope'");
  // An issuer must come before what it signs.
  CHECK(BuildError(libctx.get(), {Leaf("x", "root"), root}) ==
        "certificate 'x': unknown issuer 'root'");
  CHECK(BuildError(libctx.get(), {root, Leaf("y", "root"), Leaf("x", "y")}) ==
        "certificate 'x': issuer 'y' is not a CA");
  CHECK(BuildError(libctx.get(), {Leaf("x", "")}) ==
        "certificate 'x': a leaf needs an issuer");
  CHECK(BuildError(libctx.get(), {root, Ca("root")}) ==
        "certificate 'root': duplicate name");
  // "DNS:a,bogus" is a SAN list whose second entry has no value.
  CHECK(BuildError(libctx.get(),
                   {root, Leaf("x", "root", KeyType::kEcP256, {"a,bogus"})}) ==
        "certificate 'x': OpenSSL failed to add an extension: missing value");
}

// Providers are 3.0's: 1.1.1 has one process-wide set of algorithms.
#if TLSIM_HAS_PROVIDERS
TEST_CASE("Build uses only the library context it is given", "[pki]") {
  // A context holding only the null provider has no algorithms at all: if
  // Build reached for the default context, it would succeed here.
  LibCtxPtr empty = tlsim::tls::NewLibCtx();
  OSSL_PROVIDER* null_provider = OSSL_PROVIDER_load(empty.get(), "null");
  REQUIRE(null_provider != nullptr);
  const std::string error = BuildError(empty.get(), {Ca("root")});
  CHECK(error.rfind("certificate 'root': OpenSSL failed to generate the key: ",
                    0) == 0);
  CHECK(error.find("unknown error") == std::string::npos);
  OSSL_PROVIDER_unload(null_provider);
}
#endif  // TLSIM_HAS_PROVIDERS

TEST_CASE("two PKIs in two library contexts do not interfere", "[pki]") {
  LibCtxPtr first_ctx = tlsim::tls::NewLibCtx();
  LibCtxPtr second_ctx = tlsim::tls::NewLibCtx();
  auto first = std::make_unique<Pki>();
  Pki second;
  std::string error;
  REQUIRE(first->Build(first_ctx.get(), Chain(KeyType::kEcP256), &error));
  REQUIRE(second.Build(second_ctx.get(), Chain(KeyType::kEcP256), &error));
  X509* second_root = second.Find("root")->cert.get();

  // Same names, different keys: neither root vouches for the other's chain.
  CHECK(tlsim::tls::KeysEqual(first->Find("root")->key.get(),
                              second.Find("root")->key.get()) != 1);
  CHECK(VerifyServerAt(second_ctx.get(), *first, second_root, kInside) ==
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  CHECK(VerifyServerAt(first_ctx.get(), *first, first->Find("root")->cert.get(),
                       kInside) == X509_V_OK);

  // Tearing the first down, context included, leaves the second working.
  first.reset();
  first_ctx.reset();
  CHECK(VerifyServerAt(second_ctx.get(), second, second_root, kInside) ==
        X509_V_OK);
}

TEST_CASE("Intermediates lists the CAs between a leaf and its root", "[pki]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(),
                    {Ca("root"), Ca("ca1", "root"), Ca("ca2", "ca1"),
                     Leaf("leaf", "ca2"), Leaf("direct", "root")},
                    &error));
  X509* ca1 = pki.Find("ca1")->cert.get();
  X509* ca2 = pki.Find("ca2")->cert.get();
  CHECK(pki.Intermediates("leaf") == std::vector<X509*>{ca2, ca1});
  CHECK(pki.Intermediates("ca2") == std::vector<X509*>{ca1});
  CHECK(pki.Intermediates("direct").empty());
  CHECK(pki.Intermediates("root").empty());
  CHECK(pki.Intermediates("nobody").empty());
}

TEST_CASE("a failed Build leaves the previous certificates in place", "[pki]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(), {Ca("root")}, &error));
  X509* root = pki.Find("root")->cert.get();
  CHECK_FALSE(pki.Build(libctx.get(), {Ca("other"), Leaf("x", "")}, &error));
  CHECK(pki.Find("root")->cert.get() == root);
  CHECK(pki.Find("other") == nullptr);
}

}  // namespace
}  // namespace tlsim::tls
