// One run of a parsed scenario, a step at a time: builds the World, then
// runs the next step on each Step(), telling each observer what happened as
// structured events. Between steps a caller may look at (or poke) each
// side's SSL, the wire and the current connection. run::Runner is a loop
// over a Session; the explorer and users' own C++ tests drive one directly.
//
//   run::Session session(scenario, source);
//   scenario::Diagnostic bad;
//   if (!session.Prepare(&bad)) { ...bad input: bad.Format()... }
//   session.AddObserver(&text);              // optional, before Step()
//   while (!session.done() && session.next_line() < 30) session.Step();
//   SSL* client = session.ssl(wire::Side::kClient);
//   ... SSL_get_version(client), session.wire().InFlight(...) ...
//   while (!session.done()) session.Step();
//   run::Verdict v = session.Finish();       // the footer goes out here
//   if (!v.passed) std::cerr << v.Format(scenario.file) << "\n";
//
// During Prepare() and each Step(), OpenSSL's time(NULL) is the scenario
// clock (tls/clock.h); a caller's own OpenSSL calls between steps read the
// wall clock unless it holds a tls::ClockScope(session.world().clock).
//
// Events are emitted as they happen and cost nothing to make beyond a few
// copies: formatting is each observer's business. KeepEvents(true) keeps
// every event so that a trace can be written afterwards (tlsim prints the
// trace up to a failed step that way without formatting a passing run).
#pragma once

#include <openssl/ssl.h>

#include <array>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/run/application.h"
#include "lib/run/program.h"
#include "lib/run/world.h"
#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/tls/seeded_random.h"
#include "lib/trace/event.h"
#include "lib/wire/wire.h"

namespace tlsim::run {

// The first expectation that failed, or a step that could not be carried
// out (a record that never arrived), with its line.
struct Verdict {
  bool passed = true;
  int line = 0;
  std::string message;  // "expected WANT_READ, observed WANT_WRITE (...)"
  // Why nothing ran: the scenario does not apply to the series here
  // ("requires openssl >= 3.5; this is OpenSSL 3.0"). `passed` stays true;
  // empty when it applies.
  std::string not_applicable;

  // "file:line: message"; empty when passed.
  std::string Format(const std::string& file) const;
};

class Session {
 public:
  // Borrows both; they must outlive the Session. The steps that run are
  // those of the scenario resolved for the OpenSSL series this process
  // runs on (series.h): its `if openssl ...` blocks decided.
  Session(const scenario::Scenario& scenario, std::string_view source);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Builds the World: every setting goes through OpenSSL now, so bad input
  // is reported before any step runs. Returns false with the Diagnostic.
  // A scenario that does not apply to the series here (`requires`) builds
  // nothing and runs no step: Prepare returns true, done() is true, and the
  // verdict and the footer say why (not_applicable()).
  [[nodiscard]] bool Prepare(scenario::Diagnostic* out_error);
  bool prepared() const { return prepared_; }

  // The scenario as it runs here: its blocks resolved for the series
  // (the caller's own when it has none). next_step() indexes its steps.
  const scenario::Scenario& scenario() const { return scenario_; }
  // Why the scenario does not apply to the series here, or empty.
  const std::string& not_applicable() const { return not_applicable_; }

  // Starts the run over without building the World again: every
  // connection closed, "main" opened afresh, the scenario clock and (the
  // scenario has a seed) the random stream back where Prepare left them,
  // the steps from the first. What runs next sends the same bytes as a
  // fresh Session would. False when the scenario has no seed, has
  // `connection` steps (a resumption would find the sessions the contexts
  // cached in the runs before), or the stream was rekeyed since.
  [[nodiscard]] bool Rewind();

  // Observers get the header before the first step, every event, and the
  // footer from Finish(). Borrowed: they must outlive the Session's use.
  void AddObserver(trace::Observer* observer) {
    observers_.push_back(observer);
  }
  // Keeps every event emitted from now on, for events().
  void KeepEvents(bool keep) { keep_events_ = keep; }
  const std::deque<trace::Event>& events() const { return events_; }

  // Whether keylog() collects the NSS key log (by default it does). Set
  // before Prepare; OpenSSL formats every line as hex when asked for them,
  // which costs about 7% of a TLS 1.3 handshake, so a run that writes no
  // key log turns it off.
  void RecordKeyLog(bool record) { record_keylog_ = record; }

  // Puts `application` in `side`'s seat for `run` steps, instead of the
  // scenario's program for that side (there may be none). Borrowed: it
  // must outlive the Session's use. Set before the first Step().
  void SetApplication(wire::Side side, Application* application) {
    applications_[static_cast<size_t>(side)] = application;
  }
  // What `side`'s program has read on the current connection, all its
  // operations together.
  const std::string& program_read(wire::Side side) {
    return world_.current().programs[static_cast<size_t>(side)].read;
  }

  // Puts a socket BIO under each SSL even when no step resets (set before
  // Prepare): an explorer's resets then fail reads with ECONNRESET. It
  // changes no byte on the wire.
  void UseSocketBios(bool use) { world_.socket_bios = use; }

  // Makes the choices of the `run` steps from now on (an explorer's);
  // borrowed. nullptr: the steps' own options.
  void SetChooser(Chooser* chooser) { chooser_ = chooser; }

  // Taping (tape.h). TapeSide records `side`'s calls into `tape` from now
  // on, until FinishTape, which completes each tape with the bytes its side
  // wrote and was given and says whether it can be played (tape.usable,
  // tape.why_not). Start taping right after Prepare or Rewind. Borrowed.
  void TapeSide(wire::Side side, Tape* tape);
  void FinishTape();
  // Plays `side` back from `tape` (usable, taped in this World) instead of
  // calling OpenSSL for it, until the next Rewind. Start right after Rewind.
  // False, changing nothing, for a tape that cannot be played. The side's
  // SSL itself is left as it was (tape.h).
  [[nodiscard]] bool PlaySide(wire::Side side, const Tape* tape);
  // A played side met something its tape did not: the run since is not
  // what OpenSSL would have done, and tape_why() says where it parted.
  bool tape_diverged() const { return world_.tapes.diverged; }
  const std::string& tape_why() const { return world_.tapes.why; }

  // Keeps, from now on, the steps run as plain steps: each `run` step as
  // the calls and deliveries it made, with their observed results, for
  // PlainScenario(). Set before the first Step().
  void RecordPlainSteps(bool record) { record_plain_ = record; }
  // The scenario with the steps run so far, each `run` replaced by its
  // plain steps and the programs gone: it repeats this run exactly.
  scenario::Scenario PlainScenario() const;

  // Runs the next step and returns its verdict; a failed step ends the run
  // (done() turns true). Without a successful Prepare the verdict says so.
  // Calling it when done() returns the verdict so far and runs nothing.
  // Bytes the caller's own SSL calls wrote since the last step are put in
  // flight first, as those of a step's call are.
  Verdict Step();

  // True when every step ran or one failed.
  bool done() const { return !prepared_ || failed_ || next_ >= steps_.size(); }
  // The verdict so far: passed until a step fails.
  const Verdict& verdict() const { return verdict_; }
  // The index in scenario.steps of the step Step() runs next, and its
  // source line (0 when done).
  size_t next_step() const { return next_; }
  int next_line() const;

  // Ends the run: tells the observers the wire digests and the verdict
  // (once; the header too, when no step ran) and returns the verdict.
  Verdict Finish();
  const trace::Header& header() const { return header_; }
  // The footer Finish() sent (empty before).
  const trace::Footer& footer() const { return footer_; }

  // The world and its current connection (the last one opened). Valid after
  // a successful Prepare.
  World& world() { return world_; }
  Connection& connection() { return world_.current(); }
  wire::Wire& wire() { return *world_.current().wire; }
  SSL* ssl(wire::Side side) {
    return world_.current().endpoint(side).ssl.get();
  }
  // The NSS key log lines both sides wrote so far (none when RecordKeyLog
  // turned it off).
  const trace::KeyLog& keylog() const { return world_.keylog; }

 private:
  class Steps;
  friend class Steps;

  void Emit(trace::Event&& event);
  // Someone is told about events: an observer, or the kept events.
  bool listening() const { return keep_events_ || !observers_.empty(); }
  void Start();  // the header, once

  // `scenario` resolved for the series here (series.h), kept in
  // resolved_ when it has `if` blocks; the undecided conditions' error.
  const scenario::Scenario& Resolve(const scenario::Scenario& scenario,
                                    std::string_view source);

  std::optional<scenario::Scenario> resolved_;
  std::string not_applicable_;
  std::optional<scenario::Diagnostic> undecided_;
  const scenario::Scenario& scenario_;  // resolved_'s, or the caller's
  std::string_view source_;
  const std::vector<scenario::Step>& steps_;
  World world_;
  bool prepared_ = false;
  bool started_ = false;
  bool finished_ = false;
  bool failed_ = false;
  // Name the connection in every step's id (a scenario with more than one).
  bool tag_connections_ = false;
  size_t next_ = 0;
  Verdict verdict_;
  std::vector<trace::Observer*> observers_;
  bool keep_events_ = false;
  std::deque<trace::Event> events_;  // no moves as it grows
  bool record_keylog_ = true;
  std::array<Application*, 2> applications_ = {nullptr, nullptr};
  bool record_plain_ = false;
  Chooser* chooser_ = nullptr;
  bool rewindable_ = false;
  tls::RandomPosition prepared_at_;
  std::vector<scenario::Step> plain_;
  // Nothing has been left on OpenSSL's error queue since the last call
  // emptied it.
  bool error_queue_clean_ = false;
  trace::Header header_;
  trace::Footer footer_;
};

}  // namespace tlsim::run
