// A side played back from a tape (lib/run/tape.h): it sends the bytes it
// sent on the tape and its peer reads what it read, while its calls find
// what they found; the first call that finds anything else diverges, and a
// side that cannot be played back is refused.
#include "lib/run/tape.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "lib/run/session.h"
#include "lib/scenario/parser.h"
#include "lib/trace/event.h"
#include "tests/http_exchange.h"
#include "tests/parse_helpers.h"

namespace tlsim {
namespace {

using wire::Side;

using scenario::MustParse;

// The HTTP exchange, its `run` delivering `deliver` at a time.
std::string WithDelivery(const std::string& deliver) {
  std::string text = tests::kHttpExchange;
  text.replace(text.rfind("run\n"), 4, "run deliver=" + deliver + " -> done\n");
  return text;
}

// Each side's calls as the trace shows them: call, ret, error, state.
class Calls : public trace::Observer {
 public:
  void OnHeader(const trace::Header&) override {}
  void OnFooter(const trace::Footer&) override {}
  void OnEvent(const trace::Event& event) override {
    if (const auto* c = std::get_if<trace::CallEvent>(&event)) {
      lines[static_cast<size_t>(c->side)].push_back(
          c->call + " -> " + std::to_string(c->ret) + " " +
          std::to_string(c->error) + " " + c->state + " sent " +
          std::to_string(c->sent.size()) + " messages");
    }
  }
  std::array<std::vector<std::string>, 2> lines;
};

struct Observed {
  trace::Footer footer;
  std::string client_read, server_read;
  bool passed = false;
};

Observed RunAll(run::Session& session) {
  while (!session.done()) session.Step();
  Observed o;
  o.passed = session.Finish().passed;
  o.footer = session.footer();
  o.client_read = session.program_read(Side::kClient);
  o.server_read = session.program_read(Side::kServer);
  return o;
}

// Tapes both sides of a whole run, rewound first; returns what it showed.
Observed TapeBoth(run::Session& session, std::array<run::Tape, 2>* tapes) {
  REQUIRE(session.Rewind());
  session.TapeSide(Side::kClient, &(*tapes)[0]);
  session.TapeSide(Side::kServer, &(*tapes)[1]);
  Observed o = RunAll(session);
  session.FinishTape();
  return o;
}

TEST_CASE("a side played back from its tape does what OpenSSL did") {
  const std::string deliver = GENERATE("all", "record", "17");
  INFO("deliver=" << deliver);
  const std::string text = WithDelivery(deliver);
  scenario::Scenario s = MustParse(text);
  run::Session session(s, text);
  Calls calls;
  session.AddObserver(&calls);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  std::array<run::Tape, 2> tapes;
  const Observed taped = TapeBoth(session, &tapes);
  const auto taped_calls = calls.lines;
  REQUIRE(taped.passed);
  CHECK(taped.client_read == "HTTP/1.1 200 OK\r\n\r\n");
  for (const run::Tape& tape : tapes) {
    INFO(tape.why_not);
    REQUIRE(tape.usable);
    CHECK(tape.calls.size() >= 3);
  }

  for (Side played : {Side::kClient, Side::kServer}) {
    INFO("played: " << proto::SideName(played));
    REQUIRE(session.Rewind());
    REQUIRE(session.PlaySide(played, &tapes[static_cast<size_t>(played)]));
    calls.lines = {};
    const Observed again = RunAll(session);
    INFO(session.tape_why());
    CHECK_FALSE(session.tape_diverged());
    CHECK(again.passed);
    CHECK(again.client_read == taped.client_read);
    CHECK(again.server_read == taped.server_read);
    REQUIRE(again.footer.digests.size() == 1);
    CHECK(again.footer.digests[0].sha256 == taped.footer.digests[0].sha256);
    CHECK(again.footer.digests[0].bytes == taped.footer.digests[0].bytes);
    // Both sides' calls, the played one's included, are the taped ones.
    CHECK(calls.lines == taped_calls);
  }
}

TEST_CASE("a played side that finds other bytes diverges and fails") {
  const std::string text = WithDelivery("all");
  scenario::Scenario s = MustParse(text);
  run::Session session(s, text);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  REQUIRE(session.Rewind());
  run::Tape server;
  session.TapeSide(Side::kServer, &server);
  REQUIRE(RunAll(session).passed);
  session.FinishTape();
  REQUIRE(server.usable);

  SECTION("a byte it reads differs") {
    // The ClientHello's first byte, as the tape remembers it: the first
    // call that reads anything reads it.
    size_t reader = 0;
    while (reader < server.calls.size() && server.calls[reader].consumed == 0) {
      ++reader;
    }
    REQUIRE(reader < server.calls.size());
    server.input[0] ^= 1;
    REQUIRE(session.Rewind());
    REQUIRE(session.PlaySide(Side::kServer, &server));
    const Observed o = RunAll(session);
    CHECK(session.tape_diverged());
    CHECK(session.tape_why() == "call " + std::to_string(reader + 1) +
                                    " of the server: other bytes to read");
    CHECK_FALSE(o.passed);  // the server's program failed: not `done`
  }
  SECTION("it makes more calls than the tape holds") {
    const size_t kept = server.calls.size() - 1;
    server.calls.resize(kept);
    REQUIRE(session.Rewind());
    REQUIRE(session.PlaySide(Side::kServer, &server));
    RunAll(session);
    CHECK(session.tape_diverged());
    CHECK(session.tape_why() == "call " + std::to_string(kept + 1) +
                                    " of the server: the tape has no more "
                                    "calls");
  }
  SECTION("the peer's bytes arrive in other pieces") {
    // The same scenario delivering a byte at a time: the server's first
    // call finds one byte of the ClientHello, not all of it.
    const std::string bytewise = WithDelivery("1");
    scenario::Scenario b = MustParse(bytewise);
    run::Session other(b, bytewise);
    REQUIRE(other.Prepare(&d));
    REQUIRE(other.Rewind());
    // A tape from another World: the random positions and bytes agree
    // (same seed, same scenario), the deliveries do not.
    REQUIRE(other.PlaySide(Side::kServer, &server));
    RunAll(other);
    CHECK(other.tape_diverged());
    CHECK(other.tape_why().find("bytes delivered and") != std::string::npos);
  }
}

TEST_CASE("a side that cannot be played back is refused") {
  std::string text = WithDelivery("all");
  text.replace(text.find("server {\n"), 9, "server {\n  clear_errors = off\n");
  scenario::Scenario s = MustParse(text);
  run::Session session(s, text);
  scenario::Diagnostic d;
  REQUIRE(session.Prepare(&d));
  std::array<run::Tape, 2> tapes;
  TapeBoth(session, &tapes);
  CHECK(tapes[0].usable);
  CHECK_FALSE(tapes[1].usable);
  CHECK(tapes[1].why_not ==
        "its calls keep OpenSSL's error queue (clear_errors = off)");
  REQUIRE(session.Rewind());
  CHECK_FALSE(session.PlaySide(Side::kServer, &tapes[1]));
  CHECK(session.PlaySide(Side::kClient, &tapes[0]));
}

}  // namespace
}  // namespace tlsim
