#include "lib/shrink/failure.h"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <array>
#include <cctype>
#include <optional>
#include <variant>
#include <vector>

#include "lib/run/runner.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "lib/trace/event.h"

namespace tlsim::shrink {
namespace {

// Keeps the last event of a run: the failed step's own (a call, an
// expectation, a delivery, a fault, a setting) is emitted last. And each
// side's last call, for a `run` or a `drive`, which make many.
class LastEvent : public trace::Observer {
 public:
  void OnHeader(const trace::Header&) override {}
  void OnEvent(const trace::Event& event) override {
    if (const auto* call = std::get_if<trace::CallEvent>(&event)) {
      calls[static_cast<size_t>(call->side)] = *call;
    }
    last = event;
  }
  void OnFooter(const trace::Footer&) override {}
  std::optional<trace::Event> last;
  std::array<std::optional<trace::CallEvent>, 2> calls;
};

template <typename T>
const T* Last(const LastEvent& events) {
  return events.last ? std::get_if<T>(&*events.last) : nullptr;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// "deadlock" from "run: expected done, observed deadlock: ...", "failed by
// server" from "... expected failed by client, observed failed by server:
// ...".
std::string ObservedVerdict(const std::string& message) {
  size_t at = message.find(", observed ");
  if (at == std::string::npos) return MaskNumbers(message);
  at += 11;
  size_t end = message.find(':', at);
  return message.substr(
      at, end == std::string::npos ? std::string::npos : end - at);
}

bool Wants(int error) {
  return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE;
}

// How a `run` or a `drive` (step number `number`) ended: its observed verdict
// and where each side stands, by its last call in the step: "observed
// deadlock; client write -> WANT_WRITE (blocks until writable); server
// accept -> WANT_WRITE (blocks until writable)". After `failed`, only the
// sides that failed: the other's last call is whatever it was doing then.
std::string LoopHow(const std::string& message, const LastEvent& events,
                    int number) {
  std::string verdict = ObservedVerdict(message);
  std::string how = "observed " + verdict;
  bool failed = verdict.substr(0, 6) == "failed";
  for (const auto& call : events.calls) {
    if (!call || call->id.number != number) continue;
    // A run's note: "waits for readable", "blocks until writable", "next:
    // read 100", "program done", "program failed: ...".
    std::string note = call->note.substr(0, call->note.find(':'));
    bool side_failed =
        note.empty() ? call->ret <= 0 && call->error != 0 && !Wants(call->error)
                     : note == "program failed";
    if (failed && !side_failed) continue;
    std::string name = call->call.substr(0, call->call.find(' '));
    how += fmt::format("; {} {} -> {}", scenario::SideName(call->side), name,
                       call->error_name());
    if (call->reason != 0) {
      how += " " + scenario::QuoteString(call->reason_text());
    }
    if (!note.empty()) how += " (" + note + ")";
  }
  return how;
}

// Which item of a call's outcome differed first, from the mismatch part of
// the message (run/outcome.cc writes it).
std::string MismatchedItem(const scenario::CallStep& step,
                           const trace::CallEvent& ev,
                           std::string_view mismatch) {
  struct Head {
    const char* prefix;
    const char* item;
  };
  static constexpr Head kHeads[] = {
      {"expected reason containing ", "reason"},
      {"expected state ", "state"},
      {"expected data ", "data"},
      {"expected alert sent ", "alert sent"},
      {"expected alert received ", "alert received"},
      {"expected verify result ", "verify result"},
      {"expected errno=", "errno"},
  };
  for (const Head& h : kHeads) {
    if (StartsWith(mismatch, h.prefix)) return h.item;
  }
  if (step.expect && step.expect->ret && *step.expect->ret != ev.ret) {
    return "return value";
  }
  return "error";
}

std::string How(const scenario::CallStep& step, const LastEvent& events,
                const std::string& message) {
  std::string call = fmt::format("{} {}", scenario::SideName(step.side),
                                 scenario::CallName(step.call));
  const trace::CallEvent* ev = Last<trace::CallEvent>(events);
  if (ev == nullptr) return call + ": " + MaskNumbers(message);
  std::string prefix =
      fmt::format("{} {}: ", scenario::SideName(ev->side), ev->call);
  std::string_view mismatch = message;
  if (StartsWith(mismatch, prefix)) mismatch.remove_prefix(prefix.size());
  return fmt::format("{}: {}, observed {}", call,
                     MismatchedItem(step, *ev, mismatch),
                     ev->returns ? ev->error_name() : "nothing");
}

std::string How(const scenario::ExpectStep& step, const LastEvent& events,
                const std::string& message) {
  std::string subject = scenario::ExpectSubject(step);
  const trace::ExpectEvent* ev = Last<trace::ExpectEvent>(events);
  if (ev == nullptr) return subject + ": " + message;
  return subject + " observed " + ev->observed;
}

// A wire step: it succeeded where it had to fail, or it failed (with a
// message compared without its numbers).
std::string WireHow(const std::string& what, bool ok,
                    const std::string& error) {
  return what + (ok ? " succeeded" : " failed: " + MaskNumbers(error));
}

// The kind and `how` of the failed `step`, the `number`th.
void Classify(const scenario::Step& step, int number, const LastEvent& events,
              Failure* f) {
  const std::string& m = f->message;
  std::visit(
      [&](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, scenario::CallStep>) {
          f->kind = "call";
          f->how = How(s, events, m);
        } else if constexpr (std::is_same_v<T, scenario::ExpectStep>) {
          f->kind = "expect";
          f->how = How(s, events, m);
        } else if constexpr (std::is_same_v<T, scenario::RunStep>) {
          f->kind = "run";
          f->how = LoopHow(m, events, number);
        } else if constexpr (std::is_same_v<T, scenario::DriveStep>) {
          f->kind = "drive";
          f->how = LoopHow(m, events, number);
        } else if constexpr (std::is_same_v<T, scenario::DeliverStep>) {
          f->kind = "deliver";
          std::string dir(scenario::DirectionName(s.from));
          const auto* ev = Last<trace::DeliveryEvent>(events);
          f->how = ev ? WireHow(dir, ev->delivery.ok, ev->delivery.error)
                      : dir + ": " + MaskNumbers(m);
        } else if constexpr (std::is_same_v<T, scenario::FaultStep>) {
          f->kind = "fault";
          std::string text = scenario::FaultText(s);
          // The fault's name and direction: "drop server->client".
          size_t second = text.find(' ', text.find(' ') + 1);
          std::string what = text.substr(0, second);
          const auto* ev = Last<trace::FaultEvent>(events);
          f->how = ev ? WireHow(what, ev->ok, ev->result)
                      : what + ": " + MaskNumbers(m);
        } else if constexpr (std::is_same_v<T, scenario::SetStep>) {
          f->kind = "set";
          const auto* ev = Last<trace::SettingEvent>(events);
          std::string text = scenario::SetText(s);
          std::string key = text.substr(0, text.find(' '));
          f->how = fmt::format("{} {}: {}", scenario::SideName(s.side), key,
                               MaskNumbers(ev ? ev->result : m));
        } else if constexpr (std::is_same_v<T, scenario::ConnectionStep>) {
          f->kind = "connection";
          std::string prefix = "connection " + s.name + ": ";
          f->how =
              MaskNumbers(StartsWith(m, prefix) ? m.substr(prefix.size()) : m);
        } else if constexpr (std::is_same_v<T, scenario::CloseStep>) {
          f->kind = "close";
          f->how = MaskNumbers(m);
        } else if constexpr (std::is_same_v<T, scenario::ClockStep>) {
          f->kind = "clock";
          f->how = MaskNumbers(m);
        }
      },
      step);
}

}  // namespace

std::string MaskNumbers(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i]))) {
      out += 'N';
      while (i + 1 < text.size() &&
             std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        ++i;
      }
    } else {
      out += text[i];
    }
  }
  return out;
}

RunResult RunScenario(const scenario::Scenario& scenario,
                      std::string_view source, Failure* out_failure,
                      scenario::Diagnostic* out_error) {
  run::Runner runner(scenario, source);
  runner.session().RecordKeyLog(false);
  if (!runner.Prepare(out_error)) return RunResult::kRefused;
  LastEvent events;
  run::Verdict v = runner.Run({&events});
  if (!v.not_applicable.empty()) return RunResult::kNotApplicable;
  if (v.passed) return RunResult::kPassed;
  Failure f;
  // Step() moved past the failed step before running it; the steps are
  // those that ran here (the blocks resolved).
  const std::vector<scenario::Step>& ran = runner.session().scenario().steps;
  f.step = runner.session().next_step() - 1;
  f.line = v.line;
  f.message = v.message;
  if (f.step < ran.size()) {
    Classify(ran[f.step], static_cast<int>(f.step) + 1, events, &f);
  } else {
    f.kind = "scenario";
    f.how = v.message;
  }
  *out_failure = std::move(f);
  return RunResult::kFailed;
}

RunResult RunText(std::string_view file, std::string_view text,
                  Failure* out_failure, scenario::Diagnostic* out_error) {
  scenario::Scenario parsed;
  if (!scenario::Parse(file, text, &parsed, out_error)) {
    return RunResult::kRefused;
  }
  return RunScenario(parsed, text, out_failure, out_error);
}

}  // namespace tlsim::shrink
