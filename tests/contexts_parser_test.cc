// Parser tests for server contexts, `set` steps, CA names, client_sigalgs
// and the SSL_CONF options: what they read into, and every bad input
// refused at its place before anything runs.
#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "tests/parse_helpers.h"

namespace tlsim::scenario {
namespace {

constexpr char kPki[] =
    "pki {\n"
    "  ca root\n"
    "  leaf server.test issuer=root\n"
    "  leaf other.test issuer=root\n"
    "}\n";

TEST_CASE("a server context, its references and set steps are read",
          "[contexts]") {
  Scenario s =
      MustParse(std::string(kPki) +
                "server {\n"
                "  cert = server.test\n"
                "  contexts = other.test:other,b.test:other\n"
                "  ca_names = root\n"
                "  client_sigalgs = ECDSA+SHA256\n"
                "  options = cipher_server_preference,prioritize_chacha\n"
                "}\n"
                "server context other {\n"
                "  cert = other.test\n"
                "  alpn = h2\n"
                "  verify = require\n"
                "  options = no_ca_names\n"
                "}\n"
                "client set alpn = h2,http/1.1\n"
                "server set max_send_fragment = 512\n"
                "expect client ca_names = root,server.test\n"
                "expect server ca_names = none\n");
  REQUIRE(s.contexts.size() == 1);
  CHECK(s.contexts[0].name == "other");
  CHECK(s.contexts[0].settings.cert->value ==
        std::vector<std::string>{"other.test"});
  CHECK(s.contexts[0].settings.verify->value == VerifyMode::kRequire);
  CHECK(s.server.contexts->value[1].first == "b.test");
  CHECK(s.server.contexts->value[1].second == "other");
  CHECK(s.server.ca_names->value == std::vector<std::string>{"root"});
  CHECK(s.server.client_sigalgs->value == "ECDSA+SHA256");
  REQUIRE(s.steps.size() == 4);
  const auto& set = std::get<SetStep>(s.steps[0]);
  CHECK(set.side == Side::kClient);
  CHECK(set.settings.alpn->value == std::vector<std::string>{"h2", "http/1.1"});
  CHECK(SetText(std::get<SetStep>(s.steps[1])) == "max_send_fragment = 512");
  CHECK(std::get<ExpectStep>(s.steps[2]).property == Property::kCaNames);
  CHECK(std::get<std::string>(std::get<ExpectStep>(s.steps[2]).value) ==
        "root,server.test");
  CHECK(MustParse(Print(s)) == s);
}

TEST_CASE("a context name that does not exist is refused at the name",
          "[contexts]") {
  CHECK(ParseError(std::string(kPki) + "server {\n"
                                       "  contexts = a.test:nowhere\n"
                                       "}\n") ==
        "t.tlsim:7:21: error: unknown server context 'nowhere'\n"
        "  contexts = a.test:nowhere\n"
        "                    ^\n");
  CHECK(ParseError(std::string(kPki) + "server context one {\n"
                                       "}\n"
                                       "server context one {\n"
                                       "}\n") ==
        "t.tlsim:8:16: error: duplicate server context 'one' (first at line "
        "6)\n"
        "server context one {\n"
        "               ^\n");
  CHECK(ParseError(std::string(kPki) + "server {\n"
                                       "  contexts = a.test\n"
                                       "}\n") ==
        "t.tlsim:7:14: error: expected host:context, found 'a.test'\n"
        "  contexts = a.test\n"
        "             ^\n");
  CHECK(ParseError("drive -> done\nserver context late {\n}\n") ==
        "t.tlsim:2:1: error: 'server context' block must come before the "
        "first step\n"
        "server context late {\n"
        "^\n");
}

TEST_CASE("a server context takes only what SSL_set_SSL_CTX switches",
          "[contexts]") {
  const std::string error = ParseError(std::string(kPki) +
                                       "server context other {\n"
                                       "  versions = TLSv1.2\n"
                                       "}\n");
  CHECK(error.rfind("t.tlsim:7:3: error: 'versions' does not change with "
                    "SSL_set_SSL_CTX: a server context takes ",
                    0) == 0);
  CHECK(error.find("takes sigalgs, verify, trust, cert, alpn, cert_cb, "
                   "verify_cb, options, ca_names, client_sigalgs\n") !=
        std::string::npos);
  CHECK(ParseError(std::string(kPki) + "server context other {\n"
                                       "  options = no_ca_names,partial_write\n"
                                       "}\n") ==
        "t.tlsim:7:25: error: option 'partial_write' is not an SSL_OP_ "
        "option: the name callback does not carry it to another context\n"
        "  options = no_ca_names,partial_write\n"
        "                        ^\n");
  CHECK(ParseError(std::string(kPki) + "server context other {\n"
                                       "  cert = nothing\n"
                                       "}\n") ==
        "t.tlsim:7:10: error: unknown certificate 'nothing'\n"
        "  cert = nothing\n"
        "         ^\n");
}

TEST_CASE("a set step refuses what OpenSSL cannot change on a live SSL",
          "[contexts]") {
  for (const char* line :
       {"server set session_cache = off", "client set buffer = 100",
        "server set psk_key = 00", "server set verify_cb = ok"}) {
    const std::string error = ParseError(std::string(line) + "\n");
    INFO(error);
    CHECK(error.rfind("t.tlsim:1:12: error: '", 0) == 0);
    CHECK(error.find("cannot change on a live connection") !=
          std::string::npos);
  }
  CHECK(ParseError(std::string(kPki) + "client set cert = nothing\n") ==
        "t.tlsim:6:19: error: unknown certificate 'nothing'\n"
        "client set cert = nothing\n"
        "                  ^\n");
  CHECK(ParseError("client set server = x\n") ==
        "t.tlsim:1:12: error: unknown setting 'server' in client block\n"
        "client set server = x\n"
        "           ^\n");
  CHECK(ParseError("client set options = prioritize_chacha\n") ==
        "t.tlsim:1:22: error: option 'prioritize_chacha' is only allowed in "
        "the server block\n"
        "client set options = prioritize_chacha\n"
        "                     ^\n");
  CHECK(ParseError("client set\n") ==
        "t.tlsim:1:11: error: expected a setting name after 'set', found "
        "newline\n"
        "client set\n"
        "          ^\n");
}

TEST_CASE("CA names name certificates of the pki block", "[contexts]") {
  CHECK(
      ParseError(std::string(kPki) + "client {\n  ca_names = root,nope\n}\n") ==
      "t.tlsim:7:19: error: unknown certificate 'nope'\n"
      "  ca_names = root,nope\n"
      "                  ^\n");
  CHECK(ParseError("expect client ca_names = root,none\n") ==
        "t.tlsim:1:26: error: expected certificate names or none, found "
        "'root,none'\n"
        "expect client ca_names = root,none\n"
        "                         ^\n");
  CHECK(ParseError("client {\n  options = cipher_server_preference\n}\n") ==
        "t.tlsim:2:13: error: option 'cipher_server_preference' is only "
        "allowed in the server block\n"
        "  options = cipher_server_preference\n"
        "            ^\n");
}

TEST_CASE("the client hello callback's settings are read and checked",
          "[contexts]") {
  Scenario s = MustParse(std::string(kPki) +
                         "server {\n"
                         "  hello_contexts = other.test:other\n"
                         "  hello_mismatch = reject\n"
                         "  hello_versions = TLSv1..TLSv1.2\n"
                         "  hello_alert = access_denied\n"
                         "}\n"
                         "client {\n"
                         "  verify_cb = retry 1 then accept_all\n"
                         "}\n"
                         "server context other {\n"
                         "}\n");
  CHECK(s.server.hello_contexts->value[0].second == "other");
  CHECK(s.server.hello_mismatch->value == HelloMismatch::kReject);
  CHECK(s.server.hello_versions->value.min == Version::kTls1_0);
  CHECK(s.server.hello_alert->value == 49);
  CHECK(s.client.verify_cb->value.accept_all);
  CHECK(s.client.verify_cb->value.retries == 1);
  CHECK(MustParse(Print(s)) == s);

  CHECK(ParseError("server {\n  hello_alert = nope\n}\n") ==
        "t.tlsim:2:17: error: unknown alert 'nope'\n"
        "  hello_alert = nope\n"
        "                ^\n");
  CHECK(ParseError("server {\n  hello_contexts = a:b\n}\n") ==
        "t.tlsim:2:22: error: unknown server context 'b'\n"
        "  hello_contexts = a:b\n"
        "                     ^\n");
  CHECK(ParseError("server {\n  hello_mismatch = drop\n}\n") ==
        "t.tlsim:2:20: error: expected ignore or reject, found 'drop'\n"
        "  hello_mismatch = drop\n"
        "                   ^\n");
  CHECK(ParseError("client {\n  hello_alert = access_denied\n}\n") ==
        "t.tlsim:2:3: error: 'hello_alert' is only allowed in the server "
        "block\n"
        "  hello_alert = access_denied\n"
        "  ^\n");
  CHECK(ParseError("client {\n  cert_cb = accept_all\n}\n") ==
        "t.tlsim:2:13: error: expected ok, fail, missing_file or retry N then "
        "ok|fail|missing_file, found 'accept_all'\n"
        "  cert_cb = accept_all\n"
        "            ^\n");
}

}  // namespace
}  // namespace tlsim::scenario
