#include "lib/run/program.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "lib/proto/names.h"
#include "lib/run/convert.h"
#include "lib/scenario/printer.h"
#include "lib/scenario/spellings.h"
#include "lib/trace/text.h"
#include "lib/wire/socket_bio.h"

namespace tlsim::run {
namespace {

using scenario::Call;
using scenario::Operation;
using scenario::Policy;
using scenario::RunVerdict;
using Status = ProgramProgress::Status;

constexpr int64_t kReadBuffer = 16384;

size_t Index(wire::Side side) { return static_cast<size_t>(side); }

std::string WaitText(unsigned wait) {
  switch (wait) {
    case 0:
      return "nothing";
    case kWaitReadable:
      return "readable";
    case kWaitWritable:
      return "writable";
    case kWaitReadable | kWaitWritable:
      return "readable or writable";
    default:
      return "the peer's program to finish";
  }
}

const char* PolicyText(Policy policy) {
  switch (policy) {
    case Policy::kCorrect:
      return "correct";
    case Policy::kReadWaitsReadable:
      return "read_waits_readable";
    case Policy::kWantWriteFatal:
      return "want_write_fatal";
    case Policy::kFullDuplex:
      return "full_duplex";
    case Policy::kReadWhileWriteOwed:
      return "read_while_write_owed";
    case Policy::kBusy:
      return "busy";
    case Policy::kWriteWaitsWritable:
      return "write_waits_writable";
  }
  return "?";
}

// A retry a callback asked for: the call is made again at once.
bool IsOtherRetry(int error) {
  return IsRetryError(error) && error != SSL_ERROR_WANT_READ &&
         error != SSL_ERROR_WANT_WRITE;
}

// Data as a verdict's detail quotes it: whole when short, else its start
// and its length.
std::string ShortData(const std::string& data) {
  if (data.size() <= 40) return scenario::QuoteString(data);
  return fmt::format("{}... ({} bytes)",
                     scenario::QuoteString(data.substr(0, 16)), data.size());
}

// A call as a verdict's detail says it: `write "GET / "... (400 bytes)`.
std::string ShortCall(const scenario::CallStep& call) {
  if (call.write_data.size() <= 40) return scenario::CallText(call);
  return std::string(scenario::CallName(call.call)) + " " +
         ShortData(call.write_data);
}

// An operation as a program's line says it, short: `read until "\r\n"`.
std::string OperationWords(const Operation& op) {
  using K = Operation::Kind;
  switch (op.kind) {
    case K::kHandshake:
      return scenario::CallName(op.call);
    case K::kWrite:
      return "write " + ShortData(op.data);
    case K::kRead:
      switch (op.until) {
        case Operation::Until::kBytes:
          return fmt::format("read {}", op.bytes);
        case Operation::Until::kText:
          return "read until " + ShortData(op.data);
        case Operation::Until::kCloseNotify:
          return "read until close_notify";
      }
      break;
    case K::kShutdown:
      return op.once ? "shutdown once" : "shutdown";
    case K::kKeyUpdate:
      return op.requested ? "key_update requested" : "key_update";
    case K::kRenegotiate:
      return "renegotiate";
    case K::kVerifyClientPostHandshake:
      return "verify_client_post_handshake";
    case K::kWriteEarly:
      return "write_early " + ShortData(op.data);
    case K::kReadEarly:
      return "read_early";
    case K::kWaitPeer:
      return "wait peer";
  }
  return "?";
}

// What one side's call is about, for the result's handling.
enum class Purpose { kOperation, kOwedWrite, kDuplexRead };

class Loop {
 public:
  Loop(World* world, const scenario::Scenario& scenario, Caller* caller,
       const std::array<Application*, 2>& applications,
       const scenario::RunStep& step, const trace::StepId& id,
       const LoopHooks& hooks)
      : world_(*world),
        scenario_(scenario),
        caller_(*caller),
        applications_(applications),
        step_(step),
        id_(id),
        hooks_(hooks),
        connection_(world->current()) {
    for (const scenario::ProgramDecl& p : scenario.programs) {
      programs_[Index(p.side)] = &p;
    }
  }

  RunOutcome Run() {
    if (hooks_.emit) {
      trace::DriveEvent start{
          id_,
          fmt::format("deliver={} first={} limit={}",
                      scenario::AmountText(step_.chunk),
                      scenario::SideName(step_.first), step_.limit),
          false,
          "",
          "",
          "run"};
      hooks_.emit(std::move(start));
    }
    for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
      if (programs_[Index(side)] == nullptr &&
          applications_[Index(side)] == nullptr) {
        return End({RunVerdict::kFailed,
                    fmt::format("the {} has no program", proto::SideName(side)),
                    std::nullopt});
      }
      Start(side);
      Settle(side);
    }
    wire::Side next_direction = step_.first;
    while (true) {
      bool ran = false;
      wire::Side first = step_.first;
      if (hooks_.chooser != nullptr) {
        first = hooks_.chooser->First(deliveries_, first);
      }
      const std::array<wire::Side, 2> order = {first, wire::Peer(first)};
      for (wire::Side side : order) {
        while (count_ < step_.limit && Runnable(side)) {
          ran = true;
          if (std::optional<RunOutcome> spun = RunOne(side)) {
            return End(std::move(*spun));
          }
          Settle(wire::Peer(side));  // a `wait peer` may be over
        }
      }
      if (count_ >= step_.limit) {
        return End({RunVerdict::kUnfinished,
                    fmt::format("no end within {} calls and deliveries; {}",
                                step_.limit, Situation()),
                    failed_first_});
      }
      if (ran) continue;
      if (Progress(wire::Side::kClient).status != Status::kRunning &&
          Progress(wire::Side::kServer).status != Status::kRunning) {
        break;  // what is still in flight stays there for later steps
      }
      if (Deliver(next_direction)) {
        next_direction = wire::Peer(next_direction);
        continue;
      }
      if (Deliver(wire::Peer(next_direction))) continue;
      break;
    }
    return End(Verdict());
  }

 private:
  ProgramProgress& Progress(wire::Side side) {
    return connection_.programs[Index(side)];
  }
  wire::Wire& Wire() { return *connection_.wire; }

  bool Readable(wire::Side side) {
    const wire::Side from = wire::Peer(side);
    return Wire().Unread(from) > 0 || Wire().closed(from) || Wire().reset(from);
  }
  bool Writable(wire::Side side) { return Wire().Room(side) > 0; }

  const Operation* Current(wire::Side side) {
    const scenario::ProgramDecl* p = programs_[Index(side)];
    ProgramProgress& g = Progress(side);
    if (p == nullptr || g.operation >= p->operations.size()) return nullptr;
    return &p->operations[g.operation];
  }

  Policy PolicyOf(wire::Side side, const Operation& op) {
    if (op.policy) return op.policy->value;
    const scenario::ProgramDecl* p = programs_[Index(side)];
    if (p != nullptr && p->policy) return p->policy->value;
    return Policy::kCorrect;
  }

  bool WaitHolds(wire::Side side, unsigned wait) {
    if (wait == 0) return true;
    if ((wait & kWaitReadable) && Readable(side)) return true;
    if ((wait & kWaitWritable) && Writable(side)) return true;
    if ((wait & kWaitPeer) &&
        Progress(wire::Peer(side)).status != Status::kRunning) {
      return true;
    }
    return false;
  }

  bool Runnable(wire::Side side) {
    ProgramProgress& g = Progress(side);
    if (g.status != Status::kRunning) return false;
    if (g.owed_write && WaitHolds(side, g.owed_wait)) return true;
    if (applications_[Index(side)] == nullptr && Current(side) == nullptr) {
      return false;  // only an owed write is left
    }
    return WaitHolds(side, g.wait);
  }

  // A program that begins with anything but SSL_connect / SSL_accept
  // first gives its SSL its role, as applications do when they set a
  // connection up (SSL_set_connect_state / SSL_set_accept_state).
  void Start(wire::Side side) {
    ProgramProgress& g = Progress(side);
    if (g.started) return;
    g.started = true;
    const Operation* op = Current(side);
    if (op == nullptr || applications_[Index(side)] != nullptr) return;
    if (op->kind == Operation::Kind::kHandshake &&
        op->call != Call::kDoHandshake) {
      return;
    }
    if (SSL_in_before(connection_.endpoint(side).ssl.get()) != 1) return;
    scenario::CallStep call;
    call.side = side;
    call.call = side == wire::Side::kClient ? Call::kSetConnectState
                                            : Call::kSetAcceptState;
    trace::CallEvent ev;
    if (hooks_.emit) {
      ev.id = NextId();
      ev.call = scenario::CallText(call);
    }
    caller_.Make(side, call.call, call, &ev);
    if (hooks_.plain != nullptr) hooks_.plain->push_back(call);
    if (hooks_.emit) hooks_.emit(std::move(ev));
  }

  // Finishes what needs no call: reads the program already holds the bytes
  // for, a `wait peer` whose peer has finished, the end of the program.
  void Settle(wire::Side side) {
    if (applications_[Index(side)] != nullptr) return;
    ProgramProgress& g = Progress(side);
    while (g.status == Status::kRunning) {
      const Operation* op = Current(side);
      if (op == nullptr) {
        if (!g.owed_write) g.status = Status::kDone;
        return;
      }
      if (op->kind == Operation::Kind::kRead && ReadSatisfied(g, *op)) {
        Advance(&g);
        continue;
      }
      if (op->kind == Operation::Kind::kWaitPeer) {
        if (Progress(wire::Peer(side)).status != Status::kRunning) {
          Advance(&g);
          continue;
        }
        g.wait = kWaitPeer;
      }
      return;
    }
  }

  // Whether a read operation has what it waits for; takes it if so.
  static bool ReadSatisfied(ProgramProgress& g, const Operation& op) {
    const size_t have = g.read.size() - g.consumed;
    switch (op.until) {
      case Operation::Until::kBytes:
        if (have < static_cast<size_t>(op.bytes)) return false;
        g.consumed += static_cast<size_t>(op.bytes);
        return true;
      case Operation::Until::kText: {
        size_t at = g.read.find(op.data, g.consumed);
        if (at == std::string::npos) return false;
        g.consumed = at + op.data.size();
        return true;
      }
      case Operation::Until::kCloseNotify:
        return false;  // only SSL_read's 0 ends it
    }
    return false;
  }

  static void Advance(ProgramProgress* g) {
    ++g->operation;
    g->phase = 0;
    g->done_bytes = 0;
    g->wait = 0;
  }

  // Everything that can change when a call is made, to tell a call that
  // changed nothing.
  struct Snapshot {
    std::array<uint64_t, 2> sent{}, delivered{};
    std::array<size_t, 2> held{}, unread{}, in_flight{};
    std::array<size_t, 2> operation{}, phase{}, done_bytes{}, read{};
    std::array<Status, 2> status{};
    std::array<bool, 2> owed{};
    std::string state;
    bool operator==(const Snapshot&) const = default;
  };
  Snapshot Take(wire::Side side) {
    Snapshot s;
    for (wire::Side x : {wire::Side::kClient, wire::Side::kServer}) {
      size_t i = Index(x);
      const ProgramProgress& g = Progress(x);
      s.sent[i] = Wire().sent_total(x);
      s.delivered[i] = Wire().delivered_total(x);
      s.held[i] = Wire().Held(x);
      s.unread[i] = Wire().Unread(x);
      s.in_flight[i] = Wire().InFlight(x);
      s.operation[i] = g.operation;
      s.phase[i] = static_cast<size_t>(g.phase);
      s.done_bytes[i] = g.done_bytes;
      s.read[i] = g.read.size();
      s.status[i] = g.status;
      s.owed[i] = g.owed_write.has_value();
    }
    s.state = caller_.State(side);
    return s;
  }

  // One call (or one turn of an application) for `side`; returns an
  // outcome when the side is found spinning.
  std::optional<RunOutcome> RunOne(wire::Side side) {
    ProgramProgress& g = Progress(side);
    Snapshot before = Take(side);
    ++count_;
    if (applications_[Index(side)] != nullptr) {
      RunApplication(side);
    } else {
      RunProgramCall(side);
    }
    Settle(side);
    Snapshot after = Take(side);
    if (after == before) {
      if (idle_side_ == side) {
        ++idle_streak_;
      } else {
        idle_side_ = side;
        idle_streak_ = 1;
      }
      if (idle_streak_ >= 2) {
        return RunOutcome{
            RunVerdict::kSpinning,
            fmt::format("the {} spins: {} -> {} {} again with nothing "
                        "changed, waiting for {}; {}",
                        proto::SideName(side), g.last_call, g.last_ret,
                        proto::SslErrorText(g.last_error), WaitText(g.wait),
                        Situation()),
            failed_first_};
      }
    } else {
      idle_side_.reset();
      idle_streak_ = 0;
    }
    return std::nullopt;
  }

  void RunApplication(wire::Side side) {
    ProgramProgress& g = Progress(side);
    Application& app = *applications_[Index(side)];
    Endpoint& e = connection_.endpoint(side);
    SSL* ssl = e.ssl.get();
    e.log->Clear();
    Readiness ready{Readable(side), Writable(side)};
    Wait w = app.Step(ssl, ready);
    Wire().Collect();
    g.last_call = app.Describe();
    g.last_ret = 0;
    g.last_error = 0;
    g.last_state = SSL_state_string_long(ssl);
    switch (w) {
      case Wait::kNothing:
        g.wait = 0;
        break;
      case Wait::kReadable:
        g.wait = kWaitReadable;
        break;
      case Wait::kWritable:
        g.wait = kWaitWritable;
        break;
      case Wait::kEither:
        g.wait = kWaitReadable | kWaitWritable;
        break;
      case Wait::kFinished:
        g.status = Status::kDone;
        break;
      case Wait::kFailed:
        g.status = Status::kFailed;
        g.failure = app.Describe() + " gave up";
        if (!failed_first_) failed_first_ = side;
        break;
    }
    if (!hooks_.emit) return;
    trace::CallEvent ev;
    ev.id = NextId();
    ev.side = side;
    ev.call = "application " + scenario::QuoteString(app.Describe());
    ev.returns = false;
    ev.state = SSL_state_string_long(ssl);
    ev.sent = std::move(e.log->sent);
    ev.received = std::move(e.log->received);
    ev.alerts_sent = std::move(e.log->alerts_sent);
    ev.alerts_received = std::move(e.log->alerts_received);
    ev.in_flight = caller_.InFlight();
    ev.lost = Wire().collected_lost();
    if (world_.show_transport) ev.transport = caller_.Transport();
    ev.note = g.status == Status::kDone     ? "finished"
              : g.status == Status::kFailed ? "gave up"
                                            : "waits for " + WaitText(g.wait);
    hooks_.emit(std::move(ev));
  }

  // The call the program makes now, and what it is for.
  scenario::CallStep NextCall(wire::Side side, Purpose* out_purpose) {
    ProgramProgress& g = Progress(side);
    scenario::CallStep call;
    call.side = side;
    if (g.owed_write && WaitHolds(side, g.owed_wait)) {
      *out_purpose = Purpose::kOwedWrite;
      return *g.owed_write;
    }
    const Operation& op = *Current(side);
    if (PolicyOf(side, op) == Policy::kFullDuplex && (g.wait & kWaitWritable) &&
        (g.wait & kWaitReadable) && !Writable(side) && !g.peer_closed) {
      *out_purpose = Purpose::kDuplexRead;
      call.call = Call::kRead;
      call.read_len = kReadBuffer;
      return call;
    }
    *out_purpose = Purpose::kOperation;
    using K = Operation::Kind;
    switch (op.kind) {
      case K::kHandshake:
        call.call = op.call;
        break;
      case K::kWrite:
        call.call = Call::kWrite;
        call.write_data = op.data.substr(g.done_bytes);
        break;
      case K::kRead:
        call.call = Call::kRead;
        call.read_len =
            op.until == Operation::Until::kBytes
                ? std::min<int64_t>(kReadBuffer,
                                    op.bytes - static_cast<int64_t>(
                                                   g.read.size() - g.consumed))
                : kReadBuffer;
        break;
      case K::kShutdown:
        call.call = Call::kShutdown;
        break;
      case K::kKeyUpdate:
        call.call = g.phase == 0 ? Call::kKeyUpdate : Call::kDoHandshake;
        call.key_update_requested = op.requested;
        break;
      case K::kRenegotiate:
        call.call = g.phase == 0 ? Call::kRenegotiate : Call::kDoHandshake;
        break;
      case K::kVerifyClientPostHandshake:
        call.call = g.phase == 0 ? Call::kVerifyClientPostHandshake
                                 : Call::kDoHandshake;
        break;
      case K::kWriteEarly:
        call.call = Call::kWriteEarly;
        call.write_data = op.data;
        break;
      case K::kReadEarly:
        call.call = Call::kReadEarly;
        call.read_len = kReadBuffer;
        break;
      case K::kWaitPeer:
        break;  // Runnable never lets a waiting `wait peer` get here
    }
    return call;
  }

  void RunProgramCall(wire::Side side) {
    ProgramProgress& g = Progress(side);
    Purpose purpose = Purpose::kOperation;
    scenario::CallStep call = NextCall(side, &purpose);
    const Operation* op = Current(side);
    const Policy policy =
        op != nullptr ? PolicyOf(side, *op) : Policy::kReadWhileWriteOwed;
    const scenario::ProgramDecl* decl = programs_[Index(side)];
    const bool blocking = decl != nullptr && decl->blocking;
    Endpoint& e = connection_.endpoint(side);
    wire::SocketState* socket = e.link->socket();
    if (socket != nullptr) {
      socket->dry_reads = 0;
      socket->full_writes = 0;
    }
    trace::CallEvent ev;
    if (hooks_.emit) {
      ev.id = NextId();
      ev.operation = purpose == Purpose::kOwedWrite    ? "owed write"
                     : purpose == Purpose::kDuplexRead ? "full-duplex read"
                                                       : OperationWords(*op);
      ev.call = scenario::CallText(call);
      if (call.write_data.size() > trace::kLongData) {
        ev.call = std::string(scenario::CallName(call.call)) + " " +
                  trace::DataText(call.write_data);
      }
    }
    caller_.Make(side, call.call, call, &ev);
    g.last_call = ShortCall(call);
    const size_t operation_before = g.operation;
    g.last_ret = ev.ret;
    g.last_error = ev.error;
    g.last_state = ev.state;
    if (hooks_.plain != nullptr) {
      scenario::CallStep plain = call;
      scenario::Outcome expect;
      expect.ret = ev.ret;
      expect.error = static_cast<scenario::SslError>(ev.error);
      if (call.call == Call::kRead || call.call == Call::kReadEarly) {
        if (ev.ret > 0 || !ev.data.empty()) expect.data = ev.data;
      }
      plain.expect = expect;
      hooks_.plain->push_back(std::move(plain));
    }
    Handle(side, purpose, call, op, policy, ev, blocking, socket);
    Settle(side);
    if (!hooks_.emit) return;
    ev.note = Note(side, policy, blocking && ev.ret <= 0,
                   g.operation != operation_before);
    hooks_.emit(std::move(ev));
  }

  // What the program does after a call, for its trace line.
  std::string Note(wire::Side side, Policy policy, bool blocking,
                   bool advanced) {
    const ProgramProgress& g = Progress(side);
    if (g.status == Status::kDone) return "program done";
    if (g.status == Status::kFailed) return "program failed: " + g.failure;
    std::string note;
    if (blocking && blocked_) {
      note = "blocks until " + WaitText(g.wait);
    } else if (advanced) {
      const Operation* next = Current(side);
      note = next != nullptr ? "next: " + OperationWords(*next)
                             : "next: the owed write";
    } else if (g.wait == 0) {
      note = "calls again";
    } else {
      note = "waits for " + WaitText(g.wait);
    }
    if (policy != Policy::kCorrect) {
      note += fmt::format(" (policy {})", PolicyText(policy));
    }
    if (g.owed_write) note += "; a write is owed";
    return note;
  }

  void Fail(wire::Side side, std::string why) {
    ProgramProgress& g = Progress(side);
    g.status = Status::kFailed;
    g.failure = std::move(why);
    if (!failed_first_) failed_first_ = side;
  }

  // Updates the program after a call; false when it failed.
  bool Handle(wire::Side side, Purpose purpose, const scenario::CallStep& call,
              const Operation* op, Policy policy, const trace::CallEvent& ev,
              bool blocking, const wire::SocketState* socket) {
    ProgramProgress& g = Progress(side);
    blocked_ = false;
    const int ret = ev.ret;
    const int error = ev.error;
    auto fatal = [&](const std::string& what) {
      std::string why =
          fmt::format("{} -> {} {}", what, ret, proto::SslErrorText(error));
      if (ev.reason != 0) {
        why += fmt::format(" \"{}\"", ev.reason_text());
      }
      Fail(side, std::move(why));
      return false;
    };
    // Success first.
    if (purpose == Purpose::kOwedWrite) {
      if (ret > 0) {
        g.owed_write.reset();
        return true;
      }
    } else if (purpose == Purpose::kDuplexRead) {
      if (ret > 0) {
        g.read += ev.data;
        return true;
      }
      if (error == SSL_ERROR_ZERO_RETURN) {
        g.peer_closed = true;
        g.wait = kWaitWritable;
        return true;
      }
    } else {
      using K = Operation::Kind;
      switch (op->kind) {
        case K::kHandshake:
        case K::kWriteEarly:
          if (ret == 1) {
            Advance(&g);
            return true;
          }
          break;
        case K::kWrite:
          if (ret > 0) {
            g.done_bytes += static_cast<size_t>(ret);
            if (g.done_bytes >= op->data.size()) {
              Advance(&g);
            } else {
              g.wait = 0;
            }
            return true;
          }
          break;
        case K::kRead:
          if (ret > 0) {
            g.read += ev.data;
            g.wait = 0;
            return true;
          }
          if (error == SSL_ERROR_ZERO_RETURN &&
              op->until == Operation::Until::kCloseNotify) {
            Advance(&g);
            return true;
          }
          break;
        case K::kShutdown:
          if (ret == 1 || (ret == 0 && op->once)) {
            Advance(&g);
            return true;
          }
          if (ret == 0) {
            g.wait = 0;  // sent close_notify: call again to read the peer's
            return true;
          }
          break;
        case K::kKeyUpdate:
        case K::kRenegotiate:
        case K::kVerifyClientPostHandshake:
          if (g.phase == 0) {
            if (ret == 1) {
              g.phase = 1;
              g.wait = 0;
              return true;
            }
            return fatal(g.last_call);
          }
          if (ret == 1) {
            Advance(&g);
            return true;
          }
          break;
        case K::kReadEarly:
          if (ret == SSL_READ_EARLY_DATA_SUCCESS ||
              ret == SSL_READ_EARLY_DATA_FINISH) {
            g.read += ev.data;
            if (ret == SSL_READ_EARLY_DATA_FINISH) {
              Advance(&g);
            } else {
              g.wait = 0;
            }
            return true;
          }
          break;
        case K::kWaitPeer:
          return true;
      }
    }
    // The call did not finish: what the error asks for, as the policy reads
    // it.
    const bool want_read = error == SSL_ERROR_WANT_READ;
    const bool want_write = error == SSL_ERROR_WANT_WRITE;
    if (!want_read && !want_write) {
      if (IsOtherRetry(error)) {
        g.wait = 0;
        return true;
      }
      return fatal(g.last_call);
    }
    unsigned wait = want_read ? kWaitReadable : kWaitWritable;
    if (blocking && socket != nullptr &&
        ((want_read && socket->dry_reads > 0) ||
         (want_write && socket->full_writes > 0))) {
      // A blocking socket waits inside the call: the program never sees
      // this WANT; the call goes on once the bytes or the room are there.
      blocked_ = true;
      SetWait(side, purpose, wait);
      return true;
    }
    const bool from_read = call.call == Call::kRead;
    const bool from_write =
        call.call == Call::kWrite || purpose == Purpose::kOwedWrite;
    switch (policy) {
      case Policy::kCorrect:
        break;
      case Policy::kReadWaitsReadable:
        if (want_write && from_read) wait = kWaitReadable;
        break;
      case Policy::kWantWriteFatal:
        if (want_write) return fatal(g.last_call + " (WANT_WRITE is fatal)");
        break;
      case Policy::kFullDuplex:
        if (want_write && purpose != Purpose::kDuplexRead) {
          wait = kWaitWritable | kWaitReadable;
        }
        break;
      case Policy::kReadWhileWriteOwed:
        if (want_write && from_write && purpose == Purpose::kOperation) {
          g.owed_write = call;
          g.owed_wait = kWaitWritable;
          Advance(&g);
          return true;
        }
        break;
      case Policy::kBusy:
        wait = 0;
        break;
      case Policy::kWriteWaitsWritable:
        if (want_read &&
            (from_write || call.call == Call::kConnect ||
             call.call == Call::kAccept || call.call == Call::kDoHandshake)) {
          wait = kWaitWritable;
        }
        break;
    }
    SetWait(side, purpose, wait);
    return true;
  }

  void SetWait(wire::Side side, Purpose purpose, unsigned wait) {
    ProgramProgress& g = Progress(side);
    if (purpose == Purpose::kOwedWrite) {
      // The owed write waits for what its call asked for; the operation
      // keeps its own wait.
      g.owed_wait = wait;
      return;
    }
    if (purpose == Purpose::kDuplexRead) {
      g.wait = kWaitWritable | kWaitReadable;
      return;
    }
    g.wait = wait;
  }

  trace::StepId NextId() {
    return {id_.number, ++sub_, id_.line, id_.connection};
  }

  // Delivers one chunk from `from`; false when nothing could move.
  bool Deliver(wire::Side from) {
    if (Wire().closed(from) || Wire().reset(from)) return false;
    if (Wire().InFlight(from) == 0) return false;
    if (hooks_.chooser != nullptr) {
      hooks_.chooser->BeforeDelivery(deliveries_, from, &Wire());
    }
    if (Wire().closed(from) || Wire().reset(from)) {
      return true;  // the chooser closed the direction: sides may wake
    }
    const size_t in_flight = Wire().InFlight(from);
    if (in_flight == 0) return false;
    wire::Amount amount = ToWire(step_.chunk);
    if (amount.kind == wire::Amount::Kind::kBytes) {
      amount.bytes = std::min(amount.bytes, in_flight);
    }
    if (hooks_.chooser != nullptr) {
      if (size_t n = hooks_.chooser->Delivery(deliveries_, from, in_flight)) {
        amount = wire::Amount::Bytes(std::min(n, in_flight));
      }
    }
    wire::Delivery d = Wire().Deliver(from, amount);
    if (!d.ok && amount.kind == wire::Amount::Kind::kRecord) {
      d = Wire().Deliver(from, wire::Amount::All());  // a partial record
    }
    if (!d.ok || d.delivered == 0) return false;
    ++count_;
    ++deliveries_;
    idle_side_.reset();
    idle_streak_ = 0;
    if (hooks_.plain != nullptr) {
      scenario::DeliverStep plain;
      plain.from = from;
      plain.amount.kind = scenario::Amount::Kind::kBytes;
      plain.amount.bytes = static_cast<int64_t>(d.delivered);
      hooks_.plain->push_back(std::move(plain));
    }
    if (!hooks_.emit) return true;
    trace::DeliveryEvent ev;
    ev.id = NextId();
    ev.from = from;
    ev.amount = scenario::AmountText(step_.chunk);
    ev.delivery = std::move(d);
    ev.in_flight = caller_.InFlight();
    ev.transport = caller_.Transport();
    hooks_.emit(std::move(ev));
    return true;
  }

  std::string SideText(wire::Side side) {
    const ProgramProgress& g = Progress(side);
    std::string who = proto::SideName(side);
    switch (g.status) {
      case Status::kDone:
        return who + " done";
      case Status::kFailed:
        return who + " failed: " + g.failure;
      case Status::kRunning:
        break;
    }
    std::string what;
    if (applications_[Index(side)] != nullptr) {
      what = applications_[Index(side)]->Describe();
    } else if (const Operation* op = Current(side)) {
      what = OperationWords(*op);
    } else {
      what = "an owed write";
    }
    if (g.last_call.empty()) {
      return fmt::format("{} {} waits for {}", who, what, WaitText(g.wait));
    }
    std::string text = fmt::format(
        "{} {} waits for {} after {} -> {} {} in {}", who, what,
        WaitText(g.wait), g.last_call, g.last_ret,
        proto::SslErrorText(g.last_error), scenario::QuoteString(g.last_state));
    if (g.owed_write) text += " (a write is owed)";
    return text;
  }

  // Each side's state and where every byte is.
  std::string Situation() {
    std::string text =
        SideText(wire::Side::kClient) + "; " + SideText(wire::Side::kServer);
    for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
      const size_t capacity = Wire().capacity(side);
      text += fmt::format("; {}: {} held, {} in flight{}, {} unread",
                          scenario::DirectionName(side), Wire().Held(side),
                          Wire().InFlight(side),
                          capacity == SIZE_MAX
                              ? std::string()
                              : fmt::format(" (capacity {})", capacity),
                          Wire().Unread(side));
    }
    return text;
  }

  RunOutcome Verdict() {
    const Status c = Progress(wire::Side::kClient).status;
    const Status s = Progress(wire::Side::kServer).status;
    if (c == Status::kDone && s == Status::kDone) {
      return {RunVerdict::kDone,
              fmt::format("both programs finished after {} calls and "
                          "deliveries",
                          count_),
              std::nullopt};
    }
    if (failed_first_) {
      return {RunVerdict::kFailed,
              fmt::format("the {} failed first; {}",
                          proto::SideName(*failed_first_), Situation()),
              failed_first_};
    }
    return {
        RunVerdict::kDeadlock,
        "no side can move and the network can deliver nothing; " + Situation(),
        std::nullopt};
  }

  RunOutcome End(RunOutcome outcome) {
    if (hooks_.emit) {
      hooks_.emit(trace::DriveEvent{id_, "", true,
                                    RunVerdictName(outcome.verdict),
                                    outcome.detail, "run"});
    }
    return outcome;
  }

  World& world_;
  const scenario::Scenario& scenario_;
  Caller& caller_;
  const std::array<Application*, 2>& applications_;
  const scenario::RunStep& step_;
  const trace::StepId& id_;
  const LoopHooks& hooks_;
  Connection& connection_;
  std::array<const scenario::ProgramDecl*, 2> programs_ = {nullptr, nullptr};
  int64_t count_ = 0;
  int64_t deliveries_ = 0;
  int sub_ = 0;
  std::optional<wire::Side> failed_first_;
  std::optional<wire::Side> idle_side_;
  int idle_streak_ = 0;
  bool blocked_ = false;  // the last call blocked inside its BIO
};

}  // namespace

RunOutcome RunPrograms(World* world, const scenario::Scenario& scenario,
                       Caller* caller,
                       const std::array<Application*, 2>& applications,
                       const scenario::RunStep& step, const trace::StepId& id,
                       const LoopHooks& hooks) {
  Loop loop(world, scenario, caller, applications, step, id, hooks);
  return loop.Run();
}

const char* RunVerdictName(RunVerdict verdict) {
  switch (verdict) {
    case RunVerdict::kDone:
      return "done";
    case RunVerdict::kFailed:
      return "failed";
    case RunVerdict::kDeadlock:
      return "deadlock";
    case RunVerdict::kSpinning:
      return "spinning";
    case RunVerdict::kUnfinished:
      return "unfinished";
  }
  return "?";
}

std::string ProgramStatusText(const scenario::Scenario& scenario,
                              const Connection& connection, wire::Side side) {
  const bool has = std::any_of(
      scenario.programs.begin(), scenario.programs.end(),
      [&](const scenario::ProgramDecl& p) { return p.side == side; });
  const ProgramProgress& g = connection.programs[Index(side)];
  switch (g.status) {
    case Status::kDone:
      return "done";
    case Status::kFailed:
      return "failed";
    case Status::kRunning:
      break;
  }
  return has ? "waiting" : "none";
}

}  // namespace tlsim::run
