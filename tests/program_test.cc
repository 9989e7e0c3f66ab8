// Programs and the `run` step's event loop, observed on OpenSSL: verdicts
// and their details, schedules that change nothing the programs see, every
// run replayed from its plain steps, and a user's own code in one seat.
#include <openssl/ssl.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lib/run/application.h"
#include "lib/run/runner.h"
#include "lib/run/session.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "lib/trace/event.h"
#include "tests/digests.h"
#include "tests/http_exchange.h"
#include "tests/openssl_differences.h"
#include "tests/parse_helpers.h"
#include "tests/runfiles.h"

namespace tlsim {
namespace {

namespace fs = std::filesystem;
using tests::Digests;
using tests::ReadAll;
using tests::Runfiles;

// Every shipped scenario with a `run` step.
std::vector<fs::path> RunScenarios() {
  std::vector<fs::path> files;
  for (const auto& e :
       fs::recursive_directory_iterator(Runfiles() / "scenarios")) {
    if (e.path().extension() != ".tlsim") continue;
    scenario::Scenario s;
    scenario::Diagnostic d;
    REQUIRE(scenario::Parse(e.path().string(), ReadAll(e.path()), &s, &d));
    if (std::any_of(s.steps.begin(), s.steps.end(), [](const auto& step) {
          return std::holds_alternative<scenario::RunStep>(step);
        })) {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

const std::string kHeader =
    std::string("scenario \"t\"\n") + tests::kVerifiedPair;

using scenario::MustParse;

// Runs every step; returns the first failed verdict (or a passing one).
run::Verdict RunAll(run::Session& session) {
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  while (!session.done()) session.Step();
  return session.Finish();
}

TEST_CASE("every run replays from its plain steps, byte for byte") {
  std::vector<fs::path> files = RunScenarios();
  REQUIRE(files.size() >= 10);
  for (const fs::path& file : files) {
    INFO(file.string());
    const std::string source = ReadAll(file);
    scenario::Scenario s;
    scenario::Diagnostic d;
    REQUIRE(scenario::Parse(file.string(), source, &s, &d));
    run::Runner runner(s, source);
    runner.session().RecordPlainSteps(true);
    REQUIRE(runner.Prepare(&d));
    Digests first;
    run::Verdict v = runner.Run({&first});
    // Every shipped run passes on 3.0. On another series a scenario's
    // expectations may be 3.0's (each series' outcomes are checked by the
    // scenario tests and outcomes_test): what this test asks there is that
    // the run, passed or not, replays from its plain steps byte for byte.
    if (tests::DefaultSeries()) REQUIRE(v.passed);

    const std::string plain_text =
        scenario::Print(runner.session().PlainScenario());
    INFO(plain_text);
    scenario::Scenario plain;
    REQUIRE(scenario::Parse("plain.tlsim", plain_text, &plain, &d));
    CHECK(plain.programs.empty());
    CHECK(std::none_of(plain.steps.begin(), plain.steps.end(),
                       [](const auto& step) {
                         return std::holds_alternative<scenario::RunStep>(step);
                       }));
    run::Runner again(plain, plain_text);
    REQUIRE(again.Prepare(&d));
    Digests second;
    run::Verdict replayed = again.Run({&second});
    INFO(replayed.Format("plain.tlsim"));
    if (v.passed) CHECK(replayed.passed);
    CHECK(second.TraceLines() == first.TraceLines());
  }
}

TEST_CASE("a rewound session runs again with the same bytes") {
  for (const fs::path& file : RunScenarios()) {
    INFO(file.string());
    const std::string source = ReadAll(file);
    scenario::Scenario s;
    scenario::Diagnostic d;
    REQUIRE(scenario::Parse(file.string(), source, &s, &d));
    if (!s.seed) continue;
    run::Session session(s, source);
    Digests first;
    session.AddObserver(&first);
    REQUIRE(session.Prepare(&d));
    while (!session.done()) session.Step();
    // As above: on another series than 3.0, the same verdict and bytes
    // again, whether or not the scenario's 3.0 expectations held.
    const run::Verdict verdict = session.Finish();
    if (tests::DefaultSeries()) REQUIRE(verdict.passed);
    const std::string once = first.TraceLines();
    const bool connections =
        std::any_of(s.steps.begin(), s.steps.end(), [](const auto& step) {
          return std::holds_alternative<scenario::ConnectionStep>(step);
        });
    if (connections) {  // the contexts' session caches would show
      CHECK_FALSE(session.Rewind());
      continue;
    }
    REQUIRE(session.Rewind());
    while (!session.done()) session.Step();
    INFO(session.verdict().Format(file.string()));
    const run::Verdict again = session.Finish();
    REQUIRE(again.passed == verdict.passed);
    CHECK(again.Format(file.string()) == verdict.Format(file.string()));
    CHECK(first.TraceLines() == once + once);
  }
}

TEST_CASE("what the programs read does not depend on the schedule") {
  const std::string programs = R"(
program client {
  connect
  write "GET / HTTP/1.1\r\n\r\n"
  read until "\r\n\r\n"
  shutdown once
}
program server {
  accept
  read until "\r\n\r\n"
  write "HTTP/1.1 200 OK\r\n\r\n"
  read until close_notify
}
)";
  for (const char* version : {"TLSv1.2", "TLSv1.3"}) {
    for (const char* deliver : {"1", "7", "100", "record", "all"}) {
      for (const char* first : {"client", "server"}) {
        std::string text = kHeader;
        text.replace(text.find("verify = peer"), 0,
                     std::string("versions = ") + version + "\n  ");
        text += programs;
        text += std::string("run deliver=") + deliver + " first=" + first +
                " -> done\n";
        scenario::Scenario s = MustParse(text);
        run::Session session(s, text);
        run::Verdict v = RunAll(session);
        INFO(version << " deliver=" << deliver << " first=" << first);
        INFO(v.Format("t.tlsim"));
        REQUIRE(v.passed);
        CHECK(session.program_read(wire::Side::kClient) ==
              "HTTP/1.1 200 OK\r\n\r\n");
        CHECK(session.program_read(wire::Side::kServer) ==
              "GET / HTTP/1.1\r\n\r\n");
      }
    }
  }
}

TEST_CASE("a deadlock says where each side waits and where the bytes are") {
  const fs::path file =
      Runfiles() / "scenarios/programs/blocking_deadlock_tickets.tlsim";
  std::string text = ReadAll(file);
  text.replace(text.find("run -> deadlock"), 15, "run -> done");
  scenario::Scenario s;
  scenario::Diagnostic d;
  REQUIRE(scenario::Parse(file.string(), text, &s, &d));
  run::Session session(s, text);
  run::Verdict v = RunAll(session);
  REQUIRE_FALSE(v.passed);
  CHECK_THAT(v.message, Catch::StartsWith("run: expected done, observed "
                                          "deadlock: no side can move"));
  CHECK_THAT(v.message,
             Catch::Contains("server accept waits for writable after accept "
                             "-> -1 WANT_WRITE in \"SSLv3/TLS write session "
                             "ticket\""));
  CHECK_THAT(v.message,
             Catch::Contains("client->server: 128 held, 128 in flight "
                             "(capacity 128), 128 unread"));
}

TEST_CASE("a failed program names its call, error and reason") {
  std::string text = kHeader;
  text.replace(text.find("trust  = root"), 13,
               "trust  = root\n  versions = TLSv1.3");
  text.replace(text.find("cert = server.test"), 18,
               "cert = server.test\n  versions = TLSv1.2");
  text += "program client {\n  connect\n}\nprogram server {\n  accept\n}\n";
  text += "run -> failed by server\n";
  scenario::Scenario s = MustParse(text);
  run::Session session(s, text);
  session.KeepEvents(true);
  run::Verdict v = RunAll(session);
  INFO(v.Format("t.tlsim"));
  CHECK(v.passed);
  const auto& end = std::get<trace::DriveEvent>(session.events().back());
  CHECK(std::string(end.kind) == "run");
  CHECK(end.result == "failed");
  CHECK_THAT(end.detail, Catch::Contains("server failed: accept -> -1 SSL "
                                         "\"unsupported protocol\""));
}

// The way people write a non-blocking client: connect, send the request,
// read until the blank line. `waits_readable_on_want_write` is the classic
// mistake of a loop that only polls for readable (uSockets#127's kind).
class Client : public run::Application {
 public:
  explicit Client(bool waits_readable_on_want_write)
      : mistake_(waits_readable_on_want_write) {}

  run::Wait Step(SSL* ssl, run::Readiness) override {
    while (true) {
      int r = 0;
      switch (stage_) {
        case 0:
          r = SSL_connect(ssl);
          break;
        case 1:
          r = SSL_write(ssl, request_.data(),
                        static_cast<int>(request_.size()));
          break;
        default: {
          char buf[256];
          r = SSL_read(ssl, buf, sizeof buf);
          if (r > 0) reply_.append(buf, static_cast<size_t>(r));
          if (reply_.find("\r\n\r\n") != std::string::npos) {
            return run::Wait::kFinished;
          }
        }
      }
      if (r > 0) {
        if (stage_ < 2) ++stage_;
        continue;
      }
      switch (SSL_get_error(ssl, r)) {
        case SSL_ERROR_WANT_READ:
          return run::Wait::kReadable;
        case SSL_ERROR_WANT_WRITE:
          return mistake_ ? run::Wait::kReadable : run::Wait::kWritable;
        default:
          return run::Wait::kFailed;
      }
    }
  }
  std::string Describe() const override {
    return stage_ == 0 ? "connecting" : stage_ == 1 ? "sending" : "reading";
  }

  std::string reply_;

 private:
  bool mistake_;
  int stage_ = 0;
  std::string request_ = std::string(3000, 'x') + "\r\n\r\n";
};

TEST_CASE("a user's own client in the client's seat") {
  std::string text = kHeader;
  // A small send buffer, and no TLS 1.3 tickets: bytes arriving for the
  // client would wake a client that waits for the wrong thing.
  // 1024 bytes is smaller than the 3004-byte request but holds 3.0's
  // ClientHello; 3.5 and later send a ClientHello of about 1.5 KB (the
  // hybrid key share), which needs 2048 for the client to get as far as
  // sending.
  const std::string send_buffer =
      tests::HybridKeyShareByDefault() ? "2048" : "1024";
  text.replace(text.find("trust  = root"), 13,
               "trust  = root\n  send_buffer = " + send_buffer);
  text.replace(text.find("cert = server.test"), 18,
               "cert = server.test\n  num_tickets = 0");
  text +=
      "program server {\n  accept\n  read until \"\\r\\n\\r\\n\"\n"
      "  write \"HTTP/1.1 200 OK\\r\\n\\r\\n\"\n}\n";
  SECTION("written right, it reads the reply") {
    text += "run -> done\n";
    scenario::Scenario s = MustParse(text);
    Client client(false);
    run::Session session(s, text);
    session.SetApplication(wire::Side::kClient, &client);
    run::Verdict v = RunAll(session);
    INFO(v.Format("t.tlsim"));
    CHECK(v.passed);
    CHECK(client.reply_ == "HTTP/1.1 200 OK\r\n\r\n");
    CHECK(session.program_read(wire::Side::kServer).size() == 3004);
  }
  SECTION("waiting for readable after WANT_WRITE, it deadlocks") {
    text += "run -> deadlock\n";
    scenario::Scenario s = MustParse(text);
    Client client(true);
    run::Session session(s, text);
    session.SetApplication(wire::Side::kClient, &client);
    session.KeepEvents(true);
    run::Verdict v = RunAll(session);
    INFO(v.Format("t.tlsim"));
    CHECK(v.passed);
    CHECK(client.reply_.empty());
    const auto& end = std::get<trace::DriveEvent>(session.events().back());
    CHECK_THAT(end.detail, Catch::Contains("client sending waits for "
                                           "readable"));
  }
}

TEST_CASE("a side with neither a program nor an application fails the run") {
  std::string text = kHeader;
  text += "program server {\n  accept\n}\nrun\n";
  scenario::Scenario s = MustParse(text);
  run::Session session(s, text);
  run::Verdict v = RunAll(session);
  CHECK_FALSE(v.passed);
  CHECK_THAT(v.message, Catch::Contains("the client has no program"));
}

}  // namespace
}  // namespace tlsim
