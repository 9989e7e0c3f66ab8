#include "tools/fuzz/parser_check.h"

#include <algorithm>

#include "lib/scenario/diagnostic.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"

namespace tlsim::fuzz {
namespace {

constexpr char kFile[] = "fuzz.tlsim";

// Problems with a Diagnostic for `text`, or empty.
std::string CheckDiagnostic(std::string_view text,
                            const scenario::Diagnostic& d) {
  int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (d.file != kFile) return "the diagnostic names file '" + d.file + "'";
  if (d.line < 1 || d.line > lines) {
    return "the diagnostic's line " + std::to_string(d.line) +
           " is outside the file's " + std::to_string(lines) + " lines";
  }
  if (d.source_line != scenario::SourceLine(text, d.line)) {
    return "the diagnostic's source line is not line " +
           std::to_string(d.line) + " of the file";
  }
  // One column past the line's end is where "expected ..., found newline"
  // points.
  int max_col = static_cast<int>(d.source_line.size()) + 1;
  if (d.col < 1 || d.col > max_col) {
    return "the diagnostic's column " + std::to_string(d.col) +
           " is outside line " + std::to_string(d.line) + " (1.." +
           std::to_string(max_col) + ")";
  }
  if (d.message.empty()) return "the diagnostic has no message";
  if (d.message.find_first_of("\n\r") != std::string::npos) {
    return "the diagnostic's message spans lines: " + d.message;
  }
  std::string formatted = d.Format();
  if (formatted.rfind(std::string(kFile) + ":" + std::to_string(d.line) + ":",
                      0) != 0) {
    return "the formatted diagnostic does not start with file:line:";
  }
  return "";
}

}  // namespace

std::string CheckParserInput(std::string_view text) {
  scenario::Scenario first;
  scenario::Diagnostic d;
  if (!scenario::Parse(kFile, text, &first, &d)) {
    return CheckDiagnostic(text, d);
  }
  std::string printed = scenario::Print(first);
  scenario::Scenario second;
  if (!scenario::Parse(kFile, printed, &second, &d)) {
    return "the printed scenario does not parse: " + d.Format() + "printed:\n" +
           printed;
  }
  if (!(second == first)) {
    return "the printed scenario parses to a different scenario; printed:\n" +
           printed;
  }
  std::string again = scenario::Print(second);
  if (again != printed) {
    return "printing is not stable; first:\n" + printed + "second:\n" + again;
  }
  return "";
}

}  // namespace tlsim::fuzz
