// One side's SSL calls in one run, taped with everything each call found
// and did, so that a later run of the same World can play that side back
// instead of calling OpenSSL, for as long as the side finds exactly what it
// found on the tape. The explorer tapes its baseline once per worker and
// plays the sender of a split delivery back in each split schedule: that
// side's handshake (key share, signature, its half of the key schedule)
// then costs nothing, and the side the schedule affects runs for real.
//
//   run::Tape tape;
//   session.TapeSide(wire::Side::kServer, &tape);   // record ...
//   ... run the steps ...
//   session.FinishTape();                            // tape.usable()?
//   session.Rewind();
//   session.PlaySide(wire::Side::kServer, &tape);   // ... and play back
//   ... run the steps; session.tape_diverged(): run it again for real ...
//
// Why a played side is the side OpenSSL would have been. A side's calls are
// deterministic: the same SSL, given the same call with the same bytes to
// read, the same room to write, the same clock and the same position of the
// seeded random stream, does the same thing (this is what makes every run of
// a scenario the same). A played call is checked against its taped call on
// all of those, by induction from a side that starts where the tape
// started: the call and its arguments, the bytes delivered to the side and
// how many it had read, the content of every byte it reads, whether its
// input was closed or reset, its room to write, the clock and the random
// position. When every one matches, the call does what it did on the tape:
// it takes the bytes it took, writes the bytes it wrote (into its BIO pair,
// so the wire collects, counts and digests them as ever), moves the random
// stream as it did, and returns what it returned, with the same messages,
// alerts, state and verify result. The first call that finds anything else
// diverges: the real SSL is no longer where that call needs it, so the run
// cannot go on truthfully. The call then fails (SSL_ERROR_SSL, state "the
// tape diverged"), every later call of that side too, and the Session says
// tape_diverged(): the caller throws the run away and runs the schedule
// again with both sides real.
//
// What cannot be played: a side in an application's seat, a side with
// socket BIOs, a side that keeps OpenSSL's error queue (`clear_errors =
// off`), and a tape whose side left bytes held when the run ended.
//
// A played side's SSL is never called: the trace, the wire, the program's
// progress and what it read are the taped side's, but whatever a caller
// asks that SSL directly afterwards (its session, version, callback counts,
// key log lines) is what it was before the run. The explorer asks nothing
// of it: it reads the trace and the wire.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/scenario/ast.h"
#include "lib/tls/seeded_random.h"
#include "lib/trace/event.h"

namespace tlsim::run {

// The state a played side shows once its tape diverged.
inline constexpr const char* kTapeDiverged = "the tape diverged";

// One call on a tape.
struct TapedCall {
  // What it found.
  scenario::Call call = scenario::Call::kConnect;
  scenario::CallStep step;  // its arguments
  uint64_t fed = 0;         // bytes ever delivered to the side
  size_t unread = 0;        // of those, not yet read by it
  size_t room = 0;          // bytes it could write before its BIO pair is full
  uint64_t written = 0;     // bytes it had written before (taken and held)
  bool input_closed = false;
  bool input_reset = false;
  int64_t clock = 0;
  tls::RandomPosition random_before;
  bool positioned = false;  // the random positions could be read
  // What it did.
  size_t consumed = 0;  // bytes it read from its BIO pair
  uint64_t wrote = 0;   // bytes it wrote into it
  tls::RandomPosition random_after;
  scenario::Call handshake_call = scenario::Call::kConnect;
  int tickets_received = 0;
  std::string sni_received;
  // The call's own results, as Caller::Make fills a CallEvent: returns,
  // ret, error, reason, state, verify_result, the messages and alerts,
  // data, sys_errno. The rest of it is not used.
  trace::CallEvent result;
};

struct Tape {
  std::vector<TapedCall> calls;
  std::string output;  // every byte the side wrote, in order
  std::string input;   // every byte delivered to it, in order
  bool usable = false;
  std::string why_not;  // when !usable
};

// A World's taping: at most one tape recorded and one played per side.
struct TapeDeck {
  std::array<Tape*, 2> recording = {nullptr, nullptr};
  std::array<const Tape*, 2> playing = {nullptr, nullptr};
  std::array<size_t, 2> next = {0, 0};  // the next call to play, per side
  std::array<const char*, 2> state = {nullptr, nullptr};  // the last played
  bool diverged = false;
  std::string why;  // the first divergence

  // Whether any side is taped or played.
  bool any() const {
    return playing[0] != nullptr || playing[1] != nullptr ||
           recording[0] != nullptr || recording[1] != nullptr;
  }
};

}  // namespace tlsim::run
