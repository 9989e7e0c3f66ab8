#include "lib/tls/seeded_random.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lib/tls/compat.h"
#include "lib/tls/handles.h"
#include "lib/tls/pki.h"

namespace tlsim::tls {
namespace {

using EvpRandPtr = std::unique_ptr<EVP_RAND, Free<EVP_RAND_free>>;
using EvpRandCtxPtr = std::unique_ptr<EVP_RAND_CTX, Free<EVP_RAND_CTX_free>>;

constexpr time_t kNotBefore = 1767225600;   // 2026-01-01T00:00:00Z
constexpr time_t kNotAfter = 1798761600;    // 2027-01-01T00:00:00Z
constexpr time_t kTicketTime = 1780272000;  // 2026-06-01T00:00:00Z

LibCtxPtr SeededLibCtx(uint64_t seed) {
  LibCtxPtr libctx(OSSL_LIB_CTX_new());
  REQUIRE(libctx != nullptr);
  std::string error;
  INFO(error);
  REQUIRE(UseSeededRandom(libctx.get(), seed, &error));
  return libctx;
}

// `total` bytes from RAND_bytes_ex (or RAND_priv_bytes_ex), drawn in many
// requests of irregular sizes up to `max_request`.
std::string Draw(OSSL_LIB_CTX* libctx, size_t total, bool priv,
                 size_t max_request = 4096) {
  std::string out(total, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  for (size_t done = 0, i = 0; done < total; ++i) {
    const size_t n = std::min(total - done, 1 + (i * 7919) % max_request);
    const int ok = priv ? RAND_priv_bytes_ex(libctx, p + done, n, 0)
                        : RAND_bytes_ex(libctx, p + done, n, 0);
    REQUIRE(ok == 1);
    done += n;
  }
  return out;
}

std::string Der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  REQUIRE(length > 0);
  std::string out(reinterpret_cast<const char*>(der), length);
  OPENSSL_free(der);
  return out;
}

std::string Der(X509* cert) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert, &der);
  REQUIRE(length > 0);
  std::string out(reinterpret_cast<const char*>(der), length);
  OPENSSL_free(der);
  return out;
}

enum class Key { kEcP256, kEd25519, kRsa2048 };

std::string PublicKey(OSSL_LIB_CTX* libctx, Key type) {
  EvpPkeyPtr key;
  switch (type) {
    case Key::kEcP256:
      key.reset(EVP_PKEY_Q_keygen(libctx, nullptr, "EC", "P-256"));
      break;
    case Key::kEd25519:
      key.reset(EVP_PKEY_Q_keygen(libctx, nullptr, "ED25519"));
      break;
    case Key::kRsa2048:
      key.reset(
          EVP_PKEY_Q_keygen(libctx, nullptr, "RSA", static_cast<size_t>(2048)));
      break;
  }
  REQUIRE(key != nullptr);
  return Der(key.get());
}

// A self-signed P-256 certificate for "server.test", valid in 2026.
struct SelfSigned {
  EvpPkeyPtr key;
  X509Ptr cert;
};

SelfSigned MakeSelfSigned(OSSL_LIB_CTX* libctx) {
  SelfSigned out;
  out.key.reset(EVP_PKEY_Q_keygen(libctx, nullptr, "EC", "P-256"));
  REQUIRE(out.key != nullptr);
  out.cert.reset(X509_new_ex(libctx, nullptr));
  X509* cert = out.cert.get();
  REQUIRE(cert != nullptr);
  X509_NAME* name = X509_get_subject_name(cert);
  REQUIRE(X509_set_version(cert, X509_VERSION_3) == 1);
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) == 1);
  REQUIRE(X509_NAME_add_entry_by_txt(
              name, "CN", MBSTRING_ASC,
              reinterpret_cast<const unsigned char*>("server.test"), -1, -1,
              0) == 1);
  REQUIRE(X509_set_issuer_name(cert, name) == 1);
  REQUIRE(ASN1_TIME_set(X509_getm_notBefore(cert), kNotBefore) != nullptr);
  REQUIRE(ASN1_TIME_set(X509_getm_notAfter(cert), kNotAfter) != nullptr);
  REQUIRE(X509_set_pubkey(cert, out.key.get()) == 1);
  REQUIRE(X509_sign(cert, out.key.get(), EVP_sha256()) > 0);
  return out;
}

// Ticket generation callback: the session's time, which OpenSSL takes from
// the wall clock and seals into the ticket, set to a fixed value.
int FixTicketTime(SSL* ssl, void* /*arg*/) {
  return tls::SetSessionTime(SSL_get_session(ssl), kTicketTime) ? 1 : 0;
}

// Message callback of the client: keeps each NewSessionTicket it reads.
void KeepTickets(int write_p, int /*version*/, int content_type,
                 const void* buf, size_t len, SSL* /*ssl*/, void* arg) {
  const auto* bytes = static_cast<const char*>(buf);
  if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
      static_cast<unsigned char>(bytes[0]) == SSL3_MT_NEWSESSION_TICKET) {
    static_cast<std::vector<std::string>*>(arg)->emplace_back(bytes, len);
  }
}

// What crossed the wire each way.
struct Transcript {
  std::string to_server;
  std::string to_client;
  std::vector<std::string> tickets;  // NewSessionTickets the client read
};

// A TLS 1.3 client and server, each an SSL on one end of its own BIO pair;
// the test moves bytes between the other ends by hand.
class Connection {
 public:
  Connection(OSSL_LIB_CTX* client_libctx, OSSL_LIB_CTX* server_libctx,
             bool fixed_ticket_time)
      : server_cert_(MakeSelfSigned(server_libctx)) {
    client_ctx_.reset(
        SSL_CTX_new_ex(client_libctx, nullptr, TLS_client_method()));
    server_ctx_.reset(
        SSL_CTX_new_ex(server_libctx, nullptr, TLS_server_method()));
    REQUIRE(client_ctx_ != nullptr);
    REQUIRE(server_ctx_ != nullptr);
    for (SSL_CTX* ctx : {client_ctx_.get(), server_ctx_.get()}) {
      REQUIRE(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1);
    }
    SSL_CTX_set_verify(client_ctx_.get(), SSL_VERIFY_NONE, nullptr);
    REQUIRE(SSL_CTX_use_certificate(server_ctx_.get(),
                                    server_cert_.cert.get()) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey(server_ctx_.get(), server_cert_.key.get()) ==
            1);
    if (fixed_ticket_time) {
      REQUIRE(SSL_CTX_set_session_ticket_cb(server_ctx_.get(), FixTicketTime,
                                            nullptr, nullptr) == 1);
    }
    client_ = MakeEndpoint(client_ctx_.get());
    server_ = MakeEndpoint(server_ctx_.get());
    SSL_set_connect_state(client_.ssl.get());
    SSL_set_accept_state(server_.ssl.get());
    SSL_set_msg_callback(client_.ssl.get(), KeepTickets);
    SSL_set_msg_callback_arg(client_.ssl.get(), &transcript_.tickets);
  }

  // One turn of one endpoint, client and server in alternation: it runs
  // its handshake, or reads once the handshake is done, and what it wrote
  // is delivered to the peer.
  void Step() {
    Endpoint& self = client_turn_ ? client_ : server_;
    Endpoint& peer = client_turn_ ? server_ : client_;
    SSL* ssl = self.ssl.get();
    if (!SSL_is_init_finished(ssl)) {
      const int r = SSL_do_handshake(ssl);
      if (r != 1) REQUIRE(SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ);
    } else {
      unsigned char buf[256];
      const int r = SSL_read(ssl, buf, sizeof buf);
      REQUIRE(r <= 0);
      REQUIRE(SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ);
    }
    Deliver(self, peer,
            client_turn_ ? &transcript_.to_server : &transcript_.to_client);
    client_turn_ = !client_turn_;
  }

  // Both handshakes done, both tickets read by the client, nothing in
  // flight.
  bool Done() const {
    return SSL_is_init_finished(client_.ssl.get()) &&
           SSL_is_init_finished(server_.ssl.get()) &&
           transcript_.tickets.size() == 2 &&
           BIO_ctrl_pending(client_.network.get()) == 0 &&
           BIO_ctrl_pending(server_.network.get()) == 0;
  }

  Transcript Run() {
    for (int i = 0; i < 20 && !Done(); ++i) Step();
    REQUIRE(Done());
    return transcript_;
  }

  const Transcript& transcript() const { return transcript_; }

 private:
  struct Endpoint {
    SslPtr ssl;
    BioPtr network;  // the test's end of the BIO pair
  };

  static Endpoint MakeEndpoint(SSL_CTX* ctx) {
    Endpoint e;
    e.ssl.reset(SSL_new(ctx));
    REQUIRE(e.ssl != nullptr);
    BIO* inner = nullptr;
    BIO* outer = nullptr;
    REQUIRE(BIO_new_bio_pair(&inner, 0, &outer, 0) == 1);
    SSL_set_bio(e.ssl.get(), inner, inner);  // the SSL owns `inner` now
    e.network.reset(outer);
    return e;
  }

  static void Deliver(Endpoint& from, Endpoint& to, std::string* record) {
    char buf[4096];
    int n;
    while ((n = BIO_read(from.network.get(), buf, sizeof buf)) > 0) {
      record->append(buf, n);
      REQUIRE(BIO_write(to.network.get(), buf, n) == n);
    }
  }

  SelfSigned server_cert_;
  SslCtxPtr client_ctx_;
  SslCtxPtr server_ctx_;
  Endpoint client_;
  Endpoint server_;
  bool client_turn_ = true;
  Transcript transcript_;
};

// A handshake with client and server in one seeded library context, as a
// tlsim run has them.
Transcript SeededHandshake(uint64_t seed, bool fixed_ticket_time = true) {
  LibCtxPtr libctx = SeededLibCtx(seed);
  return Connection(libctx.get(), libctx.get(), fixed_ticket_time).Run();
}

// The TLS records of a byte stream, header included.
std::vector<std::string> Records(const std::string& stream) {
  std::vector<std::string> records;
  for (size_t at = 0; at < stream.size();) {
    REQUIRE(stream.size() - at >= 5);
    const size_t length = (static_cast<unsigned char>(stream[at + 3]) << 8) |
                          static_cast<unsigned char>(stream[at + 4]);
    REQUIRE(stream.size() - at >= 5 + length);
    records.push_back(stream.substr(at, 5 + length));
    at += 5 + length;
  }
  return records;
}

// A TLS 1.3 NewSessionTicket (RFC 8446 4.6.1) whose ticket is OpenSSL's:
// key name (16), IV (16), the encrypted session, HMAC (32).
struct NewSessionTicket {
  std::string lifetime;
  std::string age_add;
  std::string nonce;
  std::string key_name;
  std::string iv;
  std::string sealed;  // encrypted session and HMAC
};

NewSessionTicket ParseTicket(const std::string& message) {
  size_t at = 4;  // handshake type and length
  auto take = [&](size_t n) {
    REQUIRE(message.size() - at >= n);
    at += n;
    return message.substr(at - n, n);
  };
  auto length = [&](size_t n) {
    size_t value = 0;
    for (unsigned char c : take(n)) value = value << 8 | c;
    return value;
  };
  NewSessionTicket t;
  t.lifetime = take(4);
  t.age_add = take(4);
  t.nonce = take(length(1));
  const size_t ticket_length = length(2);
  REQUIRE(ticket_length > 16 + 16 + 32);
  t.key_name = take(16);
  t.iv = take(16);
  t.sealed = take(ticket_length - 32);
  return t;
}

TEST_CASE("the same seed gives the same random bytes, without running dry",
          "[seeded_random]") {
  LibCtxPtr a = SeededLibCtx(7);
  LibCtxPtr b = SeededLibCtx(7);
  constexpr size_t kTotal = (size_t{3} << 20) / 2;  // 1.5 MiB, ~750 requests
  const std::string a_public = Draw(a.get(), kTotal, false);
  const std::string a_private = Draw(a.get(), kTotal, true);
  CHECK(a_public == Draw(b.get(), kTotal, false));
  CHECK(a_private == Draw(b.get(), kTotal, true));
  CHECK(a_public != a_private);
}

TEST_CASE("the stream does not depend on how requests are cut",
          "[seeded_random]") {
  LibCtxPtr a = SeededLibCtx(7);
  LibCtxPtr b = SeededLibCtx(7);
  constexpr size_t kTotal = 200000;  // more than one request's maximum
  std::string whole(kTotal, '\0');
  REQUIRE(RAND_bytes_ex(a.get(), reinterpret_cast<unsigned char*>(whole.data()),
                        kTotal, 0) == 1);
  CHECK(whole == Draw(b.get(), kTotal, false, 100));
}

TEST_CASE("different seeds give different random bytes", "[seeded_random]") {
  LibCtxPtr a = SeededLibCtx(7);
  LibCtxPtr b = SeededLibCtx(8);
  CHECK(Draw(a.get(), 64, false) != Draw(b.get(), 64, false));
  CHECK(Draw(a.get(), 64, true) != Draw(b.get(), 64, true));
}

TEST_CASE(
    "a library context without a seed differs from one creation to the next",
    "[seeded_random]") {
  LibCtxPtr a(OSSL_LIB_CTX_new());
  LibCtxPtr b(OSSL_LIB_CTX_new());
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  CHECK(Draw(a.get(), 64, false) != Draw(b.get(), 64, false));
}

TEST_CASE("the DRBGs of a seeded library context are TLSIM-SEEDED",
          "[seeded_random]") {
  LibCtxPtr libctx = SeededLibCtx(1);
  for (EVP_RAND_CTX* rand :
       {RAND_get0_primary(libctx.get()), RAND_get0_public(libctx.get()),
        RAND_get0_private(libctx.get())}) {
    REQUIRE(rand != nullptr);
    const EVP_RAND* type = EVP_RAND_CTX_get0_rand(rand);
    CHECK(std::string(EVP_RAND_get0_name(type)) == "TLSIM-SEEDED");
    CHECK(std::string(OSSL_PROVIDER_get0_name(EVP_RAND_get0_provider(type))) ==
          "tlsim-seeded");
    CHECK(EVP_RAND_get_strength(rand) == 256);
    CHECK(EVP_RAND_get_state(rand) == EVP_RAND_STATE_READY);
  }
}

TEST_CASE("keys generated from the same seed are the same key",
          "[seeded_random]") {
  const Key type = GENERATE(Key::kEcP256, Key::kEd25519, Key::kRsa2048);
  LibCtxPtr a = SeededLibCtx(11);
  LibCtxPtr b = SeededLibCtx(11);
  LibCtxPtr c = SeededLibCtx(12);
  const std::string key = PublicKey(a.get(), type);
  CHECK(key == PublicKey(b.get(), type));
  CHECK(key != PublicKey(c.get(), type));
}

TEST_CASE("a PKI built from the same seed is the same PKI, signatures included",
          "[seeded_random]") {
  auto spec = [](std::string name, std::string issuer, bool is_ca,
                 KeyType key) {
    CertSpec s;
    s.name = std::move(name);
    s.issuer = std::move(issuer);
    s.is_ca = is_ca;
    s.key = key;
    s.not_before = kNotBefore;
    s.not_after = kNotAfter;
    return s;
  };
  const std::vector<CertSpec> specs = {
      spec("root", "", true, KeyType::kEcP256),
      spec("intermediate", "root", true, KeyType::kRsa2048),
      spec("server.test", "intermediate", false, KeyType::kEd25519)};
  auto build = [&](uint64_t seed) {
    LibCtxPtr libctx = SeededLibCtx(seed);
    Pki pki;
    std::string error;
    INFO(error);
    REQUIRE(pki.Build(libctx.get(), specs, &error));
    std::vector<std::string> ders;
    for (const CertSpec& s : specs)
      ders.push_back(Der(pki.Find(s.name)->cert.get()));
    return ders;
  };
  const std::vector<std::string> first = build(5);
  const std::vector<std::string> second = build(5);
  const std::vector<std::string> other = build(6);
  for (size_t i = 0; i < specs.size(); ++i) {
    CHECK(first[i] == second[i]);
    CHECK(first[i] != other[i]);
  }
}

TEST_CASE("an OpenSSL DRBG under a seeded one is deterministic too",
          "[seeded_random]") {
  auto draw = [](uint64_t seed) {
    LibCtxPtr libctx = SeededLibCtx(seed);
    EvpRandPtr ctr(EVP_RAND_fetch(libctx.get(), "CTR-DRBG", nullptr));
    REQUIRE(ctr != nullptr);
    EvpRandCtxPtr drbg(
        EVP_RAND_CTX_new(ctr.get(), RAND_get0_primary(libctx.get())));
    REQUIRE(drbg != nullptr);
    char cipher[] = "AES-256-CTR";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_CIPHER, cipher, 0),
        OSSL_PARAM_construct_end()};
    REQUIRE(EVP_RAND_instantiate(drbg.get(), 256, 0, nullptr, 0, params) == 1);
    unsigned char out[64];
    REQUIRE(EVP_RAND_generate(drbg.get(), out, sizeof out, 256, 0, nullptr,
                              0) == 1);
    return std::string(reinterpret_cast<const char*>(out), sizeof out);
  };
  const std::string first = draw(3);
  CHECK(first == draw(3));
  CHECK(first != draw(4));
}

TEST_CASE("UseSeededRandom refuses what it cannot make deterministic",
          "[seeded_random]") {
  std::string error;
  SECTION("the process-wide default library context") {
    CHECK_FALSE(UseSeededRandom(nullptr, 1, &error));
    CHECK(error ==
          "cannot use seeded randomness: needs a library context of its own, "
          "not the default (NULL)");
  }
  SECTION("a second seed for the same library context") {
    LibCtxPtr libctx = SeededLibCtx(1);
    CHECK_FALSE(UseSeededRandom(libctx.get(), 2, &error));
    CHECK(error ==
          "cannot use seeded randomness: this library context is already "
          "seeded");
  }
  SECTION("a library context whose randomness was already used") {
    LibCtxPtr libctx(OSSL_LIB_CTX_new());
    unsigned char byte;
    REQUIRE(RAND_bytes_ex(libctx.get(), &byte, 1, 0) == 1);
    CHECK_FALSE(UseSeededRandom(libctx.get(), 1, &error));
    CHECK(error ==
          "cannot use seeded randomness: this library context's randomness "
          "was already used");
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE(
    "a TLS 1.3 handshake with tickets is byte-identical for the same seed",
    "[seeded_random]") {
  SECTION("client and server sharing one library context") {
    const Transcript first = SeededHandshake(21);
    const Transcript second = SeededHandshake(21);
    CHECK(first.to_server == second.to_server);
    CHECK(first.to_client == second.to_client);
    const Transcript other = SeededHandshake(22);
    CHECK(first.to_server != other.to_server);
    CHECK(first.to_client != other.to_client);
  }
  SECTION("client and server in library contexts of their own") {
    auto run = [] {
      LibCtxPtr client = SeededLibCtx(31);
      LibCtxPtr server = SeededLibCtx(32);
      return Connection(client.get(), server.get(), true).Run();
    };
    const Transcript first = run();
    const Transcript second = run();
    CHECK(first.to_server == second.to_server);
    CHECK(first.to_client == second.to_client);
  }
}

// Why the ticket callback is there: OpenSSL 3.0 seals the session's creation
// time, time(NULL), into each ticket.
TEST_CASE("without a fixed ticket time, only the tickets follow the wall clock",
          "[seeded_random]") {
  const Transcript first = SeededHandshake(41, false);
  const time_t issued = time(nullptr);
  while (time(nullptr) == issued) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const Transcript second = SeededHandshake(41, false);
  CHECK(first.to_server == second.to_server);
  const std::vector<std::string> a = Records(first.to_client);
  const std::vector<std::string> b = Records(second.to_client);
  REQUIRE(a.size() == b.size());
  REQUIRE(a.size() > 2);
  for (size_t i = 0; i + 2 < a.size(); ++i) CHECK(a[i] == b[i]);
  // The last two records are the NewSessionTickets. In them, only what
  // is sealed with the ticket key differs: the session it carries holds
  // time(NULL).
  CHECK(a[a.size() - 2] != b[b.size() - 2]);
  CHECK(a[a.size() - 1] != b[b.size() - 1]);
  REQUIRE(first.tickets.size() == 2);
  REQUIRE(second.tickets.size() == 2);
  for (size_t i = 0; i < 2; ++i) {
    const NewSessionTicket x = ParseTicket(first.tickets[i]);
    const NewSessionTicket y = ParseTicket(second.tickets[i]);
    CHECK(x.lifetime == y.lifetime);
    CHECK(x.age_add == y.age_add);
    CHECK(x.nonce == y.nonce);
    CHECK(x.key_name == y.key_name);
    CHECK(x.iv == y.iv);
    CHECK(x.sealed != y.sealed);
  }
}

TEST_CASE("seeded runs interleaved step by step do not disturb each other",
          "[seeded_random]") {
  const Transcript alone_1 = SeededHandshake(51);
  const Transcript alone_2 = SeededHandshake(52);

  LibCtxPtr libctx_1 = SeededLibCtx(51);
  LibCtxPtr libctx_2 = SeededLibCtx(52);
  LibCtxPtr libctx_1_again = SeededLibCtx(51);
  LibCtxPtr bystander = SeededLibCtx(51);
  Connection one(libctx_1.get(), libctx_1.get(), true);
  Connection two(libctx_2.get(), libctx_2.get(), true);
  Connection one_again(libctx_1_again.get(), libctx_1_again.get(), true);
  for (int i = 0; i < 20; ++i) {
    for (Connection* c : {&one, &two, &one_again}) {
      if (!c->Done()) c->Step();
    }
    // Bytes drawn between steps from other library contexts, one of them
    // with the same seed, and from the process-wide one, reach no run.
    Draw(bystander.get(), 100, i % 2 == 0);
    Draw(nullptr, 100, i % 2 == 0);
  }
  REQUIRE(one.Done());
  REQUIRE(two.Done());
  REQUIRE(one_again.Done());
  CHECK(one.transcript().to_server == alone_1.to_server);
  CHECK(one.transcript().to_client == alone_1.to_client);
  CHECK(two.transcript().to_server == alone_2.to_server);
  CHECK(two.transcript().to_client == alone_2.to_client);
  CHECK(one_again.transcript().to_server == alone_1.to_server);
  CHECK(one_again.transcript().to_client == alone_1.to_client);
}

}  // namespace
}  // namespace tlsim::tls
