#include "lib/run/session.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <utility>
#include <vector>

#include "lib/proto/names.h"
#include "lib/run/call.h"
#include "lib/run/convert.h"
#include "lib/run/outcome.h"
#include "lib/run/program.h"
#include "lib/run/series.h"
#include "lib/scenario/printer.h"
#include "lib/scenario/versions.h"
#include "lib/tls/clock.h"
#include "lib/tls/compat.h"
#include "lib/tls/library.h"
#include "lib/tls/names.h"
#include "lib/tls/seeded_random.h"
#include "lib/trace/text.h"
#include "lib/wire/fault.h"
#include "lib/wire/socket_bio.h"

namespace tlsim::run {
namespace {

using scenario::Call;

// The text a handshake call made by `drive` is written as.
const char* HandshakeCallText(Call call) {
  switch (call) {
    case Call::kConnect:
      return "connect";
    case Call::kAccept:
      return "accept";
    default:
      return "do_handshake";
  }
}

// Why a client given `session` (SSL_set_session succeeded) will not offer
// it, as OpenSSL 3.0's ClientHello decides: a session that is not
// resumable, or of a version the client no longer enables, is replaced by a
// new one. Empty when it will offer it.
std::string DeclinedSession(const SSL* client, const SSL_SESSION* session) {
  if (SSL_SESSION_is_resumable(session) != 1) {
    const bool ticket = SSL_SESSION_has_ticket(session) == 1;
    unsigned int id_length = 0;
    SSL_SESSION_get_id(session, &id_length);
    if (SSL_SESSION_get_protocol_version(session) == TLS1_3_VERSION &&
        !ticket) {
      return "no ticket was read";
    }
    if (!ticket && id_length == 0) return "no session ID and no ticket";
    return "not resumable";
  }
  const int version = SSL_SESSION_get_protocol_version(session);
  if (version == TLS1_3_VERSION && SSL_SESSION_has_ticket(session) == 1) {
    // tls_construct_ctos_psk: the age in whole seconds less one, against
    // the lifetime hint, on the scenario clock (a step's time(NULL)); a
    // later `clock` step before the ClientHello is not foreseen here.
    const long age = static_cast<long>(time(nullptr)) -
                     static_cast<long>(tls::SessionTime(session));
    const long counted = age > 0 ? age - 1 : 0;
    const unsigned long lifetime =
        SSL_SESSION_get_ticket_lifetime_hint(session);
    if (counted > 0 && static_cast<unsigned long>(counted) > lifetime) {
      return fmt::format("its ticket is {} s old, its lifetime {} s", age,
                         lifetime);
    }
  }
  const long min = SSL_get_min_proto_version(const_cast<SSL*>(client));
  const long max = SSL_get_max_proto_version(const_cast<SSL*>(client));
  if ((min != 0 && version < min) || (max != 0 && version > max)) {
    return fmt::format("its {} is not among the client's versions",
                       proto::VersionText(version));
  }
  return "";
}

bool EqualNoCase(const std::string& a, const char* b) {
  return b != nullptr && strcasecmp(a.c_str(), b) == 0;
}

// The first of `names` as observed; matched when `want` is any of them,
// case aside.
std::pair<std::string, bool> SameName(const std::string* want,
                                      const std::vector<std::string>& names) {
  bool ok = want != nullptr &&
            std::any_of(names.begin(), names.end(), [&](const std::string& n) {
              return EqualNoCase(*want, n.c_str());
            });
  return {names.empty() ? "none" : names.front(), ok};
}

Verdict Unprepared() {
  Verdict v;
  v.passed = false;
  v.message = "the scenario was not prepared";
  return v;
}

}  // namespace

std::string Verdict::Format(const std::string& file) const {
  if (passed) return "";
  return fmt::format("{}:{}: {}", file, line, message);
}

// The steps of a run, one kind each: what each does to the World and which
// events it emits.
class Session::Steps {
 public:
  explicit Steps(Session* session)
      : session_(*session),
        world_(session->world_),
        caller_(&session->world_, session->scenario_,
                &session->error_queue_clean_) {}

  Verdict Run(const scenario::Step& step, int number) {
    return std::visit(
        [&](const auto& s) {
          trace::StepId id{number, 0, s.pos.line, ""};
          if (session_.tag_connections_) id.connection = world_.current().name;
          return Do(s, id);
        },
        step);
  }

 private:
  void Emit(trace::Event&& event) { session_.Emit(std::move(event)); }

  wire::Wire& Wire() { return *world_.current().wire; }
  Endpoint& At(wire::Side side) { return world_.current().endpoint(side); }

  trace::InFlight InFlight() { return caller_.InFlight(); }
  trace::Transport Transport() { return caller_.Transport(); }

  static Verdict Fail(const trace::StepId& id, std::string message) {
    Verdict v;
    v.passed = false;
    v.line = id.line;
    v.message = std::move(message);
    return v;
  }

  void MakeCall(wire::Side side, Call call, const scenario::CallStep& step,
                trace::CallEvent* out_event) {
    caller_.Make(side, call, step, out_event);
  }

  Verdict Do(const scenario::CallStep& step, const trace::StepId& id) {
    trace::CallEvent ev;
    ev.id = id;
    ev.call = scenario::CallText(step);
    if (step.write_data.size() > trace::kLongData) {  // shortened
      ev.call = std::string(scenario::CallName(step.call)) + " " +
                trace::DataText(step.write_data) +
                (step.moved_buffer ? " moved" : "");
    }
    MakeCall(step.side, step.call, step, &ev);
    if (step.call == Call::kWrite) {
      Endpoint& e = At(step.side);
      if (ev.ret <= 0 && (ev.error == SSL_ERROR_WANT_WRITE ||
                          ev.error == SSL_ERROR_WANT_READ)) {
        e.pending_write = step;
      } else {
        e.pending_write.reset();
      }
    }
    std::optional<std::string> m;
    if (step.expect) m = Mismatch(*step.expect, ev);
    Verdict v;
    if (m) {
      v = Fail(id,
               fmt::format("{} {}: {}", proto::SideName(ev.side), ev.call, *m));
    }
    Emit(std::move(ev));
    return v;
  }

  Verdict Do(const scenario::DeliverStep& step, const trace::StepId& id) {
    trace::DeliveryEvent ev;
    ev.id = id;
    ev.from = step.from;
    ev.amount = scenario::AmountText(step.amount);
    ev.delivery = Wire().Deliver(ev.from, ToWire(step.amount));
    ev.expect_fails = step.expect.has_value();
    ev.in_flight = InFlight();
    ev.transport = Transport();
    Verdict v;
    // What a success did, said only when a failure was expected.
    std::string did =
        step.expect ? fmt::format("delivered {} bytes", ev.delivery.delivered)
                    : std::string();
    if (std::optional<std::string> m =
            WireMismatch(step.expect, ev.delivery.ok, ev.delivery.error, did)) {
      v = Fail(id,
               fmt::format("deliver {} {}: {}",
                           scenario::DirectionName(step.from), ev.amount, *m));
    }
    Emit(std::move(ev));
    return v;
  }

  Verdict Do(const scenario::CloseStep& step, const trace::StepId& id) {
    trace::CloseEvent ev;
    ev.id = id;
    ev.from = step.from;
    if (step.reset) {
      wire::Wire::ResetResult r = Wire().Reset(ev.from);
      ev.reset = true;
      ev.dropped = r.dropped;
      ev.discarded = r.discarded;
    } else {
      ev.dropped = Wire().Close(ev.from);
    }
    ev.in_flight = InFlight();
    ev.transport = Transport();
    Emit(std::move(ev));
    return {};
  }

  Verdict Do(const scenario::FaultStep& step, const trace::StepId& id) {
    trace::FaultEvent ev;
    ev.id = id;
    ev.from = step.from;
    ev.fault = scenario::FaultText(step);
    wire::FaultResult result;
    ev.ok = Wire().Apply(ev.from, ToWire(step), &result);
    ev.result = ev.ok ? result.description : result.error;
    ev.expect_fails = step.expect.has_value();
    ev.in_flight = InFlight();
    ev.transport = Transport();
    Verdict v;
    if (std::optional<std::string> m =
            WireMismatch(step.expect, ev.ok, ev.result, ev.result)) {
      v = Fail(id, fmt::format("{}: {}", ev.fault, *m));
    }
    Emit(std::move(ev));
    return v;
  }

  Verdict Do(const scenario::ConnectionStep& step, const trace::StepId& id) {
    std::string error;
    tls::SslSessionPtr session;
    if (step.resume) {
      Connection* from = world_.Find(step.resume->value);
      session.reset(
          SSL_get1_session(from->endpoint(wire::Side::kClient).ssl.get()));
    }
    if (!OpenConnection(&world_, step.name, &error)) {
      return Fail(id, "connection " + step.name + ": " + error);
    }
    trace::ConnectionEvent ev;
    ev.id = id;
    ev.id.connection = step.name;
    if (step.resume) {
      ev.resume = step.resume->value;
      // A TLS 1.3 client sends the ticket's age: time(NULL), which is the
      // scenario clock during a step (tls/clock.h), minus the time it read
      // the ticket, in whole seconds less one. It follows `clock` steps and
      // is the same in every run.
      SSL* client = At(wire::Side::kClient).ssl.get();
      if (session != nullptr && SSL_set_session(client, session.get()) == 1) {
        ev.session_declined = DeclinedSession(client, session.get());
        ev.session_offered = ev.session_declined.empty();
      }
      world_.current().session_offered = ev.session_offered;
    }
    ERR_clear_error();
    Emit(std::move(ev));
    return {};
  }

  Verdict Do(const scenario::ClockStep& step, const trace::StepId& id) {
    world_.clock = step.set ? step.seconds : world_.clock + step.seconds;
    // Connections already open verify at the new time too (a
    // renegotiation, a post-handshake certificate).
    for (const auto& c : world_.connections) {
      for (Endpoint& e : c->endpoints) {
        X509_VERIFY_PARAM_set_time(SSL_get0_param(e.ssl.get()),
                                   static_cast<time_t>(world_.clock));
      }
    }
    Emit(trace::ClockEvent{id, scenario::ClockText(step),
                           scenario::FormatTime(world_.clock)});
    return {};
  }

  Verdict Do(const scenario::SetStep& step, const trace::StepId& id) {
    trace::SettingEvent ev;
    ev.id = id;
    ev.side = step.side;
    ev.setting = scenario::SetText(step);
    ev.ok = ApplySetting(&world_, step, &ev.result);
    Verdict v;
    if (!ev.ok) v = Fail(id, "set " + ev.setting + ": " + ev.result);
    Emit(std::move(ev));
    return v;
  }

  // The Session resolved every `if` block for its series before the first
  // step (Resolve): none reaches a run.
  Verdict Do(const scenario::IfStep&, const trace::StepId& id) {
    return Fail(id, "an 'if' block reached the run unresolved");
  }

  Verdict Do(const scenario::DriveStep& step, const trace::StepId& id);
  Verdict Do(const scenario::ExpectStep& step, const trace::StepId& id);

  Verdict Do(const scenario::RunStep& step, const trace::StepId& id) {
    LoopHooks hooks;
    hooks.chooser = session_.chooser_;
    if (session_.listening()) {
      hooks.emit = [this](trace::Event&& e) { Emit(std::move(e)); };
    }
    std::vector<scenario::Step> plain;
    if (session_.record_plain_) hooks.plain = &plain;
    RunOutcome o = RunPrograms(&world_, session_.scenario_, &caller_,
                               session_.applications_, step, id, hooks);
    if (session_.record_plain_) {
      session_.plain_.pop_back();  // the run step itself
      for (scenario::Step& s : plain) {
        std::visit([&](auto& x) { x.pos = step.pos; }, s);
        session_.plain_.push_back(std::move(s));
      }
    }
    const char* want = RunVerdictName(step.expect);
    const char* seen = RunVerdictName(o.verdict);
    if (o.verdict != step.expect) {
      return Fail(id, fmt::format("run: expected {}, observed {}: {}", want,
                                  seen, o.detail));
    }
    if (step.failed_by && o.failed_first != step.failed_by) {
      return Fail(id,
                  fmt::format("run: expected failed by {}, observed "
                              "failed by {}: {}",
                              scenario::SideName(*step.failed_by),
                              scenario::SideName(*o.failed_first), o.detail));
    }
    return {};
  }

  // The observed value of a property, and whether it matches `step`.
  std::pair<std::string, bool> Observe(const scenario::ExpectStep& step);
  // The CA names received, as pki certificate names, comma-separated;
  // "none" when none.
  std::string CaNamesText(const STACK_OF(X509_NAME) * names);

  Session& session_;
  World& world_;
  Caller caller_;
};

Verdict Session::Steps::Do(const scenario::DriveStep& step,
                           const trace::StepId& id) {
  const std::string amount_text = scenario::AmountText(step.chunk);
  const wire::Amount chunk = ToWire(step.chunk);
  Emit(
      trace::DriveEvent{id,
                        fmt::format("deliver={} first={} limit={}", amount_text,
                                    scenario::SideName(step.first), step.limit),
                        false, "", ""});
  // The calls and deliveries of a drive are most of a run's events: with
  // nobody to tell, they are not even filled in.
  const bool listening = session_.listening();
  wire::Side first = step.first;
  std::array<wire::Side, 2> order = {first, wire::Peer(first)};
  enum class Status { kRunning, kDone, kFailed };
  std::array<Status, 2> status = {Status::kRunning, Status::kRunning};
  // Each side's last call, for the end's detail: ret, error, state.
  struct Last {
    bool called = false;
    int ret = 0;
    int error = 0;
    const char* state = "";
  };
  std::array<Last, 2> last;
  std::optional<wire::Side> failed_first;  // the side whose call failed first
  auto index = [](wire::Side s) { return static_cast<size_t>(s); };
  static const scenario::CallStep kNoArguments;
  int sub = 0;
  int64_t round = 0;
  bool moved = true;
  while (moved && round < step.limit &&
         (status[0] == Status::kRunning || status[1] == Status::kRunning)) {
    ++round;
    moved = false;
    for (wire::Side side : order) {
      if (status[index(side)] == Status::kRunning) {
        Endpoint& e = At(side);
        const bool retry_write = e.pending_write.has_value();
        Call call = retry_write ? Call::kWrite : e.handshake_call;
        // What the call gave the network, and (where the network can
        // refuse it) what it left in its BIO pair: a WANT_WRITE that
        // changed neither moved nothing.
        const uint64_t sent_before = Wire().sent_total(side);
        const bool can_hold = Wire().capacity(side) != SIZE_MAX;
        const size_t held_before = can_hold ? Wire().Held(side) : 0;
        trace::CallEvent ev;
        ++sub;
        if (listening) {
          ev.id = {id.number, sub, id.line, id.connection};
          ev.call = retry_write ? scenario::CallText(*e.pending_write)
                                : HandshakeCallText(call);
        }
        MakeCall(side, call, retry_write ? *e.pending_write : kNoArguments,
                 &ev);
        last[index(side)] = {true, ev.ret, ev.error, ev.state};
        if (retry_write && ev.ret > 0) {
          e.pending_write.reset();  // written: the handshake call is next
          moved = true;
        } else if (ev.ret == 1) {
          status[index(side)] = Status::kDone;
          moved = true;
        } else if (!IsRetryError(ev.error)) {
          status[index(side)] = Status::kFailed;
          if (!failed_first) failed_first = side;
          moved = true;
        } else if ((ev.error != SSL_ERROR_WANT_READ &&
                    ev.error != SSL_ERROR_WANT_WRITE) ||
                   Wire().sent_total(side) != sent_before ||
                   (can_hold && Wire().Held(side) != held_before)) {
          moved = true;
        }
        if (listening) Emit(std::move(ev));
        if (status[0] != Status::kRunning && status[1] != Status::kRunning) {
          break;  // what is still in flight stays there for later steps
        }
      }
      size_t in_flight = Wire().InFlight(side);
      if (in_flight == 0 || Wire().closed(side)) continue;
      wire::Amount amount = chunk;
      if (amount.kind == wire::Amount::Kind::kBytes) {
        amount.bytes = std::min(amount.bytes, in_flight);
      }
      trace::DeliveryEvent dev;
      dev.delivery = Wire().Deliver(side, amount);
      if (!dev.delivery.ok || dev.delivery.delivered == 0) continue;
      ++sub;
      moved = true;
      if (!listening) continue;
      dev.id = {id.number, sub, id.line, id.connection};
      dev.from = side;
      dev.amount = amount_text;
      dev.in_flight = InFlight();
      Emit(std::move(dev));
    }
  }
  std::string result;
  if (status[0] == Status::kDone && status[1] == Status::kDone) {
    result = "done";
  } else if (status[0] == Status::kFailed || status[1] == Status::kFailed) {
    result = "failed";
  } else {
    result = "stalled";
  }
  auto describe = [](const Last& l) {
    if (!l.called) return std::string("not called");
    return fmt::format("{} {} in {}", l.ret, proto::SslErrorText(l.error),
                       scenario::QuoteString(l.state));
  };
  trace::InFlight f = InFlight();
  std::string detail;
  const bool both_write = result == "stalled" && !moved &&
                          last[0].error == SSL_ERROR_WANT_WRITE &&
                          last[1].error == SSL_ERROR_WANT_WRITE;
  if (both_write) {
    // A deadlock of full buffers: say where every byte waits.
    auto side_text = [&](wire::Side side) {
      const Last& l = last[index(side)];
      const wire::Side peer = wire::Peer(side);
      const size_t capacity = Wire().capacity(side);
      return fmt::format(
          "{} {} -> {} {} in {}: {} bytes held in its BIO pair, {} in flight "
          "{}{}, {} delivered and unread by the {}",
          proto::SideName(side),
          At(side).pending_write
              ? scenario::CallText(*At(side).pending_write)
              : std::string(HandshakeCallText(At(side).handshake_call)),
          l.ret, proto::SslErrorText(l.error), scenario::QuoteString(l.state),
          Wire().Held(side), Wire().InFlight(side),
          scenario::DirectionName(side),
          capacity == SIZE_MAX ? std::string()
                               : fmt::format(" (capacity {})", capacity),
          Wire().Unread(side), proto::SideName(peer));
    };
    detail = fmt::format(
        "both sides wait on WANT_WRITE and nothing can move (round {}); {}; "
        "{}",
        round, side_text(wire::Side::kClient), side_text(wire::Side::kServer));
  } else {
    std::string why =
        result != "stalled" ? fmt::format("after {} rounds", round)
        : moved             ? fmt::format("no end within {} rounds", step.limit)
                : fmt::format("both sides wait and nothing moves (round {})",
                              round);
    detail = fmt::format("{}; client {}; server {}; in flight c>s {} s>c {}",
                         why, describe(last[0]), describe(last[1]), f[0], f[1]);
    if (world_.show_transport) {
      trace::Transport t = Transport();
      detail += fmt::format("; held c>s {} s>c {}; unread c>s {} s>c {}",
                            t.held[0], t.held[1], t.unread[0], t.unread[1]);
    }
  }
  static constexpr const char* kResults[] = {"done", "stalled", "failed"};
  const char* want = kResults[static_cast<int>(step.expect)];
  Verdict v;
  if (result != want) {
    v = Fail(id, fmt::format("drive: expected {}, observed {}: {}", want,
                             result, detail));
  } else if (step.failed_by && failed_first != step.failed_by) {
    v = Fail(id, fmt::format("drive: expected failed by {}, observed failed "
                             "by {}: {}",
                             scenario::SideName(*step.failed_by),
                             scenario::SideName(*failed_first), detail));
  }
  Emit(trace::DriveEvent{id, "", true, std::move(result), std::move(detail)});
  return v;
}
std::string Session::Steps::CaNamesText(const STACK_OF(X509_NAME) * names) {
  if (names == nullptr || sk_X509_NAME_num(names) == 0) return "none";
  std::string out;
  for (int i = 0; i < sk_X509_NAME_num(names); ++i) {
    const X509_NAME* name = sk_X509_NAME_value(names, i);
    std::string text;
    for (const scenario::CertDecl& c : session_.scenario_.pki) {
      const tls::Issued* issued = world_.pki.Find(c.name);
      if (issued != nullptr &&
          X509_NAME_cmp(X509_get_subject_name(issued->cert.get()), name) == 0) {
        text = c.name;
        break;
      }
    }
    if (text.empty()) {  // no certificate of the pki block has that subject
      char line[256];
      X509_NAME_oneline(name, line, sizeof line);
      text = line;
    }
    if (!out.empty()) out += ",";
    out += text;
  }
  return out;
}

std::pair<std::string, bool> Session::Steps::Observe(
    const scenario::ExpectStep& step) {
  using scenario::Property;
  SSL* ssl = At(step.side).ssl.get();
  const auto* text = std::get_if<std::string>(&step.value);
  auto same_text = [&](const std::string& observed) {
    return std::pair{observed, text != nullptr && *text == observed};
  };
  auto same_number = [&](int64_t observed) {
    const auto* want = std::get_if<int64_t>(&step.value);
    return std::pair{std::to_string(observed),
                     want != nullptr && *want == observed};
  };
  auto same_flag = [&](bool observed) {
    const bool* want = std::get_if<bool>(&step.value);
    return std::pair{std::string(observed ? "yes" : "no"),
                     want != nullptr && *want == observed};
  };
  switch (step.property) {
    case Property::kVersion: {
      std::string observed = SSL_get_session(ssl) == nullptr
                                 ? "none"
                                 : proto::VersionText(SSL_version(ssl));
      const auto* want = std::get_if<scenario::Version>(&step.value);
      return {observed, want != nullptr
                            ? scenario::VersionName(*want) == observed
                            : text != nullptr && *text == observed};
    }
    case Property::kCipher: {
      const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
      if (c == nullptr) return same_text("none");
      std::string observed = SSL_CIPHER_get_name(c);
      bool ok = text != nullptr &&
                (*text == observed || *text == SSL_CIPHER_standard_name(c));
      return {observed, ok};
    }
    case Property::kGroup: {
      // OpenSSL 3.0 reads the session's group: with no session yet (no
      // ClientHello written or read) SSL_get_negotiated_group would crash.
      if (SSL_get_session(ssl) == nullptr) return same_text("none");
      int nid = tls::NegotiatedGroup(ssl);
      if (nid == 0) return same_text("none");
      const char* names[] = {tls::GroupName(ssl, nid), OBJ_nid2sn(nid),
                             OBJ_nid2ln(nid), EC_curve_nid2nist(nid)};
      std::string observed = names[0] ? names[0] : std::to_string(nid);
      bool ok =
          text != nullptr &&
          std::any_of(std::begin(names), std::end(names),
                      [&](const char* n) { return EqualNoCase(*text, n); });
      return {observed, ok};
    }
    case Property::kAlpn: {
      const unsigned char* proto = nullptr;
      unsigned int len = 0;
      SSL_get0_alpn_selected(ssl, &proto, &len);
      return same_text(
          len == 0 ? "none"
                   : std::string(reinterpret_cast<const char*>(proto), len));
    }
    case Property::kServerName: {
      const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      return same_text(name ? name : "none");
    }
    case Property::kVerifyResult:
      return same_text(tls::VerifyResultName(SSL_get_verify_result(ssl)));
    case Property::kSessionReused:
      return same_flag(SSL_session_reused(ssl) == 1);
    case Property::kHandshakeDone:
      return same_flag(SSL_is_init_finished(ssl) == 1);
    case Property::kInFlight:
      return same_number(static_cast<int64_t>(Wire().InFlight(step.side)));
    case Property::kHeld:
      return same_number(static_cast<int64_t>(Wire().Held(step.side)));
    case Property::kUnread:
      return same_number(static_cast<int64_t>(Wire().Unread(step.side)));
    case Property::kTickets:
      return same_number(At(step.side).log->tickets_received);
    case Property::kEarlyData:
      switch (SSL_get_early_data_status(ssl)) {
        case SSL_EARLY_DATA_ACCEPTED:
          return same_text("accepted");
        case SSL_EARLY_DATA_REJECTED:
          return same_text("rejected");
        default:
          return same_text("not_sent");
      }
    case Property::kCaNames:
      return same_text(CaNamesText(SSL_get0_peer_CA_list(ssl)));
    case Property::kProgramRead:
      return same_text(
          world_.current().programs[static_cast<size_t>(step.side)].read);
    case Property::kProgram:
      return same_text(
          ProgramStatusText(session_.scenario_, world_.current(), step.side));
    case Property::kResumption: {
      if (SSL_session_reused(ssl) != 1) return same_text("none");
      // An external PSK resumes nothing the client was given to resume.
      if (!world_.current().session_offered &&
          !world_.configs[static_cast<size_t>(wire::Side::kClient)]
               .psk_identity.empty()) {
        return same_text("psk");
      }
      if (SSL_version(ssl) == TLS1_3_VERSION) return same_text("ticket");
      const SSL_SESSION* session = SSL_get_session(ssl);
      return same_text(session != nullptr && SSL_SESSION_has_ticket(session)
                           ? "ticket"
                           : "session_id");
    }
    case Property::kTicket: {
      const SSL_SESSION* session = SSL_get_session(ssl);
      return same_flag(session != nullptr &&
                       SSL_SESSION_has_ticket(session) == 1);
    }
    case Property::kSniReceived: {
      const std::string& name = At(step.side).log->sni_received;
      return same_text(name.empty() ? "none" : name);
    }
    case Property::kTicketLifetime: {
      const SSL_SESSION* session = SSL_get_session(ssl);
      if (session == nullptr || SSL_SESSION_has_ticket(session) != 1) {
        return same_text("none");
      }
      return same_number(
          static_cast<int64_t>(SSL_SESSION_get_ticket_lifetime_hint(session)));
    }
    case Property::kPeerCertType:
      return SameName(
          text, tls::KeyTypeNames(X509_get0_pubkey(tls::PeerCertificate(ssl))));
    case Property::kPeerSigType: {
      int nid = NID_undef;
      if (SSL_get_peer_signature_type_nid(ssl, &nid) != 1) {
        return same_text("none");
      }
      return SameName(text, tls::SignatureTypeNames(nid));
    }
    case Property::kPeerSigHash: {
      int nid = NID_undef;
      if (SSL_get_peer_signature_nid(ssl, &nid) != 1) return same_text("none");
      return SameName(text, tls::DigestNames(nid));
    }
    case Property::kPeerTmpKey: {
      EVP_PKEY* key = nullptr;
      if (SSL_get_peer_tmp_key(ssl, &key) != 1) key = nullptr;
      tls::EvpPkeyPtr owned(key);  // SSL_get_peer_tmp_key took a reference
      return SameName(text, tls::KeyTypeNames(key));
    }
  }
  return {"?", false};
}

Verdict Session::Steps::Do(const scenario::ExpectStep& step,
                           const trace::StepId& id) {
  std::string want = std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) return v;
        if constexpr (std::is_same_v<T, scenario::Version>) {
          return scenario::VersionName(v);
        }
        if constexpr (std::is_same_v<T, bool>) return v ? "yes" : "no";
        if constexpr (std::is_same_v<T, int64_t>) return std::to_string(v);
      },
      step.value);
  std::string subject = scenario::ExpectSubject(step);
  auto [observed, ok] = Observe(step);
  if (step.property == scenario::Property::kProgramRead) {
    // Bytes, as a string is written: quoted, escaped, long ones shortened.
    want = trace::DataText(want);
    observed = trace::DataText(observed);
  }
  Verdict v;
  if (!ok) {
    v = Fail(id, fmt::format("{}: expected {}, observed {}", subject, want,
                             observed));
  }
  Emit(trace::ExpectEvent{id, fmt::format("{} = {}", subject, want),
                          std::move(observed), ok});
  return v;
}

const scenario::Scenario& Session::Resolve(const scenario::Scenario& scenario,
                                           std::string_view source) {
  proto::OpensslSeries series;
  scenario::Diagnostic error;
  if (!DecideHere(scenario, source, &series, &not_applicable_, &error)) {
    undecided_ = std::move(error);
    return scenario;
  }
  // A scenario without blocks runs as it is: no copy.
  if (!scenario::HasBlocks(scenario)) return scenario;
  resolved_ = scenario::ForSeries(scenario, series);
  return *resolved_;
}

Session::Session(const scenario::Scenario& scenario, std::string_view source)
    : scenario_(Resolve(scenario, source)),
      source_(source),
      steps_(scenario_.steps) {
  tag_connections_ =
      std::any_of(steps_.begin(), steps_.end(), [](const scenario::Step& s) {
        return std::holds_alternative<scenario::ConnectionStep>(s);
      });
  header_ = {scenario_.file, scenario_.title, OpenSSL_version(OPENSSL_VERSION)};
}

bool Session::Prepare(scenario::Diagnostic* out_error) {
  if (undecided_) {
    *out_error = *undecided_;
    return false;
  }
  if (!not_applicable_.empty()) {
    // Nothing of it is for this series, its settings included (a group
    // this OpenSSL does not have, say): no World, no step.
    prepared_ = true;
    next_ = steps_.size();
    verdict_.not_applicable = not_applicable_;
    return true;
  }
  world_.record_keylog = record_keylog_;
  tls::ClockScope clock(scenario_.clock.value_or(kDefaultClock));
  prepared_ = BuildWorld(scenario_, source_, &world_, out_error);
  // A second connection may resume a session the contexts cached, and the
  // cache outlives a rewind: such scenarios run from scratch instead.
  rewindable_ = prepared_ && scenario_.seed.has_value() && !tag_connections_ &&
                tls::GetRandomPosition(world_.libctx.get(), &prepared_at_);
  return prepared_;
}

bool Session::Rewind() {
  if (!rewindable_) return false;
  world_.connections.clear();
  world_.tapes = TapeDeck();
  world_.clock = scenario_.clock.value_or(kDefaultClock);
  world_.keylog = trace::KeyLog();
  std::string error;
  {
    tls::RunScope scope(world_.libctx.get(), world_.clock);
    if (!OpenConnection(&world_, "main", &error)) return false;
  }
  // Whatever opening the connection drew, the stream goes on from where a
  // fresh run's first step finds it.
  if (!tls::RewindRandom(world_.libctx.get(), prepared_at_)) return false;
  ERR_clear_error();
  error_queue_clean_ = true;
  next_ = 0;
  failed_ = false;
  finished_ = false;
  verdict_ = {};
  footer_ = {};
  events_.clear();
  plain_.clear();
  return true;
}

void Session::TapeSide(wire::Side side, Tape* tape) {
  *tape = Tape();
  if (!prepared_) {
    tape->why_not = "the scenario was not prepared";
    return;
  }
  world_.tapes.recording[static_cast<size_t>(side)] = tape;
  wire().KeepSent(true);
}

void Session::FinishTape() {
  if (!prepared_) return;
  const wire::Wire& w = wire();
  for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
    const size_t i = static_cast<size_t>(side);
    Tape* tape = world_.tapes.recording[i];
    if (tape == nullptr) continue;
    world_.tapes.recording[i] = nullptr;
    tape->output = w.kept(side);
    tape->input = w.kept(wire::Peer(side));
    if (tape->why_not.empty() && applications_[i] != nullptr) {
      tape->why_not = "an application sits in its seat";
    }
    for (const TapedCall& t : tape->calls) {
      if (tape->why_not.empty() && t.written + t.wrote > tape->output.size()) {
        tape->why_not = "bytes it wrote were still held when the run ended";
      }
    }
    tape->usable = tape->why_not.empty();
  }
  wire().KeepSent(false);
}

bool Session::PlaySide(wire::Side side, const Tape* tape) {
  if (!prepared_ || tape == nullptr || !tape->usable) return false;
  const size_t i = static_cast<size_t>(side);
  if (applications_[i] != nullptr) return false;
  world_.tapes.playing[i] = tape;
  world_.tapes.next[i] = 0;
  world_.tapes.state[i] = nullptr;
  return true;
}

scenario::Scenario Session::PlainScenario() const {
  scenario::Scenario out = scenario_;
  out.steps.clear();
  out.programs.clear();
  // Expectations about programs have no program left to check; the plain
  // reads check the bytes instead.
  for (const scenario::Step& step : plain_) {
    const auto* expect = std::get_if<scenario::ExpectStep>(&step);
    if (expect != nullptr &&
        (expect->property == scenario::Property::kProgramRead ||
         expect->property == scenario::Property::kProgram)) {
      continue;
    }
    out.steps.push_back(step);
  }
  return out;
}

int Session::next_line() const {
  if (done()) return 0;
  return std::visit([](const auto& s) { return s.pos.line; }, steps_[next_]);
}

void Session::Start() {
  if (started_) return;
  started_ = true;
  for (trace::Observer* o : observers_) o->OnHeader(header_);
}

void Session::Emit(trace::Event&& event) {
  for (trace::Observer* o : observers_) {
    o->OnEvent(event);
    error_queue_clean_ = false;  // an observer may call OpenSSL
  }
  if (keep_events_) events_.push_back(std::move(event));
}

Verdict Session::Step() {
  Start();
  if (!prepared_) {
    verdict_ = Unprepared();
    return verdict_;
  }
  if (done()) return verdict_;
  // The caller may have used OpenSSL since the last step: what its own
  // calls wrote is in flight now, like anything a step's call writes.
  error_queue_clean_ = false;
  wire().Collect();
  Steps steps(this);
  // OpenSSL reads the scenario clock, not the wall's, and draws from this
  // run's random stream during the step.
  tls::RunScope scope(world_.libctx.get(), world_.clock);
  size_t index = next_++;
  if (record_plain_) plain_.push_back(steps_[index]);
  Verdict v = steps.Run(steps_[index], static_cast<int>(index) + 1);
  if (!v.passed) {
    failed_ = true;
    verdict_ = v;
  }
  return v;
}

Verdict Session::Finish() {
  if (finished_) return verdict_;
  finished_ = true;
  // What the run left on the thread's error queue (`clear_errors = off`,
  // raise_error) stays out of whatever this thread runs next.
  ERR_clear_error();
  error_queue_clean_ = true;
  Start();
  if (!prepared_) verdict_ = Unprepared();
  footer_ = trace::Footer();
  footer_.passed = verdict_.passed;
  footer_.message = verdict_.Format(scenario_.file);
  footer_.not_applicable = verdict_.not_applicable;
  for (const auto& c : world_.connections) {
    trace::WireDigest d;
    d.connection = c->name;
    for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
      size_t i = static_cast<size_t>(side);
      d.bytes[i] = c->wire->sent_total(side);
      d.sha256[i] = c->wire->SentDigest(side);
    }
    footer_.digests.push_back(std::move(d));
  }
  for (trace::Observer* o : observers_) o->OnFooter(footer_);
  return verdict_;
}

}  // namespace tlsim::run
