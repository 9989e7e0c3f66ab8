// A message about a place in a scenario file, in the form compilers use:
//
//   a.tlsim:12:7: error: unknown call 'conect'
//   client conect -> 1
//          ^
#pragma once

#include <string>

namespace tlsim::scenario {

struct Diagnostic {
  std::string file;
  int line = 0;  // 0: about the whole file (cannot read it, ...)
  int col = 0;
  std::string message;
  std::string source_line;  // the offending line, without its newline

  // "file:line:col: error: message\n<line>\n<caret>\n"; without a line,
  // "file: error: message\n".
  std::string Format() const;
};

}  // namespace tlsim::scenario
