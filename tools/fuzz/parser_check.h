// What must hold for any bytes given to the scenario parser, checked by the
// libFuzzer target (tools/fuzz/parser_fuzzer.cc) and, on the inputs it once
// broke, by tests/parser_fuzz_regression_test:
//
// - text that parses prints canonically and parses back to an equal
//   Scenario (Parse(Print(s)) == s), and printing that again gives the
//   same text;
// - text that does not parse gives a Diagnostic inside the file: a line
//   that exists, a column on it, the line's own text, a one-line message.
//
//   std::string why = fuzz::CheckParserInput(bytes);
//   if (!why.empty()) { std::fprintf(stderr, "%s\n", why.c_str()); abort(); }
#pragma once

#include <string>
#include <string_view>

namespace tlsim::fuzz {

// Empty when every property above holds for `text`; otherwise what broke.
[[nodiscard]] std::string CheckParserInput(std::string_view text);

}  // namespace tlsim::fuzz
