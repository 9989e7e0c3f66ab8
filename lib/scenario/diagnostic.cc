#include "lib/scenario/diagnostic.h"

#include <string>

namespace tlsim::scenario {

std::string Diagnostic::Format() const {
  if (line <= 0) return file + ": error: " + message + "\n";
  std::string out = file + ":" + std::to_string(line) + ":" +
                    std::to_string(col) + ": error: " + message + "\n";
  out += source_line + "\n";
  out += std::string(col > 1 ? col - 1 : 0, ' ') + "^\n";
  return out;
}

}  // namespace tlsim::scenario
