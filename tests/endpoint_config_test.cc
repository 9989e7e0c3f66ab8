#include "lib/tls/endpoint_config.h"

#include <openssl/err.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <string>
#include <vector>

#include "lib/tls/compat.h"
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

// One endpoint's view of a handshake driven by Handshake().
struct Side {
  bool stopped = false;  // finished, or failed with a non-retry error
  int rc = -1;
  int error = SSL_ERROR_NONE;
  unsigned long reason = 0;  // first queued OpenSSL error of a failed call
  int alert_sent = -1;       // alert description this side wrote, if any
};

// Runs the handshake between `client` and `server`, each on its own BIO pair
// whose far ends this function shuttles bytes between, until both finish or
// one fails and the other has seen everything it sent.
std::pair<Side, Side> Handshake(SSL* client, SSL* server) {
  Side sides[2];
  SSL* ssls[2] = {client, server};
  BioPtr far[2];
  for (int i = 0; i < 2; ++i) {
    BIO* near_end = nullptr;
    BIO* far_end = nullptr;
    REQUIRE(BIO_new_bio_pair(&near_end, 0, &far_end, 0) == 1);
    SSL_set_bio(ssls[i], near_end, near_end);  // the SSL owns its end
    far[i].reset(far_end);
    SSL_set_app_data(ssls[i], &sides[i]);
    SSL_set_info_callback(ssls[i], [](const SSL* ssl, int where, int ret) {
      auto* side = static_cast<Side*>(SSL_get_app_data(ssl));
      if (side != nullptr && (where & SSL_CB_WRITE_ALERT) != 0) {
        side->alert_sent = ret & 0xff;
      }
    });
  }
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  for (int round = 0; round < 8; ++round) {
    for (int i = 0; i < 2; ++i) {
      Side& side = sides[i];
      if (!side.stopped) {
        side.rc = SSL_do_handshake(ssls[i]);
        side.error = SSL_get_error(ssls[i], side.rc);
        side.stopped = side.rc == 1 || (side.error != SSL_ERROR_WANT_READ &&
                                        side.error != SSL_ERROR_WANT_WRITE);
        side.reason = side.rc == 1 ? 0 : ERR_peek_error();
        ERR_clear_error();
      }
      char buf[32768];
      int n;
      while ((n = BIO_read(far[i].get(), buf, sizeof buf)) > 0) {
        REQUIRE(BIO_write(far[1 - i].get(), buf, n) == n);
      }
    }
  }
  for (SSL* ssl : ssls) SSL_set_app_data(ssl, nullptr);
  return {sides[0], sides[1]};
}

std::string Alpn(SSL* ssl) {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(ssl, &data, &len);
  return std::string(reinterpret_cast<const char*>(data), len);
}

std::vector<std::string> CipherNames(SSL_CTX* ctx) {
  std::vector<std::string> names;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    names.push_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
  }
  return names;
}

TEST_CASE("a client and a server made from configs complete TLS 1.3",
          "[endpoint_config]") {
  World world;
  SslPtr client = world.Make(Client());
  SslPtr server = world.Make(Server());
  auto [c, s] = Handshake(client.get(), server.get());
  REQUIRE(c.rc == 1);
  REQUIRE(s.rc == 1);
  CHECK(proto::VersionText(SSL_version(client.get())) == "TLSv1.3");
  CHECK(SSL_version(server.get()) == TLS1_3_VERSION);
  CHECK(SSL_get_verify_result(client.get()) == X509_V_OK);
  CHECK(std::string(SSL_get_servername(
            server.get(), TLSEXT_NAMETYPE_host_name)) == "server.test");
  // The server sent its intermediate: leaf + intermediate on the wire.
  CHECK(sk_X509_num(SSL_get_peer_cert_chain(client.get())) == 2);
  CHECK(Alpn(client.get()).empty());
}

TEST_CASE("each setting reaches the context", "[endpoint_config]") {
  World world;
  ConfigError error;
  auto make = [&](const EndpointConfig& config) {
    SslCtxPtr ctx = MakeContext(world.libctx.get(), config, world.pki, &error);
    INFO(error.field << ": " << error.message);
    REQUIRE(ctx != nullptr);
    return ctx;
  };

  SECTION("defaults leave OpenSSL's own in place") {
    SslCtxPtr ctx = make(EndpointConfig{});
    CHECK(SSL_CTX_get_min_proto_version(ctx.get()) == 0);
    CHECK(SSL_CTX_get_max_proto_version(ctx.get()) == 0);
    CHECK(SSL_CTX_get_verify_mode(ctx.get()) == SSL_VERIFY_NONE);
    CHECK(SSL_CTX_get_session_cache_mode(ctx.get()) == SSL_SESS_CACHE_SERVER);
    CHECK((SSL_CTX_get_options(ctx.get()) & SSL_OP_NO_TICKET) == 0);
    CHECK(SSL_CTX_get_security_level(ctx.get()) > 0);
    CHECK(SSL_CTX_get0_certificate(ctx.get()) == nullptr);
    const uint64_t options = SSL_CTX_get_options(ctx.get());
    CHECK((options & SSL_OP_ENABLE_MIDDLEBOX_COMPAT) != 0);
    CHECK((options &
           (tlsim::tls::kOpIgnoreUnexpectedEof | SSL_OP_NO_RENEGOTIATION |
            tlsim::tls::kOpAllowClientRenegotiation)) == 0);
    CHECK(SSL_CTX_get_mode(ctx.get()) == SSL_MODE_AUTO_RETRY);
    CHECK(SSL_CTX_get_num_tickets(ctx.get()) == 2);
    CHECK(SSL_CTX_get_max_early_data(ctx.get()) == 0);
    CHECK(SSL_CTX_get_verify_callback(ctx.get()) == nullptr);
    CHECK(SSL_CTX_get_keylog_callback(ctx.get()) == nullptr);
    CHECK(SSL_CTX_get_client_cert_cb(ctx.get()) == nullptr);
    CHECK(SSL_CTX_sess_get_new_cb(ctx.get()) == nullptr);
  }
  SECTION("options, modes and limits") {
    EndpointConfig config = Server();
    config.ignore_unexpected_eof = true;
    config.no_renegotiation = true;
    config.partial_write = true;
    config.moving_write_buffer = true;
    config.middlebox_compat = false;
    config.auto_retry = false;
    config.num_tickets = 0;
    config.max_early_data = 16384;
    config.max_send_fragment = 1024;
    config.security_level = 1;
    SslCtxPtr ctx = make(config);
    const uint64_t options = SSL_CTX_get_options(ctx.get());
    CHECK((options & tlsim::tls::kOpIgnoreUnexpectedEof) != 0);
    CHECK((options & SSL_OP_NO_RENEGOTIATION) != 0);
    CHECK((options & tlsim::tls::kOpAllowClientRenegotiation) == 0);
    CHECK((options & SSL_OP_ENABLE_MIDDLEBOX_COMPAT) == 0);
    CHECK(SSL_CTX_get_mode(ctx.get()) == (SSL_MODE_ENABLE_PARTIAL_WRITE |
                                          SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER));
    CHECK(SSL_CTX_get_num_tickets(ctx.get()) == 0);
    CHECK(SSL_CTX_get_max_early_data(ctx.get()) == 16384);
    CHECK(SSL_CTX_get_security_level(ctx.get()) == 1);
    config.no_renegotiation = false;
    config.allow_client_renegotiation = true;
    CHECK((SSL_CTX_get_options(make(config).get()) &
           tlsim::tls::kOpAllowClientRenegotiation) != 0);
  }
  SECTION("an explicit security level wins over the TLS 1.0 rule") {
    EndpointConfig config;
    config.min_version = TLS1_VERSION;
    config.security_level = 1;
    CHECK(SSL_CTX_get_security_level(make(config).get()) == 1);
  }
  SECTION("callbacks are installed only when asked for") {
    EndpointConfig config = Client();
    config.cert = {"client.test"};
    config.verify_cb.enabled = true;
    config.client_cert_cb.enabled = true;
    config.keylog = [](const SSL*, const char*) {};
    SslCtxPtr ctx = make(config);
    CHECK(SSL_CTX_get_verify_callback(ctx.get()) != nullptr);
    CHECK(SSL_CTX_get_client_cert_cb(ctx.get()) != nullptr);
    CHECK(SSL_CTX_get_keylog_callback(ctx.get()) != nullptr);
    // The client_cert_cb hands the certificate over: none in the context.
    CHECK(SSL_CTX_get0_certificate(ctx.get()) == nullptr);
  }
  SECTION("versions, and security level 0 below TLS 1.2") {
    EndpointConfig config;
    config.min_version = TLS1_2_VERSION;
    config.max_version = TLS1_3_VERSION;
    SslCtxPtr ctx = make(config);
    CHECK(SSL_CTX_get_min_proto_version(ctx.get()) == TLS1_2_VERSION);
    CHECK(SSL_CTX_get_max_proto_version(ctx.get()) == TLS1_3_VERSION);
    CHECK(SSL_CTX_get_security_level(ctx.get()) > 0);
    config.min_version = TLS1_VERSION;
    CHECK(SSL_CTX_get_security_level(make(config).get()) == 0);
  }
  SECTION("ciphersuites and cipher list") {
    EndpointConfig config;
    config.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256";
    config.cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256";
    std::vector<std::string> names = CipherNames(make(config).get());
    CHECK(names == std::vector<std::string>{"TLS_CHACHA20_POLY1305_SHA256",
                                            "ECDHE-ECDSA-AES128-GCM-SHA256"});
  }
  SECTION("verify modes") {
    EndpointConfig config;
    config.verify = VerifyMode::kPeer;
    CHECK(SSL_CTX_get_verify_mode(make(config).get()) == SSL_VERIFY_PEER);
    config.verify = VerifyMode::kRequire;
    CHECK(SSL_CTX_get_verify_mode(make(config).get()) ==
          (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT));
  }
  SECTION("trust is a fresh store; a verifying server lists it as CAs") {
    EndpointConfig config = Server();
    config.trust = {"root", "intermediate"};
    SslCtxPtr quiet = make(config);
    CHECK(StoreObjectCount(SSL_CTX_get_cert_store(quiet.get())) == 2);
    CHECK(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(quiet.get())) == 0);
    config.verify = VerifyMode::kPeer;
    SslCtxPtr ctx = make(config);
    STACK_OF(X509_NAME)* cas = SSL_CTX_get_client_CA_list(ctx.get());
    REQUIRE(sk_X509_NAME_num(cas) == 2);
    CHECK(X509_NAME_cmp(
              sk_X509_NAME_value(cas, 0),
              X509_get_subject_name(world.pki.Find("root")->cert.get())) == 0);
  }
  SECTION("cert, key and chain") {
    SslCtxPtr ctx = make(Server());
    CHECK(SSL_CTX_get0_certificate(ctx.get()) ==
          world.pki.Find("server.test")->cert.get());
    STACK_OF(X509)* chain = nullptr;
    REQUIRE(SSL_CTX_get0_chain_certs(ctx.get(), &chain) == 1);
    REQUIRE(sk_X509_num(chain) == 1);
    CHECK(sk_X509_value(chain, 0) ==
          world.pki.Find("intermediate")->cert.get());
  }
  SECTION("session cache and tickets") {
    EndpointConfig config;
    config.session_cache = false;
    config.tickets = false;
    SslCtxPtr ctx = make(config);
    CHECK(SSL_CTX_get_session_cache_mode(ctx.get()) == SSL_SESS_CACHE_OFF);
    CHECK((SSL_CTX_get_options(ctx.get()) & SSL_OP_NO_TICKET) != 0);
  }
  SECTION("MakeSsl sets SNI and the expected host only for a client") {
    EndpointConfig config = Client();
    SslCtxPtr ctx = make(config);
    SslPtr client = MakeSsl(ctx.get(), config, &error);
    REQUIRE(client != nullptr);
    CHECK(std::string(SSL_get_servername(
              client.get(), TLSEXT_NAMETYPE_host_name)) == "server.test");
#if TLSIM_HAS_PROVIDERS  // 1.1.1 has no X509_VERIFY_PARAM_get0_host
    CHECK(std::string(X509_VERIFY_PARAM_get0_host(SSL_get0_param(client.get()),
                                                  0)) == "server.test");
#endif
    config.is_server = true;
    SslPtr server = MakeSsl(ctx.get(), config, &error);
    REQUIRE(server != nullptr);
    CHECK(SSL_get_servername(server.get(), TLSEXT_NAMETYPE_host_name) ==
          nullptr);
    CHECK(X509_VERIFY_PARAM_get0_host(SSL_get0_param(server.get()), 0) ==
          nullptr);
  }
}

TEST_CASE("settings show up in what the handshake negotiates",
          "[endpoint_config]") {
  World world;
  EndpointConfig client = Client();
  EndpointConfig server = Server();

  SECTION("TLS 1.3 suite, group and signature algorithm") {
    client.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256";
    client.groups = "P-384";
    client.sigalgs = "ECDSA+SHA256";
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    auto [cs, ss] = Handshake(c.get(), s.get());
    REQUIRE(cs.rc == 1);
    REQUIRE(ss.rc == 1);
    CHECK(std::string(SSL_get_cipher_name(c.get())) ==
          "TLS_CHACHA20_POLY1305_SHA256");
    CHECK(tlsim::tls::NegotiatedGroup(s.get()) == NID_secp384r1);
    int digest = 0;
    REQUIRE(SSL_get_peer_signature_nid(c.get(), &digest) == 1);
    CHECK(digest == NID_sha256);
  }
  SECTION("TLS 1.2 with a cipher list") {
    server.max_version = TLS1_2_VERSION;
    server.cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256";
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    auto [cs, ss] = Handshake(c.get(), s.get());
    REQUIRE(cs.rc == 1);
    REQUIRE(ss.rc == 1);
    CHECK(proto::VersionText(SSL_version(c.get())) == "TLSv1.2");
    CHECK(std::string(SSL_get_cipher_name(c.get())) ==
          "ECDHE-ECDSA-AES128-GCM-SHA256");
  }
  SECTION("TLS 1.0 once min_version allows it") {
    client.min_version = server.min_version = TLS1_VERSION;
    client.max_version = server.max_version = TLS1_VERSION;
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    auto [cs, ss] = Handshake(c.get(), s.get());
    REQUIRE(cs.rc == 1);
    REQUIRE(ss.rc == 1);
    CHECK(proto::VersionText(SSL_version(c.get())) == "TLSv1");
  }
  SECTION("a server that requires a client certificate gets one") {
    server.verify = VerifyMode::kRequire;
    server.trust = {"root"};
    client.cert = {"client.test"};
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    auto [cs, ss] = Handshake(c.get(), s.get());
    REQUIRE(cs.rc == 1);
    REQUIRE(ss.rc == 1);
    X509* peer = tlsim::tls::PeerCertificate(s.get());
    REQUIRE(peer != nullptr);
    CHECK(X509_cmp(peer, world.pki.Find("client.test")->cert.get()) == 0);
  }
  SECTION("post_handshake_auth lets the server ask for a certificate later") {
    for (bool offered : {false, true}) {
      client.post_handshake_auth = offered;
      SslPtr c = world.Make(client);
      SslPtr s = world.Make(server);
      auto [cs, ss] = Handshake(c.get(), s.get());
      REQUIRE(cs.rc == 1);
      REQUIRE(ss.rc == 1);
      SSL_set_verify(s.get(), SSL_VERIFY_PEER, nullptr);
      CHECK(SSL_verify_client_post_handshake(s.get()) == (offered ? 1 : 0));
      ERR_clear_error();
    }
  }
  SECTION("a server that requires a client certificate refuses none") {
    server.verify = VerifyMode::kRequire;
    server.trust = {"root"};
    SslPtr c = world.Make(client);
    SslPtr s = world.Make(server);
    auto [cs, ss] = Handshake(c.get(), s.get());
    CHECK(ss.error == SSL_ERROR_SSL);
    CHECK(ERR_GET_REASON(ss.reason) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE);
    CHECK(proto::AlertDescriptionText(ss.alert_sent) == "certificate_required");
  }
}

TEST_CASE("ALPN picks the server's preference", "[endpoint_config]") {
  World world;
  EndpointConfig client = Client();
  EndpointConfig server = Server();
  client.alpn = {"http/1.1", "h2"};
  server.alpn = {"h2", "http/1.1"};
  std::string expected = "h2";
  SECTION("server prefers h2") {}
  SECTION("server prefers http/1.1") {
    client.alpn = {"h2", "http/1.1"};
    server.alpn = {"spdy/3", "http/1.1", "h2"};
    expected = "http/1.1";
  }
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(server);
  auto [cs, ss] = Handshake(c.get(), s.get());
  REQUIRE(cs.rc == 1);
  REQUIRE(ss.rc == 1);
  CHECK(Alpn(c.get()) == expected);
  CHECK(Alpn(s.get()) == expected);
}

TEST_CASE("ALPN without overlap ends in no_application_protocol",
          "[endpoint_config]") {
  World world;
  EndpointConfig client = Client();
  EndpointConfig server = Server();
  client.alpn = {"h2"};
  server.alpn = {"http/1.1"};
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(server);
  auto [cs, ss] = Handshake(c.get(), s.get());
  CHECK(ss.error == SSL_ERROR_SSL);
  CHECK(ERR_GET_REASON(ss.reason) == SSL_R_NO_APPLICATION_PROTOCOL);
  CHECK(proto::AlertDescriptionText(ss.alert_sent) ==
        "no_application_protocol");
  CHECK(cs.error == SSL_ERROR_SSL);
  // SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL on 3.0; 1.1.1 has the reason
  // (alert reasons are the offset plus the alert) without the macro.
  CHECK(ERR_GET_REASON(cs.reason) ==
        SSL_AD_REASON_OFFSET + SSL_AD_NO_APPLICATION_PROTOCOL);
  CHECK(std::string(ERR_reason_error_string(cs.reason)) ==
        "tlsv1 alert no application protocol");
}

TEST_CASE("a client whose verify_host does not match fails verification",
          "[endpoint_config]") {
  World world;
  EndpointConfig client = Client();
  client.verify_host = "other.test";
  SslPtr c = world.Make(client);
  SslPtr s = world.Make(Server());
  auto [cs, ss] = Handshake(c.get(), s.get());
  CHECK(cs.error == SSL_ERROR_SSL);
  CHECK(ERR_GET_REASON(cs.reason) == SSL_R_CERTIFICATE_VERIFY_FAILED);
  CHECK(VerifyResultName(SSL_get_verify_result(c.get())) ==
        "X509_V_ERR_HOSTNAME_MISMATCH");
  CHECK(proto::AlertDescriptionText(cs.alert_sent) == "bad_certificate");
  CHECK(ss.error == SSL_ERROR_SSL);
}

TEST_CASE("refused settings name their field", "[endpoint_config]") {
  World world;
  EndpointConfig config;
  ConfigError error;

  SECTION("versions") {
    config.max_version = 0x0305;
    error = world.Refusal(config);
    CHECK(error.field == "versions");
    CHECK(error.message == "OpenSSL refused 'max_version 0x0305'");
  }
  SECTION("ciphersuites") {
    config.ciphersuites = "FOO";
    error = world.Refusal(config);
    CHECK(error.field == "ciphersuites");
    CHECK(error.message == "OpenSSL refused 'FOO': no cipher match");
  }
  SECTION("ciphers") {
    config.cipher_list = "FOO";
    error = world.Refusal(config);
    CHECK(error.field == "ciphers");
    CHECK(error.message == "OpenSSL refused 'FOO': no cipher match");
  }
  SECTION("groups") {
    config.groups = "X25519:FOO";
    error = world.Refusal(config);
    CHECK(error.field == "groups");
    CHECK(error.message ==
          "OpenSSL refused 'X25519:FOO'" + tests::UnknownGroupRefusalReason());
  }
  SECTION("sigalgs") {
    config.sigalgs = "FOO+SHA256";
    error = world.Refusal(config);
    CHECK(error.field == "sigalgs");
    CHECK(error.message == "OpenSSL refused 'FOO+SHA256'");
  }
  SECTION("trust") {
    config.trust = {"root", "nope"};
    error = world.Refusal(config);
    CHECK(error.field == "trust");
    CHECK(error.message == "no certificate named 'nope'");
  }
  SECTION("cert") {
    config.cert = {"nope"};
    error = world.Refusal(config);
    CHECK(error.field == "cert");
    CHECK(error.message == "no certificate named 'nope'");
  }
  SECTION("alpn") {
    config.alpn = {"h2", ""};
    error = world.Refusal(config);
    CHECK(error.field == "alpn");
    CHECK(error.message == "protocol '' must be 1 to 255 bytes long");
  }
}

TEST_CASE("callback and option settings that make no sense are refused",
          "[endpoint_config]") {
  // Which side takes a setting, and value ranges, are the scenario parser's
  // rules (tests/scenario_parser_test.cc); these combinations are the tls
  // layer's.
  World world;
  EndpointConfig client = Client();
  EndpointConfig server = Server();
  auto refusal = [&](const EndpointConfig& config) {
    ConfigError error = world.Refusal(config);
    return error.field + ": " + error.message;
  };

  client.client_cert_cb.enabled = true;
  CHECK(refusal(client) == "client_cert_cb: needs a cert to hand over");
  client.cert = {"nope"};
  CHECK(refusal(client) == "cert: no certificate named 'nope'");
  client = Client();

  server.verify_cb.enabled = true;
  CHECK(refusal(server) == "verify_cb: a server calls it only with verify on");
  server.verify = VerifyMode::kPeer;
  server.verify_cb.retries = 1;
  CHECK(refusal(server) ==
        "verify_cb: a server cannot ask for a retry: OpenSSL 3.0 ignores "
        "SSL_set_retry_verify there");
  server = Server();

  server.sni_certs = {{"a.test", "server.test"}, {"b.test", "nope"}};
  CHECK(refusal(server) ==
        "sni_certs: no certificate named 'nope' (for 'b.test')");
  server = Server();

  server.allow_client_renegotiation = server.no_renegotiation = true;
  CHECK(refusal(server) ==
        "options: allow_client_renegotiation contradicts no_renegotiation");
  server = Server();

  client.max_fragment_length = 1000;
  CHECK(refusal(client) == "max_fragment_length: OpenSSL refused '1000'");
  client = Client();

  client.max_send_fragment = 100;
  CHECK(refusal(client) == "max_send_fragment: OpenSSL refused '100'");
}

TEST_CASE("names match OpenSSL's numbers", "[names]") {
  CHECK(proto::SslErrorText(SSL_ERROR_WANT_READ) == "WANT_READ");
  CHECK(proto::SslErrorText(tlsim::tls::kErrorWantRetryVerify) ==
        "WANT_RETRY_VERIFY");
  CHECK(proto::SslErrorText(99) == "UNKNOWN(99)");
  CHECK(proto::VersionText(0) == "none");
  CHECK(proto::VersionText(TLS1_1_VERSION) == "TLSv1.1");
  CHECK(proto::VersionText(0x0305) == "version(0x0305)");
  CHECK(VerifyResultName(X509_V_OK) == "X509_V_OK");
  CHECK(VerifyResultName(X509_V_ERR_CERT_HAS_EXPIRED) ==
        "X509_V_ERR_CERT_HAS_EXPIRED");
  CHECK(VerifyResultName(X509_V_ERR_EC_KEY_EXPLICIT_PARAMS) ==
        "X509_V_ERR_EC_KEY_EXPLICIT_PARAMS");
  CHECK(VerifyResultName(9999) == "X509_V_ERR_9999");
  for (long code = X509_V_OK; code <= X509_V_ERR_EC_KEY_EXPLICIT_PARAMS;
       ++code) {
    CHECK(VerifyResultName(code) != "X509_V_ERR_" + std::to_string(code));
  }
  CHECK(proto::HandshakeTypeText(SSL3_MT_CLIENT_HELLO) == "ClientHello");
  CHECK(proto::HandshakeTypeText(DTLS1_MT_HELLO_VERIFY_REQUEST) ==
        "HelloVerifyRequest");
  CHECK(proto::HandshakeTypeText(SSL3_MT_MESSAGE_HASH) == "MessageHash");
  CHECK(proto::HandshakeTypeText(7) == "handshake(7)");
  CHECK(proto::ContentTypeText(SSL3_RT_HANDSHAKE) == "handshake");
  CHECK(proto::ContentTypeText(SSL3_RT_CHANGE_CIPHER_SPEC) ==
        "change_cipher_spec");
  CHECK(proto::ContentTypeText(99) == "content_type(99)");
  CHECK(proto::AlertDescriptionText(TLS1_AD_NO_APPLICATION_PROTOCOL) ==
        "no_application_protocol");
  CHECK(proto::AlertDescriptionText(TLS13_AD_CERTIFICATE_REQUIRED) ==
        "certificate_required");
  CHECK(proto::AlertDescriptionText(255) == "alert(255)");
}

TEST_CASE("alert names agree with OpenSSL's long descriptions", "[names]") {
  auto normal = [](std::string s) {
    for (char& ch : s) {
      ch =
          ch == '_'
              ? ' '
              : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return s;
  };
  int known = 0;
  for (int code = 0; code < 256; ++code) {
    const std::string theirs = SSL_alert_desc_string_long(code);
    if (theirs == "unknown") continue;
    ++known;
    CAPTURE(code);
    if (code == 121 && tests::OpensslNamedAlerts() == 32) {
      // 4.0's ech_required, which tlsim's table does not name.
      CHECK(normal(theirs) == "ech required");  // "ECH required"
      CHECK(proto::AlertDescriptionText(code) == "alert(121)");
      continue;
    }
    CHECK(normal(proto::AlertDescriptionText(code)) == normal(theirs));
  }
  CHECK(known == tests::OpensslNamedAlerts());  // 3.0 lacks 86, 109 and 116
}

// The CN of the certificate `ssl`'s peer presented.
std::string PeerName(SSL* ssl) {
  X509* cert = tlsim::tls::PeerCertificate(ssl);
  if (cert == nullptr) return "";
  return tls::CommonName(cert);
}

TEST_CASE("the name callback switches to a second context by SNI",
          "[endpoint_config][contexts]") {
  World world;
  EndpointConfig other_config = Server();
  other_config.cert = {"other.test"};
  other_config.alpn = {"h2"};
  other_config.verify = VerifyMode::kRequire;
  other_config.trust = {"root"};
  other_config.extra_options = SSL_OP_CIPHER_SERVER_PREFERENCE;
  SSL_CTX* other = world.Context(other_config);
  EndpointConfig server_config = Server();
  server_config.alpn = {"http/1.1"};
  server_config.sni_contexts = {{"other.test", other}};
  EndpointConfig client_config = Client();
  client_config.server_name = "other.test";
  client_config.verify_host = "other.test";
  client_config.alpn = {"h2", "http/1.1"};
  client_config.cert = {"client.test"};
  SslPtr server = world.Make(server_config);
  SslPtr client = world.Make(client_config);
  auto [c, s] = Handshake(client.get(), server.get());
  REQUIRE(c.rc == 1);
  REQUIRE(s.rc == 1);
  CHECK(SSL_get_SSL_CTX(server.get()) == other);
  CHECK(PeerName(client.get()) == "other.test");
  CHECK(Alpn(server.get()) == "h2");
  // The verify mode and the options came along: the client authenticated.
  CHECK(PeerName(server.get()) == "client.test");
  CHECK((SSL_get_options(server.get()) & SSL_OP_CIPHER_SERVER_PREFERENCE) != 0);
  CHECK(GetCallbackCounts(server.get())->servername == 1);

  // Another name stays in the first context.
  SslPtr server2 = world.Make(server_config);
  client_config.server_name = client_config.verify_host = "server.test";
  SslPtr client2 = world.Make(client_config);
  auto [c2, s2] = Handshake(client2.get(), server2.get());
  REQUIRE(c2.rc == 1);
  CHECK(SSL_get_SSL_CTX(server2.get()) != other);
  CHECK(Alpn(server2.get()) == "http/1.1");
  CHECK(PeerName(server2.get()).empty());
}

TEST_CASE(
    "the client hello callback switches context, rejects, and sets "
    "versions",
    "[endpoint_config][contexts]") {
  World world;
  EndpointConfig other_config = Server();
  other_config.cert = {"other.test"};
  SSL_CTX* other = world.Context(other_config);
  EndpointConfig server_config = Server();
  server_config.hello_contexts = {{"other.test", other}};
  server_config.hello_reject_mismatch = true;
  server_config.hello_max_version = TLS1_2_VERSION;
  EndpointConfig client_config = Client();
  client_config.server_name = client_config.verify_host = "other.test";
  {
    SslPtr server = world.Make(server_config);
    SslPtr client = world.Make(client_config);
    auto [c, s] = Handshake(client.get(), server.get());
    REQUIRE(s.rc == 1);
    CHECK(SSL_get_SSL_CTX(server.get()) == other);
    CHECK(SSL_version(server.get()) == TLS1_2_VERSION);
    CHECK(PeerName(client.get()) == "other.test");
  }
  for (int alert : {-1, SSL_AD_ACCESS_DENIED}) {
    server_config.hello_alert = alert;
    client_config.server_name = client_config.verify_host = "server.test";
    SslPtr server = world.Make(server_config);
    SslPtr client = world.Make(client_config);
    auto [c, s] = Handshake(client.get(), server.get());
    CHECK(s.rc != 1);
    CHECK(s.alert_sent ==
          (alert < 0 ? SSL_AD_UNRECOGNIZED_NAME : SSL_AD_ACCESS_DENIED));
    CHECK(GetCallbackCounts(server.get())->client_hello == 1);
  }
}

TEST_CASE("ApplyToSsl changes a live SSL and names what it refuses",
          "[endpoint_config][contexts]") {
  World world;
  EndpointConfig client_config = Client();
  SslPtr client = world.Make(client_config);
  EndpointConfig change;
  ConfigError error;
  change.min_version = change.max_version = TLS1_2_VERSION;
  CHECK(ApplyToSsl(client.get(), "versions", change, world.pki, &error));
  CHECK(SSL_get_max_proto_version(client.get()) == TLS1_2_VERSION);
  change.cipher_list = "nothing";
  CHECK_FALSE(ApplyToSsl(client.get(), "ciphers", change, world.pki, &error));
  CHECK(error.field == "ciphers");
  CHECK(error.message == "OpenSSL refused 'nothing': no cipher match");
  CHECK(ERR_peek_error() == 0);
  CHECK_FALSE(
      ApplyToSsl(client.get(), "session_cache", change, world.pki, &error));
  CHECK(error.message == "has no SSL form: OpenSSL keeps it in the SSL_CTX");
  change.max_send_fragment = 512;
  CHECK(
      ApplyToSsl(client.get(), "max_send_fragment", change, world.pki, &error));
  change.extra_options = tlsim::tls::kOpNoExtendedMasterSecret;
  change.verify_post_handshake = false;
  CHECK(ApplyToSsl(client.get(), "options", change, world.pki, &error));
  CHECK((SSL_get_options(client.get()) &
         tlsim::tls::kOpNoExtendedMasterSecret) != 0);
  CHECK(SSL_get_verify_mode(client.get()) == SSL_VERIFY_PEER);
  change.cert = {"nothing"};
  CHECK_FALSE(ApplyToSsl(client.get(), "cert", change, world.pki, &error));
  CHECK(error.message == "no certificate named 'nothing'");

  // A server's own ALPN list and CA names, for this connection only.
  EndpointConfig server_config = Server();
  server_config.alpn = {"http/1.1"};
  server_config.verify = VerifyMode::kPeer;
  server_config.trust = {"root"};
  SslPtr server = world.Make(server_config);
  EndpointConfig server_change;
  server_change.alpn = {"h2"};
  server_change.ca_names = {"intermediate", "root"};
  CHECK(ApplyToSsl(server.get(), "alpn", server_change, world.pki, &error));
  CHECK(ApplyToSsl(server.get(), "ca_names", server_change, world.pki, &error));
  CHECK(sk_X509_NAME_num(SSL_get_client_CA_list(server.get())) == 2);
  client_config.alpn = {"h2", "http/1.1"};
  SslPtr client2 = world.Make(client_config);
  auto [c, s] = Handshake(client2.get(), server.get());
  REQUIRE(s.rc == 1);
  CHECK(Alpn(server.get()) == "h2");
  CHECK(sk_X509_NAME_num(SSL_get0_peer_CA_list(client2.get())) == 2);
}

}  // namespace
}  // namespace tlsim::tls
