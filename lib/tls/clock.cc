#include "lib/tls/clock.h"

#include <ctime>

namespace tlsim::tls {
namespace {

// Per thread: one test may run scenarios on several threads at once.
thread_local bool active = false;
thread_local int64_t scenario_now = 0;

}  // namespace

ClockScope::ClockScope(int64_t now) {
  if (active) outer_ = scenario_now;
  active = true;
  scenario_now = now;
}

ClockScope::~ClockScope() {
  active = outer_.has_value();
  scenario_now = outer_.value_or(0);
}

std::optional<int64_t> ScenarioNow() {
  if (!active) return std::nullopt;
  return scenario_now;
}

}  // namespace tlsim::tls

// libc's time(), replaced for the whole program: the dynamic linker binds
// OpenSSL's calls (and ours) to the first definition it finds, which is
// this one. Outside a ClockScope it reads the wall clock as libc does.
extern "C" time_t time(time_t* out) noexcept {
  time_t now;
  if (tlsim::tls::active) {
    now = static_cast<time_t>(tlsim::tls::scenario_now);
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now = ts.tv_sec;
  }
  if (out != nullptr) *out = now;
  return now;
}
