#include "lib/tls/clock.h"

#include <sys/time.h>

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

// OpenSSL 3.2 and later read the time for sessions, tickets and their ages
// through ossl_time_now() (crypto/time.c), which calls gettimeofday() on
// Unix: replaced the same way, with no microseconds inside a ClockScope.
extern "C" int gettimeofday(struct timeval* __restrict out,
                            void* __restrict /*zone*/) noexcept {
  if (tlsim::tls::active) {
    out->tv_sec = static_cast<time_t>(tlsim::tls::scenario_now);
    out->tv_usec = 0;
    return 0;
  }
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  out->tv_sec = ts.tv_sec;
  out->tv_usec = ts.tv_nsec / 1000;
  return 0;
}
