// Version conditions: `requires openssl >= 3.5` in the header, `if openssl
// < 3.5 { ... } else { ... }` blocks of steps, and a step ending with `if
// openssl ...`; and the checks of steps that depend on the steps before
// them (connection names, resets, the clock), made on the path of every
// series that reaches them:
//
//   requires openssl >= 3.0 and openssl < 4.0
//   if openssl < 3.5 {
//     expect client group = X25519
//   } else {
//     expect client group = X25519MLKEM768
//   }
//   expect server group = X25519 if openssl < 3.5
#include <cctype>
#include <string>
#include <utility>

#include "lib/proto/openssl_series.h"
#include "lib/scenario/parser_internal.h"
#include "lib/scenario/versions.h"

namespace tlsim::scenario::internal {
namespace {

// `if` blocks nest at most this deep: deeper is surely a mistake, and
// bounds the parser's (and the printer's) recursion on any input.
constexpr int kMaxDepth = 16;

// The series `condition` holds for.
SeriesMask HoldsFor(const VersionCondition& condition) {
  SeriesMask mask = 0;
  const auto all = proto::AllSeries();
  for (size_t i = 0; i < all.size(); ++i) {
    if (Holds(condition, all[i])) mask |= SeriesMask{1} << i;
  }
  return mask;
}

// "3.0", "1.1.1 and 3.0", "3.5, 3.6 and 4.0".
std::string SeriesText(SeriesMask mask) {
  std::vector<std::string> names;
  const auto all = proto::AllSeries();
  for (size_t i = 0; i < all.size(); ++i) {
    if (mask & (SeriesMask{1} << i)) {
      names.emplace_back(proto::SeriesName(all[i]));
    }
  }
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool Parser::CheckNotConditional(const Token& keyword,
                                 const std::string& what) {
  if (depth_ == 0) return true;
  return Error(keyword, what +
                            " cannot be inside an 'if' block: header "
                            "statements and blocks hold on every series; "
                            "only steps can be conditional ('requires "
                            "openssl ...' limits the whole scenario)");
}

bool Parser::ParseRequires() {
  Token keyword = Take();
  if (!CheckHeader(keyword, "'requires'", &requires_pos_)) return false;
  VersionCondition condition;
  if (!ParseCondition("'requires'", &condition)) return false;
  // The steps are checked on the paths of the series the scenario applies
  // to; on every series' when it applies to none, so that such a file is
  // still checked.
  SeriesMask mask = HoldsFor(condition);
  active_ = mask != 0 ? mask : AllSeriesMask();
  out_->requirement = std::move(condition);
  return ExpectEndOfLine();
}

bool Parser::ParseCondition(const std::string& after, VersionCondition* out) {
  out->pos = PosOf(tok_);
  std::string previous = after;
  while (true) {
    if (tok_.kind != Token::kWord || tok_.text != "openssl") {
      return Unexpected("'openssl' after " + previous);
    }
    VersionTest test;
    test.pos = PosOf(Take());
    std::string op;
    if (!ParseComparison(&test.op, &op)) return false;
    Token version;
    if (!TakeWord("an OpenSSL version (" + std::string(proto::SeriesList()) +
                      ") after '" + op + "'",
                  &version)) {
      return false;
    }
    if (!proto::ParseSeries(version.text, &test.series)) {
      return Error(version, "openssl " + version.text +
                                " is not a version tlsim runs on; known: " +
                                std::string(proto::SeriesList()));
    }
    out->tests.push_back(test);
    if (tok_.kind == Token::kWord && tok_.text == "or") {
      return Error(tok_,
                   "conditions join with 'and' only (for either of two "
                   "ranges, use 'else if', or '!=')");
    }
    if (tok_.kind != Token::kWord || tok_.text != "and") return true;
    Take();
    previous = "'and'";
  }
}

bool Parser::ParseComparison(Comparison* out, std::string* out_text) {
  const std::string what =
      "a comparison (==, !=, <, <=, >, >=) after 'openssl'";
  if (tok_.kind == Token::kEquals) {
    Token first = Take();
    if (tok_.kind == Token::kEquals && tok_.line == first.line &&
        tok_.col == first.col + 1) {
      Take();
      *out = Comparison::kEq;
      *out_text = "==";
      return true;
    }
    return Error(first, "expected " + what + ", found '='");
  }
  if (tok_.kind != Token::kWord) return Unexpected(what);
  // The lexer makes '=' a token of its own: `>=` is the word `>` and an
  // '=' right after it; `<3.5` is one word.
  const std::string w = tok_.text;
  const char c = w[0];
  if (c != '<' && c != '>' && c != '!') return Unexpected(what);
  const Comparison plain = c == '<' ? Comparison::kLt : Comparison::kGt;
  const Comparison or_equal = c == '<'   ? Comparison::kLe
                              : c == '>' ? Comparison::kGe
                                         : Comparison::kNe;
  if (w.size() == 1) {
    Token op = Take();
    const bool equals = tok_.kind == Token::kEquals && tok_.line == op.line &&
                        tok_.col == op.col + 1;
    if (equals) {
      Take();
    } else if (c == '!') {
      return Error(op, "expected " + what + ", found '!'");
    }
    *out = equals ? or_equal : plain;
    *out_text = w + (equals ? "=" : "");
    return true;
  }
  if (w.size() == 2 && w[1] == '=') {  // from a string's words: "<="
    Take();
    *out = or_equal;
    *out_text = w;
    return true;
  }
  if (c != '!' && IsDigit(w[1])) {
    // `<3.5`: the operator, and the version after it.
    *out = plain;
    *out_text = std::string(1, c);
    tok_.text.erase(0, 1);
    ++tok_.col;
    return true;
  }
  return Unexpected(what);
}

bool Parser::ParseIf(const Token& keyword) {
  if (depth_ >= kMaxDepth) {
    return Error(keyword, "'if' blocks nest at most " +
                              std::to_string(kMaxDepth) + " deep");
  }
  IfStep block;
  block.pos = PosOf(keyword);
  const SeriesMask outer = active_;
  SeriesMask remaining = active_;  // the series no branch took yet
  Token opener = keyword;
  bool conditional = true;  // this branch has a condition (`if`)
  while (true) {
    Branch branch;
    branch.pos = PosOf(opener);
    if (conditional) {
      VersionCondition condition;
      if (!ParseCondition("'" + opener.text + "'", &condition)) return false;
      branch.condition = std::move(condition);
    }
    if (tok_.kind != Token::kLBrace) {
      return Unexpected(conditional ? "'and' or '{' after the condition"
                                    : "'{' or 'if' after 'else'");
    }
    Take();
    if (!ExpectEndOfLine()) return false;
    const SeriesMask here =
        branch.condition ? remaining & HoldsFor(*branch.condition) : remaining;
    remaining &= ~here;
    active_ = here;
    ++depth_;
    const bool ok = ParseBranchSteps(opener, &branch.steps);
    --depth_;
    active_ = outer;
    if (!ok) return false;
    block.branches.push_back(std::move(branch));
    if (tok_.kind != Token::kWord || tok_.text != "else") break;
    if (!conditional) {
      return Error(tok_, "'else' after 'else': the 'else' branch is the last");
    }
    opener = Take();  // else
    conditional = tok_.kind == Token::kWord && tok_.text == "if";
    if (conditional) {
      Take();
    } else if (tok_.kind != Token::kLBrace) {
      return Unexpected("'{' or 'if' after 'else'");
    }
  }
  AddStep(std::move(block));
  return ExpectEndOfLine();
}

bool Parser::ParseBranchSteps(const Token& opener, std::vector<Step>* steps) {
  std::vector<Step>* outer = target_;
  target_ = steps;
  bool ok = true;
  while (ok) {
    switch (tok_.kind) {
      case Token::kNewline:
        Take();
        break;
      case Token::kEof:
        ok = Error(opener, "missing '}' for the block opened at line " +
                               std::to_string(opener.line));
        break;
      case Token::kRBrace:
        Take();
        target_ = outer;
        return true;
      case Token::kWord:
        ok = ParseStatement();
        break;
      default:
        ok = Unexpected("a step");
    }
  }
  target_ = outer;
  return false;
}

void Parser::BeginStepLine() {
  in_step_line_ = true;
  line_condition_.reset();
  for (size_t i = 0; i < paths_.size(); ++i) {
    line_marks_[i] = {paths_[i].connections.size(), paths_[i].clock,
                      paths_[i].reset_lines};
    line_failures_[i].reset();
  }
}

void Parser::OnPaths(
    const std::function<std::optional<PathFailure>(PathState*)>& check) {
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (!(active_ & (SeriesMask{1} << i)) || line_failures_[i]) continue;
    line_failures_[i] = check(&paths_[i]);
  }
}

bool Parser::EndStepLine() {
  SeriesMask runs = active_;
  if (line_condition_) runs &= HoldsFor(*line_condition_);
  // The first failure of the line on a path that runs the step; the
  // series it fails on are named when others pass.
  const PathFailure* first = nullptr;
  for (size_t i = 0; i < paths_.size(); ++i) {
    const std::optional<PathFailure>& f = line_failures_[i];
    if (!(runs & (SeriesMask{1} << i)) || !f) continue;
    if (first == nullptr || f->pos.col < first->pos.col) first = &*f;
  }
  if (first != nullptr) {
    SeriesMask failing = 0;
    for (size_t i = 0; i < paths_.size(); ++i) {
      const std::optional<PathFailure>& f = line_failures_[i];
      if ((runs & (SeriesMask{1} << i)) && f && f->message == first->message) {
        failing |= SeriesMask{1} << i;
      }
    }
    std::string message = first->message;
    if (failing != runs) message += " (on OpenSSL " + SeriesText(failing) + ")";
    return Error(first->pos, message);
  }
  // The paths the step's condition leaves out did not take it.
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (!(active_ & (SeriesMask{1} << i)) || (runs & (SeriesMask{1} << i))) {
      continue;
    }
    paths_[i].connections.resize(line_marks_[i].connections);
    paths_[i].clock = line_marks_[i].clock;
    paths_[i].reset_lines = line_marks_[i].reset_lines;
  }
  if (line_condition_ && !target_->empty()) {
    // The one-line form: a block of one branch holding the step.
    Branch branch;
    branch.pos = line_if_pos_;
    branch.condition = std::move(line_condition_);
    line_condition_.reset();
    branch.steps.push_back(std::move(target_->back()));
    target_->pop_back();
    IfStep block;
    block.pos = branch.pos;
    block.one_line = true;
    block.branches.push_back(std::move(branch));
    target_->push_back(std::move(block));
  }
  return true;
}

}  // namespace tlsim::scenario::internal
