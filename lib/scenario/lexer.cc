#include "lib/scenario/lexer.h"

#include <cstdio>
#include <string>
#include <utility>

namespace tlsim::scenario {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// True for the bytes that end a word on their own.
bool EndsWord(char c) {
  return IsBlank(c) || c == '\n' || c == '"' || c == '#' || c == '=' ||
         c == '{' || c == '}';
}

// A byte that is neither text nor a blank or line end: 0x00-0x1f but tab,
// CR and LF, and DEL.
bool IsControl(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t' && c != '\r' && c != '\n') || u == 0x7f;
}

std::string ControlByteText(char c) {
  char hex[5];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(c));
  return std::string("raw control byte ") + hex;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string TokenName(const Token& token) {
  switch (token.kind) {
    case Token::kWord:
      return "'" + token.text + "'";
    case Token::kString:
      return "string \"" + EscapeString(token.text) + "\"";
    case Token::kArrow:
      return "'->'";
    case Token::kEquals:
      return "'='";
    case Token::kLBrace:
      return "'{'";
    case Token::kRBrace:
      return "'}'";
    case Token::kNewline:
      return "newline";
    case Token::kEof:
      return "end of file";
    case Token::kError:
      return "invalid token";
  }
  return "token";
}

std::string EscapeString(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          char buf[5];
          std::snprintf(buf, sizeof buf, "\\x%02x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out;
}

Lexer::Lexer(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = line_start_ = 3;
}

Token Lexer::Fail(std::string message) {
  failed_ = true;
  error_ = Make(Token::kError, static_cast<int>(pos_ - line_start_) + 1);
  error_.text = std::move(message);
  return error_;
}

Token Lexer::Make(Token::Kind kind, int col) const {
  Token t;
  t.kind = kind;
  t.line = line_;
  t.col = col;
  return t;
}

Token Lexer::Next() {
  if (failed_) return error_;
  // Blanks and a comment make no token.
  while (pos_ < text_.size() && IsBlank(text_[pos_])) ++pos_;
  if (pos_ < text_.size() && text_[pos_] == '#') {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }
  int col = static_cast<int>(pos_ - line_start_) + 1;
  // A line's end is shown one column past its text; a \r before it is not
  // part of the text (SourceLine drops it).
  bool at_end = pos_ >= text_.size() || text_[pos_] == '\n';
  if (at_end && pos_ > line_start_ && text_[pos_ - 1] == '\r') --col;
  if (pos_ >= text_.size()) return Make(Token::kEof, col);

  char c = text_[pos_];
  if (c == '\n') {
    Token t = Make(Token::kNewline, col);
    ++pos_;
    ++line_;
    line_start_ = pos_;
    return t;
  }
  if (c == '"') return LexString();
  if (text_.substr(pos_, 2) == "->") {
    pos_ += 2;
    return Make(Token::kArrow, col);
  }
  if (c == '=' || c == '{' || c == '}') {
    ++pos_;
    return Make(c == '='   ? Token::kEquals
                : c == '{' ? Token::kLBrace
                           : Token::kRBrace,
                col);
  }
  Token t = Make(Token::kWord, col);
  size_t start = pos_;
  while (pos_ < text_.size() && !EndsWord(text_[pos_]) &&
         text_.substr(pos_, 2) != "->") {
    if (IsControl(text_[pos_])) {
      // Echoed in a message, it could drive the terminal (ESC); in a name
      // it would reach OpenSSL.
      return Fail(ControlByteText(text_[pos_]) + " outside a string");
    }
    ++pos_;
  }
  t.text = std::string(text_.substr(start, pos_ - start));
  return t;
}

Token Lexer::LexString() {
  Token t = Make(Token::kString, static_cast<int>(pos_ - line_start_) + 1);
  ++pos_;  // the opening quote
  while (true) {
    if (pos_ >= text_.size() || text_[pos_] == '\n') {
      failed_ = true;
      error_ = t;
      error_.kind = Token::kError;
      error_.text = "unterminated string";
      return error_;
    }
    char c = text_[pos_];
    if (c == '"') {
      ++pos_;
      return t;
    }
    bool line_end =
        c == '\r' && (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n');
    if ((IsControl(c) || c == '\t' || c == '\r') && !line_end) {
      // A raw control byte is invisible in an editor and in a diagnostic;
      // a NUL would cut the string in C APIs.
      return Fail(ControlByteText(c) + " in a string; write it as " +
                  EscapeString(std::string(1, c)));
    }
    if (c != '\\') {
      t.text += c;
      ++pos_;
      continue;
    }
    // An escape.
    int col = static_cast<int>(pos_ - line_start_) + 1;
    char e = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    int hi = pos_ + 2 < text_.size() ? HexValue(text_[pos_ + 2]) : -1;
    int lo = pos_ + 3 < text_.size() ? HexValue(text_[pos_ + 3]) : -1;
    if (e == '"' || e == '\\') {
      t.text += e;
      pos_ += 2;
    } else if (e == 'n') {
      t.text += '\n';
      pos_ += 2;
    } else if (e == 't') {
      t.text += '\t';
      pos_ += 2;
    } else if (e == 'r') {
      t.text += '\r';
      pos_ += 2;
    } else if (e == 'x' && hi >= 0 && lo >= 0) {
      t.text += static_cast<char>(hi * 16 + lo);
      pos_ += 4;
    } else {
      failed_ = true;
      error_ = Make(Token::kError, col);
      if (e == 'x') {
        error_.text = "expected two hex digits after '\\x'";
      } else if (pos_ + 1 >= text_.size() || e == '\n' ||
                 (e == '\r' &&
                  (pos_ + 2 >= text_.size() || text_[pos_ + 2] == '\n'))) {
        error_ = t;
        error_.kind = Token::kError;
        error_.text = "unterminated string";
      } else {
        error_.text = "unknown escape '\\" + EscapeString(std::string(1, e)) +
                      "' in string";
      }
      return error_;
    }
  }
}

}  // namespace tlsim::scenario
