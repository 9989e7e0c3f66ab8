// The parser's class and helpers, shared by its files; not part of the
// public API (parser.h is). A recursive-descent parser over the lexer's
// tokens with one token of lookahead (`tok_`). Every Parse* function returns
// false after filling the parser's Diagnostic through Error(), so callers
// write `return Error(pos, "...")`:
//
//   internal::Parser parser(file_name, text, &scenario);
//   if (!parser.ParseScenario()) report(parser.error());
//
// The grammar is split along its concepts:
//   parser.cc           statements, tokens, the public entry points
//   parser_header.cc    scenario, seed, clock, pki and name references
//   parser_settings.cc  client { ... } and server { ... } (from settings.h)
//   parser_steps.cc     calls and outcomes, deliveries, drive, connections
//   parser_expect.cc    expect lines
//   parser_faults.cc    wire faults and record selectors
//   parser_contexts.cc  server context blocks and set steps
//   parser_programs.cc  program blocks, their operations, and run steps
//   parser_versions.cc  requires, `if openssl ...` blocks and one-line
//                       conditions, and the checks each series' path of
//                       steps must pass
#pragma once

#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "lib/scenario/ast.h"
#include "lib/scenario/diagnostic.h"
#include "lib/scenario/lexer.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/settings.h"
#include "lib/scenario/spellings.h"
#include "lib/scenario/versions.h"

namespace tlsim::scenario::internal {

// The longest read a step may ask for.
inline constexpr int64_t kMaxReadLength = 1 << 20;
// The longest payload a write (or data=) may hold: "a" * 16777216.
inline constexpr int64_t kMaxPayload = 1 << 24;

// Reads all of `s` as a decimal integer (optional leading '-').
// Returns false when `s` is not one; sets *out_of_range when it is one
// that does not fit.
template <typename T>
bool ParseDecimal(std::string_view s, T* out, bool* out_of_range) {
  *out_of_range = false;
  if (s.empty()) return false;
  size_t digits = s[0] == '-' ? 1 : 0;
  if (digits == s.size()) return false;
  for (size_t i = digits; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  if (std::is_unsigned_v<T> && s[0] == '-') {
    *out_of_range = true;  // a negative number, for an unsigned value
    return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (ec == std::errc::result_out_of_range) {
    *out_of_range = true;
    return false;
  }
  return ec == std::errc() && end == s.data() + s.size();
}

// " (allowed: MIN to MAX)", for messages about a number out of its range;
// empty when `what` names its numbers itself ("a size from 1 to 1048576").
template <typename T>
std::string RangeText(std::string_view what, T min, T max) {
  if (what.find_first_of("0123456789") != std::string_view::npos) return "";
  return " (allowed: " + std::to_string(min) + " to " + std::to_string(max) +
         ")";
}

bool LooksLikeInteger(std::string_view s);
// Splits "a,b,c" at commas; empty items are kept so the caller can refuse
// them.
std::vector<std::string> SplitList(std::string_view s);
bool LookupVersion(std::string_view name, Version* out);
bool LookupSide(std::string_view name, Side* out);
inline Pos PosOf(const Token& t) { return Pos{t.line, t.col}; }

// What the steps so far did on one series' path through the `if` blocks:
// the connections opened, the clock, the directions reset. Steps that
// depend on it (connection, reset, clock) are checked on every path that
// reaches them.
struct PathState {
  std::vector<std::string> connections = {"main"};  // names so far
  int64_t clock = kDefaultClock;  // the scenario clock after the last step
  // Where each direction of the current connection was reset (line 0: not
  // yet); a second reset is refused.
  std::array<int, 2> reset_lines = {0, 0};
};

// A check of one step line that failed on a path: where and why. Reported
// when the line ends, if that path runs the step (a one-line condition
// comes after the step).
struct PathFailure {
  Pos pos;
  std::string message;
};

// A set of series, one bit per entry of proto::AllSeries(), in order.
using SeriesMask = uint32_t;
inline size_t SeriesCount() { return proto::AllSeries().size(); }
inline SeriesMask AllSeriesMask() {
  return (SeriesMask{1} << SeriesCount()) - 1;
}

class Parser {
 public:
  Parser(std::string_view file, std::string_view text, Scenario* out)
      : file_(file), text_(text), lexer_(text), out_(out) {
    tok_ = lexer_.Next();
  }

  // Reads the whole text. Returns false at the first error; error() says
  // which.
  [[nodiscard]] bool ParseScenario();
  const Diagnostic& error() const { return error_; }

 private:
  // Moves on to the next token and returns the one we were looking at.
  Token Take() {
    Token t = std::move(tok_);
    if (pending_.empty()) {
      tok_ = lexer_.Next();
    } else {
      tok_ = std::move(pending_.front());
      pending_.pop_front();
    }
    return t;
  }
  // One rule for quoted values: where a value is read, a string holding
  // words reads as those words unquoted (`verify_cb = "retry 1 then ok"`).
  // Turns the lookahead, when it is such a string, into its words; a blank
  // or empty string stays a string, and so does one holding a control byte
  // other than a tab.
  void UnquoteValue();

  // Fills error() with `message` at `pos` and returns false.
  bool Error(Pos pos, const std::string& message) {
    error_.file = std::string(file_);
    error_.line = pos.line;
    error_.col = pos.col;
    error_.message = message;
    error_.source_line = SourceLine(text_, pos.line);
    return false;
  }
  // As above at `at`; a malformed token reports what is wrong with it.
  bool Error(const Token& at, const std::string& message) {
    return Error(PosOf(at), at.kind == Token::kError ? at.text : message);
  }
  // The current token starts a step's one-line condition (`if openssl
  // ...`): the word lists of outcomes and options end before it.
  bool AtLineCondition() const {
    return tok_.kind == Token::kWord && tok_.text == "if";
  }
  // "expected <what>, found <current token>".
  bool Unexpected(const std::string& what) {
    return Error(tok_, "expected " + what + ", found " + TokenName(tok_));
  }

  // parser.cc: statements and tokens.
  bool ParseStatement();
  // The end of a line: newline or end of file. On a step's line, an
  // `if CONDITION` before it makes the step conditional (EndStepLine).
  bool ExpectEndOfLine();
  // Takes a word into *out, or reports "expected <what>, found ...".
  bool TakeWord(const std::string& what, Token* out);
  // Takes a word holding an integer in [min, max]. When the token is no
  // word the message names `after`, the token before it.
  bool TakeInt(const std::string& what, const std::string& after, int64_t min,
               int64_t max, int64_t* out, Pos* out_pos);
  bool IntFromWord(const Token& word, const std::string& what, int64_t min,
                   int64_t max, int64_t* out);
  bool TakeList(const std::string& what, std::vector<std::string>* out);
  // The lines of a block after its '{', up to and with its '}', each read
  // by `parse_line`; anything but a word there is "expected <what>".
  template <typename ParseLine>
  bool ParseBlockLines(const Token& keyword, const std::string& what,
                       ParseLine parse_line);

  // parser_header.cc
  bool TakeTime(const std::string& after, Located<int64_t>* out);
  bool CheckHeader(const Token& keyword, const std::string& what, Pos* first);
  bool ParseTitle();
  bool ParseSeed();
  // clock TIME; `keyword` is `clock`.
  bool ParseClock(const Token& keyword);
  bool ParsePki(const Token& keyword);
  bool ParseCertDecl();
  bool CheckReferences(const EndpointDecl& decl);

  // parser_settings.cc
  bool ParseEndpoint(const Token& keyword, EndpointDecl* decl);
  // One `KEY = VALUE` line: the key's row in settings.h says which block
  // takes it and how its value reads.
  bool ParseSetting(Side side, EndpointDecl* decl);
  // The value of `row`, one overload per value kind (settings.h).
  bool ReadSetting(const SettingRow& row, const value::Versions& kind,
                   Side side, VersionRange* out);
  bool ReadSetting(const SettingRow& row, const value::OpensslList& kind,
                   Side side, std::string* out);
  bool ReadSetting(const SettingRow& row, const value::Word& kind, Side side,
                   std::string* out);
  bool ReadSetting(const SettingRow& row, const value::Hex& kind, Side side,
                   std::string* out);
  bool ReadSetting(const SettingRow& row, const value::Names& kind, Side side,
                   std::vector<std::string>* out);
  bool ReadSetting(const SettingRow& row, const value::OptionNames& kind,
                   Side side, std::vector<std::string>* out);
  bool ReadSetting(const SettingRow& row, const value::HostCerts& kind,
                   Side side,
                   std::vector<std::pair<std::string, std::string>>* out);
  bool ReadSetting(const SettingRow& row, const value::OnOff& kind, Side side,
                   bool* out);
  bool ReadSetting(const SettingRow& row, const value::FailOnly& kind,
                   Side side, bool* out);
  bool ReadSetting(const SettingRow& row, const value::Integer& kind, Side side,
                   int64_t* out);
  bool ReadSetting(const SettingRow& row, const value::OneOf& kind, Side side,
                   int64_t* out);
  bool ReadSetting(const SettingRow& row, const value::Retry& kind, Side side,
                   RetryPlan* out);
  template <typename E>
  bool ReadSetting(const SettingRow& row, const value::Enum<E>& kind, Side side,
                   E* out);
  bool ReadSetting(const SettingRow& row, const value::AlertName& kind,
                   Side side, int64_t* out);
  // "expected <what the row takes>, found <value>".
  bool WrongValue(const SettingRow& row, const Token& value);
  bool ParseVersionRange(const std::string& what, VersionRange* out);

  // parser_steps.cc
  bool ParseCall(const Token& side_word);
  bool ParseOutcome(Call call, Outcome* out);
  bool ParseAlert(const Token& word, AlertExpect* out);
  bool ParseDirection(const std::string& after, Side* out_from);
  bool ParseAmount(Amount* out);
  bool ParseDeliver(const Token& keyword);
  bool ParseClose(const Token& keyword);
  bool ParseDrive(const Token& keyword);
  // The options `drive` and `run` share, in any order, each at most once:
  // deliver=AMOUNT first=SIDE limit=N. `is_result` tells a result word
  // written without its '->'.
  bool ParseLoopOptions(
      const char* step_name,
      const std::function<bool(const std::string&)>& is_result, Amount* chunk,
      Side* first, int64_t* limit);
  // What `drive` and `run` expect, at the '->' after their options:
  // -> VERDICT [by SIDE], VERDICT one of `verdicts` into *out_verdict and
  // SIDE into *out_by; `by` is only allowed after V::kFailed.
  template <typename V, size_t N>
  bool ParseVerdict(const Named<V> (&verdicts)[N], V* out_verdict,
                    std::optional<Side>* out_by);
  bool ParseConnection(const Token& keyword);
  // "text" or "text" * N: a payload for write and data=.
  bool ParsePayload(const std::string& after, std::string* out);

  // parser_clock.cc: clock advance DURATION | clock set TIME
  bool ParseClockStep(const Token& keyword);
  // The rest of a wire step's line: nothing, or `-> fails ["substring"]`
  // into *out. `out` is null for a step that cannot fail (close): an
  // expectation there is an error at its arrow. Ends the line.
  bool ParseWireOutcome(const Token& keyword, std::optional<WireOutcome>* out);

  // parser_expect.cc
  bool ParseExpect(const Token& keyword);

  // parser_contexts.cc
  // server context NAME { ... }; the current token is `context`.
  bool ParseContext(const Token& server_word);
  // Every context `decl`'s `contexts` names is declared.
  bool CheckContextReferences(const EndpointDecl& decl);
  bool CheckContextReferences(
      const std::optional<
          Located<std::vector<std::pair<std::string, std::string>>>>& contexts);
  // client set KEY = VALUE; the current token is `set`.
  bool ParseSet(const Token& side_word);

  // parser_faults.cc
  bool ParseFault(const Token& keyword);
  // "record SEL": a record selector after the word `record`.
  bool ParseRecord(RecordSelector* out);
  // An integer written in decimal or as 0x hex, in [min, max].
  bool TakeNumber(const std::string& what, const std::string& after,
                  int64_t min, int64_t max, int64_t* out);

  // parser_versions.cc
  // requires CONDITION; the current token is `requires`.
  bool ParseRequires();
  // openssl OP VERSION [and openssl OP VERSION ...]; `after` names the word
  // before it for messages ("'if'").
  bool ParseCondition(const std::string& after, VersionCondition* out);
  // == != < <= > >= after `openssl`, and its text.
  bool ParseComparison(Comparison* out, std::string* out_text);
  // if CONDITION { ... } [else if CONDITION { ... }] [else { ... }]
  bool ParseIf(const Token& keyword);
  // The step lines of one branch, up to and with its '}'; `opener` is the
  // `if` or `else` that opened it.
  bool ParseBranchSteps(const Token& opener, std::vector<Step>* steps);
  // A header statement or block (`what`, at `keyword`) is refused inside
  // an `if` block.
  bool CheckNotConditional(const Token& keyword, const std::string& what);
  // Parses one step line with `parse`, then ends it (EndStepLine).
  template <typename ParseStep>
  bool StepLine(ParseStep parse);
  void BeginStepLine();
  // Reports a path check that failed on a series that runs the step,
  // takes back what the step did on the paths its one-line condition
  // leaves out, and wraps the step in that condition.
  bool EndStepLine();
  // Runs `check` on the path of every series that reaches the current step
  // line (and has not failed on it yet); `check` updates the path and
  // returns nothing, or a failure.
  void OnPaths(
      const std::function<std::optional<PathFailure>(PathState*)>& check);
  // The series whose path reaches the step being parsed.
  SeriesMask active() const { return active_; }

  // parser_programs.cc
  // program SIDE [blocking] [policy=NAME] { ... }; `keyword` is `program`.
  bool ParseProgram(const Token& keyword);
  // One operation line of a program of `side`.
  bool ParseOperation(Side side, ProgramDecl* program);
  // `=NAME` after the word `policy` (`option`); *out already set means the
  // line gave one before: an error.
  bool ParsePolicyOption(const Token& option,
                         std::optional<Located<Policy>>* out);
  // run [deliver=N|record|all] [first=SIDE] [limit=N] [-> VERDICT]
  bool ParseRun(const Token& keyword);

  // Appends a step to the steps being read (the file's, or an `if`
  // branch's); header statements and blocks are refused from now on.
  void AddStep(Step step) {
    seen_step_ = true;
    target_->push_back(std::move(step));
  }

  std::string_view file_;
  std::string_view text_;
  Lexer lexer_;
  Token tok_;                  // the lookahead
  std::deque<Token> pending_;  // words of an unquoted string, before lexer_
  Scenario* out_;
  Diagnostic error_;  // the first error, once a Parse* returned false
  bool seen_step_ = false;
  Pos title_pos_, seed_pos_, clock_pos_, pki_pos_;  // line 0: not yet seen
  Pos requires_pos_;
  // Where each side's program block was declared (line 0: not yet).
  std::array<Pos, 2> program_pos_ = {};

  // Versions (parser_versions.cc). Where steps go: the file's, or the
  // branch being read.
  std::vector<Step>* target_ = &out_->steps;
  int depth_ = 0;  // `if` blocks open around the current line
  // One path per series (proto::AllSeries()), and the series whose path
  // reaches the current line: those the scenario applies to (every series
  // when it applies to none, so that such a file is still checked),
  // narrowed by the branches around the line.
  std::vector<PathState> paths_ = std::vector<PathState>(SeriesCount());
  SeriesMask active_ = AllSeriesMask();
  // The step line being read: its trailing condition, what it did to each
  // path (to take back), and the checks that failed on each.
  bool in_step_line_ = false;
  std::optional<VersionCondition> line_condition_;
  Pos line_if_pos_;
  struct PathMark {
    size_t connections = 0;
    int64_t clock = 0;
    std::array<int, 2> reset_lines = {0, 0};
  };
  std::vector<PathMark> line_marks_ = std::vector<PathMark>(SeriesCount());
  std::vector<std::optional<PathFailure>> line_failures_ =
      std::vector<std::optional<PathFailure>>(SeriesCount());
};

template <typename ParseStep>
bool Parser::StepLine(ParseStep parse) {
  BeginStepLine();
  bool ok = parse();
  in_step_line_ = false;
  return ok && EndStepLine();
}

template <typename ParseLine>
bool Parser::ParseBlockLines(const Token& keyword, const std::string& what,
                             ParseLine parse_line) {
  Take();  // {
  if (!ExpectEndOfLine()) return false;
  while (true) {
    switch (tok_.kind) {
      case Token::kNewline:
        Take();
        break;
      case Token::kEof:
        return Error(keyword, "missing '}' for the block opened at line " +
                                  std::to_string(keyword.line));
      case Token::kRBrace:
        Take();
        return ExpectEndOfLine();
      case Token::kWord:
        if (!parse_line()) return false;
        break;
      default:
        return Unexpected(what);
    }
  }
}

template <typename V, size_t N>
bool Parser::ParseVerdict(const Named<V> (&verdicts)[N], V* out_verdict,
                          std::optional<Side>* out_by) {
  Take();  // ->
  const std::string what = Alternatives(verdicts);
  Token verdict;
  if (!TakeWord(what + " after '->'", &verdict)) return false;
  std::optional<V> expect = ValueOf(verdicts, verdict.text);
  if (!expect) {
    return Error(verdict, "expected " + what + ", found " + TokenName(verdict));
  }
  *out_verdict = *expect;
  if (tok_.kind == Token::kWord && tok_.text == "by") {
    Token by = Take();
    if (*expect != V::kFailed) {
      return Error(by,
                   "'by' names the side that failed first: only after "
                   "'failed'");
    }
    Token side;
    if (!TakeWord("client or server after 'by'", &side)) return false;
    Side who;
    if (!LookupSide(side.text, &who)) {
      return Error(side, "expected client or server, found " + TokenName(side));
    }
    *out_by = who;
  }
  return true;
}

}  // namespace tlsim::scenario::internal
