// The scenario parser: what a file means, and what it says when a file is
// wrong. Error messages are compared whole, caret line included.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "tests/parse_helpers.h"

namespace tlsim::scenario {
namespace {

constexpr char kExample[] =
    R"(scenario "TLS 1.3 full handshake, one flight at a time"
seed 1
clock 2026-01-01T00:00:00Z

pki {
  ca   root
  leaf server.test issuer=root key=ec-p256
}

client {
  versions    = TLSv1.3
  verify      = peer
  trust       = root
  server_name = server.test
}
server {
  versions = TLSv1.2..TLSv1.3
  cert     = server.test
}

client connect               -> -1 WANT_READ        # ClientHello is in flight
deliver client->server all
server accept                -> -1 WANT_READ
deliver server->client all
client connect               -> 1
deliver client->server all
server accept                -> 1

expect client version = TLSv1.3
expect server cipher  = TLS_AES_256_GCM_SHA384
)";

// A prefix declaring a PKI, so that tests of later lines can name certs.
constexpr char kPki[] =
    "pki {\n"
    "  ca root\n"
    "  leaf server.test issuer=root\n"
    "}\n";

TEST_CASE("the example scenario parses into the expected header and pki",
          "[scenario]") {
  Scenario s = MustParse(kExample);
  CHECK(s.file == "t.tlsim");
  CHECK(s.title == "TLS 1.3 full handshake, one flight at a time");
  CHECK(s.seed == uint64_t{1});
  CHECK(s.clock == int64_t{1767225600});

  REQUIRE(s.pki.size() == 2);
  CHECK(s.pki[0].is_ca);
  CHECK(s.pki[0].name == "root");
  CHECK_FALSE(s.pki[0].issuer.has_value());
  CHECK(s.pki[0].pos.line == 6);
  CHECK(s.pki[0].pos.col == 3);
  CHECK_FALSE(s.pki[1].is_ca);
  CHECK(s.pki[1].name == "server.test");
  REQUIRE(s.pki[1].issuer.has_value());
  CHECK(s.pki[1].issuer->value == "root");
  CHECK(s.pki[1].issuer->pos.line == 7);
  CHECK(s.pki[1].issuer->pos.col == 27);
  CHECK(s.pki[1].key == KeyType::kEcP256);
  CHECK(s.pki[1].dns.empty());
}

TEST_CASE("the example scenario parses into the expected endpoint blocks",
          "[scenario]") {
  Scenario s = MustParse(kExample);
  const EndpointDecl& c = s.client;
  CHECK(c.declared);
  CHECK(c.pos.line == 10);
  REQUIRE(c.versions.has_value());
  CHECK(c.versions->value.min == Version::kTls1_3);
  CHECK(c.versions->value.max == Version::kTls1_3);
  CHECK(c.versions->pos.line == 11);
  CHECK(c.versions->pos.col == 17);
  REQUIRE(c.verify.has_value());
  CHECK(c.verify->value == VerifyMode::kPeer);
  REQUIRE(c.trust.has_value());
  CHECK(c.trust->value == std::vector<std::string>{"root"});
  REQUIRE(c.server_name.has_value());
  CHECK(c.server_name->value == "server.test");
  CHECK_FALSE(c.cert.has_value());
  CHECK_FALSE(c.buffer.has_value());

  const EndpointDecl& v = s.server;
  CHECK(v.declared);
  REQUIRE(v.versions.has_value());
  CHECK(v.versions->value.min == Version::kTls1_2);
  CHECK(v.versions->value.max == Version::kTls1_3);
  REQUIRE(v.cert.has_value());
  CHECK(v.cert->value == std::vector<std::string>{"server.test"});
  CHECK(v.cert->pos.line == 18);
  CHECK(v.cert->pos.col == 14);
}

TEST_CASE("the example scenario parses into the expected steps", "[scenario]") {
  Scenario s = MustParse(kExample);
  REQUIRE(s.steps.size() == 9);

  const auto& c0 = std::get<CallStep>(s.steps[0]);
  CHECK(c0.pos.line == 21);
  CHECK(c0.pos.col == 1);
  CHECK(c0.side == Side::kClient);
  CHECK(c0.call == Call::kConnect);
  REQUIRE(c0.expect.has_value());
  CHECK_FALSE(c0.expect->any);
  CHECK(c0.expect->ret == -1);
  CHECK(c0.expect->error == SslError::kWantRead);
  CHECK(c0.expect->pos.col == 33);

  const auto& d1 = std::get<DeliverStep>(s.steps[1]);
  CHECK(d1.from == Side::kClient);
  CHECK(d1.amount.kind == Amount::Kind::kAll);

  const auto& c2 = std::get<CallStep>(s.steps[2]);
  CHECK(c2.side == Side::kServer);
  CHECK(c2.call == Call::kAccept);

  CHECK(std::get<DeliverStep>(s.steps[3]).from == Side::kServer);

  const auto& c4 = std::get<CallStep>(s.steps[4]);
  CHECK(c4.expect->ret == 1);
  CHECK_FALSE(c4.expect->error.has_value());

  const auto& e7 = std::get<ExpectStep>(s.steps[7]);
  CHECK(e7.pos.line == 29);
  CHECK(e7.property == Property::kVersion);
  CHECK(e7.side == Side::kClient);
  CHECK(std::get<Version>(e7.value) == Version::kTls1_3);
  CHECK(e7.value_pos.col == 25);

  const auto& e8 = std::get<ExpectStep>(s.steps[8]);
  CHECK(e8.property == Property::kCipher);
  CHECK(e8.side == Side::kServer);
  CHECK(std::get<std::string>(e8.value) == "TLS_AES_256_GCM_SHA384");
}

TEST_CASE("every setting of an endpoint block is read", "[scenario]") {
  Scenario s =
      MustParse(std::string(kPki) +
                "client {\n"
                "  versions = TLSv1..TLSv1.1\n"
                "  ciphersuites = TLS_AES_128_GCM_SHA256\n"
                "  ciphers = \"ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0\"\n"
                "  groups = X25519:P-256\n"
                "  sigalgs = ecdsa_secp256r1_sha256\n"
                "  verify = require\n"
                "  trust = root,server.test\n"
                "  cert = server.test\n"
                "  server_name = a.test\n"
                "  verify_host = b.test\n"
                "  alpn = h2,http/1.1\n"
                "  session_cache = off\n"
                "  tickets = on\n"
                "  buffer = 1048576\n"
                "}\n");
  const EndpointDecl& c = s.client;
  CHECK(c.versions->value.min == Version::kTls1_0);
  CHECK(c.versions->value.max == Version::kTls1_1);
  CHECK(c.ciphersuites->value == "TLS_AES_128_GCM_SHA256");
  CHECK(c.ciphers->value == "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0");
  CHECK(c.groups->value == "X25519:P-256");
  CHECK(c.sigalgs->value == "ecdsa_secp256r1_sha256");
  CHECK(c.verify->value == VerifyMode::kRequire);
  CHECK(c.trust->value == std::vector<std::string>{"root", "server.test"});
  CHECK(c.cert->value == std::vector<std::string>{"server.test"});
  CHECK(c.server_name->value == "a.test");
  CHECK(c.verify_host->value == "b.test");
  CHECK(c.alpn->value == std::vector<std::string>{"h2", "http/1.1"});
  CHECK(c.session_cache->value == false);
  CHECK(c.tickets->value == true);
  CHECK(c.buffer->value == 1048576);
  CHECK_FALSE(s.server.declared);
}

TEST_CASE("certificate attributes are read", "[scenario]") {
  Scenario s = MustParse(
      "pki {\n"
      "  ca root key=rsa-2048 not_before=2025-01-01T00:00:00Z\n"
      "  ca inter issuer=root key=ed25519\n"
      "  leaf www issuer=inter dns=a.test,b.test "
      "not_after=2027-06-30T12:34:56Z\n"
      "}\n");
  REQUIRE(s.pki.size() == 3);
  CHECK(s.pki[0].key == KeyType::kRsa2048);
  CHECK(s.pki[0].not_before->value == 1735689600);
  CHECK(s.pki[1].is_ca);
  CHECK(s.pki[1].issuer->value == "root");
  CHECK(s.pki[1].key == KeyType::kEd25519);
  CHECK(s.pki[2].dns == std::vector<std::string>{"a.test", "b.test"});
  CHECK(s.pki[2].not_after->value == 1814358896);
}

TEST_CASE("call steps read their arguments and every outcome item",
          "[scenario]") {
  Scenario s = MustParse(
      "server set_accept_state\n"
      "client write \"GET /\\x0d\\n\\x00\\\"\\\\\\t\" -> 7\n"
      "client read 16 -> 5 NONE data=\"hello\"\n"
      "server do_handshake -> -1 SSL_ERROR_SSL reason=\"no shared cipher\" "
      "state=\"error\" alert_sent=fatal:handshake_failure "
      "alert_received=close_notify\n"
      "client shutdown -> any\n"
      "client accept -> 0 alert_sent=warning:200\n");
  REQUIRE(s.steps.size() == 6);
  const auto& set = std::get<CallStep>(s.steps[0]);
  CHECK(set.call == Call::kSetAcceptState);
  CHECK_FALSE(set.expect.has_value());

  const auto& write = std::get<CallStep>(s.steps[1]);
  CHECK(write.write_data == std::string("GET /\r\n\0\"\\\t", 11));
  CHECK(write.expect->ret == 7);

  const auto& read = std::get<CallStep>(s.steps[2]);
  CHECK(read.read_len == 16);
  CHECK(read.expect->error == SslError::kNone);
  CHECK(read.expect->data == "hello");

  const Outcome& o = *std::get<CallStep>(s.steps[3]).expect;
  CHECK(o.ret == -1);
  CHECK(o.error == SslError::kSsl);
  CHECK(o.reason == "no shared cipher");
  CHECK(o.state == "error");
  CHECK(o.alert_sent == AlertExpect{AlertLevel::kFatal, 40});
  CHECK(o.alert_received == AlertExpect{std::nullopt, 0});

  CHECK(std::get<CallStep>(s.steps[4]).expect->any);
  CHECK(std::get<CallStep>(s.steps[5]).expect->alert_sent ==
        AlertExpect{AlertLevel::kWarning, 200});
}

TEST_CASE("deliver, close, drive and expect steps are read", "[scenario]") {
  Scenario s = MustParse(
      "deliver server->client 10\n"
      "deliver client -> server record\n"
      "close client->server\n"
      "drive -> stalled\n"
      "drive limit=50 first=server deliver=1 -> failed\n"
      "expect in_flight server->client = 0\n"
      "expect client session_reused = no\n"
      "expect server handshake_done = yes\n"
      "expect client verify_result = X509_V_ERR_HOSTNAME_MISMATCH\n"
      "expect client alpn = none\n");
  REQUIRE(s.steps.size() == 10);
  const auto& d0 = std::get<DeliverStep>(s.steps[0]);
  CHECK(d0.from == Side::kServer);
  CHECK(d0.amount == Amount{Amount::Kind::kBytes, 10});
  CHECK(std::get<DeliverStep>(s.steps[1]).amount.kind == Amount::Kind::kRecord);
  CHECK(std::get<CloseStep>(s.steps[2]).from == Side::kClient);

  const auto& plain = std::get<DriveStep>(s.steps[3]);
  CHECK(plain.chunk.kind == Amount::Kind::kAll);
  CHECK(plain.first == Side::kClient);
  CHECK(plain.limit == 10000);
  CHECK(plain.expect == DriveResult::kStalled);
  const auto& drive = std::get<DriveStep>(s.steps[4]);
  CHECK(drive.chunk == Amount{Amount::Kind::kBytes, 1});
  CHECK(drive.first == Side::kServer);
  CHECK(drive.limit == 50);
  CHECK(drive.expect == DriveResult::kFailed);

  const auto& in_flight = std::get<ExpectStep>(s.steps[5]);
  CHECK(in_flight.property == Property::kInFlight);
  CHECK(in_flight.side == Side::kServer);
  CHECK(std::get<int64_t>(in_flight.value) == 0);
  CHECK(in_flight.value_pos.col == 35);
  CHECK(std::get<bool>(std::get<ExpectStep>(s.steps[6]).value) == false);
  CHECK(std::get<bool>(std::get<ExpectStep>(s.steps[7]).value) == true);
  CHECK(std::get<std::string>(std::get<ExpectStep>(s.steps[8]).value) ==
        "X509_V_ERR_HOSTNAME_MISMATCH");
}

TEST_CASE("a file without steps is a valid scenario", "[scenario]") {
  Scenario s = MustParse("client {\n}\n");
  CHECK(s.client.declared);
  CHECK(s.steps.empty());
  CHECK(MustParse("# a title only\nscenario \"t\"\n").title == "t");
}

TEST_CASE("a file that declares nothing is refused at its end", "[scenario]") {
  CHECK(ParseError("") ==
        "t.tlsim:1:1: error: the file is empty: a scenario needs at least one "
        "statement, such as scenario \"title\"\n"
        "\n"
        "^\n");
  CHECK(ParseError("\xEF\xBB\xBF") ==
        "t.tlsim:1:1: error: the file is empty: a scenario needs at least one "
        "statement, such as scenario \"title\"\n"
        "\n"
        "^\n");
  CHECK(ParseError("# nothing\n\n   \n") ==
        "t.tlsim:4:1: error: the file holds only comments and blank lines: a "
        "scenario needs at least one statement, such as scenario \"title\"\n"
        "\n"
        "^\n");
  CHECK(ParseError("# no newline at the end") ==
        "t.tlsim:1:24: error: the file holds only comments and blank lines: "
        "a scenario needs at least one statement, such as scenario "
        "\"title\"\n"
        "# no newline at the end\n"
        "                       ^\n");
}

TEST_CASE("the last line needs no newline, and CRLF line ends are accepted",
          "[scenario]") {
  CHECK(MustParse("client connect -> 1").steps.size() == 1);
  Scenario s = MustParse("seed 7\r\nclient {\r\n  verify = none\r\n}\r\n");
  CHECK(s.seed == uint64_t{7});
  CHECK(s.client.verify->value == VerifyMode::kNone);
}

TEST_CASE("a hash inside a string is not a comment", "[scenario]") {
  Scenario s = MustParse("client write \"a # b\" -> 5  # a comment\n");
  CHECK(std::get<CallStep>(s.steps[0]).write_data == "a # b");
}

TEST_CASE("the seed takes the full unsigned 64-bit range", "[scenario]") {
  CHECK(MustParse("seed 18446744073709551615\n").seed == UINT64_MAX);
  CHECK(ParseError("seed 18446744073709551616\n") ==
        "t.tlsim:1:6: error: expected a non-negative integer, found "
        "'18446744073709551616' (allowed: 0 to 18446744073709551615)\n"
        "seed 18446744073709551616\n"
        "     ^\n");
}

// --- Diagnostics -----------------------------------------------------------

TEST_CASE("an unknown call is reported at the call's column", "[scenario]") {
  CHECK(ParseError("client conect -> 1\n") ==
        "t.tlsim:1:8: error: unknown call 'conect'\n"
        "client conect -> 1\n"
        "       ^\n");
}

TEST_CASE("a tab counts as one column, and the caret keeps the tabs",
          "[scenario]") {
  CHECK(ParseError("\tclient\tconect -> 1\n") ==
        "t.tlsim:1:9: error: unknown call 'conect'\n"
        "\tclient\tconect -> 1\n"
        "\t      \t^\n");
}

TEST_CASE("a setting without '=' names the setting and what was found",
          "[scenario]") {
  CHECK(ParseError("client {\n  versions\n}\n") ==
        "t.tlsim:2:11: error: expected '=' after 'versions', found newline\n"
        "  versions\n"
        "          ^\n");
  CHECK(ParseError("client {\n  versions TLSv1.3\n}\n") ==
        "t.tlsim:2:12: error: expected '=' after 'versions', found "
        "'TLSv1.3'\n"
        "  versions TLSv1.3\n"
        "           ^\n");
}

TEST_CASE("an unknown setting names the block", "[scenario]") {
  CHECK(ParseError("client {\n  verion = TLSv1.3\n}\n") ==
        "t.tlsim:2:3: error: unknown setting 'verion' in client block\n"
        "  verion = TLSv1.3\n"
        "  ^\n");
}

TEST_CASE("a setting given twice is reported at the second one", "[scenario]") {
  CHECK(ParseError("server {\n  verify = peer\n  verify = none\n}\n") ==
        "t.tlsim:3:3: error: duplicate setting 'verify' (first at line 2)\n"
        "  verify = none\n"
        "  ^\n");
}

TEST_CASE("client-only settings are refused in the server block",
          "[scenario]") {
  CHECK(ParseError("server {\n  server_name = a.test\n}\n") ==
        "t.tlsim:2:3: error: 'server_name' is only allowed in the client "
        "block\n"
        "  server_name = a.test\n"
        "  ^\n");
  CHECK(ParseError("server {\n  verify_host = a.test\n}\n") ==
        "t.tlsim:2:3: error: 'verify_host' is only allowed in the client "
        "block\n"
        "  verify_host = a.test\n"
        "  ^\n");
}

TEST_CASE("each setting and option is refused in the block that cannot use it",
          "[scenario]") {
  // The side rules of lib/scenario/settings.h; OpenSSL would take most of
  // these silently and never use them.
  for (const auto& [block, key, value] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"client", "client_hello_cb", "ok"},
           {"client", "servername", "ok"},
           {"client", "sni_certs", "a.test:leaf"},
           {"client", "ticket_key_cb", "fail"},
           {"client", "max_early_data", "1024"},
           {"server", "client_cert_cb", "ok"},
           {"server", "max_fragment_length", "512"},
       }) {
    const std::string line = "  " + key + " = " + value;
    const std::string other = block == "client" ? "server" : "client";
    CHECK(ParseError(block + " {\n" + line + "\n}\n") ==
          "t.tlsim:2:3: error: '" + key + "' is only allowed in the " + other +
              " block\n" + line + "\n  ^\n");
    MustParse(other + " {\n" + line + "\n}\n");
  }
  CHECK(ParseError("client {\n  options = partial_write,"
                   "allow_client_renegotiation\n}\n") ==
        "t.tlsim:2:27: error: option 'allow_client_renegotiation' is only "
        "allowed in the server block\n"
        "  options = partial_write,allow_client_renegotiation\n"
        "                          ^\n");
  CHECK(ParseError("server {\n  options = post_handshake_auth\n}\n") ==
        "t.tlsim:2:13: error: option 'post_handshake_auth' is only allowed in "
        "the client block\n"
        "  options = post_handshake_auth\n"
        "            ^\n");
  CHECK(ParseError("client {\n  options = verify_post_handshake\n}\n") ==
        "t.tlsim:2:13: error: option 'verify_post_handshake' is only allowed "
        "in the server block\n"
        "  options = verify_post_handshake\n"
        "            ^\n");
}

TEST_CASE("setting values are checked at the value", "[scenario]") {
  CHECK(ParseError("client {\n  verify = always\n}\n") ==
        "t.tlsim:2:12: error: expected none, peer or require, found "
        "'always'\n"
        "  verify = always\n"
        "           ^\n");
  CHECK(ParseError("client {\n  tickets = yes\n}\n") ==
        "t.tlsim:2:13: error: expected on or off, found 'yes'\n"
        "  tickets = yes\n"
        "            ^\n");
  CHECK(ParseError("client {\n  buffer = 0\n}\n") ==
        "t.tlsim:2:12: error: expected a size from 1 to 1048576, found '0'\n"
        "  buffer = 0\n"
        "           ^\n");
  CHECK(ParseError("client {\n  buffer = 1048577\n}\n") ==
        "t.tlsim:2:12: error: expected a size from 1 to 1048576, found "
        "'1048577'\n"
        "  buffer = 1048577\n"
        "           ^\n");
  CHECK(ParseError("client {\n  alpn = h2,,x\n}\n") ==
        "t.tlsim:2:13: error: empty item in list 'h2,,x'\n"
        "  alpn = h2,,x\n"
        "            ^\n");
  // A quoted value reads as its words (tests/parser_clock_test.cc): the
  // name is then checked as any name is.
  CHECK(ParseError("client {\n  cert = \"leaf\"\n}\n") ==
        "t.tlsim:2:11: error: unknown certificate 'leaf'\n"
        "  cert = \"leaf\"\n"
        "          ^\n");
  CHECK(ParseError("client {\n  groups =\n}\n") ==
        "t.tlsim:2:11: error: expected a group list, found newline\n"
        "  groups =\n"
        "          ^\n");
}

TEST_CASE("a version range is checked part by part", "[scenario]") {
  CHECK(ParseError("client {\n  versions = TLSv1.2..TLSv1.4\n}\n") ==
        "t.tlsim:2:23: error: unknown version 'TLSv1.4'\n"
        "  versions = TLSv1.2..TLSv1.4\n"
        "                      ^\n");
  CHECK(ParseError("client {\n  versions = SSLv3\n}\n") ==
        "t.tlsim:2:14: error: unknown version 'SSLv3'\n"
        "  versions = SSLv3\n"
        "             ^\n");
  CHECK(ParseError("client {\n  versions = TLSv1.3..TLSv1.2\n}\n") ==
        "t.tlsim:2:14: error: empty version range: TLSv1.3 is above "
        "TLSv1.2\n"
        "  versions = TLSv1.3..TLSv1.2\n"
        "             ^\n");
  CHECK(ParseError("client {\n  versions = TLSv1.2..\n}\n") ==
        "t.tlsim:2:14: error: expected a version or range like "
        "TLSv1.2..TLSv1.3, found 'TLSv1.2..'\n"
        "  versions = TLSv1.2..\n"
        "             ^\n");
}

TEST_CASE("cert names a leaf declared in the pki", "[scenario]") {
  CHECK(ParseError(std::string(kPki) + "server {\n  cert = root\n}\n") ==
        "t.tlsim:6:10: error: 'root' is not a leaf certificate\n"
        "  cert = root\n"
        "         ^\n");
  CHECK(ParseError(std::string(kPki) + "server {\n  cert = srv\n}\n") ==
        "t.tlsim:6:10: error: unknown certificate 'srv'\n"
        "  cert = srv\n"
        "         ^\n");
}

TEST_CASE("an unknown name in a trust list is reported at that name",
          "[scenario]") {
  CHECK(ParseError(std::string(kPki) + "client {\n  trust = root,rot\n}\n") ==
        "t.tlsim:6:16: error: unknown certificate 'rot'\n"
        "  trust = root,rot\n"
        "               ^\n");
}

TEST_CASE("blocks may name certificates of a pki block written later",
          "[scenario]") {
  Scenario s = MustParse("client {\n  trust = root\n}\n" + std::string(kPki));
  CHECK(s.client.trust->value == std::vector<std::string>{"root"});
}

TEST_CASE("an issuer must be a ca declared above", "[scenario]") {
  CHECK(ParseError("pki {\n  leaf www issuer=root\n  ca root\n}\n") ==
        "t.tlsim:2:19: error: unknown certificate 'root'\n"
        "  leaf www issuer=root\n"
        "                  ^\n");
  CHECK(ParseError(std::string("pki {\n  ca root\n  leaf a issuer=root\n") +
                   "  leaf b issuer=a\n}\n") ==
        "t.tlsim:4:17: error: 'a' is not a ca certificate\n"
        "  leaf b issuer=a\n"
        "                ^\n");
  CHECK(ParseError("pki {\n  ca root issuer=root\n}\n") ==
        "t.tlsim:2:18: error: unknown certificate 'root'\n"
        "  ca root issuer=root\n"
        "                 ^\n");
}

TEST_CASE("certificate declarations are checked", "[scenario]") {
  CHECK(ParseError("pki {\n  leaf www\n}\n") ==
        "t.tlsim:2:3: error: leaf 'www' needs issuer=\n"
        "  leaf www\n"
        "  ^\n");
  CHECK(ParseError("pki {\n  ca root dns=a.test\n}\n") ==
        "t.tlsim:2:11: error: 'dns' is only for leaf certificates\n"
        "  ca root dns=a.test\n"
        "          ^\n");
  CHECK(ParseError("pki {\n  ca root\n  ca root\n}\n") ==
        "t.tlsim:3:6: error: duplicate certificate 'root' (first at line 2)\n"
        "  ca root\n"
        "     ^\n");
  CHECK(ParseError("pki {\n  ca root key=rsa\n}\n") ==
        "t.tlsim:2:15: error: unknown key type 'rsa'; expected ec-p256, "
        "ed25519, rsa-2048, rsa-3072, rsa-4096, rsa-pss, rsa-pss-sha256, "
        "ed448, ec-p384, ec-p521, ec-brainpoolP256r1, ec-brainpoolP384r1, "
        "ec-brainpoolP512r1 or dsa-2048\n"
        "  ca root key=rsa\n"
        "              ^\n");
  CHECK(ParseError("pki {\n  ca root key=ed25519 key=ed25519\n}\n") ==
        "t.tlsim:2:23: error: duplicate attribute 'key'\n"
        "  ca root key=ed25519 key=ed25519\n"
        "                      ^\n");
  CHECK(ParseError("pki {\n  ca root size=3\n}\n") ==
        "t.tlsim:2:11: error: unknown certificate attribute 'size'\n"
        "  ca root size=3\n"
        "          ^\n");
  CHECK(ParseError("pki {\n  cert root\n}\n") ==
        "t.tlsim:2:3: error: expected ca or leaf, found 'cert'\n"
        "  cert root\n"
        "  ^\n");
  CHECK(ParseError("pki {\n  ca root {\n}\n") ==
        "t.tlsim:2:11: error: expected name=value or end of line, found "
        "'{'\n"
        "  ca root {\n"
        "          ^\n");
}

TEST_CASE("an invalid clock is reported at the value", "[scenario]") {
  CHECK(ParseError("clock 2026-02-30T00:00:00Z\n") ==
        "t.tlsim:1:7: error: invalid date or time '2026-02-30T00:00:00Z'\n"
        "clock 2026-02-30T00:00:00Z\n"
        "      ^\n");
  CHECK(ParseError("clock 2026-01-01 00:00:00\n") ==
        "t.tlsim:1:7: error: expected a time like 2026-01-01T00:00:00Z, "
        "found '2026-01-01'\n"
        "clock 2026-01-01 00:00:00\n"
        "      ^\n");
  CHECK(ParseError("clock\n") ==
        "t.tlsim:1:6: error: expected a time like 2026-01-01T00:00:00Z after "
        "'clock', found newline\n"
        "clock\n"
        "     ^\n");
  CHECK(MustParse("clock 2024-02-29T23:59:59Z\n").clock == 1709251199);
}

TEST_CASE("an unterminated string is reported at its opening quote",
          "[scenario]") {
  CHECK(ParseError("scenario \"abc\nseed 1\n") ==
        "t.tlsim:1:10: error: unterminated string\n"
        "scenario \"abc\n"
        "         ^\n");
  CHECK(ParseError("client write \"abc\\") ==
        "t.tlsim:1:14: error: unterminated string\n"
        "client write \"abc\\\n"
        "             ^\n");
}

TEST_CASE("a bad escape is reported at its backslash", "[scenario]") {
  CHECK(ParseError("scenario \"a\\qb\"\n") ==
        "t.tlsim:1:12: error: unknown escape '\\q' in string\n"
        "scenario \"a\\qb\"\n"
        "           ^\n");
  CHECK(ParseError("scenario \"a\\x4g\"\n") ==
        "t.tlsim:1:12: error: expected two hex digits after '\\x'\n"
        "scenario \"a\\x4g\"\n"
        "           ^\n");
}

TEST_CASE("a closing brace needs an open block", "[scenario]") {
  CHECK(ParseError("seed 1\n}\n") ==
        "t.tlsim:2:1: error: '}' without an open block\n"
        "}\n"
        "^\n");
}

TEST_CASE("an unclosed block is reported at the line that opened it",
          "[scenario]") {
  CHECK(ParseError("seed 1\n\nclient {\n  verify = peer\n") ==
        "t.tlsim:3:1: error: missing '}' for the block opened at line 3\n"
        "client {\n"
        "^\n");
  CHECK(ParseError("pki {\n  ca root\n") ==
        "t.tlsim:1:1: error: missing '}' for the block opened at line 1\n"
        "pki {\n"
        "^\n");
}

TEST_CASE("braces stand alone on their lines", "[scenario]") {
  CHECK(ParseError("client { verify = peer }\n") ==
        "t.tlsim:1:10: error: expected end of line, found 'verify'\n"
        "client { verify = peer }\n"
        "         ^\n");
  CHECK(ParseError("client {\n  verify = peer }\n") ==
        "t.tlsim:2:17: error: expected end of line, found '}'\n"
        "  verify = peer }\n"
        "                ^\n");
  CHECK(ParseError("pki\n") ==
        "t.tlsim:1:4: error: expected '{' after 'pki', found newline\n"
        "pki\n"
        "   ^\n");
}

TEST_CASE("header statements and blocks come before the first step",
          "[scenario]") {
  CHECK(ParseError("client connect -> 1\nseed 1\n") ==
        "t.tlsim:2:1: error: 'seed' must come before the first step\n"
        "seed 1\n"
        "^\n");
  CHECK(ParseError("client connect -> 1\nserver {\n}\n") ==
        "t.tlsim:2:1: error: 'server' block must come before the first step\n"
        "server {\n"
        "^\n");
}

TEST_CASE("header statements and blocks appear at most once", "[scenario]") {
  CHECK(ParseError("scenario \"a\"\nscenario \"b\"\n") ==
        "t.tlsim:2:1: error: duplicate 'scenario' (first at line 1)\n"
        "scenario \"b\"\n"
        "^\n");
  CHECK(ParseError("client {\n}\nclient {\n}\n") ==
        "t.tlsim:3:1: error: duplicate 'client' block (first at line 1)\n"
        "client {\n"
        "^\n");
  CHECK(ParseError("pki {\n}\npki {\n}\n") ==
        "t.tlsim:3:1: error: duplicate 'pki' block (first at line 1)\n"
        "pki {\n"
        "^\n");
}

TEST_CASE("header statements check their values", "[scenario]") {
  CHECK(ParseError("scenario title\n") ==
        "t.tlsim:1:10: error: expected a string after 'scenario', found "
        "'title'\n"
        "scenario title\n"
        "         ^\n");
  CHECK(ParseError("seed -1\n") ==
        "t.tlsim:1:6: error: expected a non-negative integer, found '-1' "
        "(allowed: 0 to 18446744073709551615)\n"
        "seed -1\n"
        "     ^\n");
  CHECK(ParseError("seed 1 2\n") ==
        "t.tlsim:1:8: error: expected end of line, found '2'\n"
        "seed 1 2\n"
        "       ^\n");
}

TEST_CASE("an unknown statement is reported at its first word", "[scenario]") {
  CHECK(ParseError("seed 1\n  clinet connect -> 1\n") ==
        "t.tlsim:2:3: error: unknown statement 'clinet'\n"
        "  clinet connect -> 1\n"
        "  ^\n");
  CHECK(ParseError("= 1\n") ==
        "t.tlsim:1:1: error: expected a statement, found '='\n"
        "= 1\n"
        "^\n");
}

TEST_CASE("a call without an outcome asks for '->'", "[scenario]") {
  CHECK(ParseError("client connect\n") ==
        "t.tlsim:1:15: error: expected '->' and the expected outcome, found "
        "newline\n"
        "client connect\n"
        "              ^\n");
  CHECK(ParseError("client connect 1\n") ==
        "t.tlsim:1:16: error: expected '->' and the expected outcome, found "
        "'1'\n"
        "client connect 1\n"
        "               ^\n");
  CHECK(ParseError("client connect ->\n") ==
        "t.tlsim:1:18: error: expected an outcome after '->', found newline\n"
        "client connect ->\n"
        "                 ^\n");
  CHECK(ParseError("client\n") ==
        "t.tlsim:1:7: error: expected a call or '{' after 'client', found "
        "newline\n"
        "client\n"
        "      ^\n");
}

TEST_CASE("set_*_state calls take no outcome", "[scenario]") {
  CHECK(ParseError("client set_connect_state -> 1\n") ==
        "t.tlsim:1:26: error: set_connect_state returns nothing\n"
        "client set_connect_state -> 1\n"
        "                         ^\n");
  CHECK(ParseError("server set_accept_state -> any\n") ==
        "t.tlsim:1:25: error: set_accept_state returns nothing\n"
        "server set_accept_state -> any\n"
        "                        ^\n");
}

TEST_CASE("raise_error and clear_errors are read and printed back",
          "[scenario]") {
  Scenario s = MustParse(
      "client {\n  clear_errors = off\n}\n"
      "client raise_error\n"
      "server raise_error system\n");
  REQUIRE(s.client.clear_errors.has_value());
  CHECK_FALSE(s.client.clear_errors->value);
  CHECK_FALSE(s.server.clear_errors.has_value());
  REQUIRE(s.steps.size() == 2);
  const auto& library = std::get<CallStep>(s.steps[0]);
  CHECK(library.call == Call::kRaiseError);
  CHECK_FALSE(library.raise_system);
  CHECK_FALSE(library.expect.has_value());
  const auto& system = std::get<CallStep>(s.steps[1]);
  CHECK(system.side == Side::kServer);
  CHECK(system.raise_system);
  std::string printed = Print(s);
  CHECK(printed ==
        "client {\n  clear_errors = off\n}\n\n"
        "client raise_error\n"
        "server raise_error system\n");
  CHECK(MustParse(printed) == s);
}

TEST_CASE("raise_error takes no outcome and only 'system'", "[scenario]") {
  CHECK(ParseError("client raise_error -> any\n") ==
        "t.tlsim:1:20: error: raise_error returns nothing\n"
        "client raise_error -> any\n"
        "                   ^\n");
  CHECK(ParseError("client raise_error ssl\n") ==
        "t.tlsim:1:20: error: expected end of line, found 'ssl'\n"
        "client raise_error ssl\n"
        "                   ^\n");
  CHECK(ParseError("client {\n  clear_errors = sometimes\n}\n") ==
        "t.tlsim:2:18: error: expected on or off, found 'sometimes'\n"
        "  clear_errors = sometimes\n"
        "                 ^\n");
}

TEST_CASE("connect on the server and accept on the client are allowed",
          "[scenario]") {
  Scenario s = MustParse("server connect -> any\nclient accept -> any\n");
  CHECK(std::get<CallStep>(s.steps[0]).call == Call::kConnect);
  CHECK(std::get<CallStep>(s.steps[1]).call == Call::kAccept);
}

TEST_CASE("read and write check their arguments", "[scenario]") {
  CHECK(ParseError("client read 0 -> 1\n") ==
        "t.tlsim:1:13: error: expected a positive integer, found '0' "
        "(allowed: 1 to 1048576)\n"
        "client read 0 -> 1\n"
        "            ^\n");
  CHECK(ParseError("client read -> 1\n") ==
        "t.tlsim:1:13: error: expected a positive integer after 'read', "
        "found '->'\n"
        "client read -> 1\n"
        "            ^\n");
  CHECK(ParseError("client write hello -> 5\n") ==
        "t.tlsim:1:14: error: expected a string after 'write', found "
        "'hello'\n"
        "client write hello -> 5\n"
        "             ^\n");
}

TEST_CASE("a number out of its range names the range", "[scenario]") {
  CHECK(ParseError("client read 1048577 -> 1\n") ==
        "t.tlsim:1:13: error: expected a positive integer, found '1048577' "
        "(allowed: 1 to 1048576)\n"
        "client read 1048577 -> 1\n"
        "            ^\n");
  CHECK(ParseError("client read 99999999999999999999 -> 1\n") ==
        "t.tlsim:1:13: error: expected a positive integer, found "
        "'99999999999999999999' (allowed: 1 to 1048576)\n"
        "client read 99999999999999999999 -> 1\n"
        "            ^\n");
  CHECK(ParseError("drop client->server record 99999999999999999999\n") ==
        "t.tlsim:1:28: error: expected a record number, found "
        "'99999999999999999999' (allowed: 1 to 9223372036854775807)\n"
        "drop client->server record 99999999999999999999\n"
        "                           ^\n");
  // A setting's description already names its range.
  CHECK(ParseError("server {\n  num_tickets = 101\n}\n") ==
        "t.tlsim:2:17: error: expected a number of tickets from 0 to 100, "
        "found '101'\n"
        "  num_tickets = 101\n"
        "                ^\n");
}

TEST_CASE("a raw control byte in a string is refused at its column",
          "[scenario]") {
  CHECK(ParseError(std::string("client write \"a\0b\" -> 3\n", 24)) ==
        "t.tlsim:1:16: error: raw control byte 0x00 in a string; write it as "
        "\\x00\n"
        "client write \"a?b\" -> 3\n"
        "               ^\n");
  CHECK(ParseError("client write \"a\tb\" -> 3\n") ==
        "t.tlsim:1:16: error: raw control byte 0x09 in a string; write it as "
        "\\t\n"
        "client write \"a\tb\" -> 3\n"
        "               ^\n");
  CHECK(ParseError("scenario \"bell\x07\"\n") ==
        "t.tlsim:1:15: error: raw control byte 0x07 in a string; write it as "
        "\\x07\n"
        "scenario \"bell?\"\n"
        "              ^\n");
  CHECK(ParseError("scenario \"del\x7f\"\n") ==
        "t.tlsim:1:14: error: raw control byte 0x7f in a string; write it as "
        "\\x7f\n"
        "scenario \"del?\"\n"
        "             ^\n");
  // Escapes stay the way to write them; a \r before the line end is still
  // an unterminated string.
  Scenario s = MustParse("client write \"a\\x00\\t\\x07b\" -> 5\n");
  const std::string want = {'a', '\0', '\t', '\x07', 'b'};
  CHECK(std::get<CallStep>(s.steps[0]).write_data == want);
  CHECK(ParseError("scenario \"t\r\n") ==
        "t.tlsim:1:10: error: unterminated string\n"
        "scenario \"t\n"
        "         ^\n");
}

TEST_CASE("the caret stays under its column after a tab", "[scenario]") {
  CHECK(ParseError("server {\n\tnum_tickets = 101\n}\n") ==
        "t.tlsim:2:16: error: expected a number of tickets from 0 to 100, "
        "found '101'\n"
        "\tnum_tickets = 101\n"
        "\t              ^\n");
}

TEST_CASE("a raw control byte outside a string is refused", "[scenario]") {
  CHECK(ParseError("seed 1\x1b[2J\n") ==
        "t.tlsim:1:7: error: raw control byte 0x1b outside a string\n"
        "seed 1?[2J\n"
        "      ^\n");
  CHECK(ParseError(std::string("pki {\n  ca r\0t\n}\n", 17)) ==
        "t.tlsim:2:7: error: raw control byte 0x00 outside a string\n"
        "  ca r?t\n"
        "      ^\n");
  // Tabs and CRs stay blanks, and a comment may hold anything.
  CHECK(MustParse("seed\t1\r\n# \x01\x1b\x7f\n").seed == uint64_t{1});
}

TEST_CASE("a UTF-8 byte order mark at the start is skipped", "[scenario]") {
  Scenario s = MustParse("\xEF\xBB\xBFscenario \"t\"\nseed 3\n");
  CHECK(s.title == "t");
  CHECK(s.seed == uint64_t{3});
  // Columns count from after the mark, and the line shown has none.
  CHECK(ParseError("\xEF\xBB\xBFscenari \"t\"\n") ==
        "t.tlsim:1:1: error: unknown statement 'scenari'\n"
        "scenari \"t\"\n"
        "^\n");
  // Elsewhere it is an ordinary word.
  CHECK(ParseError("seed 1\n\xEF\xBB\xBFseed 2\n") ==
        "t.tlsim:2:1: error: unknown statement '\xEF\xBB\xBFseed'\n"
        "\xEF\xBB\xBFseed 2\n"
        "^\n");
}

TEST_CASE("a malformed return value is reported at the value", "[scenario]") {
  CHECK(ParseError("client connect -> 1x\n") ==
        "t.tlsim:1:19: error: expected an integer, found '1x'\n"
        "client connect -> 1x\n"
        "                  ^\n");
  CHECK(ParseError("client connect -> 99999999999\n") ==
        "t.tlsim:1:19: error: expected an integer, found '99999999999' "
        "(allowed: -2147483648 to 2147483647)\n"
        "client connect -> 99999999999\n"
        "                  ^\n");
}

TEST_CASE("outcome items come in order: return value, error, key=value",
          "[scenario]") {
  CHECK(ParseError("client connect -> WANT_READ -1\n") ==
        "t.tlsim:1:29: error: the return value must come first\n"
        "client connect -> WANT_READ -1\n"
        "                            ^\n");
  CHECK(ParseError("client connect -> -1 reason=\"x\" SSL\n") ==
        "t.tlsim:1:33: error: the ssl error must come before key=value "
        "items\n"
        "client connect -> -1 reason=\"x\" SSL\n"
        "                                ^\n");
  CHECK(ParseError("client connect -> 1 1\n") ==
        "t.tlsim:1:21: error: duplicate return value\n"
        "client connect -> 1 1\n"
        "                    ^\n");
  CHECK(ParseError("client connect -> SSL SSL\n") ==
        "t.tlsim:1:23: error: duplicate ssl error\n"
        "client connect -> SSL SSL\n"
        "                      ^\n");
  CHECK(ParseError("client connect -> any 1\n") ==
        "t.tlsim:1:23: error: expected end of line, found '1'\n"
        "client connect -> any 1\n"
        "                      ^\n");
  CHECK(ParseError("client connect -> 1 any\n") ==
        "t.tlsim:1:21: error: 'any' cannot be combined with other items\n"
        "client connect -> 1 any\n"
        "                    ^\n");
}

TEST_CASE("unknown outcome words are named", "[scenario]") {
  CHECK(ParseError("client connect -> -1 WANT_RAED\n") ==
        "t.tlsim:1:22: error: unknown ssl error 'WANT_RAED'\n"
        "client connect -> -1 WANT_RAED\n"
        "                     ^\n");
  CHECK(ParseError("client connect -> done\n") ==
        "t.tlsim:1:19: error: expected a return value, an ssl error or "
        "key=value, found 'done'\n"
        "client connect -> done\n"
        "                  ^\n");
  CHECK(ParseError("client connect -> reasn=\"x\"\n") ==
        "t.tlsim:1:19: error: unknown outcome key 'reasn'\n"
        "client connect -> reasn=\"x\"\n"
        "                  ^\n");
  CHECK(ParseError("client connect -> state=\"a\" state=\"b\"\n") ==
        "t.tlsim:1:29: error: duplicate outcome key 'state'\n"
        "client connect -> state=\"a\" state=\"b\"\n"
        "                            ^\n");
  CHECK(ParseError("client connect -> reason=x\n") ==
        "t.tlsim:1:26: error: expected a string after 'reason=', found 'x'\n"
        "client connect -> reason=x\n"
        "                         ^\n");
}

TEST_CASE("data is only expected of a read", "[scenario]") {
  CHECK(ParseError("client write \"x\" -> 1 data=\"x\"\n") ==
        "t.tlsim:1:23: error: 'data' is only for read, peek and read_early\n"
        "client write \"x\" -> 1 data=\"x\"\n"
        "                      ^\n");
}

TEST_CASE("alerts are checked by level and name", "[scenario]") {
  CHECK(ParseError("client connect -> alert_sent=fatal:handshake_fail\n") ==
        "t.tlsim:1:36: error: unknown alert 'handshake_fail'\n"
        "client connect -> alert_sent=fatal:handshake_fail\n"
        "                                   ^\n");
  CHECK(ParseError("client connect -> alert_received=severe:unknown_ca\n") ==
        "t.tlsim:1:34: error: expected fatal or warning before ':', found "
        "'severe'\n"
        "client connect -> alert_received=severe:unknown_ca\n"
        "                                 ^\n");
}

TEST_CASE("deliver and close check the direction and amount", "[scenario]") {
  CHECK(ParseError("deliver client->client all\n") ==
        "t.tlsim:1:17: error: expected 'server' after 'client->', found "
        "'client'\n"
        "deliver client->client all\n"
        "                ^\n");
  CHECK(ParseError("deliver both all\n") ==
        "t.tlsim:1:9: error: expected client->server or server->client "
        "after 'deliver', found 'both'\n"
        "deliver both all\n"
        "        ^\n");
  CHECK(ParseError("close server client\n") ==
        "t.tlsim:1:14: error: expected '->' after 'server', found 'client'\n"
        "close server client\n"
        "             ^\n");
  CHECK(ParseError("deliver client->server 0\n") ==
        "t.tlsim:1:24: error: expected a positive byte count, record or all, "
        "found '0' (allowed: 1 to 9223372036854775807)\n"
        "deliver client->server 0\n"
        "                       ^\n");
  CHECK(ParseError("deliver client->server\n") ==
        "t.tlsim:1:23: error: expected a positive byte count, record or all, "
        "found newline\n"
        "deliver client->server\n"
        "                      ^\n");
}

TEST_CASE("a wire step that can fail takes '-> fails'", "[scenario]") {
  Scenario s = MustParse(
      "deliver client->server all -> fails \"the direction is closed\"\n"
      "deliver server->client record -> fails\n"
      "drop server->client record 3 -> fails \"no record 3\"\n"
      "inject client->server alert fatal:handshake_failure -> fails\n"
      "deliver client->server 5\n");
  REQUIRE(s.steps.size() == 5);
  const auto& closed = std::get<DeliverStep>(s.steps[0]);
  REQUIRE(closed.expect.has_value());
  CHECK(closed.expect->message == "the direction is closed");
  CHECK(closed.expect->pos.col == 31);
  const auto& any = std::get<DeliverStep>(s.steps[1]);
  REQUIRE(any.expect.has_value());
  CHECK_FALSE(any.expect->message.has_value());
  const auto& drop = std::get<FaultStep>(s.steps[2]);
  REQUIRE(drop.expect.has_value());
  CHECK(drop.expect->message == "no record 3");
  CHECK(std::get<FaultStep>(s.steps[3]).expect.has_value());
  CHECK_FALSE(std::get<DeliverStep>(s.steps[4]).expect.has_value());

  // The canonical form writes them back, and reads back the same.
  std::string printed = Print(s);
  CHECK(printed ==
        "deliver client->server all -> fails \"the direction is closed\"\n"
        "deliver server->client record -> fails\n"
        "drop server->client record 3 -> fails \"no record 3\"\n"
        "inject client->server alert fatal:handshake_failure -> fails\n"
        "deliver client->server 5\n");
  CHECK(MustParse(printed) == s);
}

TEST_CASE("a wire expectation on a step that cannot fail is refused",
          "[scenario]") {
  CHECK(ParseError("close client->server -> fails\n") ==
        "t.tlsim:1:22: error: 'close' cannot fail, so it takes no expectation "
        "('-> fails' is for deliver and the faults)\n"
        "close client->server -> fails\n"
        "                     ^\n");
  CHECK(ParseError("deliver client->server all -> ok\n") ==
        "t.tlsim:1:31: error: expected 'fails' after '->' (a wire step can "
        "only be expected to fail), found 'ok'\n"
        "deliver client->server all -> ok\n"
        "                              ^\n");
  CHECK(ParseError("deliver client->server all ->\n") ==
        "t.tlsim:1:30: error: expected 'fails' after '->' (a wire step can "
        "only be expected to fail), found newline\n"
        "deliver client->server all ->\n"
        "                             ^\n");
  CHECK(ParseError("truncate client->server 3 -> fails \"x\" \"y\"\n") ==
        "t.tlsim:1:40: error: expected end of line, found string \"y\"\n"
        "truncate client->server 3 -> fails \"x\" \"y\"\n"
        "                                       ^\n");
}

TEST_CASE("drive checks its options and result", "[scenario]") {
  CHECK(ParseError("drive limit=5 limit=6 -> done\n") ==
        "t.tlsim:1:15: error: duplicate drive option 'limit'\n"
        "drive limit=5 limit=6 -> done\n"
        "              ^\n");
  CHECK(ParseError("drive rounds=5 -> done\n") ==
        "t.tlsim:1:7: error: unknown drive option 'rounds' (options: deliver=, "
        "first=, limit=)\n"
        "drive rounds=5 -> done\n"
        "      ^\n");
  CHECK(ParseError("drive first=server\n") ==
        "t.tlsim:1:19: error: expected '->' and the expected result, found "
        "newline\n"
        "drive first=server\n"
        "                  ^\n");
  CHECK(ParseError("drive done\n") ==
        "t.tlsim:1:7: error: expected '->' before 'done'\n"
        "drive done\n"
        "      ^\n");
  CHECK(ParseError("drive -> finished\n") ==
        "t.tlsim:1:10: error: expected done, stalled or failed, found "
        "'finished'\n"
        "drive -> finished\n"
        "         ^\n");
  CHECK(ParseError("drive first=both -> done\n") ==
        "t.tlsim:1:13: error: expected client or server, found 'both'\n"
        "drive first=both -> done\n"
        "            ^\n");
  CHECK(ParseError("drive limit=0 -> done\n") ==
        "t.tlsim:1:13: error: expected a positive integer, found '0' "
        "(allowed: 1 to 9223372036854775807)\n"
        "drive limit=0 -> done\n"
        "            ^\n");
}

TEST_CASE("expect checks the property and its value", "[scenario]") {
  CHECK(ParseError("expect client protocol = TLSv1.3\n") ==
        "t.tlsim:1:15: error: unknown property 'protocol'\n"
        "expect client protocol = TLSv1.3\n"
        "              ^\n");
  CHECK(ParseError("expect client version = TLSv2\n") ==
        "t.tlsim:1:25: error: unknown version 'TLSv2'\n"
        "expect client version = TLSv2\n"
        "                        ^\n");
  CHECK(ParseError("expect client verify_result = OK\n") ==
        "t.tlsim:1:31: error: expected a verify result like X509_V_OK, found "
        "'OK'\n"
        "expect client verify_result = OK\n"
        "                              ^\n");
  CHECK(ParseError("expect server handshake_done = true\n") ==
        "t.tlsim:1:32: error: expected yes or no, found 'true'\n"
        "expect server handshake_done = true\n"
        "                               ^\n");
  CHECK(ParseError("expect both version = TLSv1.3\n") ==
        "t.tlsim:1:8: error: expected client, server or in_flight after "
        "'expect', found 'both'\n"
        "expect both version = TLSv1.3\n"
        "       ^\n");
  CHECK(ParseError("expect client cipher TLS_AES_128_GCM_SHA256\n") ==
        "t.tlsim:1:22: error: expected '=' after 'cipher', found "
        "'TLS_AES_128_GCM_SHA256'\n"
        "expect client cipher TLS_AES_128_GCM_SHA256\n"
        "                     ^\n");
  CHECK(ParseError("expect in_flight client->server = -1\n") ==
        "t.tlsim:1:35: error: expected a non-negative integer, found '-1' "
        "(allowed: 0 to 9223372036854775807)\n"
        "expect in_flight client->server = -1\n"
        "                                  ^\n");
}

TEST_CASE(
    "an error at the end of a file without newline points past the "
    "last character",
    "[scenario]") {
  CHECK(ParseError("client connect") ==
        "t.tlsim:1:15: error: expected '->' and the expected outcome, found "
        "end of file\n"
        "client connect\n"
        "              ^\n");
}

TEST_CASE("a diagnostic without a line has no source or caret", "[scenario]") {
  Diagnostic d;
  d.file = "a.tlsim";
  d.message = "cannot read the file";
  CHECK(d.Format() == "a.tlsim: error: cannot read the file\n");
}

TEST_CASE("a file that cannot be read is a diagnostic about the whole file",
          "[scenario]") {
  Scenario s;
  Diagnostic d;
  CHECK_FALSE(ParseFile("/nonexistent/x.tlsim", &s, &d));
  CHECK(d.line == 0);
  CHECK(d.Format() ==
        "/nonexistent/x.tlsim: error: cannot read the file: No such file or "
        "directory\n");
}

TEST_CASE("SourceLine returns one line without its newline", "[scenario]") {
  CHECK(SourceLine("a\nbb\r\nc", 2) == "bb");
  CHECK(SourceLine("a\nbb\nc", 3) == "c");
  CHECK(SourceLine("a\n", 2) == "");
  CHECK(SourceLine("a\n", 5) == "");
  CHECK(SourceLine("a\n", 0) == "");
}

// --- Printer ---------------------------------------------------------------

TEST_CASE("the example prints in canonical layout", "[scenario]") {
  CHECK(Print(MustParse(kExample)) ==
        R"(scenario "TLS 1.3 full handshake, one flight at a time"
seed 1
clock 2026-01-01T00:00:00Z

pki {
  ca root
  leaf server.test issuer=root
}

client {
  versions = TLSv1.3
  verify = peer
  trust = root
  server_name = server.test
}
server {
  versions = TLSv1.2..TLSv1.3
  cert = server.test
}

client connect -> -1 WANT_READ
deliver client->server all
server accept -> -1 WANT_READ
deliver server->client all
client connect -> 1
deliver client->server all
server accept -> 1
expect client version = TLSv1.3
expect server cipher = TLS_AES_256_GCM_SHA384
)");
}

TEST_CASE("printing spells out every option and re-escapes strings",
          "[scenario]") {
  const std::string text =
      "client {\n"
      "  ciphers = \"A B\"\n"
      "}\n"
      "client write \"a\\\"b\\\\c\\nd\\te\\x01\" -> 1\n"
      "drive -> done\n"
      "client read 4 -> -1 SSL_ERROR_SSL reason=\"r\" state=\"s\" data=\"d\" "
      "alert_sent=fatal:decode_error alert_received=7\n"
      "server set_connect_state\n";
  CHECK(Print(MustParse(text)) ==
        "client {\n"
        "  ciphers = \"A B\"\n"
        "}\n"
        "\n"
        "client write \"a\\\"b\\\\c\\nd\\te\\x01\" -> 1\n"
        "drive deliver=all first=client limit=10000 -> done\n"
        "client read 4 -> -1 SSL reason=\"r\" state=\"s\" data=\"d\" "
        "alert_sent=fatal:decode_error alert_received=7\n"
        "server set_connect_state\n");
}

TEST_CASE("printing then parsing gives the same scenario", "[scenario]") {
  const std::string text =
      std::string(kPki) + "client {\n  alpn = h2\n  buffer = 7\n}\n" +
      "server {\n}\n" + "expect in_flight client->server = 3\n";
  Scenario s = MustParse(text);
  Scenario again = MustParse(Print(s));
  CHECK(again == s);
  CHECK(Print(again) == Print(s));
}

TEST_CASE("a scenario that declares only empty things prints as a title",
          "[scenario]") {
  // Printing nothing would not parse back: a file must declare something.
  CHECK(Print(MustParse("scenario \"\"\n")) == "scenario \"\"\n");
  CHECK(Print(MustParse("pki {\n}\n")) == "scenario \"\"\n");
  CHECK(MustParse("pki {\n}\n") == MustParse("scenario \"\"\n"));
}

TEST_CASE("name helpers give the canonical spellings", "[scenario]") {
  CHECK(std::string(SideName(Side::kServer)) == "server");
  CHECK(std::string(VersionName(Version::kTls1_0)) == "TLSv1");
  CHECK(std::string(SslErrorName(SslError::kWantClientHelloCb)) ==
        "WANT_CLIENT_HELLO_CB");
  CHECK(std::string(CallName(Call::kDoHandshake)) == "do_handshake");
  CHECK(FormatTime(0) == "1970-01-01T00:00:00Z");
  CHECK(FormatTime(1767225600) == "2026-01-01T00:00:00Z");
}

TEST_CASE("fault steps parse with every kind of record selector",
          "[scenario]") {
  Scenario s = MustParse(
      "drop server->client record Certificate\n"
      "duplicate client->server record 2\n"
      "swap server->client record application_data:1 record "
      "application_data:2\n"
      "truncate server->client 100\n"
      "cut server->client record 1 10\n"
      "corrupt client->server byte 40 xor 0x01\n"
      "corrupt server->client record ServerHello byte 10 xor 255\n"
      "corrupt server->client record 1 version 0x0301\n"
      "inject server->client hex \"15 03 03 00 02 02 28\"\n"
      "inject client->server alert warning:close_notify\n");
  REQUIRE(s.steps.size() == 10);
  const auto& drop = std::get<FaultStep>(s.steps[0]);
  CHECK(drop.kind == FaultStep::Kind::kDrop);
  CHECK(drop.from == Side::kServer);
  CHECK(drop.record->kind == RecordSelector::Kind::kHandshake);
  CHECK(drop.record->type == 11);
  const auto& swap = std::get<FaultStep>(s.steps[2]);
  CHECK(swap.record->kind == RecordSelector::Kind::kTypeIndex);
  CHECK(swap.record->type == 23);
  CHECK(swap.other->index == 2);
  CHECK(std::get<FaultStep>(s.steps[3]).count == 100);
  const auto& xor_abs = std::get<FaultStep>(s.steps[5]);
  CHECK(xor_abs.kind == FaultStep::Kind::kXor);
  CHECK_FALSE(xor_abs.record.has_value());
  CHECK(xor_abs.offset == 40);
  CHECK(xor_abs.mask == 1);
  CHECK(std::get<FaultStep>(s.steps[6]).mask == 255);
  const auto& field = std::get<FaultStep>(s.steps[7]);
  CHECK(field.field == FaultStep::Field::kVersion);
  CHECK(field.value == 0x0301);
  const auto& alert = std::get<FaultStep>(s.steps[9]);
  CHECK(alert.alert.level == AlertLevel::kWarning);
  CHECK(alert.alert.description == 0);
  CHECK(Print(s) ==
        "drop server->client record Certificate\n"
        "duplicate client->server record 2\n"
        "swap server->client record application_data:1 record "
        "application_data:2\n"
        "truncate server->client 100\n"
        "cut server->client record 1 10\n"
        "corrupt client->server byte 40 xor 0x01\n"
        "corrupt server->client record ServerHello byte 10 xor 0xff\n"
        "corrupt server->client record 1 version 0x0301\n"
        "inject server->client hex \"15 03 03 00 02 02 28\"\n"
        "inject client->server alert warning:close_notify\n");
}

TEST_CASE("fault steps report bad selectors, masks and hex where they are",
          "[scenario]") {
  CHECK(ParseError("drop server->client record Certficate\n") ==
        "t.tlsim:1:28: error: expected a record: a number, a handshake "
        "message or type:N, found 'Certficate'\n"
        "drop server->client record Certficate\n"
        "                           ^\n");
  CHECK(ParseError("drop server->client record handshake:0\n") ==
        "t.tlsim:1:38: error: expected a record number from 1 after "
        "'handshake:', found '0'\n"
        "drop server->client record handshake:0\n"
        "                                     ^\n");
  CHECK(ParseError("corrupt client->server byte 4 xor 0x100\n") ==
        "t.tlsim:1:35: error: expected a mask from 1 to 0xff, found '0x100'\n"
        "corrupt client->server byte 4 xor 0x100\n"
        "                                  ^\n");
  CHECK(ParseError("inject client->server hex \"1603z\"\n") ==
        "t.tlsim:1:32: error: 'z' is not a hex digit\n"
        "inject client->server hex \"1603z\"\n"
        "                               ^\n");
  CHECK(ParseError("inject client->server alert handshake_failure\n") ==
        "t.tlsim:1:29: error: an injected alert needs its level: "
        "fatal:handshake_failure or warning:handshake_failure\n"
        "inject client->server alert handshake_failure\n"
        "                            ^\n");
  CHECK(ParseError("corrupt client->server type 3\n") ==
        "t.tlsim:1:24: error: expected 'byte' or 'record', found 'type'\n"
        "corrupt client->server type 3\n"
        "                       ^\n");
}

TEST_CASE("connections are named once and resume an earlier one",
          "[scenario]") {
  Scenario s = MustParse(
      "connection second resume=main\nconnection third\n"
      "connection fourth resume=second\n");
  const auto& second = std::get<ConnectionStep>(s.steps[0]);
  CHECK(second.name == "second");
  CHECK(second.resume->value == "main");
  CHECK_FALSE(std::get<ConnectionStep>(s.steps[1]).resume.has_value());
  CHECK(Print(s) ==
        "connection second resume=main\nconnection third\n"
        "connection fourth resume=second\n");
  CHECK(ParseError("connection main\n") ==
        "t.tlsim:1:12: error: duplicate connection 'main'\n"
        "connection main\n"
        "           ^\n");
  CHECK(ParseError("connection b resume=c\n") ==
        "t.tlsim:1:21: error: unknown connection 'c'\n"
        "connection b resume=c\n"
        "                    ^\n");
}

TEST_CASE("post-handshake calls take their arguments", "[scenario]") {
  Scenario s = MustParse(
      "client peek 5 -> 5 data=\"hello\"\n"
      "client pending -> 0\n"
      "client write_early \"early\" moved -> 1\n"
      "server read_early 100 -> 1 data=\"early\"\n"
      "client key_update requested -> 1\n"
      "server key_update not_requested -> 1\n"
      "client renegotiate -> 1\n"
      "server verify_client_post_handshake -> 1 verify=X509_V_OK\n");
  CHECK(std::get<CallStep>(s.steps[0]).call == Call::kPeek);
  CHECK(std::get<CallStep>(s.steps[2]).moved_buffer);
  CHECK_FALSE(std::get<CallStep>(s.steps[0]).moved_buffer);
  CHECK(std::get<CallStep>(s.steps[3]).read_len == 100);
  CHECK(std::get<CallStep>(s.steps[4]).key_update_requested);
  CHECK_FALSE(std::get<CallStep>(s.steps[5]).key_update_requested);
  CHECK(std::get<CallStep>(s.steps[7]).expect->verify == "X509_V_OK");
  CHECK(Print(MustParse(Print(s))) == Print(s));
  CHECK(ParseError("client key_update now -> 1\n") ==
        "t.tlsim:1:19: error: expected requested or not_requested, found "
        "'now'\n"
        "client key_update now -> 1\n"
        "                  ^\n");
}

TEST_CASE("session expectations take their own kinds of value", "[scenario]") {
  Scenario s = MustParse(
      "expect client tickets = 2\nexpect server early_data = accepted\n"
      "expect client resumption = session_id\n");
  CHECK(std::get<int64_t>(std::get<ExpectStep>(s.steps[0]).value) == 2);
  CHECK(std::get<std::string>(std::get<ExpectStep>(s.steps[1]).value) ==
        "accepted");
  CHECK(ParseError("expect server resumption = ticket\n") ==
        "t.tlsim:1:15: error: 'resumption' is for the client: only it knows "
        "which session it offered\n"
        "expect server resumption = ticket\n"
        "              ^\n");
  CHECK(ParseError("expect client early_data = yes\n") ==
        "t.tlsim:1:28: error: expected not_sent, rejected or accepted, "
        "found 'yes'\n"
        "expect client early_data = yes\n"
        "                           ^\n");
}

TEST_CASE("callback, option and PSK settings parse and print back",
          "[scenario]") {
  Scenario s = MustParse(
      "client {\n"
      "  client_cert_cb = retry 2 then ok\n"
      "  verify_cb = fail\n"
      "  options = ignore_unexpected_eof,post_handshake_auth\n"
      "  max_fragment_length = 512\n"
      "  psk_identity = id1\n"
      "  psk_key = 00ff\n"
      "}\n"
      "server {\n"
      "  client_hello_cb = retry 1 then fail\n"
      "  cert_cb = ok\n"
      "  servername = alert_fatal\n"
      "  sni_certs = a.test:a.test,b.test:b.test\n"
      "  ticket_key_cb = fail\n"
      "  num_tickets = 0\n"
      "  max_early_data = 16384\n"
      "  security_level = 0\n"
      "}\n");
  CHECK(s.client.client_cert_cb->value == RetryPlan{2, false});
  CHECK(s.client.verify_cb->value == RetryPlan{0, true});
  CHECK(
      s.client.options->value ==
      std::vector<std::string>{"ignore_unexpected_eof", "post_handshake_auth"});
  CHECK(s.client.max_fragment_length->value == 512);
  CHECK(s.client.psk_key->value == "00ff");
  CHECK(s.server.client_hello_cb->value == RetryPlan{1, true});
  CHECK(s.server.servername->value == ServernameAction::kAlertFatal);
  CHECK(s.server.sni_certs->value.size() == 2);
  CHECK(s.server.sni_certs->value[1].second == "b.test");
  CHECK(s.server.ticket_key_fail->value);
  CHECK(s.server.num_tickets->value == 0);
  CHECK(MustParse(Print(s)) == s);
}

TEST_CASE("callback and option settings report bad values where they are",
          "[scenario]") {
  CHECK(ParseError("client {\n  cert_cb = retry 2 then maybe\n}\n") ==
        "t.tlsim:2:26: error: expected ok, fail or missing_file, found "
        "'maybe'\n"
        "  cert_cb = retry 2 then maybe\n"
        "                         ^\n");
  CHECK(ParseError("client {\n  verify_cb = retry 2 then maybe\n}\n") ==
        "t.tlsim:2:28: error: expected ok, fail or accept_all, found "
        "'maybe'\n"
        "  verify_cb = retry 2 then maybe\n"
        "                           ^\n");
  CHECK(ParseError("client {\n  verify_cb = missing_file\n}\n") ==
        "t.tlsim:2:15: error: expected ok, fail, accept_all or retry N then "
        "ok|fail|accept_all, found 'missing_file'\n"
        "  verify_cb = missing_file\n"
        "              ^\n");
  CHECK(MustParse("server {\n  cert_cb = retry 1 then missing_file\n}\n")
            .server.cert_cb->value == RetryPlan{1, true, true});
  CHECK(ParseError("client {\n  options = partial_write,fast\n}\n") ==
        "t.tlsim:2:27: error: unknown option 'fast'\n"
        "  options = partial_write,fast\n"
        "                          ^\n");
  CHECK(ParseError("client {\n  max_fragment_length = 1000\n}\n") ==
        "t.tlsim:2:25: error: expected 512, 1024, 2048 or 4096, found "
        "'1000'\n"
        "  max_fragment_length = 1000\n"
        "                        ^\n");
  CHECK(ParseError("server {\n  sni_certs = a.test\n}\n") ==
        "t.tlsim:2:15: error: expected host:certificate, found 'a.test'\n"
        "  sni_certs = a.test\n"
        "              ^\n");
  CHECK(ParseError("client {\n  psk_key = 0g\n}\n") ==
        "t.tlsim:2:13: error: expected a key in hex, found '0g'\n"
        "  psk_key = 0g\n"
        "            ^\n");
}

TEST_CASE("'none' expects no alert and no version", "[scenario]") {
  Scenario s = MustParse(
      "client connect -> -1 WANT_READ alert_sent=none alert_received=none\n"
      "expect client version = none\n");
  const auto& call = std::get<CallStep>(s.steps[0]);
  CHECK(call.expect->alert_sent->description == AlertExpect::kNone);
  CHECK(std::get<std::string>(std::get<ExpectStep>(s.steps[1]).value) ==
        "none");
  CHECK(Print(s) ==
        "client connect -> -1 WANT_READ alert_sent=none alert_received=none\n"
        "expect client version = none\n");
  CHECK(ParseError("inject client->server alert none\n") ==
        "t.tlsim:1:29: error: expected an alert to inject, found 'none'\n"
        "inject client->server alert none\n"
        "                            ^\n");
}

TEST_CASE("transport settings, reset steps and errno outcomes are read",
          "[scenario][transport]") {
  Scenario s = MustParse(std::string(kPki) +
                         "client {\n"
                         "  send_buffer = 128\n"
                         "  recv_buffer = 64\n"
                         "  network_capacity = 16777216\n"
                         "}\n"
                         "reset client->server\n"
                         "close server->client\n"
                         "server read 10 -> -1 SYSCALL errno=ECONNRESET\n"
                         "client write \"x\" -> 1 errno=none\n"
                         "expect held client->server = 3\n"
                         "expect unread server->client = 0\n"
                         "connection again\n"
                         "reset client->server\n");
  CHECK(s.client.send_buffer->value == 128);
  CHECK(s.client.recv_buffer->value == 64);
  CHECK(s.client.network_capacity->value == 16777216);
  REQUIRE(s.steps.size() == 8);
  const auto& reset = std::get<CloseStep>(s.steps[0]);
  CHECK(reset.reset);
  CHECK(reset.from == Side::kClient);
  CHECK_FALSE(std::get<CloseStep>(s.steps[1]).reset);
  const auto& read = std::get<CallStep>(s.steps[2]);
  CHECK(read.expect->sys_errno == "ECONNRESET");
  CHECK(read.expect->error == SslError::kSyscall);
  CHECK(std::get<CallStep>(s.steps[3]).expect->sys_errno == "none");
  CHECK(std::get<ExpectStep>(s.steps[4]).property == Property::kHeld);
  CHECK(std::get<ExpectStep>(s.steps[5]).property == Property::kUnread);
  CHECK(std::get<ExpectStep>(s.steps[5]).side == Side::kServer);
  // Printed back the same way.
  Scenario again = MustParse(Print(s));
  CHECK(again == s);
  std::string printed = Print(s);
  CHECK(printed.find("reset client->server\n") != std::string::npos);
  CHECK(printed.find("-> -1 SYSCALL errno=ECONNRESET\n") != std::string::npos);
  CHECK(printed.find("expect held client->server = 3\n") != std::string::npos);
}

TEST_CASE("bad transport input is refused before anything runs",
          "[scenario][transport]") {
  CHECK(ParseError("client {\n  network_capacity = 0\n}\n") ==
        "t.tlsim:2:22: error: expected a size from 1 to 16777216, found '0'\n"
        "  network_capacity = 0\n"
        "                     ^\n");
  CHECK(ParseError("server {\n  send_buffer = 1048577\n}\n") ==
        "t.tlsim:2:17: error: expected a size from 1 to 1048576, found "
        "'1048577'\n"
        "  send_buffer = 1048577\n"
        "                ^\n");
  CHECK(ParseError("server {\n  recv_buffer = -1\n}\n")
            .rfind("t.tlsim:2:17: error: expected a size from 1 to 1048576",
                   0) == 0);
  CHECK(ParseError("reset client->server\nclose client->server\n"
                   "reset client->server\n") ==
        "t.tlsim:3:7: error: client->server is already reset (line 1)\n"
        "reset client->server\n"
        "      ^\n");
  CHECK(ParseError("reset server->client\nreset client->server\n") ==
        "(parsed without error)");
  CHECK(ParseError("reset\n") ==
        "t.tlsim:1:6: error: expected client->server or server->client "
        "after 'reset', found newline\n"
        "reset\n"
        "     ^\n");
  CHECK(ParseError("client read 1 -> -1 SYSCALL errno=EINTR\n") ==
        "t.tlsim:1:35: error: expected ECONNRESET, EPIPE or none, found "
        "'EINTR'\n"
        "client read 1 -> -1 SYSCALL errno=EINTR\n"
        "                                  ^\n");
  CHECK(ParseError("client read 1 -> -1 errno=EPIPE errno=EPIPE\n") ==
        "t.tlsim:1:33: error: duplicate outcome key 'errno'\n"
        "client read 1 -> -1 errno=EPIPE errno=EPIPE\n"
        "                                ^\n");
}

// A quoted value reads as its words, but a control byte is no part of a
// word: the value stays a string, and the message shows it escaped on one
// line (the parser fuzzer's find).
TEST_CASE("a quoted value holding a control byte stays a string", "[parser]") {
  CHECK(ParseError("client {\n  verify = \"peer\\r\\n\"\n}\n") ==
        "t.tlsim:2:12: error: expected none, peer or require, found string "
        "\"peer\\r\\n\"\n"
        "  verify = \"peer\\r\\n\"\n"
        "           ^\n");
  CHECK(ParseError("expect client version = \"TLSv1.3\\x01\"\n") ==
        "t.tlsim:1:25: error: expected a version, found string "
        "\"TLSv1.3\\x01\"\n"
        "expect client version = \"TLSv1.3\\x01\"\n"
        "                        ^\n");
  // A tab still separates words, as a blank does.
  Scenario s = MustParse("client {\n  verify_cb = \"retry\\t1 then ok\"\n}\n");
  REQUIRE(s.client.verify_cb);
  CHECK(s.client.verify_cb->value.retries == 1);
}

}  // namespace
}  // namespace tlsim::scenario
