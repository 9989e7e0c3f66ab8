// Splits scenario text into tokens. The lexer knows nothing of statements:
// the parser asks for one token at a time and decides what it means.
//
//   Lexer lexer(text);
//   for (Token t = lexer.Next(); t.kind != Token::kEof; t = lexer.Next()) ...
//
// `#` starts a comment that runs to the end of the line (outside strings);
// comments and blanks make no tokens, every line end makes a kNewline. A
// UTF-8 byte order mark at the very start is skipped (columns count from
// after it); a raw control byte (0x00-0x1f but tab, CR and LF; 0x7f) is an
// error anywhere but in a comment, and so are a raw tab or CR inside a
// string (escapes are the way to write them).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tlsim::scenario {

struct Token {
  enum Kind {
    kWord,     // a run of anything but blanks and " # = { }, cut before ->
    kString,   // "..." with \" \\ \n \t \xHH; `text` holds the decoded bytes
    kArrow,    // ->
    kEquals,   // =
    kLBrace,   // {
    kRBrace,   // }
    kNewline,  // end of a line
    kEof,      // end of the text
    kError,    // a malformed token; `text` holds the message
  };
  Kind kind = kEof;
  std::string text;  // the word, the decoded string, or the error message
  int line = 0;      // 1-based
  int col = 0;       // 1-based, in bytes; a tab is one column
};

// How messages name a token: 'word', string "...", '->', newline, ...
std::string TokenName(const Token& token);

// Escapes `s` for writing between double quotes: \" \\ \n \t, \xHH for
// other control bytes.
std::string EscapeString(std::string_view s);

class Lexer {
 public:
  explicit Lexer(std::string_view text);

  // The next token. After kEof or kError, returns the same kind again.
  Token Next();

 private:
  Token Make(Token::Kind kind, int col) const;
  // Stops the lexer with an error at the current byte.
  Token Fail(std::string message);
  Token LexString();

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;  // offset of the first byte of the current line
  bool failed_ = false;
  Token error_;
};

}  // namespace tlsim::scenario
