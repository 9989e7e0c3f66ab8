// One SSL call of one side of the current connection, as every step and
// loop makes it: the error queue handled as the scenario says, the call's
// messages, alerts and bytes collected into a trace::CallEvent, what it
// wrote put in flight.
//
//   run::Caller caller(&world, scenario, &error_queue_clean);
//   trace::CallEvent ev;
//   caller.Make(wire::Side::kClient, scenario::Call::kConnect, {}, &ev);
//   ... ev.ret, ev.error, ev.sent ...
#pragma once

#include "lib/run/world.h"
#include "lib/scenario/ast.h"
#include "lib/trace/event.h"

namespace tlsim::run {

// SSL_get_error values after which calling again is how a program goes on:
// WANT_READ, WANT_WRITE and the retries the callbacks ask for.
bool IsRetryError(int error);

class Caller {
 public:
  // Borrows all three. `error_queue_clean` says nothing has been left on
  // OpenSSL's error queue since the last call emptied it; Make keeps it.
  Caller(World* world, const scenario::Scenario& scenario,
         bool* error_queue_clean)
      : world_(*world),
        scenario_(scenario),
        error_queue_clean_(error_queue_clean) {}

  // Makes one call (`call`, with the arguments of `step`) and fills
  // `out_event` with what it returned and did; the caller emits it.
  void Make(wire::Side side, scenario::Call call,
            const scenario::CallStep& step, trace::CallEvent* out_event);

  // `side`'s SSL_state_string_long, or, for a side played back from a tape
  // (tape.h), the state its last played call left.
  const char* State(wire::Side side) const;

  // Bytes in flight each way.
  trace::InFlight InFlight() const;
  // Bytes held and unread each way, for a scenario that shows them.
  trace::Transport Transport() const;

 private:
  // Whether the harness empties the thread's error queue around `side`'s
  // calls: `clear_errors`, on unless the scenario turns it off.
  bool ClearsErrors(wire::Side side) const;
  // Make() for a World that tapes or plays a side (tape.h).
  void MakeTaped(wire::Side side, scenario::Call call,
                 const scenario::CallStep& step, trace::CallEvent* out_event);
  // The call itself, into out_event; then Collected() puts what it wrote
  // in flight.
  void CallOpenSsl(wire::Side side, scenario::Call call,
                   const scenario::CallStep& step, trace::CallEvent* out_event);
  void Collected(trace::CallEvent* out_event);
  // Taping (tape.h): what a call finds, what it did, and a taped call
  // played back instead of calling OpenSSL.
  TapedCall Found(wire::Side side, scenario::Call call,
                  const scenario::CallStep& step) const;
  void Taped(wire::Side side, const trace::CallEvent& ev, TapedCall* out) const;
  static void CopyResult(const trace::CallEvent& from, trace::CallEvent* to);
  void Play(wire::Side side, scenario::Call call,
            const scenario::CallStep& step, trace::CallEvent* out_event);

  World& world_;
  const scenario::Scenario& scenario_;
  bool* error_queue_clean_;
};

}  // namespace tlsim::run
