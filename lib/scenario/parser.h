// Scenario files in, typed Scenario out. The whole file is checked before
// anything runs: syntax, names, and references between statements (a leaf's
// issuer is a CA declared above it, `cert =` names a leaf, ...).
//
//   scenario::Scenario s;
//   scenario::Diagnostic d;
//   if (!scenario::ParseFile(path, &s, &d)) { std::cerr << d.Format(); }
#pragma once

#include <string>
#include <string_view>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"

namespace tlsim::scenario {

// Parses `text` as the contents of `file_name`. Returns false and fills
// `out_error` at the first error; `out` is then unspecified.
[[nodiscard]] bool Parse(std::string_view file_name, std::string_view text,
                         Scenario* out, Diagnostic* out_error);

// Reads and parses a file. An unreadable file is a Diagnostic with line 0.
[[nodiscard]] bool ParseFile(const std::string& path, Scenario* out,
                             Diagnostic* out_error);

// The source line `line` (1-based) of `text`, without its newline; empty
// when out of range. Lets later phases build Diagnostics too.
std::string SourceLine(std::string_view text, int line);

}  // namespace tlsim::scenario
