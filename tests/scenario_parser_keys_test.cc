// The scenario parser on keys and certificates: the key types and
// certificate attributes of the pki block, several certificates on one
// endpoint, and the expectations about the peer's keys. Error messages are
// compared whole, caret line included.
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "tests/parse_helpers.h"

namespace tlsim::scenario {
namespace {

// A root and one leaf per certificate slot, and one more ECDSA leaf.
constexpr char kSlots[] =
    "pki {\n"
    "  ca root\n"
    "  leaf rsa issuer=root key=rsa-2048\n"
    "  leaf pss issuer=root key=rsa-pss\n"
    "  leaf ec issuer=root key=ec-p384\n"
    "  leaf ed issuer=root key=ed25519\n"
    "  leaf ed448 issuer=root key=ed448\n"
    "  leaf dsa issuer=root key=dsa-2048\n"
    "  leaf ec2 issuer=root key=ec-brainpoolP256r1\n"
    "}\n";

TEST_CASE("every key type has a name that reads back", "[scenario][keys]") {
  const std::pair<const char*, KeyType> kNames[] = {
      {"ec-p256", KeyType::kEcP256},
      {"ed25519", KeyType::kEd25519},
      {"rsa-2048", KeyType::kRsa2048},
      {"rsa-3072", KeyType::kRsa3072},
      {"rsa-4096", KeyType::kRsa4096},
      {"rsa-pss", KeyType::kRsaPss},
      {"rsa-pss-sha256", KeyType::kRsaPssSha256},
      {"ed448", KeyType::kEd448},
      {"ec-p384", KeyType::kEcP384},
      {"ec-p521", KeyType::kEcP521},
      {"ec-brainpoolP256r1", KeyType::kBrainpoolP256r1},
      {"ec-brainpoolP384r1", KeyType::kBrainpoolP384r1},
      {"ec-brainpoolP512r1", KeyType::kBrainpoolP512r1},
      {"dsa-2048", KeyType::kDsa2048},
  };
  for (const auto& [name, key] : kNames) {
    Scenario s =
        MustParse(std::string("pki {\n  ca root key=") + name + "\n}\n");
    REQUIRE(s.pki.size() == 1);
    CHECK(s.pki[0].key == key);
    CHECK(MustParse(Print(s)) == s);
  }
}

// Whether leaves of key types `a` and `b` may sit on one endpoint.
bool ShareSlot(const std::string& a, const std::string& b) {
  std::string text = "pki {\n  ca root\n  leaf a issuer=root key=" + a +
                     "\n  leaf b issuer=root key=" + b +
                     "\n}\nserver {\n  cert = a,b\n}\n";
  return ParseError(text).find("certificate slot") != std::string::npos;
}

TEST_CASE("key types share a slot as OpenSSL files them", "[scenario][keys]") {
  CHECK(ShareSlot("rsa-2048", "rsa-4096"));
  CHECK(ShareSlot("rsa-3072", "rsa-2048"));
  CHECK(ShareSlot("rsa-pss", "rsa-pss-sha256"));
  CHECK(ShareSlot("ec-p256", "ec-brainpoolP512r1"));
  CHECK(ShareSlot("ec-p521", "ec-p384"));
  CHECK_FALSE(ShareSlot("rsa-2048", "rsa-pss"));
  CHECK_FALSE(ShareSlot("ed25519", "ed448"));
  CHECK_FALSE(ShareSlot("ec-p256", "ed25519"));
  CHECK_FALSE(ShareSlot("dsa-2048", "rsa-2048"));
}

TEST_CASE("san, point, permit and exclude are read and printed back",
          "[scenario][keys]") {
  Scenario s = MustParse(
      "pki {\n"
      "  ca root permit=.test,example.com exclude=bad.test\n"
      "  leaf a issuer=root san=none\n"
      "  leaf b issuer=root key=ec-p521 point=compressed\n"
      "}\n");
  REQUIRE(s.pki.size() == 3);
  CHECK(s.pki[0].permit == std::vector<std::string>{".test", "example.com"});
  CHECK(s.pki[0].exclude == std::vector<std::string>{"bad.test"});
  CHECK(s.pki[1].no_san);
  CHECK_FALSE(s.pki[1].compressed_point);
  CHECK(s.pki[2].compressed_point);
  CHECK(s.pki[2].key == KeyType::kEcP521);
  CHECK(Print(s) ==
        "pki {\n"
        "  ca root permit=.test,example.com exclude=bad.test\n"
        "  leaf a issuer=root san=none\n"
        "  leaf b issuer=root key=ec-p521 point=compressed\n"
        "}\n");
  CHECK(MustParse(Print(s)) == s);
}

TEST_CASE("certificate attributes are checked where they are written",
          "[scenario][keys]") {
  CHECK(ParseError("pki {\n  ca root key=rsa-1024\n}\n") ==
        "t.tlsim:2:15: error: unknown key type 'rsa-1024'; expected ec-p256, "
        "ed25519, rsa-2048, rsa-3072, rsa-4096, rsa-pss, rsa-pss-sha256, "
        "ed448, ec-p384, ec-p521, ec-brainpoolP256r1, ec-brainpoolP384r1, "
        "ec-brainpoolP512r1 or dsa-2048\n"
        "  ca root key=rsa-1024\n"
        "              ^\n");
  CHECK(ParseError("pki {\n  ca root san=none\n}\n") ==
        "t.tlsim:2:11: error: 'san' is only for leaf certificates\n"
        "  ca root san=none\n"
        "          ^\n");
  CHECK(
      ParseError("pki {\n  ca root\n  leaf a issuer=root permit=.test\n}\n") ==
      "t.tlsim:3:22: error: 'permit' is only for ca certificates\n"
      "  leaf a issuer=root permit=.test\n"
      "                     ^\n");
  CHECK(ParseError("pki {\n  ca root\n  leaf a issuer=root san=some\n}\n") ==
        "t.tlsim:3:26: error: expected none, found 'some'\n"
        "  leaf a issuer=root san=some\n"
        "                         ^\n");
  CHECK(
      ParseError(
          "pki {\n  ca root\n  leaf a issuer=root dns=a.test san=none\n}\n") ==
      "t.tlsim:3:33: error: 'dns' and 'san=none' contradict each other\n"
      "  leaf a issuer=root dns=a.test san=none\n"
      "                                ^\n");
  CHECK(ParseError("pki {\n  ca root point=compressed key=rsa-2048\n}\n") ==
        "t.tlsim:2:11: error: 'point=compressed' needs an EC key, not "
        "rsa-2048\n"
        "  ca root point=compressed key=rsa-2048\n"
        "          ^\n");
  CHECK(ParseError("pki {\n  ca root point=uncompressed\n}\n") ==
        "t.tlsim:2:17: error: expected compressed, found 'uncompressed'\n"
        "  ca root point=uncompressed\n"
        "                ^\n");
  CHECK(ParseError("pki {\n  ca root exclude=a exclude=b\n}\n") ==
        "t.tlsim:2:21: error: duplicate attribute 'exclude'\n"
        "  ca root exclude=a exclude=b\n"
        "                    ^\n");
}

TEST_CASE("an endpoint presents one certificate per slot", "[scenario][keys]") {
  Scenario s = MustParse(std::string(kSlots) +
                         "server {\n  cert = rsa,pss,ec,ed,ed448,dsa\n}\n"
                         "client {\n  cert = ec2,rsa\n}\n");
  CHECK(s.server.cert->value ==
        std::vector<std::string>{"rsa", "pss", "ec", "ed", "ed448", "dsa"});
  CHECK(s.client.cert->value == std::vector<std::string>{"ec2", "rsa"});
  CHECK(MustParse(Print(s)) == s);
  CHECK(
      ParseError(std::string(kSlots) + "server {\n  cert = rsa,ec,ec2\n}\n") ==
      "t.tlsim:12:17: error: 'ec2' and 'ec' both use the ECDSA certificate "
      "slot: an endpoint presents one certificate per key type\n"
      "  cert = rsa,ec,ec2\n"
      "                ^\n");
  CHECK(ParseError(std::string(kSlots) + "client {\n  cert = rsa,rsa\n}\n") ==
        "t.tlsim:12:14: error: 'rsa' and 'rsa' both use the RSA certificate "
        "slot: an endpoint presents one certificate per key type\n"
        "  cert = rsa,rsa\n"
        "             ^\n");
  CHECK(ParseError(std::string(kSlots) + "server {\n  cert = rsa,root\n}\n") ==
        "t.tlsim:12:14: error: 'root' is not a leaf certificate\n"
        "  cert = rsa,root\n"
        "             ^\n");
}

TEST_CASE("expectations about the peer's keys take names", "[scenario][keys]") {
  Scenario s = MustParse(
      "expect client peer_cert_type = P-256\n"
      "expect client peer_sig_type = RSA-PSS\n"
      "expect server peer_sig_hash = SHA384\n"
      "expect server peer_tmp_key = X25519\n"
      "expect client peer_tmp_key = none\n");
  REQUIRE(s.steps.size() == 5);
  const auto& first = std::get<ExpectStep>(s.steps[0]);
  CHECK(first.property == Property::kPeerCertType);
  CHECK(std::get<std::string>(first.value) == "P-256");
  CHECK(std::get<ExpectStep>(s.steps[1]).property == Property::kPeerSigType);
  CHECK(std::get<ExpectStep>(s.steps[2]).property == Property::kPeerSigHash);
  CHECK(std::get<ExpectStep>(s.steps[3]).side == Side::kServer);
  CHECK(std::get<ExpectStep>(s.steps[3]).property == Property::kPeerTmpKey);
  CHECK(Print(s) ==
        "expect client peer_cert_type = P-256\n"
        "expect client peer_sig_type = RSA-PSS\n"
        "expect server peer_sig_hash = SHA384\n"
        "expect server peer_tmp_key = X25519\n"
        "expect client peer_tmp_key = none\n");
  CHECK(ParseError("expect client peer_sig_type =\n") ==
        "t.tlsim:1:30: error: expected a signature type like RSA-PSS or "
        "ECDSA, found newline\n"
        "expect client peer_sig_type =\n"
        "                             ^\n");
  CHECK(ParseError("expect client peer_key = RSA\n") ==
        "t.tlsim:1:15: error: unknown property 'peer_key'\n"
        "expect client peer_key = RSA\n"
        "              ^\n");
}

}  // namespace
}  // namespace tlsim::scenario
