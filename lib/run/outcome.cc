#include "lib/run/outcome.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "lib/proto/names.h"
#include "lib/scenario/printer.h"
#include "lib/trace/text.h"
#include "lib/wire/socket_bio.h"

namespace tlsim::run {
namespace {

// Data as a message shows it: quoted, and shortened past trace::kLongData.
std::string DataText(const std::string& data) {
  return data.size() > trace::kLongData ? trace::DataText(data)
                                        : scenario::QuoteString(data);
}

std::string FormatAlert(const trace::Alert& a) {
  return fmt::format("{}{}", a.level == 1 ? "warning:" : "fatal:",
                     proto::AlertDescriptionText(a.description));
}

bool AlertMatches(const scenario::AlertExpect& want, const trace::Alert& got) {
  if (want.level && static_cast<int>(*want.level) != got.level) return false;
  return want.description == got.description;
}

// An expected alert among those seen: for `none`, there must be none.
bool AlertSeen(const scenario::AlertExpect& want,
               const std::vector<trace::Alert>& seen) {
  if (want.description == scenario::AlertExpect::kNone) return seen.empty();
  return std::any_of(seen.begin(), seen.end(), [&](const trace::Alert& a) {
    return AlertMatches(want, a);
  });
}

std::string FormatAlerts(const std::vector<trace::Alert>& alerts) {
  if (alerts.empty()) return "none";
  std::string out;
  for (const trace::Alert& a : alerts) {
    out += (out.empty() ? "" : ", ") + FormatAlert(a);
  }
  return out;
}

// "ECONNRESET", or "none" when the transport failed nothing.
std::string ErrnoText(int value) {
  if (value == 0) return "none";
  const char* name = wire::ErrnoName(value);
  return name != nullptr ? name : fmt::format("errno({})", value);
}

// "-1 WANT_READ", with the errno and the reason when there are.
std::string Summary(const trace::CallEvent& e) {
  std::string out = fmt::format("{} {}", e.ret, e.error_name());
  if (e.sys_errno != 0) out += " errno=" + ErrnoText(e.sys_errno);
  if (e.reason != 0) {
    out += " reason " + scenario::QuoteString(e.reason_text());
  }
  return out;
}

}  // namespace

// The first mismatch between what a call step expects and what it did.
std::optional<std::string> Mismatch(const scenario::Outcome& want,
                                    const trace::CallEvent& got) {
  if (want.any) return std::nullopt;
  if (want.ret && *want.ret != got.ret) {
    return fmt::format("expected {}, observed {}", *want.ret, Summary(got));
  }
  if (want.error && scenario::SslErrorName(*want.error) != got.error_name()) {
    return fmt::format("expected {}, observed {}",
                       scenario::SslErrorName(*want.error), Summary(got));
  }
  if (want.reason &&
      got.reason_text().find(*want.reason) == std::string::npos) {
    return fmt::format("expected reason containing {}, observed {}",
                       scenario::QuoteString(*want.reason),
                       got.reason == 0
                           ? "no reason"
                           : scenario::QuoteString(got.reason_text()));
  }
  if (want.state && *want.state != std::string_view(got.state)) {
    return fmt::format("expected state {}, observed {}",
                       scenario::QuoteString(*want.state),
                       scenario::QuoteString(got.state));
  }
  if (want.data && *want.data != got.data) {
    return fmt::format("expected data {}, observed {}", DataText(*want.data),
                       DataText(got.data));
  }
  if (want.alert_sent && !AlertSeen(*want.alert_sent, got.alerts_sent)) {
    return fmt::format("expected alert sent {}, observed {}",
                       scenario::AlertText(*want.alert_sent),
                       FormatAlerts(got.alerts_sent));
  }
  if (want.alert_received &&
      !AlertSeen(*want.alert_received, got.alerts_received)) {
    return fmt::format("expected alert received {}, observed {}",
                       scenario::AlertText(*want.alert_received),
                       FormatAlerts(got.alerts_received));
  }
  if (want.verify && *want.verify != got.verify_result_name()) {
    return fmt::format("expected verify result {}, observed {}", *want.verify,
                       got.verify_result_name());
  }
  if (want.sys_errno && *want.sys_errno != ErrnoText(got.sys_errno)) {
    return fmt::format("expected errno={}, observed {}", *want.sys_errno,
                       Summary(got));
  }
  return std::nullopt;
}

std::optional<std::string> WireMismatch(
    const std::optional<scenario::WireOutcome>& want, bool ok,
    const std::string& error, const std::string& did) {
  if (!want) {
    if (ok) return std::nullopt;
    return error;
  }
  std::string fails = "expected it to fail";
  if (want->message) {
    fails += " with " + scenario::QuoteString(*want->message);
  }
  if (ok) return fmt::format("{}, it succeeded: {}", fails, did);
  if (want->message && error.find(*want->message) == std::string::npos) {
    return fmt::format("{}, observed {}", fails, scenario::QuoteString(error));
  }
  return std::nullopt;
}

}  // namespace tlsim::run
