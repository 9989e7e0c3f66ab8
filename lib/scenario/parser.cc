// A recursive-descent parser over the lexer's tokens, with one token of
// lookahead (`tok_`). Every Parse* function returns false after filling
// `err` through Error(); semantic checks that need the whole file (names
// used in client/server blocks) run once the last line is read.
#include "lib/scenario/parser.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>

#include "lib/scenario/lexer.h"
#include "lib/scenario/printer.h"
#include "lib/scenario/source_file.h"

namespace tlsim::scenario {
namespace {

constexpr int64_t kMaxBuffer = 1048576;

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
  for (Version v : {Version::kTls1_0, Version::kTls1_1, Version::kTls1_2,
                    Version::kTls1_3}) {
    if (name == VersionName(v)) {
      *out = v;
      return true;
    }
  }
  return false;
}

bool LookupSslError(std::string_view name, SslError* out) {
  constexpr std::string_view kPrefix = "SSL_ERROR_";
  if (name.substr(0, kPrefix.size()) == kPrefix)
    name.remove_prefix(kPrefix.size());
  for (int i = 0; i <= static_cast<int>(SslError::kWantRetryVerify); ++i) {
    SslError e = static_cast<SslError>(i);
    if (name == SslErrorName(e)) {
      *out = e;
      return true;
    }
  }
  return false;
}

bool LookupCall(std::string_view name, Call* out) {
  for (int i = 0; i <= static_cast<int>(kLastCall); ++i) {
    Call c = static_cast<Call>(i);
    if (name == CallName(c)) {
      *out = c;
      return true;
    }
  }
  return false;
}

bool LookupSide(std::string_view name, Side* out) {
  if (name == "client") {
    *out = Side::kClient;
  } else if (name == "server") {
    *out = Side::kServer;
  } else {
    return false;
  }
  return true;
}

// Reads exactly YYYY-MM-DDTHH:MM:SSZ. Returns 0 on success, 1 when the text
// does not have that form, 2 when it has it but names no real time.
int ParseUtcTime(std::string_view s, int64_t* out) {
  constexpr std::string_view kForm = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != kForm.size()) return 1;
  for (size_t i = 0; i < s.size(); ++i) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if (kForm[i] == 'd' ? !digit : s[i] != kForm[i]) return 1;
  }
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  int hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 2;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > days || hour > 23 || minute > 59 || second > 59) {
    return 2;
  }
  std::tm tm = {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  *out = static_cast<int64_t>(timegm(&tm));
  return 0;
}

Pos PosOf(const Token& t) { return Pos{t.line, t.col}; }

const CertDecl* FindCert(const std::vector<CertDecl>& pki,
                         std::string_view name) {
  for (const CertDecl& c : pki) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The settings of a client or server block, by the name files use.
enum class Setting {
  kVersions,
  kCiphersuites,
  kCiphers,
  kGroups,
  kSigalgs,
  kVerify,
  kTrust,
  kCert,
  kServerName,
  kVerifyHost,
  kAlpn,
  kSessionCache,
  kTickets,
  kBuffer,
  kClientHelloCb,
  kCertCb,
  kClientCertCb,
  kVerifyCb,
  kServername,
  kSniCerts,
  kTicketKeyCb,
  kOptions,
  kNumTickets,
  kMaxEarlyData,
  kMaxFragmentLength,
  kMaxSendFragment,
  kSecurityLevel,
  kPskIdentity,
  kPskKey,
};

// The names `options =` takes.
constexpr const char* kOptionNames[] = {
    "ignore_unexpected_eof",
    "no_renegotiation",
    "allow_client_renegotiation",
    "partial_write",
    "moving_write_buffer",
    "no_middlebox_compat",
    "no_auto_retry",
    "post_handshake_auth",
    "verify_post_handshake",
    "allow_no_dhe_kex",
    "no_anti_replay",
};

struct SettingInfo {
  const char* name;
  Setting setting;
  const char* expected;  // what the value should be, for messages
};

constexpr SettingInfo kSettings[] = {
    {"versions", Setting::kVersions,
     "a version or range like TLSv1.2..TLSv1.3"},
    {"ciphersuites", Setting::kCiphersuites, "a TLS 1.3 ciphersuite list"},
    {"ciphers", Setting::kCiphers, "a cipher list"},
    {"groups", Setting::kGroups, "a group list"},
    {"sigalgs", Setting::kSigalgs, "a signature algorithm list"},
    {"verify", Setting::kVerify, "none, peer or require"},
    {"trust", Setting::kTrust, "certificate names"},
    {"cert", Setting::kCert, "a certificate name"},
    {"server_name", Setting::kServerName, "a host name"},
    {"verify_host", Setting::kVerifyHost, "a host name"},
    {"alpn", Setting::kAlpn, "protocol names"},
    {"session_cache", Setting::kSessionCache, "on or off"},
    {"tickets", Setting::kTickets, "on or off"},
    {"buffer", Setting::kBuffer, "a size from 1 to 1048576"},
    {"client_hello_cb", Setting::kClientHelloCb,
     "ok, fail or retry N then ok|fail"},
    {"cert_cb", Setting::kCertCb,
     "ok, fail, missing_file or retry N then ok|fail|missing_file"},
    {"client_cert_cb", Setting::kClientCertCb,
     "ok, fail or retry N then ok|fail"},
    {"verify_cb", Setting::kVerifyCb, "ok, fail or retry N then ok|fail"},
    {"servername", Setting::kServername,
     "ok, noack, alert_warning or alert_fatal"},
    {"sni_certs", Setting::kSniCerts, "host:certificate pairs"},
    {"ticket_key_cb", Setting::kTicketKeyCb, "fail"},
    {"options", Setting::kOptions, "option names"},
    {"num_tickets", Setting::kNumTickets, "a number of tickets from 0 to 100"},
    {"max_early_data", Setting::kMaxEarlyData, "a size from 1 to 1048576"},
    {"max_fragment_length", Setting::kMaxFragmentLength,
     "512, 1024, 2048 or 4096"},
    {"max_send_fragment", Setting::kMaxSendFragment,
     "a size from 512 to 16384"},
    {"security_level", Setting::kSecurityLevel, "a level from 0 to 5"},
    {"psk_identity", Setting::kPskIdentity, "an identity"},
    {"psk_key", Setting::kPskKey, "a key in hex"},
};

// The properties `expect client|server` can check.
struct PropertyInfo {
  const char* name;
  Property property;
  const char* expected;  // what the value should be, for messages
};

constexpr PropertyInfo kProperties[] = {
    {"version", Property::kVersion, "a version"},
    {"cipher", Property::kCipher, "a cipher name"},
    {"group", Property::kGroup, "a group name"},
    {"alpn", Property::kAlpn, "a protocol name"},
    {"server_name", Property::kServerName, "a host name"},
    {"verify_result", Property::kVerifyResult,
     "a verify result like X509_V_OK"},
    {"session_reused", Property::kSessionReused, "yes or no"},
    {"handshake_done", Property::kHandshakeDone, "yes or no"},
    {"tickets", Property::kTickets, "a non-negative integer"},
    {"early_data", Property::kEarlyData, "not_sent, rejected or accepted"},
    {"resumption", Property::kResumption, "none, session_id, ticket or psk"},
};

// The longest read a step may ask for.
constexpr int64_t kMaxReadLength = 1 << 20;

class Parser {
 public:
  Parser(std::string_view file, std::string_view text, Scenario* out)
      : file_(file), text_(text), lexer_(text), out_(out) {
    tok_ = lexer_.Next();
  }

  bool ParseScenario(Diagnostic* err);

 private:
  // Moves on to the next token and returns the one we were looking at.
  Token Take() {
    Token t = std::move(tok_);
    tok_ = lexer_.Next();
    return t;
  }

  // Fills `err` with `message` at `pos` and returns false.
  bool Error(Pos pos, const std::string& message, Diagnostic* err) const {
    err->file = std::string(file_);
    err->line = pos.line;
    err->col = pos.col;
    err->message = message;
    err->source_line = SourceLine(text_, pos.line);
    return false;
  }
  // As above at `at`; a malformed token reports what is wrong with it.
  bool Error(const Token& at, const std::string& message,
             Diagnostic* err) const {
    return Error(PosOf(at), at.kind == Token::kError ? at.text : message, err);
  }
  // "expected <what>, found <current token>".
  bool Unexpected(const std::string& what, Diagnostic* err) const {
    return Error(tok_, "expected " + what + ", found " + TokenName(tok_), err);
  }

  bool ExpectEndOfLine(Diagnostic* err);
  // Takes a word into *out, or reports "expected <what>, found ...".
  bool TakeWord(const std::string& what, Token* out, Diagnostic* err);
  // Takes a word holding an integer in [min, max]. When the token is no
  // word the message names `after`, the token before it.
  bool TakeInt(const std::string& what, const std::string& after, int64_t min,
               int64_t max, int64_t* out, Pos* out_pos, Diagnostic* err);
  bool IntFromWord(const Token& word, const std::string& what, int64_t min,
                   int64_t max, int64_t* out, Diagnostic* err);
  bool TakeTime(const std::string& after, Located<int64_t>* out,
                Diagnostic* err);
  bool TakeList(const std::string& what, std::vector<std::string>* out,
                Diagnostic* err);

  bool ParseStatement(Diagnostic* err);
  bool CheckHeader(const Token& keyword, const std::string& what, Pos* first,
                   Diagnostic* err);
  bool ParseTitle(Diagnostic* err);
  bool ParseSeed(Diagnostic* err);
  bool ParseClock(Diagnostic* err);
  bool ParsePki(const Token& keyword, Diagnostic* err);
  // The lines of a block after its '{', up to and with its '}', each read
  // by `parse_line`; anything but a word there is "expected <what>".
  template <typename ParseLine>
  bool ParseBlockLines(const Token& keyword, const std::string& what,
                       ParseLine parse_line, Diagnostic* err);
  bool ParseCertDecl(Diagnostic* err);
  bool ParseEndpoint(const Token& keyword, EndpointDecl* decl, Diagnostic* err);
  bool ParseSetting(Side side, EndpointDecl* decl, Diagnostic* err);
  // Reads "= value" into *field with `parse_value`, refusing a second one.
  template <typename T, typename ParseValue>
  bool SetOnce(const Token& key, std::optional<Located<T>>* field,
               ParseValue parse_value, Diagnostic* err);
  bool ParseVersionRange(const std::string& what, VersionRange* out,
                         Diagnostic* err);
  bool ParseCall(const Token& side_word, Diagnostic* err);
  bool ParseOutcome(Call call, Outcome* out, Diagnostic* err);
  bool ParseAlert(const Token& word, AlertExpect* out, Diagnostic* err);
  bool ParseDirection(const std::string& after, Side* out_from,
                      Diagnostic* err);
  bool ParseAmount(Amount* out, Diagnostic* err);
  bool ParseDeliver(const Token& keyword, Diagnostic* err);
  bool ParseClose(const Token& keyword, Diagnostic* err);
  bool ParseDrive(const Token& keyword, Diagnostic* err);
  bool ParseExpect(const Token& keyword, Diagnostic* err);
  bool ParseConnection(const Token& keyword, Diagnostic* err);
  bool ParseFault(const Token& keyword, Diagnostic* err);
  // "record SEL": a record selector after the word `record`.
  bool ParseRecord(RecordSelector* out, Diagnostic* err);
  // An integer written in decimal or as 0x hex, in [min, max].
  bool TakeNumber(const std::string& what, const std::string& after,
                  int64_t min, int64_t max, int64_t* out, Diagnostic* err);
  bool CheckReferences(const EndpointDecl& decl, Diagnostic* err) const;
  // Appends a step; header statements and blocks are refused from now on.
  void AddStep(Step step) {
    seen_step_ = true;
    out_->steps.push_back(std::move(step));
  }

  std::string_view file_;
  std::string_view text_;
  Lexer lexer_;
  Token tok_;  // the lookahead
  Scenario* out_;
  bool seen_step_ = false;
  Pos title_pos_, seed_pos_, clock_pos_, pki_pos_;   // line 0: not yet seen
  std::vector<std::string> connections_ = {"main"};  // names so far
};

bool Parser::ParseScenario(Diagnostic* err) {
  while (true) {
    switch (tok_.kind) {
      case Token::kNewline:
        Take();
        break;
      case Token::kEof:
        return CheckReferences(out_->client, err) &&
               CheckReferences(out_->server, err);
      case Token::kWord:
        if (!ParseStatement(err)) return false;
        break;
      case Token::kRBrace:
        return Error(tok_, "'}' without an open block", err);
      default:
        return Unexpected("a statement", err);
    }
  }
}

bool Parser::ExpectEndOfLine(Diagnostic* err) {
  if (tok_.kind == Token::kEof) return true;
  if (tok_.kind != Token::kNewline) return Unexpected("end of line", err);
  Take();
  return true;
}

bool Parser::TakeWord(const std::string& what, Token* out, Diagnostic* err) {
  if (tok_.kind != Token::kWord) return Unexpected(what, err);
  *out = Take();
  return true;
}

bool Parser::IntFromWord(const Token& word, const std::string& what,
                         int64_t min, int64_t max, int64_t* out,
                         Diagnostic* err) {
  bool out_of_range = false;
  bool number = ParseDecimal(word.text, out, &out_of_range);
  if (out_of_range || (number && (*out < min || *out > max))) {
    return Error(word,
                 "expected " + what + ", found " + TokenName(word) +
                     RangeText(what, min, max),
                 err);
  }
  if (!number) {
    return Error(word, "expected " + what + ", found " + TokenName(word), err);
  }
  return true;
}

bool Parser::TakeInt(const std::string& what, const std::string& after,
                     int64_t min, int64_t max, int64_t* out, Pos* out_pos,
                     Diagnostic* err) {
  if (tok_.kind != Token::kWord) {
    return Unexpected(what + " after '" + after + "'", err);
  }
  Token word = Take();
  if (out_pos != nullptr) *out_pos = PosOf(word);
  return IntFromWord(word, what, min, max, out, err);
}

bool Parser::TakeTime(const std::string& after, Located<int64_t>* out,
                      Diagnostic* err) {
  const std::string kWhat = "a time like 2026-01-01T00:00:00Z";
  if (tok_.kind != Token::kWord) {
    return Unexpected(kWhat + " after '" + after + "'", err);
  }
  Token word = Take();
  out->pos = PosOf(word);
  switch (ParseUtcTime(word.text, &out->value)) {
    case 0:
      return true;
    case 1:
      return Error(word, "expected " + kWhat + ", found " + TokenName(word),
                   err);
    default:
      return Error(word, "invalid date or time '" + word.text + "'", err);
  }
}

bool Parser::TakeList(const std::string& what, std::vector<std::string>* out,
                      Diagnostic* err) {
  Token word;
  if (!TakeWord(what, &word, err)) return false;
  *out = SplitList(word.text);
  int col = word.col;
  for (const std::string& item : *out) {
    if (item.empty()) {
      return Error(Pos{word.line, col},
                   "empty item in list '" + word.text + "'", err);
    }
    col += static_cast<int>(item.size()) + 1;
  }
  return true;
}

bool Parser::CheckHeader(const Token& keyword, const std::string& what,
                         Pos* first, Diagnostic* err) {
  if (seen_step_) {
    return Error(keyword, what + " must come before the first step", err);
  }
  if (first->line != 0) {
    return Error(keyword,
                 "duplicate " + what + " (first at line " +
                     std::to_string(first->line) + ")",
                 err);
  }
  *first = PosOf(keyword);
  return true;
}

bool Parser::ParseStatement(Diagnostic* err) {
  const std::string& word = tok_.text;
  if (word == "scenario") return ParseTitle(err);
  if (word == "seed") return ParseSeed(err);
  if (word == "clock") return ParseClock(err);
  if (word == "pki") {
    Token keyword = Take();
    if (!CheckHeader(keyword, "'pki' block", &pki_pos_, err)) return false;
    return ParsePki(keyword, err);
  }
  if (word == "client" || word == "server") {
    Token side_word = Take();
    if (tok_.kind != Token::kLBrace) return ParseCall(side_word, err);
    EndpointDecl* decl =
        side_word.text == "client" ? &out_->client : &out_->server;
    Pos first = decl->pos;
    if (!CheckHeader(side_word, "'" + side_word.text + "' block", &first,
                     err)) {
      return false;
    }
    return ParseEndpoint(side_word, decl, err);
  }
  if (word == "deliver") return ParseDeliver(Take(), err);
  if (word == "close") return ParseClose(Take(), err);
  if (word == "drive") return ParseDrive(Take(), err);
  if (word == "expect") return ParseExpect(Take(), err);
  if (word == "connection") return ParseConnection(Take(), err);
  for (const char* fault :
       {"drop", "duplicate", "swap", "truncate", "cut", "corrupt", "inject"}) {
    if (word == fault) return ParseFault(Take(), err);
  }
  return Error(tok_, "unknown statement '" + word + "'", err);
}

bool Parser::ParseTitle(Diagnostic* err) {
  Token keyword = Take();
  if (!CheckHeader(keyword, "'scenario'", &title_pos_, err)) return false;
  if (tok_.kind != Token::kString) {
    return Unexpected("a string after 'scenario'", err);
  }
  out_->title = Take().text;
  return ExpectEndOfLine(err);
}

bool Parser::ParseSeed(Diagnostic* err) {
  Token keyword = Take();
  if (!CheckHeader(keyword, "'seed'", &seed_pos_, err)) return false;
  const std::string kWhat = "a non-negative integer";
  if (tok_.kind != Token::kWord) {
    return Unexpected(kWhat + " after 'seed'", err);
  }
  Token word = Take();
  uint64_t seed = 0;
  bool out_of_range = false;
  if (!ParseDecimal(word.text, &seed, &out_of_range)) {
    if (out_of_range) {
      return Error(word,
                   "expected " + kWhat + ", found " + TokenName(word) +
                       RangeText(kWhat, uint64_t{0}, UINT64_MAX),
                   err);
    }
    return Error(word, "expected " + kWhat + ", found " + TokenName(word), err);
  }
  out_->seed = seed;
  return ExpectEndOfLine(err);
}

bool Parser::ParseClock(Diagnostic* err) {
  Token keyword = Take();
  if (!CheckHeader(keyword, "'clock'", &clock_pos_, err)) return false;
  Located<int64_t> time;
  if (!TakeTime("clock", &time, err)) return false;
  out_->clock = time.value;
  return ExpectEndOfLine(err);
}

bool Parser::ParsePki(const Token& keyword, Diagnostic* err) {
  if (tok_.kind != Token::kLBrace) return Unexpected("'{' after 'pki'", err);
  return ParseBlockLines(
      keyword, "ca or leaf", [&] { return ParseCertDecl(err); }, err);
}

template <typename ParseLine>
bool Parser::ParseBlockLines(const Token& keyword, const std::string& what,
                             ParseLine parse_line, Diagnostic* err) {
  Take();  // {
  if (!ExpectEndOfLine(err)) return false;
  while (true) {
    switch (tok_.kind) {
      case Token::kNewline:
        Take();
        break;
      case Token::kEof:
        return Error(keyword,
                     "missing '}' for the block opened at line " +
                         std::to_string(keyword.line),
                     err);
      case Token::kRBrace:
        Take();
        return ExpectEndOfLine(err);
      case Token::kWord:
        if (!parse_line()) return false;
        break;
      default:
        return Unexpected(what, err);
    }
  }
}

bool Parser::ParseCertDecl(Diagnostic* err) {
  CertDecl cert;
  Token kind = Take();
  if (kind.text != "ca" && kind.text != "leaf") {
    return Error(kind, "expected ca or leaf, found " + TokenName(kind), err);
  }
  cert.pos = PosOf(kind);
  cert.is_ca = kind.text == "ca";
  Token name;
  if (!TakeWord("a certificate name after '" + kind.text + "'", &name, err)) {
    return false;
  }
  if (const CertDecl* first = FindCert(out_->pki, name.text)) {
    return Error(name,
                 "duplicate certificate '" + name.text + "' (first at line " +
                     std::to_string(first->pos.line) + ")",
                 err);
  }
  cert.name = name.text;

  bool seen_key = false, seen_dns = false;
  while (tok_.kind == Token::kWord) {
    Token attr = Take();
    const std::string& a = attr.text;
    bool duplicate = false;
    if (a == "issuer") {
      duplicate = cert.issuer.has_value();
    } else if (a == "key") {
      duplicate = seen_key;
    } else if (a == "dns") {
      if (cert.is_ca) {
        return Error(attr, "'dns' is only for leaf certificates", err);
      }
      duplicate = seen_dns;
    } else if (a == "not_before") {
      duplicate = cert.not_before.has_value();
    } else if (a == "not_after") {
      duplicate = cert.not_after.has_value();
    } else {
      return Error(attr, "unknown certificate attribute '" + a + "'", err);
    }
    if (duplicate) return Error(attr, "duplicate attribute '" + a + "'", err);
    if (tok_.kind != Token::kEquals) {
      return Unexpected("'=' after '" + a + "'", err);
    }
    Take();
    const std::string after = a + "=";
    if (a == "not_before" || a == "not_after") {
      Located<int64_t> time;
      if (!TakeTime(after, &time, err)) return false;
      (a == "not_before" ? cert.not_before : cert.not_after) = time;
      continue;
    }
    if (a == "dns") {
      if (!TakeList("dns names after '" + after + "'", &cert.dns, err)) {
        return false;
      }
      seen_dns = true;
      continue;
    }
    Token value;
    if (a == "key") {
      const std::string kWhat = "ec-p256, ed25519 or rsa-2048";
      if (!TakeWord(kWhat + " after '" + after + "'", &value, err)) {
        return false;
      }
      if (value.text == "ec-p256") {
        cert.key = KeyType::kEcP256;
      } else if (value.text == "ed25519") {
        cert.key = KeyType::kEd25519;
      } else if (value.text == "rsa-2048") {
        cert.key = KeyType::kRsa2048;
      } else {
        return Error(value, "expected " + kWhat + ", found " + TokenName(value),
                     err);
      }
      seen_key = true;
      continue;
    }
    // issuer: a CA declared above.
    if (!TakeWord("a certificate name after '" + after + "'", &value, err)) {
      return false;
    }
    const CertDecl* issuer = FindCert(out_->pki, value.text);
    if (issuer == nullptr) {
      return Error(value, "unknown certificate '" + value.text + "'", err);
    }
    if (!issuer->is_ca) {
      return Error(value, "'" + value.text + "' is not a ca certificate", err);
    }
    cert.issuer = Located<std::string>{value.text, PosOf(value)};
  }
  if (tok_.kind != Token::kNewline && tok_.kind != Token::kEof) {
    return Unexpected("name=value or end of line", err);
  }
  if (!cert.is_ca && !cert.issuer) {
    return Error(kind, "leaf '" + cert.name + "' needs issuer=", err);
  }
  out_->pki.push_back(std::move(cert));
  return ExpectEndOfLine(err);
}

bool Parser::ParseEndpoint(const Token& keyword, EndpointDecl* decl,
                           Diagnostic* err) {
  decl->pos = PosOf(keyword);
  decl->declared = true;
  Side side = keyword.text == "client" ? Side::kClient : Side::kServer;
  return ParseBlockLines(
      keyword, "a setting name", [&] { return ParseSetting(side, decl, err); },
      err);
}

bool Parser::ParseSetting(Side side, EndpointDecl* decl, Diagnostic* err) {
  Token key = Take();
  const SettingInfo* info = nullptr;
  for (const SettingInfo& s : kSettings) {
    if (key.text == s.name) info = &s;
  }
  if (info == nullptr) {
    return Error(
        key,
        "unknown setting '" + key.text + "' in " + SideName(side) + " block",
        err);
  }
  if (side == Side::kServer && (info->setting == Setting::kServerName ||
                                info->setting == Setting::kVerifyHost)) {
    return Error(key, "'" + key.text + "' is only allowed in the client block",
                 err);
  }

  const std::string what = info->expected;
  auto wrong = [&](const Token& value) {
    return Error(value, "expected " + what + ", found " + TokenName(value),
                 err);
  };
  // The four lists OpenSSL reads itself: a word or a string, as given.
  auto openssl_list = [&](std::string* out) {
    if (tok_.kind != Token::kWord && tok_.kind != Token::kString) {
      return Unexpected(what, err);
    }
    *out = Take().text;
    return true;
  };
  auto name = [&](std::string* out) {
    Token value;
    if (!TakeWord(what, &value, err)) return false;
    *out = value.text;
    return true;
  };
  auto list = [&](std::vector<std::string>* out) {
    return TakeList(what, out, err);
  };
  auto on_off = [&](bool* out) {
    Token value;
    if (!TakeWord(what, &value, err)) return false;
    if (value.text != "on" && value.text != "off") return wrong(value);
    *out = value.text == "on";
    return true;
  };
  auto verify = [&](VerifyMode* out) {
    Token value;
    if (!TakeWord(what, &value, err)) return false;
    if (value.text == "none") {
      *out = VerifyMode::kNone;
    } else if (value.text == "peer") {
      *out = VerifyMode::kPeer;
    } else if (value.text == "require") {
      *out = VerifyMode::kRequire;
    } else {
      return wrong(value);
    }
    return true;
  };
  auto versions = [&](VersionRange* out) {
    return ParseVersionRange(what, out, err);
  };
  auto size = [&](int64_t* out) {
    Token value;
    if (!TakeWord(what, &value, err)) return false;
    return IntFromWord(value, what, 1, kMaxBuffer, out, err);
  };
  auto number = [&](int64_t min, int64_t max) {
    return [&, min, max](int64_t* out) {
      Token value;
      if (!TakeWord(what, &value, err)) return false;
      return IntFromWord(value, what, min, max, out, err);
    };
  };
  // ok | fail | missing_file | retry N then ok|fail|missing_file
  bool file_allowed = info->setting == Setting::kCertCb;
  auto ending = [&](const Token& word, RetryPlan* out) {
    if (word.text == "ok" || word.text == "fail") {
      out->then_fail = word.text == "fail";
      return true;
    }
    if (word.text == "missing_file" && file_allowed) {
      out->then_fail = out->missing_file = true;
      return true;
    }
    return false;
  };
  auto retry_plan = [&](RetryPlan* out) {
    Token first;
    if (!TakeWord(what, &first, err)) return false;
    if (ending(first, out)) return true;
    if (first.text != "retry") return wrong(first);
    if (!TakeInt("a retry count", "retry", 0, 1000, &out->retries, nullptr,
                 err)) {
      return false;
    }
    Token then;
    if (!TakeWord("'then'", &then, err)) return false;
    if (then.text != "then") {
      return Error(then, "expected 'then', found " + TokenName(then), err);
    }
    const std::string endings =
        file_allowed ? "ok, fail or missing_file" : "ok or fail";
    Token last;
    if (!TakeWord(endings, &last, err)) return false;
    if (!ending(last, out)) {
      return Error(last, "expected " + endings + ", found " + TokenName(last),
                   err);
    }
    return true;
  };
  auto servername = [&](ServernameAction* out) {
    Token value;
    if (!TakeWord(what, &value, err)) return false;
    const std::string& v = value.text;
    if (v == "ok") {
      *out = ServernameAction::kOk;
    } else if (v == "noack") {
      *out = ServernameAction::kNoAck;
    } else if (v == "alert_warning") {
      *out = ServernameAction::kAlertWarning;
    } else if (v == "alert_fatal") {
      *out = ServernameAction::kAlertFatal;
    } else {
      return wrong(value);
    }
    return true;
  };
  auto pairs = [&](std::vector<std::pair<std::string, std::string>>* out) {
    Pos at = PosOf(tok_);
    std::vector<std::string> items;
    if (!TakeList(what, &items, err)) return false;
    for (const std::string& item : items) {
      size_t colon = item.find(':');
      if (colon == std::string::npos || colon == 0 ||
          colon + 1 == item.size()) {
        return Error(at, "expected host:certificate, found '" + item + "'",
                     err);
      }
      out->emplace_back(item.substr(0, colon), item.substr(colon + 1));
      at.col += static_cast<int>(item.size()) + 1;
    }
    return true;
  };
  auto fail_only = [&](bool* out) {
    Token value;
    if (!TakeWord(what, &value, err)) return false;
    if (value.text != "fail") return wrong(value);
    *out = true;
    return true;
  };
  auto options = [&](std::vector<std::string>* out) {
    Pos at = PosOf(tok_);
    if (!TakeList(what, out, err)) return false;
    for (const std::string& option : *out) {
      bool known = false;
      for (const char* name : kOptionNames) known = known || option == name;
      if (!known) {
        return Error(at, "unknown option '" + option + "'", err);
      }
      at.col += static_cast<int>(option.size()) + 1;
    }
    return true;
  };
  auto fragment = [&](int64_t* out) {
    Token value;
    if (!TakeWord(what, &value, err)) return false;
    if (!IntFromWord(value, what, 512, 4096, out, err)) return false;
    if (*out != 512 && *out != 1024 && *out != 2048 && *out != 4096) {
      return wrong(value);
    }
    return true;
  };
  auto hex_key = [&](std::string* out) {
    Token value;
    if (!TakeWord(what, &value, err)) return false;
    bool hex = value.text.size() % 2 == 0 && !value.text.empty();
    for (char c : value.text) {
      hex = hex && std::isxdigit(static_cast<unsigned char>(c));
    }
    if (!hex) return wrong(value);
    *out = value.text;
    return true;
  };

  switch (info->setting) {
    case Setting::kVersions:
      return SetOnce(key, &decl->versions, versions, err);
    case Setting::kCiphersuites:
      return SetOnce(key, &decl->ciphersuites, openssl_list, err);
    case Setting::kCiphers:
      return SetOnce(key, &decl->ciphers, openssl_list, err);
    case Setting::kGroups:
      return SetOnce(key, &decl->groups, openssl_list, err);
    case Setting::kSigalgs:
      return SetOnce(key, &decl->sigalgs, openssl_list, err);
    case Setting::kVerify:
      return SetOnce(key, &decl->verify, verify, err);
    case Setting::kTrust:
      return SetOnce(key, &decl->trust, list, err);
    case Setting::kCert:
      return SetOnce(key, &decl->cert, name, err);
    case Setting::kServerName:
      return SetOnce(key, &decl->server_name, name, err);
    case Setting::kVerifyHost:
      return SetOnce(key, &decl->verify_host, name, err);
    case Setting::kAlpn:
      return SetOnce(key, &decl->alpn, list, err);
    case Setting::kSessionCache:
      return SetOnce(key, &decl->session_cache, on_off, err);
    case Setting::kTickets:
      return SetOnce(key, &decl->tickets, on_off, err);
    case Setting::kBuffer:
      return SetOnce(key, &decl->buffer, size, err);
    case Setting::kClientHelloCb:
      return SetOnce(key, &decl->client_hello_cb, retry_plan, err);
    case Setting::kCertCb:
      return SetOnce(key, &decl->cert_cb, retry_plan, err);
    case Setting::kClientCertCb:
      return SetOnce(key, &decl->client_cert_cb, retry_plan, err);
    case Setting::kVerifyCb:
      return SetOnce(key, &decl->verify_cb, retry_plan, err);
    case Setting::kServername:
      return SetOnce(key, &decl->servername, servername, err);
    case Setting::kSniCerts:
      return SetOnce(key, &decl->sni_certs, pairs, err);
    case Setting::kTicketKeyCb:
      return SetOnce(key, &decl->ticket_key_fail, fail_only, err);
    case Setting::kOptions:
      return SetOnce(key, &decl->options, options, err);
    case Setting::kNumTickets:
      return SetOnce(key, &decl->num_tickets, number(0, 100), err);
    case Setting::kMaxEarlyData:
      return SetOnce(key, &decl->max_early_data, number(1, kMaxBuffer), err);
    case Setting::kMaxFragmentLength:
      return SetOnce(key, &decl->max_fragment_length, fragment, err);
    case Setting::kMaxSendFragment:
      return SetOnce(key, &decl->max_send_fragment, number(512, 16384), err);
    case Setting::kSecurityLevel:
      return SetOnce(key, &decl->security_level, number(0, 5), err);
    case Setting::kPskIdentity:
      return SetOnce(key, &decl->psk_identity, name, err);
    case Setting::kPskKey:
      return SetOnce(key, &decl->psk_key, hex_key, err);
  }
  return false;
}

template <typename T, typename ParseValue>
bool Parser::SetOnce(const Token& key, std::optional<Located<T>>* field,
                     ParseValue parse_value, Diagnostic* err) {
  if (*field) {
    return Error(key,
                 "duplicate setting '" + key.text + "' (first at line " +
                     std::to_string((*field)->pos.line) + ")",
                 err);
  }
  if (tok_.kind != Token::kEquals) {
    return Unexpected("'=' after '" + key.text + "'", err);
  }
  Take();
  Located<T> value;
  value.pos = PosOf(tok_);
  if (!parse_value(&value.value)) return false;
  *field = std::move(value);
  return ExpectEndOfLine(err);
}

// TLSv1.3, or a range TLSv1.2..TLSv1.3 whose ends are in order.
bool Parser::ParseVersionRange(const std::string& what, VersionRange* out,
                               Diagnostic* err) {
  Token value;
  if (!TakeWord(what, &value, err)) return false;
  std::string_view text = value.text;
  size_t dots = text.find("..");
  std::string_view min_name = text.substr(0, dots);
  std::string_view max_name =
      dots == std::string_view::npos ? text : text.substr(dots + 2);
  if (min_name.empty() || max_name.empty()) {
    return Error(value, "expected " + what + ", found " + TokenName(value),
                 err);
  }
  if (!LookupVersion(min_name, &out->min)) {
    return Error(value, "unknown version '" + std::string(min_name) + "'", err);
  }
  if (!LookupVersion(max_name, &out->max)) {
    Pos at = PosOf(value);
    if (dots != std::string_view::npos) at.col += static_cast<int>(dots + 2);
    return Error(at, "unknown version '" + std::string(max_name) + "'", err);
  }
  if (out->min > out->max) {
    return Error(value,
                 "empty version range: " + std::string(min_name) +
                     " is above " + std::string(max_name),
                 err);
  }
  return true;
}

bool Parser::ParseCall(const Token& side_word, Diagnostic* err) {
  CallStep step;
  step.pos = PosOf(side_word);
  LookupSide(side_word.text, &step.side);
  Token name;
  if (!TakeWord("a call or '{' after '" + side_word.text + "'", &name, err)) {
    return false;
  }
  if (!LookupCall(name.text, &step.call)) {
    return Error(name, "unknown call '" + name.text + "'", err);
  }
  switch (step.call) {
    case Call::kRead:
    case Call::kPeek:
    case Call::kReadEarly:
      if (!TakeInt("a positive integer", name.text, 1, kMaxReadLength,
                   &step.read_len, nullptr, err)) {
        return false;
      }
      break;
    case Call::kWrite:
    case Call::kWriteEarly:
      if (tok_.kind != Token::kString) {
        return Unexpected("a string after '" + name.text + "'", err);
      }
      step.write_data = Take().text;
      if (tok_.kind == Token::kWord && tok_.text == "moved") {
        Take();
        step.moved_buffer = true;
      }
      break;
    case Call::kKeyUpdate: {
      Token how;
      if (!TakeWord("requested or not_requested after 'key_update'", &how,
                    err)) {
        return false;
      }
      if (how.text != "requested" && how.text != "not_requested") {
        return Error(
            how, "expected requested or not_requested, found " + TokenName(how),
            err);
      }
      step.key_update_requested = how.text == "requested";
      break;
    }
    case Call::kSetConnectState:
    case Call::kSetAcceptState:
      if (tok_.kind == Token::kArrow) {
        return Error(tok_, name.text + " returns nothing", err);
      }
      if (!ExpectEndOfLine(err)) return false;
      AddStep(std::move(step));
      return true;
    default:
      break;
  }
  if (tok_.kind != Token::kArrow) {
    return Unexpected("'->' and the expected outcome", err);
  }
  Take();
  Outcome outcome;
  if (!ParseOutcome(step.call, &outcome, err)) return false;
  step.expect = std::move(outcome);
  AddStep(std::move(step));
  return ExpectEndOfLine(err);
}

bool Parser::ParseOutcome(Call call, Outcome* out, Diagnostic* err) {
  if (tok_.kind != Token::kWord) {
    return Unexpected("an outcome after '->'", err);
  }
  out->pos = PosOf(tok_);
  if (tok_.text == "any") {
    Take();
    out->any = true;
    return true;
  }
  // Items come in the order: return value, SSL error, key=value pairs.
  enum { kRet, kError, kPairs } stage = kRet;
  while (tok_.kind == Token::kWord) {
    Token word = Take();
    const std::string& w = word.text;
    if (tok_.kind == Token::kEquals) {
      Take();
      stage = kPairs;
      bool is_string = w == "reason" || w == "state" || w == "data";
      bool is_alert = w == "alert_sent" || w == "alert_received";
      if (!is_string && !is_alert && w != "verify") {
        return Error(word, "unknown outcome key '" + w + "'", err);
      }
      bool duplicate = w == "reason"       ? out->reason.has_value()
                       : w == "state"      ? out->state.has_value()
                       : w == "data"       ? out->data.has_value()
                       : w == "verify"     ? out->verify.has_value()
                       : w == "alert_sent" ? out->alert_sent.has_value()
                                           : out->alert_received.has_value();
      if (duplicate) {
        return Error(word, "duplicate outcome key '" + w + "'", err);
      }
      if (w == "data" && call != Call::kRead && call != Call::kPeek &&
          call != Call::kReadEarly) {
        return Error(word, "'data' is only for read, peek and read_early", err);
      }
      if (w == "verify") {
        Token value;
        if (!TakeWord("a verify result after 'verify='", &value, err)) {
          return false;
        }
        if (value.text.rfind("X509_V_", 0) != 0) {
          return Error(value,
                       "expected a verify result like X509_V_OK, found " +
                           TokenName(value),
                       err);
        }
        out->verify = value.text;
        continue;
      }
      if (is_string) {
        if (tok_.kind != Token::kString) {
          return Unexpected("a string after '" + w + "='", err);
        }
        std::string value = Take().text;
        (w == "reason"  ? out->reason
         : w == "state" ? out->state
                        : out->data) = std::move(value);
        continue;
      }
      Token value;
      if (!TakeWord("an alert after '" + w + "='", &value, err)) return false;
      AlertExpect alert;
      if (!ParseAlert(value, &alert, err)) return false;
      (w == "alert_sent" ? out->alert_sent : out->alert_received) = alert;
      continue;
    }
    if (LooksLikeInteger(w)) {
      if (out->ret) return Error(word, "duplicate return value", err);
      if (stage != kRet) {
        return Error(word, "the return value must come first", err);
      }
      int64_t ret = 0;
      if (!IntFromWord(word, "an integer", INT64_MIN, INT64_MAX, &ret, err)) {
        return false;
      }
      if (ret < INT_MIN || ret > INT_MAX) {
        return Error(word,
                     "expected an integer, found " + TokenName(word) +
                         RangeText("an integer", INT_MIN, INT_MAX),
                     err);
      }
      out->ret = static_cast<int>(ret);
      stage = kError;
      continue;
    }
    SslError error;
    if (LookupSslError(w, &error)) {
      if (out->error) return Error(word, "duplicate ssl error", err);
      if (stage == kPairs) {
        return Error(word, "the ssl error must come before key=value items",
                     err);
      }
      out->error = error;
      stage = kPairs;
      continue;
    }
    if (w == "any") {
      return Error(word, "'any' cannot be combined with other items", err);
    }
    if (w[0] >= 'A' && w[0] <= 'Z') {
      return Error(word, "unknown ssl error '" + w + "'", err);
    }
    return Error(word,
                 "expected a return value, an ssl error or key=value, found " +
                     TokenName(word),
                 err);
  }
  return true;
}

bool Parser::ParseAlert(const Token& word, AlertExpect* out, Diagnostic* err) {
  std::string_view text = word.text;
  Pos at = PosOf(word);
  if (text == "none") {
    out->description = AlertExpect::kNone;
    return true;
  }
  size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    std::string_view level = text.substr(0, colon);
    if (level == "fatal") {
      out->level = AlertLevel::kFatal;
    } else if (level == "warning") {
      out->level = AlertLevel::kWarning;
    } else {
      return Error(at,
                   "expected fatal or warning before ':', found '" +
                       std::string(level) + "'",
                   err);
    }
    text.remove_prefix(colon + 1);
    at.col += static_cast<int>(colon + 1);
  }
  for (int code = 0; code <= 255; ++code) {
    const char* name = AlertName(code);
    if (name != nullptr && text == name) {
      out->description = code;
      return true;
    }
  }
  // A number stands for an alert without a name here.
  int64_t code = 0;
  bool out_of_range = false;
  if (ParseDecimal(text, &code, &out_of_range) && code >= 0 && code <= 255) {
    out->description = static_cast<int>(code);
    return true;
  }
  return Error(at, "unknown alert '" + std::string(text) + "'", err);
}

bool Parser::ParseDirection(const std::string& after, Side* out_from,
                            Diagnostic* err) {
  const std::string kWhat = "client->server or server->client";
  if (tok_.kind != Token::kWord || !LookupSide(tok_.text, out_from)) {
    return Unexpected(kWhat + " after '" + after + "'", err);
  }
  Token from = Take();
  if (tok_.kind != Token::kArrow) {
    return Unexpected("'->' after '" + from.text + "'", err);
  }
  Take();
  const char* to = *out_from == Side::kClient ? "server" : "client";
  if (tok_.kind != Token::kWord || tok_.text != to) {
    return Unexpected("'" + std::string(to) + "' after '" + from.text + "->'",
                      err);
  }
  Take();
  return true;
}

bool Parser::ParseAmount(Amount* out, Diagnostic* err) {
  const std::string kWhat = "a positive byte count, record or all";
  Token word;
  if (!TakeWord(kWhat, &word, err)) return false;
  if (word.text == "record") {
    out->kind = Amount::Kind::kRecord;
  } else if (word.text == "all") {
    out->kind = Amount::Kind::kAll;
  } else {
    out->kind = Amount::Kind::kBytes;
    return IntFromWord(word, kWhat, 1, INT64_MAX, &out->bytes, err);
  }
  return true;
}

bool Parser::ParseDeliver(const Token& keyword, Diagnostic* err) {
  DeliverStep step;
  step.pos = PosOf(keyword);
  if (!ParseDirection("deliver", &step.from, err)) return false;
  if (!ParseAmount(&step.amount, err)) return false;
  AddStep(std::move(step));
  return ExpectEndOfLine(err);
}

bool Parser::ParseClose(const Token& keyword, Diagnostic* err) {
  CloseStep step;
  step.pos = PosOf(keyword);
  if (!ParseDirection("close", &step.from, err)) return false;
  AddStep(std::move(step));
  return ExpectEndOfLine(err);
}

bool Parser::ParseDrive(const Token& keyword, Diagnostic* err) {
  DriveStep step;
  step.pos = PosOf(keyword);
  bool seen_deliver = false, seen_first = false, seen_limit = false;
  while (tok_.kind == Token::kWord) {
    Token option = Take();
    const std::string& o = option.text;
    bool* seen = o == "deliver" ? &seen_deliver
                 : o == "first" ? &seen_first
                 : o == "limit" ? &seen_limit
                                : nullptr;
    if (seen == nullptr) {
      if (tok_.kind != Token::kEquals &&
          (o == "done" || o == "stalled" || o == "failed")) {
        return Error(option, "expected '->' before '" + o + "'", err);
      }
      return Error(option, "unknown drive option '" + o + "'", err);
    }
    if (*seen) return Error(option, "duplicate drive option '" + o + "'", err);
    *seen = true;
    if (tok_.kind != Token::kEquals) {
      return Unexpected("'=' after '" + o + "'", err);
    }
    Take();
    if (o == "deliver") {
      if (!ParseAmount(&step.chunk, err)) return false;
    } else if (o == "first") {
      Token side;
      if (!TakeWord("client or server", &side, err)) return false;
      if (!LookupSide(side.text, &step.first)) {
        return Error(
            side, "expected client or server, found " + TokenName(side), err);
      }
    } else if (!TakeInt("a positive integer", "limit=", 1, INT64_MAX,
                        &step.limit, nullptr, err)) {
      return false;
    }
  }
  if (tok_.kind != Token::kArrow) {
    return Unexpected("'->' and the expected result", err);
  }
  Take();
  const std::string kWhat = "done, stalled or failed";
  Token result;
  if (!TakeWord(kWhat + " after '->'", &result, err)) return false;
  if (result.text == "done") {
    step.expect = DriveResult::kDone;
  } else if (result.text == "stalled") {
    step.expect = DriveResult::kStalled;
  } else if (result.text == "failed") {
    step.expect = DriveResult::kFailed;
  } else {
    return Error(result, "expected " + kWhat + ", found " + TokenName(result),
                 err);
  }
  AddStep(std::move(step));
  return ExpectEndOfLine(err);
}

bool Parser::ParseExpect(const Token& keyword, Diagnostic* err) {
  ExpectStep step;
  step.pos = PosOf(keyword);
  Token subject;
  if (!TakeWord("client, server or in_flight after 'expect'", &subject, err)) {
    return false;
  }
  if (subject.text == "in_flight") {
    step.property = Property::kInFlight;
    if (!ParseDirection("in_flight", &step.side, err)) return false;
    if (tok_.kind != Token::kEquals) {
      return Unexpected(std::string("'=' after '") +
                            (step.side == Side::kClient ? "client->server"
                                                        : "server->client") +
                            "'",
                        err);
    }
    Take();
    int64_t n = 0;
    if (!TakeInt("a non-negative integer", "=", 0, INT64_MAX, &n,
                 &step.value_pos, err)) {
      return false;
    }
    step.value = n;
    AddStep(std::move(step));
    return ExpectEndOfLine(err);
  }
  if (!LookupSide(subject.text, &step.side)) {
    return Error(subject,
                 "expected client, server or in_flight after 'expect', found " +
                     TokenName(subject),
                 err);
  }
  Token property;
  if (!TakeWord("a property after '" + subject.text + "'", &property, err)) {
    return false;
  }
  const std::string& p = property.text;
  const PropertyInfo* info = nullptr;
  for (const PropertyInfo& i : kProperties) {
    if (p == i.name) info = &i;
  }
  if (info == nullptr) {
    return Error(property, "unknown property '" + p + "'", err);
  }
  step.property = info->property;
  const std::string what = info->expected;
  if (tok_.kind != Token::kEquals) {
    return Unexpected("'=' after '" + p + "'", err);
  }
  Take();
  Token value;
  if (!TakeWord(what, &value, err)) return false;
  step.value_pos = PosOf(value);
  auto wrong = [&] {
    return Error(value, "expected " + what + ", found " + TokenName(value),
                 err);
  };
  switch (step.property) {
    case Property::kVersion: {
      Version v;
      if (value.text == "none") {
        step.value = value.text;  // no session yet
        break;
      }
      if (!LookupVersion(value.text, &v)) {
        return Error(value, "unknown version '" + value.text + "'", err);
      }
      step.value = v;
      break;
    }
    case Property::kVerifyResult:
      if (value.text.rfind("X509_V_", 0) != 0) return wrong();
      step.value = value.text;
      break;
    case Property::kSessionReused:
    case Property::kHandshakeDone:
      if (value.text != "yes" && value.text != "no") return wrong();
      step.value = value.text == "yes";
      break;
    case Property::kCipher:
    case Property::kGroup:
    case Property::kAlpn:
    case Property::kServerName:
      step.value = value.text;
      break;
    case Property::kInFlight:  // read above
      break;
    case Property::kTickets: {
      int64_t n = 0;
      if (!IntFromWord(value, what, 0, INT64_MAX, &n, err)) return false;
      step.value = n;
      break;
    }
    case Property::kEarlyData:
      if (value.text != "not_sent" && value.text != "rejected" &&
          value.text != "accepted") {
        return wrong();
      }
      step.value = value.text;
      break;
    case Property::kResumption:
      if (step.side == Side::kServer) {
        return Error(property,
                     "'resumption' is for the client: only it knows which "
                     "session it offered",
                     err);
      }
      if (value.text != "none" && value.text != "session_id" &&
          value.text != "ticket" && value.text != "psk") {
        return wrong();
      }
      step.value = value.text;
      break;
  }
  AddStep(std::move(step));
  return ExpectEndOfLine(err);
}

bool Parser::ParseConnection(const Token& keyword, Diagnostic* err) {
  ConnectionStep step;
  step.pos = PosOf(keyword);
  Token name;
  if (!TakeWord("a connection name after 'connection'", &name, err)) {
    return false;
  }
  for (const std::string& known : connections_) {
    if (known == name.text) {
      return Error(name, "duplicate connection '" + name.text + "'", err);
    }
  }
  step.name = name.text;
  if (tok_.kind == Token::kWord && tok_.text == "resume") {
    Take();
    if (tok_.kind != Token::kEquals) {
      return Unexpected("'=' after 'resume'", err);
    }
    Take();
    Token from;
    if (!TakeWord("a connection name after 'resume='", &from, err)) {
      return false;
    }
    bool known = false;
    for (const std::string& c : connections_) known = known || c == from.text;
    if (!known) {
      return Error(from, "unknown connection '" + from.text + "'", err);
    }
    step.resume = Located<std::string>{from.text, PosOf(from)};
  }
  connections_.push_back(step.name);
  AddStep(std::move(step));
  return ExpectEndOfLine(err);
}

bool Parser::TakeNumber(const std::string& what, const std::string& after,
                        int64_t min, int64_t max, int64_t* out,
                        Diagnostic* err) {
  if (tok_.kind != Token::kWord) {
    return Unexpected(what + " after '" + after + "'", err);
  }
  Token word = Take();
  const std::string& w = word.text;
  if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(w.data() + 2, w.data() + w.size(), v, 16);
    if (ec != std::errc() || end != w.data() + w.size()) {
      return Error(word, "expected " + what + ", found " + TokenName(word),
                   err);
    }
    if (v < static_cast<uint64_t>(std::max<int64_t>(min, 0)) ||
        v > static_cast<uint64_t>(max)) {
      return Error(word,
                   "expected " + what + ", found " + TokenName(word) +
                       RangeText(what, min, max),
                   err);
    }
    *out = static_cast<int64_t>(v);
    return true;
  }
  return IntFromWord(word, what, min, max, out, err);
}

bool Parser::ParseRecord(RecordSelector* out, Diagnostic* err) {
  Token keyword;
  if (!TakeWord("'record'", &keyword, err)) return false;
  if (keyword.text != "record") {
    return Error(keyword, "expected 'record', found " + TokenName(keyword),
                 err);
  }
  Token sel;
  if (!TakeWord("a record: a number, a handshake message or type:N", &sel,
                err)) {
    return false;
  }
  const std::string& w = sel.text;
  const std::string kWhat = "a record: a number, a handshake message or type:N";
  if (LooksLikeInteger(w)) {
    out->kind = RecordSelector::Kind::kIndex;
    return IntFromWord(sel, "a record number", 1, INT64_MAX, &out->index, err);
  }
  size_t colon = w.find(':');
  if (colon != std::string::npos) {
    std::string type = w.substr(0, colon);
    out->kind = RecordSelector::Kind::kTypeIndex;
    bool found = false;
    for (int t = 0; t < 256 && !found; ++t) {
      const char* name = ContentTypeName(t);
      if (name != nullptr && type == name) {
        out->type = t;
        found = true;
      }
    }
    if (!found) {
      return Error(sel, "unknown content type '" + type + "'", err);
    }
    bool out_of_range = false;
    std::string n = w.substr(colon + 1);
    if (!ParseDecimal(n, &out->index, &out_of_range) || out->index < 1) {
      Pos at = PosOf(sel);
      at.col += static_cast<int>(colon + 1);
      return Error(at,
                   "expected a record number from 1 after '" + type +
                       ":', found '" + n + "'",
                   err);
    }
    return true;
  }
  out->kind = RecordSelector::Kind::kHandshake;
  for (int t = 0; t < 256; ++t) {
    const char* name = HandshakeName(t);
    if (name != nullptr && w == name) {
      out->type = t;
      return true;
    }
  }
  return Error(sel, "expected " + kWhat + ", found " + TokenName(sel), err);
}

bool Parser::ParseFault(const Token& keyword, Diagnostic* err) {
  FaultStep step;
  step.pos = PosOf(keyword);
  const std::string& k = keyword.text;
  if (!ParseDirection(k, &step.from, err)) return false;
  if (k == "drop" || k == "duplicate") {
    step.kind =
        k == "drop" ? FaultStep::Kind::kDrop : FaultStep::Kind::kDuplicate;
    step.record.emplace();
    if (!ParseRecord(&*step.record, err)) return false;
  } else if (k == "swap") {
    step.kind = FaultStep::Kind::kSwap;
    step.record.emplace();
    step.other.emplace();
    if (!ParseRecord(&*step.record, err) || !ParseRecord(&*step.other, err)) {
      return false;
    }
  } else if (k == "truncate") {
    step.kind = FaultStep::Kind::kTruncate;
    if (!TakeInt("a byte count", "truncate", 0, INT64_MAX, &step.count, nullptr,
                 err)) {
      return false;
    }
  } else if (k == "cut") {
    step.kind = FaultStep::Kind::kCut;
    step.record.emplace();
    if (!ParseRecord(&*step.record, err)) return false;
    if (!TakeInt("the bytes to keep", "record", 0, INT64_MAX, &step.count,
                 nullptr, err)) {
      return false;
    }
  } else if (k == "inject") {
    Token what;
    if (!TakeWord("hex or alert after the direction", &what, err)) {
      return false;
    }
    if (what.text == "hex") {
      step.kind = FaultStep::Kind::kInjectHex;
      if (tok_.kind != Token::kString) {
        return Unexpected("a string of hex digits after 'hex'", err);
      }
      Token hex = Take();
      size_t digits = 0;
      for (size_t i = 0; i < hex.text.size(); ++i) {
        char c = hex.text[i];
        if (std::isxdigit(static_cast<unsigned char>(c))) {
          ++digits;
        } else if (c != ' ' && c != ':' && c != '\t') {
          Pos at = PosOf(hex);
          at.col += static_cast<int>(i) + 1;
          return Error(at, std::string("'") + c + "' is not a hex digit", err);
        } else if (digits % 2 != 0) {
          return Error(hex, "a byte needs two hex digits", err);
        }
      }
      if (digits == 0 || digits % 2 != 0) {
        return Error(
            hex,
            digits == 0 ? "no bytes to inject" : "a byte needs two hex digits",
            err);
      }
      step.hex = hex.text;
    } else if (what.text == "alert") {
      step.kind = FaultStep::Kind::kInjectAlert;
      Token alert;
      if (!TakeWord("an alert like fatal:handshake_failure", &alert, err)) {
        return false;
      }
      if (!ParseAlert(alert, &step.alert, err)) return false;
      if (step.alert.description == AlertExpect::kNone) {
        return Error(alert, "expected an alert to inject, found 'none'", err);
      }
      if (!step.alert.level) {
        return Error(alert,
                     "an injected alert needs its level: fatal:" + alert.text +
                         " or warning:" + alert.text,
                     err);
      }
    } else {
      return Error(what, "expected hex or alert, found " + TokenName(what),
                   err);
    }
  } else {  // corrupt
    if (tok_.kind == Token::kWord && tok_.text == "record") {
      step.record.emplace();
      if (!ParseRecord(&*step.record, err)) return false;
    }
    Token what;
    if (!TakeWord(step.record ? "byte, type, version or length" : "'byte'",
                  &what, err)) {
      return false;
    }
    const std::string& w = what.text;
    if (w == "byte") {
      step.kind = FaultStep::Kind::kXor;
      if (!TakeInt("a byte offset", "byte", 0, INT64_MAX, &step.offset, nullptr,
                   err)) {
        return false;
      }
      Token x;
      if (!TakeWord("'xor'", &x, err)) return false;
      if (x.text != "xor") {
        return Error(x, "expected 'xor', found " + TokenName(x), err);
      }
      if (!TakeNumber("a mask from 1 to 0xff", "xor", 1, 255, &step.mask,
                      err)) {
        return false;
      }
    } else if (step.record &&
               (w == "type" || w == "version" || w == "length")) {
      step.kind = FaultStep::Kind::kSetField;
      step.field = w == "type"      ? FaultStep::Field::kType
                   : w == "version" ? FaultStep::Field::kVersion
                                    : FaultStep::Field::kLength;
      int64_t max = step.field == FaultStep::Field::kType ? 255 : 65535;
      if (!TakeNumber("a value from 0 to " + std::to_string(max), w, 0, max,
                      &step.value, err)) {
        return false;
      }
    } else {
      return Error(what,
                   std::string("expected ") +
                       (step.record ? "byte, type, version or length"
                                    : "'byte' or 'record'") +
                       ", found " + TokenName(what),
                   err);
    }
  }
  AddStep(std::move(step));
  return ExpectEndOfLine(err);
}

bool Parser::CheckReferences(const EndpointDecl& decl, Diagnostic* err) const {
  if (decl.trust) {
    Pos at = decl.trust->pos;
    for (const std::string& name : decl.trust->value) {
      if (FindCert(out_->pki, name) == nullptr) {
        return Error(at, "unknown certificate '" + name + "'", err);
      }
      at.col += static_cast<int>(name.size()) + 1;
    }
  }
  if (decl.cert) {
    const CertDecl* cert = FindCert(out_->pki, decl.cert->value);
    if (cert == nullptr) {
      return Error(decl.cert->pos,
                   "unknown certificate '" + decl.cert->value + "'", err);
    }
    if (cert->is_ca) {
      return Error(decl.cert->pos,
                   "'" + decl.cert->value + "' is not a leaf certificate", err);
    }
  }
  return true;
}

}  // namespace

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
  Parser parser(file_name, text, out);
  return parser.ParseScenario(out_error);
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
  if (line == 1 && s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return std::string(s);
}

}  // namespace tlsim::scenario
