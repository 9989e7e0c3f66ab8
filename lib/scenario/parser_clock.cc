// Steps that move the scenario clock: `clock advance DURATION` and
// `clock set TIME`. The clock only moves forward: a step that would move it
// back is an error here, before anything runs.
#include <cstdint>
#include <string>
#include <utility>

#include "lib/scenario/parser_internal.h"
#include "lib/scenario/printer.h"

namespace tlsim::scenario::internal {
namespace {

// Reads a duration like 90s, 2h, 1d12h30m5s (units d, h, m, s, each at most
// once, largest first). Returns 0 on success, 1 when `s` has no such form,
// 2 when it does but is too long, 3 when it starts with '-'.
int ParseDuration(std::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '-') return 3;
  static constexpr std::pair<char, int64_t> kUnits[] = {
      {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
  size_t next_unit = 0;
  size_t i = 0;
  int64_t total = 0;
  if (s.empty()) return 1;
  while (i < s.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (n > kLastClock) return 2;
      n = n * 10 + (s[i] - '0');
      ++i;
    }
    if (i == start || i == s.size()) return 1;
    while (next_unit < std::size(kUnits) && kUnits[next_unit].first != s[i]) {
      ++next_unit;
    }
    if (next_unit == std::size(kUnits)) return 1;
    if (n > kLastClock / kUnits[next_unit].second) return 2;
    total += n * kUnits[next_unit].second;
    if (total > kLastClock) return 2;
    ++next_unit;
    ++i;
  }
  *out = total;
  return 0;
}

}  // namespace

bool Parser::ParseClockStep(const Token& keyword) {
  ClockStep step;
  step.pos = PosOf(keyword);
  Token how = Take();  // advance | set
  if (how.text == "set") {
    Located<int64_t> time;
    if (!TakeTime("set", &time)) return false;
    step.set = true;
    step.seconds = time.value;
    // Where the clock stands depends on the steps each path took.
    OnPaths([&](PathState* path) -> std::optional<PathFailure> {
      if (time.value < path->clock) {
        return PathFailure{time.pos, "the clock cannot move backwards: it is " +
                                         FormatTime(path->clock) + " here"};
      }
      path->clock = time.value;
      return std::nullopt;
    });
  } else {
    const std::string what = "a duration like 90s, 2h or 1d12h";
    Token word;
    if (!TakeWord(what + " after 'advance'", &word)) return false;
    switch (ParseDuration(word.text, &step.seconds)) {
      case 0:
        break;
      case 3:
        return Error(word, "the clock cannot move backwards: '" + word.text +
                               "' is negative");
      case 2:
        return Error(word, "'" + word.text + "' takes the clock past " +
                               FormatTime(kLastClock));
      default:
        return Error(word, "expected " + what + ", found " + TokenName(word));
    }
    OnPaths([&](PathState* path) -> std::optional<PathFailure> {
      if (step.seconds > kLastClock - path->clock) {
        return PathFailure{PosOf(word), "'" + word.text +
                                            "' takes the clock past " +
                                            FormatTime(kLastClock)};
      }
      path->clock += step.seconds;
      return std::nullopt;
    });
  }
  AddStep(std::move(step));
  return ExpectEndOfLine();
}

}  // namespace tlsim::scenario::internal
