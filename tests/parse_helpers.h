// Parsing a scenario text in a parser test: one that must parse, and one
// whose formatted diagnostic (caret line included) is what the test checks.
//
//   Scenario s = MustParse("client connect -> 1\n");
//   CHECK(ParseError("client jump\n") == "t.tlsim:1:8: error: ...");
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/scenario/parser.h"

namespace tlsim::scenario {

// Parses `text` as the file t.tlsim, which must be valid.
inline Scenario MustParse(const std::string& text) {
  Scenario s;
  Diagnostic d;
  bool ok = Parse("t.tlsim", text, &s, &d);
  INFO(d.Format());
  REQUIRE(ok);
  return s;
}

// The formatted diagnostic for `text`, which must be invalid.
inline std::string ParseError(const std::string& text) {
  Scenario s;
  Diagnostic d;
  if (Parse("t.tlsim", text, &s, &d)) return "(parsed without error)";
  return d.Format();
}

}  // namespace tlsim::scenario
