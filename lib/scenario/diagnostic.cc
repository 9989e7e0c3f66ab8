#include "lib/scenario/diagnostic.h"

#include <string>

namespace tlsim::scenario {
namespace {

// A byte that would act on a terminal rather than show (a control byte
// other than a tab, or DEL).
bool ActsOnTerminal(unsigned char c) {
  return (c < 0x20 && c != '\t') || c == 0x7f;
}

}  // namespace

std::string Diagnostic::Format() const {
  if (line <= 0) return file + ": error: " + message + "\n";
  std::string out = file + ":" + std::to_string(line) + ":" +
                    std::to_string(col) + ": error: " + message + "\n";
  // The line as the terminal should show it: one '?' for each byte that
  // would act on it (an escape sequence could clear the screen), so that
  // columns stay where they were; the caret's indent keeps the line's tabs.
  std::string shown = source_line;
  for (char& c : shown) {
    if (ActsOnTerminal(static_cast<unsigned char>(c))) c = '?';
  }
  out += shown + "\n";
  for (int i = 0; i + 1 < col; ++i) {
    bool tab = static_cast<size_t>(i) < shown.size() && shown[i] == '\t';
    out += tab ? '\t' : ' ';
  }
  out += "^\n";
  return out;
}

}  // namespace tlsim::scenario
