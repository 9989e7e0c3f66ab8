// The event loop behind the `run` step: both sides' programs (or a user's
// Application in one seat) over the current connection's wire. Each side
// whose wait holds runs until it waits again; when neither can run, the
// network delivers one chunk of one direction; the loop ends when both
// programs are finished, nothing can move, a side spins, or the step's
// limit of calls and deliveries is reached.
//
//   run::LoopHooks hooks;
//   hooks.emit = [&](trace::Event&& e) { ... };   // optional
//   run::RunOutcome o = run::RunPrograms(&world, scenario, &caller, apps,
//                                        step, id, hooks);
//   if (o.verdict != scenario::RunVerdict::kDone) ... o.detail ...
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lib/run/application.h"
#include "lib/run/call.h"
#include "lib/run/world.h"
#include "lib/scenario/ast.h"
#include "lib/trace/event.h"

namespace tlsim::run {

// What a waiting program waits for (ProgramProgress::wait); 0: nothing, it
// runs at once.
inline constexpr unsigned kWaitReadable = 1;
inline constexpr unsigned kWaitWritable = 2;
inline constexpr unsigned kWaitPeer = 4;  // the peer's program finishing

// Decisions an explorer makes instead of the run step's options, asked at
// each point where the loop chooses.
class Chooser {
 public:
  virtual ~Chooser() = default;
  // Which side runs first in the loop's next turn; `deliveries` counts the
  // deliveries made so far in this run.
  virtual wire::Side First(int64_t deliveries, wire::Side planned) {
    (void)deliveries;
    return planned;
  }
  // How many of the `in_flight` bytes from `from` delivery number `index`
  // (from 0) moves; 0: what the step's `deliver=` says.
  virtual size_t Delivery(int64_t index, wire::Side from, size_t in_flight) {
    (void)index;
    (void)from;
    (void)in_flight;
    return 0;
  }
  // Just before delivery number `index`, what `from` has in flight may be
  // changed (a fault); `wire` is the connection's.
  virtual void BeforeDelivery(int64_t index, wire::Side from,
                              wire::Wire* wire) {
    (void)index;
    (void)from;
    (void)wire;
  }
};

struct LoopHooks {
  // Makes the loop's choices when set.
  Chooser* chooser = nullptr;
  // Gets every call and delivery as an event; unset: nobody listens, and
  // events are not even filled in.
  std::function<void(trace::Event&&)> emit;
  // When set, gets every call and delivery as the plain step that repeats
  // it (calls with their observed `-> ret ERROR`).
  std::vector<scenario::Step>* plain = nullptr;
};

struct RunOutcome {
  scenario::RunVerdict verdict = scenario::RunVerdict::kDone;
  std::string detail;  // why, with each side's state and the bytes' places
  std::optional<wire::Side> failed_first;  // kFailed: who failed first
};

// Runs the programs of `scenario` (a side with an Application in `apps`
// runs that instead) on the world's current connection, as `step` says,
// from where they stood after the last run on this connection. `id` is the
// run step's; its calls and deliveries get sub-numbers.
RunOutcome RunPrograms(World* world, const scenario::Scenario& scenario,
                       Caller* caller,
                       const std::array<Application*, 2>& applications,
                       const scenario::RunStep& step, const trace::StepId& id,
                       const LoopHooks& hooks);

// "done", "failed", "deadlock", "spinning", "unfinished".
const char* RunVerdictName(scenario::RunVerdict verdict);

// Where a side's program stands: "done", "failed", "waiting" (or "none"
// when the scenario gives it no program).
std::string ProgramStatusText(const scenario::Scenario& scenario,
                              const Connection& connection, wire::Side side);

}  // namespace tlsim::run
