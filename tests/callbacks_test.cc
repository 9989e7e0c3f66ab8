// The callbacks and options of EndpointConfig, observed in real handshakes
// between a client and a server made by MakeContext / MakeSsl, over BIO
// pairs that this file drives step by step.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "lib/tls/compat.h"
#include "lib/tls/endpoint_config.h"
#include "lib/tls/handles.h"
#include "lib/tls/names.h"
#include "lib/tls/pki.h"
#include "tests/openssl_differences.h"
#include "tests/test_pki.h"
#include "tests/tls_world.h"

namespace tlsim::tls {
namespace {

using testing::kNow;
using testing::Spec;

using World = testing::TlsWorld;

using testing::Client;
using testing::Server;

// A server that requires a client certificate issued under root.
EndpointConfig RequiringServer() {
  EndpointConfig config = Server();
  config.verify = VerifyMode::kRequire;
  config.trust = {"root"};
  return config;
}

struct Alert {
  int level = 0;  // SSL3_AL_WARNING or SSL3_AL_FATAL
  int description = 0;
  bool operator==(const Alert&) const = default;
};

// One side of a Conversation and what it has seen.
struct Peer {
  SSL* ssl = nullptr;
  BioPtr far;                // our end of its BIO pair
  std::vector<int> errors;   // SSL_get_error of each call that returned <= 0
  int rc = 0;                // last call's return value
  bool done = false;         // finished, or failed for good
  unsigned long reason = 0;  // first queued error of the last failed call
  std::vector<Alert> sent;   // alerts it wrote
  std::vector<Alert> received;

  int last_error() const { return errors.empty() ? 0 : errors.back(); }
  int count(int error) const {
    return static_cast<int>(std::count(errors.begin(), errors.end(), error));
  }
  std::string reason_string() const {
    const char* s = ERR_reason_error_string(reason);
    return s != nullptr ? s : "";
  }
};

bool Retryable(int error) {
  return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ||
         error == SSL_ERROR_WANT_CLIENT_HELLO_CB ||
         error == SSL_ERROR_WANT_X509_LOOKUP ||
         error == tlsim::tls::kErrorWantRetryVerify;
}

// A client and a server on BIO pairs whose far ends this class moves bytes
// between. A side is called again only when it asked for a non-I/O retry
// or has bytes to read, so each side's `errors` lists exactly the calls that
// returned early.
class Conversation {
 public:
  Conversation(SSL* client, SSL* server) {
    client_.ssl = client;
    server_.ssl = server;
    for (Peer* p : {&client_, &server_}) {
      BIO* near_end = nullptr;
      BIO* far_end = nullptr;
      REQUIRE(BIO_new_bio_pair(&near_end, 0, &far_end, 0) == 1);
      SSL_set_bio(p->ssl, near_end, near_end);  // the SSL owns its end
      p->far.reset(far_end);
      SSL_set_app_data(p->ssl, p);
      SSL_set_info_callback(p->ssl, [](const SSL* ssl, int where, int ret) {
        auto* peer = static_cast<Peer*>(SSL_get_app_data(ssl));
        if (peer == nullptr || (where & SSL_CB_ALERT) == 0) return;
        Alert alert{ret >> 8, ret & 0xff};
        ((where & SSL_CB_WRITE) != 0 ? peer->sent : peer->received)
            .push_back(alert);
      });
    }
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
  }
  ~Conversation() {
    SSL_set_app_data(client_.ssl, nullptr);
    SSL_set_app_data(server_.ssl, nullptr);
  }
  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;

  Peer& client() { return client_; }
  Peer& server() { return server_; }

  // Drives SSL_do_handshake on both sides until neither can go on.
  void Handshake() {
    for (int round = 0; round < 64; ++round) {
      bool called = false;
      for (Peer* p : {&client_, &server_}) {
        if (p->done) continue;
        if (p->last_error() == SSL_ERROR_WANT_READ && !HasInput(*p)) continue;
        Record(*p, SSL_do_handshake(p->ssl));
        called = true;
        Flush();
      }
      if (!called) return;
    }
    FAIL("the handshake did not settle");
  }

  // One SSL_read on `p` (after the handshake: tickets, alerts, data).
  // Returns what SSL_read returned; the data read is appended to *out.
  int Read(Peer& p, std::string* out = nullptr) {
    char buf[16384];
    const int rc = SSL_read(p.ssl, buf, sizeof buf);
    if (rc > 0 && out != nullptr) out->append(buf, static_cast<size_t>(rc));
    Record(p, rc);
    Flush();
    return rc;
  }

  // SSL_write of `data` on `p`, then its records go to the peer.
  int Write(Peer& p, const std::string& data) {
    const int rc = SSL_write(p.ssl, data.data(), static_cast<int>(data.size()));
    Record(p, rc);
    Flush();
    return rc;
  }

  // Every byte the server sent, in order.
  const std::string& server_bytes() const { return server_bytes_; }

  // Moves what each side wrote to the other.
  void Flush() {
    char buf[32768];
    for (Peer* p : {&client_, &server_}) {
      Peer* other = p == &client_ ? &server_ : &client_;
      int n;
      while ((n = BIO_read(p->far.get(), buf, sizeof buf)) > 0) {
        if (p == &server_) server_bytes_.append(buf, static_cast<size_t>(n));
        REQUIRE(BIO_write(other->far.get(), buf, n) == n);
      }
    }
  }

 private:
  static bool HasInput(const Peer& p) {
    return BIO_ctrl_pending(SSL_get_rbio(p.ssl)) > 0 ||
           SSL_has_pending(p.ssl) == 1;
  }

  static void Record(Peer& p, int rc) {
    p.rc = rc;
    if (rc > 0) {
      p.done = SSL_is_init_finished(p.ssl) == 1;
      ERR_clear_error();
      return;
    }
    const int error = SSL_get_error(p.ssl, rc);
    p.errors.push_back(error);
    p.done = !Retryable(error);
    p.reason = ERR_peek_error();
    ERR_clear_error();
  }

  Peer client_;
  Peer server_;
  std::string server_bytes_;
};

// The record lengths of a byte stream of TLS records.
std::vector<size_t> RecordLengths(const std::string& bytes) {
  std::vector<size_t> lengths;
  size_t at = 0;
  while (at + 5 <= bytes.size()) {
    const size_t length = (static_cast<unsigned char>(bytes[at + 3]) << 8) |
                          static_cast<unsigned char>(bytes[at + 4]);
    lengths.push_back(length);
    at += 5 + length;
  }
  return lengths;
}

const CallbackCounts& Counts(SSL* ssl) {
  const CallbackCounts* counts = GetCallbackCounts(ssl);
  REQUIRE(counts != nullptr);
  return *counts;
}

const Alert kHandshakeFailure{SSL3_AL_FATAL, SSL_AD_HANDSHAKE_FAILURE};
const Alert kInternalError{SSL3_AL_FATAL, SSL_AD_INTERNAL_ERROR};

TEST_CASE("MakeSsl gives every SSL callback counts; others have none",
          "[callbacks]") {
  World world;
  SslPtr ssl = world.Make(Client());
  const CallbackCounts* counts = GetCallbackCounts(ssl.get());
  REQUIRE(counts != nullptr);
  CHECK(counts->client_hello == 0);
  CHECK(counts->verify == 0);
  SslPtr bare(SSL_new(world.contexts.back().get()));
  CHECK(GetCallbackCounts(bare.get()) == nullptr);
}

TEST_CASE("client_hello_cb retries, then the handshake completes",
          "[callbacks]") {
  World world;
  EndpointConfig server = Server();
  server.client_hello_cb = {.enabled = true, .retries = 2};
  SslPtr c = world.Make(Client());
  SslPtr s = world.Make(server);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  REQUIRE(conv.client().rc == 1);
  REQUIRE(conv.server().rc == 1);
  CHECK(conv.server().errors == std::vector<int>{SSL_ERROR_WANT_CLIENT_HELLO_CB,
                                                 SSL_ERROR_WANT_CLIENT_HELLO_CB,
                                                 SSL_ERROR_WANT_READ});
  CHECK(Counts(s.get()).client_hello == 3);
  CHECK(conv.client().errors == std::vector<int>{SSL_ERROR_WANT_READ});
}

TEST_CASE("client_hello_cb is called again for the ClientHello after an HRR",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  client.groups = "X25519:P-256";  // a key share for X25519 only
  EndpointConfig server = Server();
  server.groups = "P-256";
  server.client_hello_cb = {.enabled = true, .retries = 1};
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(server);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  REQUIRE(conv.client().rc == 1);
  REQUIRE(conv.server().rc == 1);
  // Retries count across both: the second ClientHello is the third call.
  CHECK(conv.server().errors == std::vector<int>{SSL_ERROR_WANT_CLIENT_HELLO_CB,
                                                 SSL_ERROR_WANT_READ,
                                                 SSL_ERROR_WANT_READ});
  CHECK(Counts(s.get()).client_hello == 3);
}

TEST_CASE("client_hello_cb that then fails sends handshake_failure",
          "[callbacks]") {
  World world;
  EndpointConfig server = Server();
  server.client_hello_cb = {.enabled = true, .retries = 1, .then_fail = true};
  SslPtr c = world.Make(Client());
  SslPtr s = world.Make(server);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  Peer& sp = conv.server();
  CHECK(sp.errors ==
        std::vector<int>{SSL_ERROR_WANT_CLIENT_HELLO_CB, SSL_ERROR_SSL});
  CHECK(ERR_GET_REASON(sp.reason) == SSL_R_CALLBACK_FAILED);
  CHECK(sp.reason_string() == "callback failed");
  CHECK(sp.sent == std::vector<Alert>{kHandshakeFailure});
  CHECK(Counts(s.get()).client_hello == 2);
  Peer& cp = conv.client();
  CHECK(cp.last_error() == SSL_ERROR_SSL);
  CHECK(cp.reason_string() == tests::AlertReason("handshake failure"));
  CHECK(cp.received == std::vector<Alert>{kHandshakeFailure});
}

TEST_CASE("cert_cb on the server retries, then the handshake completes",
          "[callbacks]") {
  World world;
  EndpointConfig server = Server();
  server.cert_cb = {.enabled = true, .retries = 2};
  SslPtr c = world.Make(Client());
  SslPtr s = world.Make(server);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  REQUIRE(conv.client().rc == 1);
  REQUIRE(conv.server().rc == 1);
  CHECK(conv.server().errors == std::vector<int>{SSL_ERROR_WANT_X509_LOOKUP,
                                                 SSL_ERROR_WANT_X509_LOOKUP,
                                                 SSL_ERROR_WANT_READ});
  CHECK(Counts(s.get()).cert == 3);
}

TEST_CASE("cert_cb on the server that fails sends internal_error",
          "[callbacks]") {
  World world;
  EndpointConfig server = Server();
  server.cert_cb = {.enabled = true, .retries = 0, .then_fail = true};
  SslPtr c = world.Make(Client());
  SslPtr s = world.Make(server);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  Peer& sp = conv.server();
  CHECK(sp.errors == std::vector<int>{SSL_ERROR_SSL});
  CHECK(ERR_GET_REASON(sp.reason) == SSL_R_CERT_CB_ERROR);
  CHECK(sp.reason_string() == "cert cb error");
  CHECK(sp.sent == std::vector<Alert>{kInternalError});
  CHECK(Counts(s.get()).cert == 1);
  CHECK(conv.client().last_error() == SSL_ERROR_SSL);
  CHECK(conv.client().reason_string() == "tlsv1 alert internal error");
}

TEST_CASE("cert_cb on the client runs when the server asks for a certificate",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  client.cert = {"client.test"};
  SECTION("retries, then completes") {
    client.cert_cb = {.enabled = true, .retries = 2};
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(RequiringServer());
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    REQUIRE(conv.client().rc == 1);
    REQUIRE(conv.server().rc == 1);
    CHECK(conv.client().errors == std::vector<int>{SSL_ERROR_WANT_READ,
                                                   SSL_ERROR_WANT_X509_LOOKUP,
                                                   SSL_ERROR_WANT_X509_LOOKUP});
    CHECK(Counts(c.get()).cert == 3);
    CHECK(CommonName(tlsim::tls::PeerCertificate(s.get())) == "client.test");
  }
  SECTION("fails: the client sends internal_error") {
    client.cert_cb = {.enabled = true, .retries = 1, .then_fail = true};
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(RequiringServer());
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    Peer& cp = conv.client();
    CHECK(cp.errors == std::vector<int>{SSL_ERROR_WANT_READ,
                                        SSL_ERROR_WANT_X509_LOOKUP,
                                        SSL_ERROR_SSL});
    CHECK(ERR_GET_REASON(cp.reason) == SSL_R_CALLBACK_FAILED);
    CHECK(cp.sent == std::vector<Alert>{kInternalError});
    CHECK(Counts(c.get()).cert == 2);
    CHECK(conv.server().last_error() == SSL_ERROR_SSL);
    CHECK(conv.server().reason_string() == "tlsv1 alert internal error");
  }
  SECTION("not called when no certificate is requested") {
    client.cert_cb = {.enabled = true, .retries = 2};
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(Server());
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    REQUIRE(conv.client().rc == 1);
    CHECK(Counts(c.get()).cert == 0);
  }
}

TEST_CASE("client_cert_cb retries, then hands over the certificate",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  client.cert = {"client.test"};
  std::string expected = "client.test";
  SECTION("a leaf under root") {}
  SECTION("a leaf under the intermediate: its chain goes along") {
    expected = "chained-client.test";
    client.cert = {expected};
  }
  client.client_cert_cb = {.enabled = true, .retries = 2};
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(RequiringServer());
  // The callback supplies the certificate: the context holds none.
  CHECK(SSL_CTX_get0_certificate(SSL_get_SSL_CTX(c.get())) == nullptr);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  REQUIRE(conv.client().rc == 1);
  REQUIRE(conv.server().rc == 1);
  CHECK(conv.client().errors == std::vector<int>{SSL_ERROR_WANT_READ,
                                                 SSL_ERROR_WANT_X509_LOOKUP,
                                                 SSL_ERROR_WANT_X509_LOOKUP});
  CHECK(Counts(c.get()).client_cert == 3);
  CHECK(CommonName(tlsim::tls::PeerCertificate(s.get())) == expected);
  CHECK(SSL_get_verify_result(s.get()) == X509_V_OK);
}

TEST_CASE("client_cert_cb that then fails sends no certificate",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  client.cert = {"client.test"};
  client.client_cert_cb = {.enabled = true, .retries = 1, .then_fail = true};
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(RequiringServer());
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  Peer& cp = conv.client();
  Peer& sp = conv.server();
  CHECK(Counts(c.get()).client_cert == 2);
  CHECK(cp.count(SSL_ERROR_WANT_X509_LOOKUP) == 1);
  // TLS 1.3: the client finishes before the server's verdict arrives.
  CHECK(cp.rc == 1);
  CHECK(sp.last_error() == SSL_ERROR_SSL);
  CHECK(ERR_GET_REASON(sp.reason) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
  CHECK(sp.sent ==
        std::vector<Alert>{{SSL3_AL_FATAL, TLS13_AD_CERTIFICATE_REQUIRED}});
  CHECK(conv.Read(cp) == 0);
  CHECK(cp.last_error() == SSL_ERROR_SSL);
  CHECK(cp.reason_string() == "tlsv13 alert certificate required");
}

TEST_CASE("verify_cb on the client retries, then the handshake completes",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  client.verify_cb = {.enabled = true, .retries = 2};
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(Server());
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  REQUIRE(conv.client().rc == 1);
  REQUIRE(conv.server().rc == 1);
  CHECK(conv.client().errors ==
        std::vector<int>{SSL_ERROR_WANT_READ, tlsim::tls::kErrorWantRetryVerify,
                         tlsim::tls::kErrorWantRetryVerify});
  // Each of the three verifications calls back for root, intermediate and
  // leaf.
  CHECK(Counts(c.get()).verify == 9);
  CHECK(SSL_get_verify_result(c.get()) == X509_V_OK);
}

TEST_CASE("verify_cb that then fails fails the verification", "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  client.verify_cb = {.enabled = true, .retries = 1, .then_fail = true};
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(Server());
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  Peer& cp = conv.client();
  CHECK(cp.errors == std::vector<int>{SSL_ERROR_WANT_READ,
                                      tlsim::tls::kErrorWantRetryVerify,
                                      SSL_ERROR_SSL});
  CHECK(ERR_GET_REASON(cp.reason) == SSL_R_CERTIFICATE_VERIFY_FAILED);
  CHECK(VerifyResultName(SSL_get_verify_result(c.get())) ==
        "X509_V_ERR_APPLICATION_VERIFICATION");
  CHECK(cp.sent == std::vector<Alert>{kHandshakeFailure});
  CHECK(Counts(c.get()).verify == 6);
  CHECK(conv.server().last_error() == SSL_ERROR_SSL);
  CHECK(conv.server().reason_string() ==
        tests::AlertReason("handshake failure"));
}

TEST_CASE("what OpenSSL 3.0 requires of a verify callback asking for a retry",
          "[callbacks]") {
  World world;
  SslPtr c = world.Make(Client());
  SslPtr s = world.Make(Server());
  static std::vector<int> depths;
  static int answer;
  depths.clear();
  SSL_set_verify(c.get(), SSL_VERIFY_PEER, [](int ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(
        store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    depths.push_back(X509_STORE_CTX_get_error_depth(store));
    if (depths.size() == 1 && !tlsim::tls::SetRetryVerify(ssl)) return 0;
    return depths.size() == 1 ? answer : ok;
  });
  Conversation conv(c.get(), s.get());
  SECTION("returning 1 suspends the handshake; verification runs again") {
    answer = 1;
    conv.Handshake();
    CHECK(conv.client().rc == 1);
    CHECK(conv.client().count(tlsim::tls::kErrorWantRetryVerify) == 1);
    // Called root first; the first pass went on to the leaf.
    CHECK(depths == std::vector<int>{2, 1, 0, 2, 1, 0});
  }
  SECTION("returning 0 fails the verification instead") {
    answer = 0;
    conv.Handshake();
    CHECK(conv.client().errors ==
          std::vector<int>{SSL_ERROR_WANT_READ, SSL_ERROR_SSL});
    CHECK(ERR_GET_REASON(conv.client().reason) ==
          SSL_R_CERTIFICATE_VERIFY_FAILED);
    CHECK(depths == std::vector<int>{2});
  }
}

TEST_CASE("OpenSSL 3.0 ignores SSL_set_retry_verify on a server",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  client.cert = {"client.test"};
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(RequiringServer());
  static int asked;
  asked = 0;
  SSL_set_verify(s.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                 [](int ok, X509_STORE_CTX* store) {
                   auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(
                       store, SSL_get_ex_data_X509_STORE_CTX_idx()));
                   if (asked == 0 && tlsim::tls::SetRetryVerify(ssl)) ++asked;
                   return ok;
                 });
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  CHECK(asked == 1);
  CHECK(conv.server().errors == std::vector<int>{SSL_ERROR_WANT_READ});
  CHECK(conv.server().rc == 1);
}

TEST_CASE("verify_cb on a verifying server can fail the client's chain",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  client.cert = {"client.test"};
  EndpointConfig server = RequiringServer();
  server.verify_cb = {.enabled = true, .retries = 0, .then_fail = true};
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(server);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  Peer& sp = conv.server();
  CHECK(sp.errors == std::vector<int>{SSL_ERROR_WANT_READ, SSL_ERROR_SSL});
  CHECK(ERR_GET_REASON(sp.reason) == SSL_R_CERTIFICATE_VERIFY_FAILED);
  CHECK(VerifyResultName(SSL_get_verify_result(s.get())) ==
        "X509_V_ERR_APPLICATION_VERIFICATION");
  CHECK(sp.sent == std::vector<Alert>{kHandshakeFailure});
  CHECK(Counts(s.get()).verify == 2);  // client.test (depth 0) and root (1)
  // TLS 1.3: the client has finished; the alert meets its first read.
  Peer& cp = conv.client();
  REQUIRE(cp.rc == 1);
  CHECK(conv.Read(cp) == 0);
  CHECK(cp.last_error() == SSL_ERROR_SSL);
  CHECK(cp.reason_string() == tests::AlertReason("handshake failure"));
}

// What one handshake under a servername answer shows.
struct Seen {
  int client_rc = 0;
  int server_rc = 0;
  std::string client_reason;
  std::string server_reason;
  std::vector<Alert> server_sent;
  std::vector<Alert> client_received;
  bool server_acked = false;  // the server kept the name in its session
  bool client_acked = false;  // the client saw the server's acknowledgement
  int servername_calls = 0;
};

Seen RunServername(ServernameAction action, int version) {
  World world;
  EndpointConfig server = Server();
  server.servername = action;
  server.max_version = version;
  SslPtr c = world.Make(Client());
  SslPtr s = world.Make(server);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  Seen seen;
  seen.client_rc = conv.client().rc;
  seen.server_rc = conv.server().rc;
  seen.client_reason = conv.client().reason_string();
  seen.server_reason = conv.server().reason_string();
  seen.server_sent = conv.server().sent;
  seen.client_received = conv.client().received;
  seen.server_acked =
      SSL_SESSION_get0_hostname(SSL_get_session(s.get())) != nullptr;
  seen.client_acked =
      SSL_SESSION_get0_hostname(SSL_get_session(c.get())) != nullptr;
  seen.servername_calls = Counts(s.get()).servername;
  return seen;
}

TEST_CASE("servername answers OK and NOACK", "[callbacks]") {
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    CAPTURE(proto::VersionText(version));
    Seen ok = RunServername(ServernameAction::kOk, version);
    CHECK(ok.client_rc == 1);
    CHECK(ok.server_rc == 1);
    CHECK(ok.server_acked);
    CHECK(ok.client_acked);
    CHECK(ok.servername_calls == 1);
    Seen noack = RunServername(ServernameAction::kNoAck, version);
    CHECK(noack.client_rc == 1);
    CHECK(noack.server_rc == 1);
    CHECK_FALSE(noack.server_acked);
    CHECK_FALSE(noack.client_acked);
    CHECK(noack.server_sent.empty());
  }
}

TEST_CASE("servername warning: an alert in TLS 1.2, nothing in TLS 1.3",
          "[callbacks]") {
  const Alert warning{SSL3_AL_WARNING, SSL_AD_UNRECOGNIZED_NAME};
  Seen tls12 = RunServername(ServernameAction::kAlertWarning, TLS1_2_VERSION);
  CHECK(tls12.server_sent == std::vector<Alert>{warning});
  CHECK(tls12.client_received == std::vector<Alert>{warning});
  CHECK(tls12.client_rc == 1);  // the client reads on past the warning
  CHECK(tls12.server_rc == 1);
  CHECK_FALSE(tls12.client_acked);
  // TLS 1.3 has no warning alerts: OpenSSL sends none and does not ack.
  Seen tls13 = RunServername(ServernameAction::kAlertWarning, TLS1_3_VERSION);
  CHECK(tls13.server_sent.empty());
  CHECK(tls13.client_received.empty());
  CHECK(tls13.client_rc == 1);
  CHECK(tls13.server_rc == 1);
  CHECK_FALSE(tls13.client_acked);
}

TEST_CASE("servername fatal: unrecognized_name ends the handshake",
          "[callbacks]") {
  const Alert fatal{SSL3_AL_FATAL, SSL_AD_UNRECOGNIZED_NAME};
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    CAPTURE(proto::VersionText(version));
    Seen seen = RunServername(ServernameAction::kAlertFatal, version);
    CHECK(seen.server_rc == -1);
    CHECK(seen.server_reason == "callback failed");
    CHECK(seen.server_sent == std::vector<Alert>{fatal});
    CHECK(proto::AlertDescriptionText(seen.server_sent.at(0).description) ==
          "unrecognized_name");
    CHECK(seen.client_rc == -1);
    CHECK(seen.client_reason == "tlsv1 unrecognized name");
    CHECK(seen.client_received == std::vector<Alert>{fatal});
  }
}

TEST_CASE("sni_certs switch the server's certificate for a matching SNI",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  EndpointConfig server = Server();
  server.sni_certs = {{"other.test", "other.test"}};
  server.servername = ServernameAction::kAlertFatal;  // for other names
  SECTION("a matching name gets its leaf and chain") {
    client.server_name = client.verify_host = "other.test";
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    REQUIRE(conv.client().rc == 1);
    REQUIRE(conv.server().rc == 1);
    CHECK(CommonName(tlsim::tls::PeerCertificate(c.get())) == "other.test");
    CHECK(sk_X509_num(SSL_get_peer_cert_chain(c.get())) == 2);
    CHECK(SSL_get_verify_result(c.get()) == X509_V_OK);
    CHECK(Counts(s.get()).servername == 1);
    // The context keeps its own certificate for other connections.
    CHECK(CommonName(SSL_CTX_get0_certificate(SSL_get_SSL_CTX(s.get()))) ==
          "server.test");
  }
  SECTION("another name follows `servername`") {
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    CHECK(conv.server().sent ==
          std::vector<Alert>{{SSL3_AL_FATAL, SSL_AD_UNRECOGNIZED_NAME}});
    CHECK(conv.client().reason_string() == "tlsv1 unrecognized name");
  }
  SECTION("no SNI at all follows `servername` too") {
    client.server_name.clear();
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    CHECK(Counts(s.get()).servername == 1);
    CHECK(conv.server().sent ==
          std::vector<Alert>{{SSL3_AL_FATAL, SSL_AD_UNRECOGNIZED_NAME}});
  }
  SECTION("another name with servername unset keeps the context's leaf") {
    server.servername = ServernameAction::kNone;
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    REQUIRE(conv.client().rc == 1);
    CHECK(CommonName(tlsim::tls::PeerCertificate(c.get())) == "server.test");
    CHECK(Counts(s.get()).servername == 1);
  }
}

TEST_CASE("a failing ticket key callback is a fatal internal_error",
          "[callbacks]") {
  World world;
  EndpointConfig server = Server();
  server.ticket_key_fail = true;
  const Alert internal{SSL3_AL_FATAL, SSL_AD_INTERNAL_ERROR};
  SECTION("TLS 1.2: the NewSessionTicket never comes; both fail") {
    server.max_version = TLS1_2_VERSION;
    SslPtr c = world.Make(Client());
    SslPtr s = world.Make(server);
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    Peer& sp = conv.server();
    CHECK(sp.errors == std::vector<int>{SSL_ERROR_WANT_READ, SSL_ERROR_SSL});
    CHECK(ERR_GET_REASON(sp.reason) == SSL_R_CALLBACK_FAILED);
    CHECK(sp.sent == std::vector<Alert>{internal});
    CHECK(Counts(s.get()).ticket_key == 1);
    Peer& cp = conv.client();
    CHECK(cp.rc == -1);
    CHECK(cp.last_error() == SSL_ERROR_SSL);
    CHECK(cp.reason_string() == "tlsv1 alert internal error");
    CHECK(cp.received == std::vector<Alert>{internal});
  }
  SECTION("TLS 1.3: the client has finished; its first read fails") {
    SslPtr c = world.Make(Client());
    SslPtr s = world.Make(server);
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    Peer& sp = conv.server();
    CHECK(sp.errors == std::vector<int>{SSL_ERROR_WANT_READ, SSL_ERROR_SSL});
    CHECK(ERR_GET_REASON(sp.reason) == SSL_R_CALLBACK_FAILED);
    CHECK(sp.sent == std::vector<Alert>{internal});
    CHECK(Counts(s.get()).ticket_key == 1);  // the first of two tickets
    Peer& cp = conv.client();
    REQUIRE(cp.rc == 1);
    CHECK(conv.Read(cp) == 0);
    CHECK(cp.last_error() == SSL_ERROR_SSL);
    CHECK(cp.reason_string() == "tlsv1 alert internal error");
    CHECK(cp.received == std::vector<Alert>{internal});
  }
}

TEST_CASE("ignore_unexpected_eof turns an EOF into ZERO_RETURN",
          "[callbacks]") {
  for (bool ignore : {false, true}) {
    for (bool server_sees_it : {false, true}) {
      CAPTURE(ignore, server_sees_it);
      World world;
      EndpointConfig client = Client();
      EndpointConfig server = Server();
      client.ignore_unexpected_eof = server.ignore_unexpected_eof = ignore;
      if (ignore && kIs111) {
        // 1.1.1 has no SSL_OP_IGNORE_UNEXPECTED_EOF: refused by name.
        const ConfigError error = world.Refusal(client);
        CHECK(error.field == "options");
        CHECK(error.message ==
              "OpenSSL 1.1.1 has no SSL_OP_IGNORE_UNEXPECTED_EOF (OpenSSL 3.0 "
              "and later)");
        continue;
      }
      SslPtr c = world.Make(client);
      SslPtr s = world.Make(server);
      Conversation conv(c.get(), s.get());
      Peer& cp = conv.client();
      Peer& sp = conv.server();
      // The ClientHello goes out; then the transport closes, towards the
      // client before the server answers, or towards the server after it
      // has read the ClientHello and answered.
      REQUIRE(SSL_get_error(c.get(), SSL_do_handshake(c.get())) ==
              SSL_ERROR_WANT_READ);
      conv.Flush();
      Peer& p = server_sees_it ? sp : cp;
      BIO_shutdown_wr(p.far.get());
      const int rc = SSL_do_handshake(p.ssl);
      const int error = SSL_get_error(p.ssl, rc);
      const unsigned long reason = ERR_peek_error();
      ERR_clear_error();
      CHECK(rc == -1);
      if (!ignore && kIs111) {
        // 1.1.1 reports an EOF without close_notify as a system call error
        // with errno 0 and no queued error, and sends no alert (3.0 made it
        // SSL_R_UNEXPECTED_EOF_WHILE_READING).
        CHECK(error == SSL_ERROR_SYSCALL);
        CHECK(reason == 0);
        CHECK(p.sent.empty());
      } else if (!ignore) {
        CHECK(error == SSL_ERROR_SSL);
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
        CHECK(ERR_GET_REASON(reason) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
#endif
        CHECK(std::string(ERR_reason_error_string(reason)) ==
              "unexpected eof while reading");
        // It tries to say decode_error.
        CHECK(p.sent ==
              std::vector<Alert>{{SSL3_AL_FATAL, SSL_AD_DECODE_ERROR}});
        CHECK(SSL_get_shutdown(p.ssl) == 0);
      } else {
        CHECK(error == SSL_ERROR_ZERO_RETURN);
        CHECK(reason == 0);
        CHECK(p.sent.empty());
        CHECK(SSL_get_shutdown(p.ssl) == SSL_RECEIVED_SHUTDOWN);
      }
    }
  }
}

TEST_CASE("max_fragment_length 512 keeps the server's records small",
          "[callbacks]") {
  World world;
  EndpointConfig client = Client();
  size_t largest_allowed = 16384 + 256;
  SECTION("without it, one 2000-byte record") {}
  SECTION("with it, 512 bytes + 17 (content type, AEAD tag) at most") {
    client.max_fragment_length = 512;
    largest_allowed = 512 + 17;
  }
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(Server());
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  REQUIRE(conv.client().rc == 1);
  REQUIRE(conv.server().rc == 1);
  REQUIRE(conv.Write(conv.server(), std::string(2000, 'x')) == 2000);
  std::string received;  // SSL_read returns one record at a time
  while (received.size() < 2000 && conv.Read(conv.client(), &received) > 0) {
  }
  CHECK(received == std::string(2000, 'x'));
  std::vector<size_t> lengths = RecordLengths(conv.server_bytes());
  const size_t largest = *std::max_element(lengths.begin(), lengths.end());
  CHECK(largest <= largest_allowed);
  if (client.max_fragment_length == 512) {
    CHECK(largest == 512 + 17);
    CHECK(SSL_SESSION_get_max_fragment_length(SSL_get_session(s.get())) ==
          TLSEXT_max_fragment_length_512);
    // The 2000 bytes: 512 + 512 + 512 + 464, each sealed.
    CHECK(std::vector<size_t>(lengths.end() - 4, lengths.end()) ==
          std::vector<size_t>{529, 529, 529, 481});
  } else {
    CHECK(lengths.back() == 2000 + 17);
  }
}

TEST_CASE("num_tickets sets how many NewSessionTickets a TLS 1.3 server sends",
          "[callbacks]") {
  static int tickets;
  for (int num_tickets : {-1, 0, 1}) {
    CAPTURE(num_tickets);
    World world;
    EndpointConfig server = Server();
    server.num_tickets = num_tickets;
    SslPtr c = world.Make(Client());
    SslPtr s = world.Make(server);
    tickets = 0;
    SSL_set_msg_callback(
        s.get(), [](int write_p, int /*version*/, int content_type,
                    const void* buf, size_t len, SSL* /*ssl*/, void* /*arg*/) {
          const auto* bytes = static_cast<const unsigned char*>(buf);
          if (write_p == 1 && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
              bytes[0] == SSL3_MT_NEWSESSION_TICKET) {
            ++tickets;
          }
        });
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    REQUIRE(conv.server().rc == 1);
    CHECK(tickets == (num_tickets < 0 ? 2 : num_tickets));  // default: 2
  }
}

TEST_CASE("keylog receives every secret as an NSS key log line",
          "[callbacks]") {
  World world;
  std::vector<std::string> lines;
  EndpointConfig client = Client();
  client.keylog = [&lines](const SSL* /*ssl*/, const char* line) {
    lines.push_back(line);
  };
  std::vector<std::string> expected = {
      "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
      "EXPORTER_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
      "SERVER_TRAFFIC_SECRET_0"};
  SECTION("TLS 1.3") {}
  SECTION("TLS 1.2") {
    client.max_version = TLS1_2_VERSION;
    expected = {"CLIENT_RANDOM"};
  }
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(Server());
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  REQUIRE(conv.client().rc == 1);
  unsigned char random[SSL3_RANDOM_SIZE];
  REQUIRE(SSL_get_client_random(c.get(), random, sizeof random) ==
          sizeof random);
  std::string random_hex;
  for (unsigned char byte : random) {
    char hex[3];
    std::snprintf(hex, sizeof hex, "%02x", byte);
    random_hex += hex;
  }
  std::vector<std::string> labels;
  for (const std::string& line : lines) {
    const size_t space = line.find(' ');
    labels.push_back(line.substr(0, space));
    CHECK(line.substr(space + 1, random_hex.size() + 1) == random_hex + " ");
  }
  std::sort(labels.begin(), labels.end());
  CHECK(labels == expected);
}

// Connects once, keeps the client's session, then connects again offering
// it. Both SSLs shut down cleanly: OpenSSL marks the session of an SSL freed
// without SSL_shutdown not resumable.
struct Resumption {
  Resumption(const EndpointConfig& client, const EndpointConfig& server) {
    World world;
    SSL_CTX* cctx = world.Context(client);
    SSL_CTX* sctx = world.Context(server);
    {
      SslPtr c = world.Ssl(cctx, client);
      SslPtr s = world.Ssl(sctx, server);
      Conversation conv(c.get(), s.get());
      conv.Handshake();
      REQUIRE(conv.client().rc == 1);
      REQUIRE(conv.server().rc == 1);
      conv.Read(conv.client());  // TLS 1.3: takes in the tickets
      REQUIRE(conv.client().last_error() == SSL_ERROR_WANT_READ);
      first_server_time = tls::SessionTime(SSL_get_session(s.get()));
      session.reset(SSL_get1_session(c.get()));
      SSL_shutdown(c.get());
      SSL_shutdown(s.get());
    }
    client_time = tls::SessionTime(session.get());
    SslPtr c = world.Ssl(cctx, client);
    SslPtr s = world.Ssl(sctx, server);
    REQUIRE(SSL_set_session(c.get(), session.get()) == 1);
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    REQUIRE(conv.client().rc == 1);
    REQUIRE(conv.server().rc == 1);
    resumed = SSL_session_reused(s.get()) == 1;
    CHECK(SSL_session_reused(c.get()) == SSL_session_reused(s.get()));
    resumed_server_time = tls::SessionTime(SSL_get_session(s.get()));
  }

  SslSessionPtr session;
  long first_server_time = 0;
  long client_time = 0;
  bool resumed = false;
  long resumed_server_time = 0;
};

TEST_CASE("session_time is sealed into tickets, which still resume",
          "[callbacks]") {
  // Months away from the wall clock, as a scenario clock is: without the
  // decrypt callback OpenSSL would find the ticket expired.
  const int64_t sealed = 1767225600;  // 2026-01-01T00:00:00Z
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    CAPTURE(proto::VersionText(version));
    EndpointConfig client = Client();
    EndpointConfig server = Server();
    server.max_version = version;
    server.session_time = sealed;
    Resumption r(client, server);
    CHECK(r.first_server_time == sealed);
    // The ticket that came back counted as issued now.
    CHECK(r.resumed);
  }
}

TEST_CASE("without session_time an old ticket time is refused by OpenSSL",
          "[callbacks]") {
  // What session_time's decrypt callback prevents: OpenSSL compares a
  // session's time with time(NULL). Here the client's own copy is aged past
  // the 7200 s TLS 1.3 lifetime, so it does not even offer the ticket.
  EndpointConfig client = Client();
  EndpointConfig server = Server();
  World world;
  SSL_CTX* cctx = world.Context(client);
  SSL_CTX* sctx = world.Context(server);
  SslSessionPtr session;
  {
    SslPtr c = world.Ssl(cctx, client);
    SslPtr s = world.Ssl(sctx, server);
    Conversation conv(c.get(), s.get());
    conv.Handshake();
    REQUIRE(conv.client().rc == 1);
    conv.Read(conv.client());  // takes in the tickets
    session.reset(SSL_get1_session(c.get()));
    SSL_shutdown(c.get());
    SSL_shutdown(s.get());
  }
  tls::SetSessionTime(session.get(),
                      static_cast<long>(std::time(nullptr)) - 7200 - 600);
  SslPtr c = world.Ssl(cctx, client);
  SslPtr s = world.Ssl(sctx, server);
  REQUIRE(SSL_set_session(c.get(), session.get()) == 1);
  Conversation conv(c.get(), s.get());
  conv.Handshake();
  REQUIRE(conv.server().rc == 1);
  CHECK(SSL_session_reused(s.get()) == 0);
}

TEST_CASE("session_time is for servers", "[callbacks]") {
  EndpointConfig client = Client();
  client.session_time = 1767225600;
  World world;
  ConfigError error;
  SslCtxPtr ctx = MakeContext(world.libctx.get(), client, world.pki, &error);
  CHECK(ctx == nullptr);
  CHECK(error.field == "session_time");
  CHECK(error.message == "only a server seals session tickets");
}

}  // namespace
}  // namespace tlsim::tls
