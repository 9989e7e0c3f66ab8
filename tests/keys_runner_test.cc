// Keys and certificates through the runner, against real OpenSSL: which
// of several certificates a server presents, what the peer expectations
// observe and how a wrong expectation reads, and certificate settings that
// OpenSSL refuses before any step runs.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "lib/run/runner.h"
#include "lib/scenario/parser.h"
#include "lib/trace/text.h"
#include "tests/openssl_differences.h"

namespace tlsim {
namespace {

// A root, and one server leaf per key type the tests present.
const char kPki[] = R"(scenario "keys"
seed 3
pki {
  ca root
  leaf rsa.test issuer=root key=rsa-2048 dns=server.test
  leaf ec.test issuer=root key=ec-p384 dns=server.test
  leaf ed.test issuer=root key=ed25519 dns=server.test
}
)";

struct Outcome {
  bool prepared = false;
  scenario::Diagnostic diagnostic;
  run::Verdict verdict;
};

// Parses (which must succeed), prepares and runs `text`.
Outcome Run(const std::string& text) {
  Outcome out;
  scenario::Scenario s;
  scenario::Diagnostic d;
  INFO(d.Format());
  REQUIRE(scenario::Parse("t.tlsim", text, &s, &d));
  run::Runner runner(s, text);
  out.prepared = runner.Prepare(&out.diagnostic);
  if (!out.prepared) return out;
  std::ostringstream trace;
  trace::TextObserver observer(&trace);
  out.verdict = runner.Run({&observer});
  UNSCOPED_INFO(trace.str());
  return out;
}

std::string Client(const std::string& extra = "") {
  return "client {\n  verify = peer\n  trust = root\n"
         "  verify_host = server.test\n" +
         extra + "}\n";
}

TEST_CASE(
    "a server with three certificates presents the one the client's "
    "signature algorithms pick",
    "[keys]") {
  const std::string server = "server {\n  cert = rsa.test,ec.test,ed.test\n}\n";
  SECTION("OpenSSL's default order prefers ECDSA") {
    // Default groups: X25519 on 3.0, the hybrid X25519MLKEM768 on 3.5+.
    const bool hybrid = tests::HybridKeyShareByDefault();
    const std::string client_tmp =
        hybrid ? tests::HybridPeerTmpKey(true) : "X25519";
    const std::string server_tmp =
        hybrid ? tests::HybridPeerTmpKey(false) : "x25519";
    Outcome o = Run(kPki + Client() + server +
                    "drive -> done\n"
                    "expect client peer_cert_type = P-384\n"
                    "expect client peer_sig_type = ECDSA\n"
                    "expect client peer_sig_hash = SHA384\n"
                    "expect client peer_tmp_key = " +
                    client_tmp +
                    "\n"
                    "expect server peer_tmp_key = " +
                    server_tmp +
                    "\n"
                    "expect server peer_cert_type = none\n");
    REQUIRE(o.prepared);
    CHECK(o.verdict.passed);
    CHECK(o.verdict.message == "");
  }
  SECTION("a client offering only Ed25519 gets the Ed25519 certificate") {
    Outcome o = Run(kPki + Client("  sigalgs = ed25519\n") + server +
                    "drive -> done\n"
                    "expect client peer_cert_type = Ed25519\n"
                    "expect client peer_sig_type = Ed25519\n"
                    "expect client peer_sig_hash = none\n");
    REQUIRE(o.prepared);
    CHECK(o.verdict.message == "");
  }
  SECTION("a TLS 1.2 client offering only RSA-PSS gets the RSA certificate") {
    Outcome o =
        Run(kPki +
            Client("  versions = TLSv1.2\n  sigalgs = rsa_pss_rsae_sha256\n") +
            server +
            "drive -> done\n"
            "expect client peer_cert_type = rsaEncryption\n"
            "expect client peer_sig_type = RSA-PSS\n"
            "expect client peer_sig_hash = sha256\n"
            "expect client peer_tmp_key = X25519\n");
    REQUIRE(o.prepared);
    CHECK(o.verdict.message == "");
  }
}

TEST_CASE("a wrong peer expectation names what was observed", "[keys]") {
  Outcome o = Run(kPki + Client() + "server {\n  cert = rsa.test\n}\n" +
                  "expect client peer_cert_type = none\n"
                  "expect client peer_tmp_key = none\n"
                  "drive -> done\n"
                  "expect client peer_cert_type = P-256\n");
  REQUIRE(o.prepared);
  CHECK_FALSE(o.verdict.passed);
  CHECK(o.verdict.message ==
        "client peer_cert_type: expected P-256, observed RSA");
  CHECK(o.verdict.line == 20);
}

TEST_CASE(
    "a certificate OpenSSL refuses in its slot is reported at the "
    "setting",
    "[keys]") {
  // A DSA key below the security level that the context asks for: the
  // context cannot take it.
  const std::string text = std::string(R"(scenario "weak"
seed 3
pki {
  ca root
  leaf dsa.test issuer=root key=dsa-2048
}
server {
  security_level = 4
  cert = dsa.test
}
)");
  Outcome o = Run(text);
  CHECK_FALSE(o.prepared);
  CHECK(o.diagnostic.line == 9);
  CHECK(o.diagnostic.message.rfind("server cert: OpenSSL refused 'dsa.test'",
                                   0) == 0);
}

}  // namespace
}  // namespace tlsim
