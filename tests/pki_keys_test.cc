// The PKI's key types and certificate shapes, and the process-wide cache of
// seeded keys: every key type makes a chain that verifies, RSA-PSS
// restrictions and compressed points reach the certificate, name
// constraints bind, and a cached key leaves the random stream exactly where
// generating it would have.
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509_vfy.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lib/tls/compat.h"
#include "lib/tls/handles.h"
#include "lib/tls/keys.h"
#include "lib/tls/names.h"
#include "lib/tls/pki.h"
#include "lib/tls/seeded_random.h"

namespace tlsim::tls {
namespace {

using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, Free<X509_STORE_CTX_free>>;

constexpr int64_t kNotBefore = 1767225600;  // 2026-01-01T00:00:00Z
constexpr int64_t kNotAfter = 1798761600;   // 2027-01-01T00:00:00Z
constexpr time_t kInside = 1780272000;      // 2026-06-01T00:00:00Z

CertSpec Spec(std::string name, bool is_ca, std::string issuer,
              KeyType key = KeyType::kEcP256) {
  CertSpec spec;
  spec.name = std::move(name);
  spec.is_ca = is_ca;
  spec.issuer = std::move(issuer);
  spec.key = key;
  spec.not_before = kNotBefore;
  spec.not_after = kNotAfter;
  return spec;
}

// Verifies `leaf` against `root` alone at kInside; the X509 error code.
int Verify(LibCtx* libctx, X509* root, X509* leaf, const char* host = nullptr) {
  X509StorePtr store(X509_STORE_new());
  REQUIRE(X509_STORE_add_cert(store.get(), root) == 1);
  X509StoreCtxPtr ctx(NewStoreContext(libctx));
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) == 1);
  X509_STORE_CTX_set_time(ctx.get(), 0, kInside);
  if (host != nullptr) {
    X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), host, 0);
  }
  X509_verify_cert(ctx.get());
  ERR_clear_error();
  return X509_STORE_CTX_get_error(ctx.get());
}

LibCtxPtr Seeded(uint64_t seed) {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  std::string error;
  REQUIRE(UseSeededRandom(libctx.get(), seed, &error));
  return libctx;
}

std::string Der(X509* cert) {
  unsigned char* data = nullptr;
  int length = i2d_X509(cert, &data);
  REQUIRE(length > 0);
  std::string out(reinterpret_cast<char*>(data), length);
  OPENSSL_free(data);
  return out;
}

TEST_CASE(
    "every key type makes a root and a leaf that verify, named as "
    "OpenSSL names them",
    "[pki][keys]") {
  const std::pair<KeyType, const char*> kTypes[] = {
      {KeyType::kEcP256, "P-256"},
      {KeyType::kEd25519, "Ed25519"},
      {KeyType::kRsa2048, "RSA"},
      {KeyType::kRsa3072, "RSA"},
      {KeyType::kRsaPss, "RSA-PSS"},
      {KeyType::kRsaPssSha256, "RSA-PSS"},
      {KeyType::kEd448, "Ed448"},
      {KeyType::kEcP384, "P-384"},
      {KeyType::kEcP521, "P-521"},
      {KeyType::kBrainpoolP256r1, "brainpoolP256r1"},
      {KeyType::kBrainpoolP384r1, "brainpoolP384r1"},
      {KeyType::kBrainpoolP512r1, "brainpoolP512r1"},
      {KeyType::kDsa2048, "DSA"},
  };
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  for (const auto& [type, name] : kTypes) {
    INFO(name);
    Pki pki;
    std::string error;
    REQUIRE(pki.Build(
        libctx.get(),
        {Spec("root", true, "", type), Spec("leaf.test", false, "root", type)},
        &error));
    const Issued* leaf = pki.Find("leaf.test");
    CHECK(KeyTypeNames(X509_get0_pubkey(leaf->cert.get())).front() == name);
    CHECK(Verify(libctx.get(), pki.Find("root")->cert.get(), leaf->cert.get(),
                 "leaf.test") == X509_V_OK);
    // RSA keys may encrypt (TLS 1.2 RSA key exchange); others only sign.
    const uint32_t usage = X509_get_key_usage(leaf->cert.get());
    CHECK(((usage & KU_KEY_ENCIPHERMENT) != 0) == IsRsaEncryption(type));
  }
}

TEST_CASE("an RSA-PSS key keeps its restrictions in the certificate",
          "[pki][keys]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(),
                    {Spec("root", true, "", KeyType::kRsaPssSha256),
                     Spec("plain", false, "root", KeyType::kRsaPss),
                     Spec("restricted", false, "root", KeyType::kRsaPssSha256)},
                    &error));
  auto digest = [](X509* cert) {
    const std::string name = RsaPssDigest(X509_get0_pubkey(cert));
    return name.empty() ? std::string("unrestricted") : name;
  };
  CHECK(digest(pki.Find("plain")->cert.get()) == "unrestricted");
  // The same SHA-256 restriction: 3.x names the digest "SHA2-256", 1.1.1 by
  // its short name "SHA256".
  CHECK(digest(pki.Find("restricted")->cert.get()) ==
        (kIs111 ? "SHA256" : "SHA2-256"));
  // The root signs with PSS: its signature algorithm says so.
  CHECK(X509_get_signature_nid(pki.Find("plain")->cert.get()) == NID_rsassaPss);
}

TEST_CASE("an EC certificate may carry its point compressed", "[pki][keys]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  CertSpec compressed = Spec("c.test", false, "root", KeyType::kEcP384);
  compressed.compressed_point = true;
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(),
                    {Spec("root", true, ""), compressed,
                     Spec("u.test", false, "root", KeyType::kEcP384)},
                    &error));
  auto point = [](X509* cert) {
    const ASN1_BIT_STRING* bits = X509_get0_pubkey_bitstr(cert);
    return std::pair{ASN1_STRING_length(bits),
                     int{ASN1_STRING_get0_data(bits)[0]}};
  };
  auto [c_length, c_form] = point(pki.Find("c.test")->cert.get());
  CHECK(c_length == 1 + 48);
  CHECK((c_form == 2 || c_form == 3));
  CHECK(point(pki.Find("u.test")->cert.get()) == std::pair{1 + 2 * 48, 4});
  CHECK(Verify(libctx.get(), pki.Find("root")->cert.get(),
               pki.Find("c.test")->cert.get()) == X509_V_OK);

  CertSpec rsa = Spec("r.test", false, "root", KeyType::kRsa2048);
  rsa.compressed_point = true;
  CHECK_FALSE(pki.Build(libctx.get(), {Spec("root", true, ""), rsa}, &error));
  CHECK(error == "certificate 'r.test': only an EC key has a compressed point");
}

TEST_CASE("a CA's name constraints bind the leaves it signs", "[pki][keys]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  CertSpec ca = Spec("root", true, "");
  ca.permitted_dns = {"good.test"};
  ca.excluded_dns = {"bad.good.test"};
  CertSpec no_san = Spec("outside.test", false, "root");
  no_san.no_san = true;
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(),
                    {ca, Spec("www.good.test", false, "root"),
                     Spec("www.other.test", false, "root"),
                     Spec("x.bad.good.test", false, "root"), no_san},
                    &error));
  X509* root = pki.Find("root")->cert.get();
  CHECK(Verify(libctx.get(), root, pki.Find("www.good.test")->cert.get()) ==
        X509_V_OK);
  CHECK(Verify(libctx.get(), root, pki.Find("www.other.test")->cert.get()) ==
        X509_V_ERR_PERMITTED_VIOLATION);
  CHECK(Verify(libctx.get(), root, pki.Find("x.bad.good.test")->cert.get()) ==
        X509_V_ERR_EXCLUDED_VIOLATION);
  // Without subjectAltName OpenSSL 3.0 checks a host-like CN instead.
  X509* bare = pki.Find("outside.test")->cert.get();
  CHECK(X509_get_ext_by_NID(bare, NID_subject_alt_name, -1) < 0);
  CHECK(Verify(libctx.get(), root, bare) == X509_V_ERR_PERMITTED_VIOLATION);
}

TEST_CASE("a leaf without subjectAltName still matches its CN as host name",
          "[pki][keys]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  CertSpec leaf = Spec("server.test", false, "root");
  leaf.no_san = true;
  Pki pki;
  std::string error;
  REQUIRE(pki.Build(libctx.get(), {Spec("root", true, ""), leaf}, &error));
  X509* root = pki.Find("root")->cert.get();
  X509* cert = pki.Find("server.test")->cert.get();
  CHECK(X509_get_ext_by_NID(cert, NID_subject_alt_name, -1) < 0);
  CHECK(Verify(libctx.get(), root, cert, "server.test") == X509_V_OK);
  CHECK(Verify(libctx.get(), root, cert, "other.test") ==
        X509_V_ERR_HOSTNAME_MISMATCH);
}

TEST_CASE(
    "a seeded key comes from the cache the second time, and the stream "
    "goes on as if it had been generated",
    "[pki][keys]") {
  // A seed no other test uses, so the first Build generates.
  constexpr uint64_t kSeed = 0x6b657973;  // "keys"
  const std::vector<CertSpec> specs = {
      Spec("root", true, "", KeyType::kRsa2048),
      Spec("a.test", false, "root", KeyType::kDsa2048),
      Spec("b.test", false, "root", KeyType::kRsaPssSha256)};
  std::string certs[2];
  std::string root_der;
  std::string next_bytes[2];
  RandomPosition after[2];
  for (int run = 0; run < 2; ++run) {
    const KeyCacheStats before = GetKeyCacheStats();
    LibCtxPtr libctx = Seeded(kSeed);
    Pki pki;
    std::string error;
    REQUIRE(pki.Build(libctx.get(), specs, &error, kSeed));
    const KeyCacheStats now = GetKeyCacheStats();
    if (run == 0) {
      CHECK(now.generated - before.generated == 3);
    } else {
      CHECK(now.reused - before.reused == 3);
      CHECK(now.generated == before.generated);
    }
    root_der = Der(pki.Find("root")->cert.get());
    for (const char* name : {"root", "a.test", "b.test"}) {
      certs[run] += Der(pki.Find(name)->cert.get());
    }
    REQUIRE(GetRandomPosition(libctx.get(), &after[run]));
    unsigned char bytes[64];
    REQUIRE(RandomBytes(libctx.get(), bytes, sizeof bytes, true));
    REQUIRE(RandomBytes(libctx.get(), bytes + 32, 32));
    next_bytes[run].assign(reinterpret_cast<char*>(bytes), sizeof bytes);
  }
  CHECK(certs[0] == certs[1]);
  CHECK(after[0] == after[1]);
  CHECK(next_bytes[0] == next_bytes[1]);

  // Another seed is another key, not a cached one.
  LibCtxPtr other = Seeded(kSeed + 1);
  Pki pki;
  std::string error;
  const KeyCacheStats before = GetKeyCacheStats();
  REQUIRE(pki.Build(other.get(), {specs[0]}, &error, kSeed + 1));
  CHECK(GetKeyCacheStats().generated == before.generated + 1);
  CHECK(Der(pki.Find("root")->cert.get()) != root_der);
}

TEST_CASE("an unseeded library context never uses the cache", "[pki][keys]") {
  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  RandomPosition position;
  CHECK_FALSE(GetRandomPosition(libctx.get(), &position));
  const KeyCacheStats before = GetKeyCacheStats();
  EvpPkeyPtr key;
  std::string error;
  // A seed that libctx was not given is not trusted: nothing is cached.
  REQUIRE(MakeKey(libctx.get(), KeyType::kEcP256, 1, &key, &error));
  REQUIRE(MakeKey(libctx.get(), KeyType::kEcP256, 1, &key, &error));
  CHECK(GetKeyCacheStats().generated == before.generated + 2);
  CHECK(GetKeyCacheStats().reused == before.reused);
}

TEST_CASE("AdvanceRandom refuses to go backwards", "[pki][keys]") {
  LibCtxPtr libctx = Seeded(5);
  RandomPosition start;
  REQUIRE(GetRandomPosition(libctx.get(), &start));
  unsigned char bytes[100];
  REQUIRE(RandomBytes(libctx.get(), bytes, sizeof bytes, true));
  RandomPosition later;
  REQUIRE(GetRandomPosition(libctx.get(), &later));
  // The private DRBG's on 3.x; 1.1.1's RAND_METHOD cannot tell private
  // draws from public ones: its one stream is the public entry.
  const size_t stream = kIs111 ? 1 : 2;
  CHECK(later.drawn[stream] == start.drawn[stream] + 100);
  CHECK_FALSE(AdvanceRandom(libctx.get(), start));
  RandomPosition ahead = later;
  ahead.drawn[1] += 5000;  // more than one discard buffer
  CHECK(AdvanceRandom(libctx.get(), ahead));
  RandomPosition now;
  REQUIRE(GetRandomPosition(libctx.get(), &now));
  CHECK(now == ahead);
}

}  // namespace
}  // namespace tlsim::tls
