#include "lib/run/runner.h"

namespace tlsim::run {

Verdict Runner::Run(const std::vector<trace::Observer*>& observers) {
  for (trace::Observer* o : observers) session_.AddObserver(o);
  while (!session_.done()) session_.Step();
  return session_.Finish();
}

}  // namespace tlsim::run
