// Statements, tokens and the public entry points of the scenario parser
// (the grammar's other parts: see parser_internal.h).
#include "lib/scenario/parser.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <string>

#include "lib/proto/names.h"
#include "lib/scenario/parser_internal.h"
#include "lib/scenario/source_file.h"

namespace tlsim::scenario {
namespace internal {

bool LooksLikeInteger(std::string_view s) {
  size_t i = !s.empty() && s[0] == '-' ? 1 : 0;
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}

// Splits "a,b,c" at commas; empty items are kept so the caller can refuse
// them.
std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    items.emplace_back(s.substr(start, comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return items;
}

bool LookupVersion(std::string_view name, Version* out) {
  std::optional<int> value = proto::Versions().Value(name);
  if (!value || *value < static_cast<int>(Version::kTls1_0) ||
      *value > static_cast<int>(Version::kTls1_3)) {
    return false;  // SSLv3 is not a version tlsim can set
  }
  *out = static_cast<Version>(*value);
  return true;
}

bool LookupSide(std::string_view name, Side* out) {
  std::optional<Side> side = proto::SideFromName(name);
  if (!side) return false;
  *out = *side;
  return true;
}

bool Parser::ParseScenario() {
  while (true) {
    switch (tok_.kind) {
      case Token::kNewline:
        Take();
        break;
      case Token::kEof:
        return CheckReferences(out_->client) && CheckReferences(out_->server) &&
               CheckContextReferences(out_->server);
      case Token::kWord:
        if (!ParseStatement()) return false;
        break;
      case Token::kRBrace:
        return Error(tok_, "'}' without an open block");
      default:
        return Unexpected("a statement");
    }
  }
}

bool Parser::ExpectEndOfLine() {
  if (tok_.kind == Token::kWord && tok_.text == "if") {
    if (!in_step_line_) {
      return Error(tok_,
                   "only a step can end with 'if openssl ...': header "
                   "statements, settings and blocks hold on every series "
                   "('requires openssl ...' limits the whole scenario)");
    }
    in_step_line_ = false;  // one condition per line
    line_if_pos_ = PosOf(Take());
    VersionCondition condition;
    if (!ParseCondition("'if'", &condition)) return false;
    line_condition_ = std::move(condition);
  }
  if (tok_.kind == Token::kEof) return true;
  if (tok_.kind != Token::kNewline) return Unexpected("end of line");
  Take();
  return true;
}

bool Parser::TakeWord(const std::string& what, Token* out) {
  if (tok_.kind != Token::kWord) return Unexpected(what);
  *out = Take();
  return true;
}

bool Parser::IntFromWord(const Token& word, const std::string& what,
                         int64_t min, int64_t max, int64_t* out) {
  bool out_of_range = false;
  bool number = ParseDecimal(word.text, out, &out_of_range);
  if (out_of_range || (number && (*out < min || *out > max))) {
    return Error(word, "expected " + what + ", found " + TokenName(word) +
                           RangeText(what, min, max));
  }
  if (!number) {
    return Error(word, "expected " + what + ", found " + TokenName(word));
  }
  return true;
}

bool Parser::TakeInt(const std::string& what, const std::string& after,
                     int64_t min, int64_t max, int64_t* out, Pos* out_pos) {
  if (tok_.kind != Token::kWord) {
    return Unexpected(what + " after '" + after + "'");
  }
  Token word = Take();
  if (out_pos != nullptr) *out_pos = PosOf(word);
  return IntFromWord(word, what, min, max, out);
}

bool Parser::TakeList(const std::string& what, std::vector<std::string>* out) {
  Token word;
  if (!TakeWord(what, &word)) return false;
  *out = SplitList(word.text);
  int col = word.col;
  for (const std::string& item : *out) {
    if (item.empty()) {
      return Error(Pos{word.line, col},
                   "empty item in list '" + word.text + "'");
    }
    col += static_cast<int>(item.size()) + 1;
  }
  return true;
}

void Parser::UnquoteValue() {
  if (tok_.kind != Token::kString) return;
  std::deque<Token> words;
  const std::string& text = tok_.text;
  // A control byte (an escape like \n) is no part of a word: such a string
  // stays a string, and messages show it escaped.
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return;
  }
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) break;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    Token word;
    word.kind = Token::kWord;
    word.text = text.substr(start, i - start);
    word.line = tok_.line;
    // Past the opening quote; an escape before it makes this approximate.
    word.col = tok_.col + 1 + static_cast<int>(start);
    words.push_back(std::move(word));
  }
  if (words.empty()) return;
  tok_ = std::move(words.front());
  words.pop_front();
  pending_.insert(pending_.begin(), std::make_move_iterator(words.begin()),
                  std::make_move_iterator(words.end()));
}

bool Parser::ParseStatement() {
  const std::string& word = tok_.text;
  if (word == "scenario") {
    return CheckNotConditional(tok_, "'scenario'") && ParseTitle();
  }
  if (word == "seed") return CheckNotConditional(tok_, "'seed'") && ParseSeed();
  if (word == "requires") {
    return CheckNotConditional(tok_, "'requires'") && ParseRequires();
  }
  if (word == "clock") {
    Token keyword = Take();
    if (tok_.kind == Token::kWord &&
        (tok_.text == "advance" || tok_.text == "set")) {
      return StepLine([&] { return ParseClockStep(keyword); });
    }
    return CheckNotConditional(keyword, "'clock'") && ParseClock(keyword);
  }
  if (word == "pki") {
    Token keyword = Take();
    if (!CheckNotConditional(keyword, "'pki' block")) return false;
    if (!CheckHeader(keyword, "'pki' block", &pki_pos_)) return false;
    return ParsePki(keyword);
  }
  if (word == "client" || word == "server") {
    Token side_word = Take();
    if (tok_.kind == Token::kWord && tok_.text == "set") {
      return StepLine([&] { return ParseSet(side_word); });
    }
    if (side_word.text == "server" && tok_.kind == Token::kWord &&
        tok_.text == "context") {
      return CheckNotConditional(side_word, "'server context' block") &&
             ParseContext(side_word);
    }
    if (tok_.kind != Token::kLBrace) {
      return StepLine([&] { return ParseCall(side_word); });
    }
    const std::string what = "'" + side_word.text + "' block";
    if (!CheckNotConditional(side_word, what)) return false;
    EndpointDecl* decl =
        side_word.text == "client" ? &out_->client : &out_->server;
    Pos first = decl->pos;
    if (!CheckHeader(side_word, what, &first)) return false;
    return ParseEndpoint(side_word, decl);
  }
  if (word == "program") {
    return CheckNotConditional(tok_, "'program' block") && ParseProgram(Take());
  }
  if (word == "if") return ParseIf(Take());
  if (word == "else") {
    return Error(tok_,
                 "'else' without 'if': an 'else' goes after the '}' that "
                 "closes an 'if' block, on the same line ('} else {')");
  }
  using StepParser = bool (Parser::*)(const Token&);
  static const std::pair<const char*, StepParser> kSteps[] = {
      {"deliver", &Parser::ParseDeliver},
      {"close", &Parser::ParseClose},
      {"reset", &Parser::ParseClose},
      {"drive", &Parser::ParseDrive},
      {"expect", &Parser::ParseExpect},
      {"connection", &Parser::ParseConnection},
      {"run", &Parser::ParseRun},
      {"drop", &Parser::ParseFault},
      {"duplicate", &Parser::ParseFault},
      {"swap", &Parser::ParseFault},
      {"truncate", &Parser::ParseFault},
      {"cut", &Parser::ParseFault},
      {"corrupt", &Parser::ParseFault},
      {"inject", &Parser::ParseFault},
  };
  for (const auto& step : kSteps) {
    if (word == step.first) {
      const StepParser parse = step.second;
      Token keyword = Take();
      return StepLine([&] { return (this->*parse)(keyword); });
    }
  }
  return Error(tok_, "unknown statement '" + word + "'");
}

}  // namespace internal

bool Parse(std::string_view file_name, std::string_view text, Scenario* out,
           Diagnostic* out_error) {
  *out = Scenario{};
  out->file = std::string(file_name);
  // A file that declares nothing is more likely a wrong path or a lost
  // edit than a test: refuse it at its end, where a statement was wanted.
  Lexer lexer(text);
  Token first = lexer.Next();
  while (first.kind == Token::kNewline) first = lexer.Next();
  if (first.kind == Token::kEof) {
    bool empty = text.empty() || text == "\xEF\xBB\xBF";
    *out_error = Diagnostic{std::string(file_name), first.line, first.col,
                            std::string(empty ? "the file is empty"
                                              : "the file holds only comments "
                                                "and blank lines") +
                                ": a scenario needs at least one statement, "
                                "such as scenario \"title\"",
                            SourceLine(text, first.line)};
    return false;
  }
  internal::Parser parser(file_name, text, out);
  if (parser.ParseScenario()) return true;
  *out_error = parser.error();
  return false;
}

bool ParseFile(const std::string& path, Scenario* out, Diagnostic* out_error) {
  std::string text;
  std::string why;
  if (!ReadSourceFile(path, kMaxScenarioBytes, &text, &why)) {
    *out_error = Diagnostic{};
    out_error->file = path;
    out_error->message = why;
    return false;
  }
  return Parse(path, text, out, out_error);
}

std::string SourceLine(std::string_view text, int line) {
  if (line < 1) return "";
  size_t start = 0;
  for (int i = 1; i < line; ++i) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return "";
    start = nl + 1;
  }
  size_t end = text.find('\n', start);
  std::string_view s =
      text.substr(start, end == std::string_view::npos ? std::string_view::npos
                                                       : end - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  if (line == 1 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  return std::string(s);
}

}  // namespace tlsim::scenario
