// Calls and their outcomes, deliveries, close, drive and connections.
#include <algorithm>
#include <climits>
#include <functional>
#include <string>
#include <utility>

#include "lib/proto/names.h"
#include "lib/scenario/parser_internal.h"
#include "lib/scenario/printer.h"
#include "lib/scenario/spellings.h"

namespace tlsim::scenario::internal {
namespace {

bool LookupSslError(std::string_view name, SslError* out) {
  constexpr std::string_view kPrefix = "SSL_ERROR_";
  if (name.substr(0, kPrefix.size()) == kPrefix)
    name.remove_prefix(kPrefix.size());
  std::optional<int> value = proto::SslErrors().Value(name);
  if (!value) return false;
  *out = static_cast<SslError>(*value);
  return true;
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

}  // namespace

bool Parser::ParseCall(const Token& side_word) {
  CallStep step;
  step.pos = PosOf(side_word);
  LookupSide(side_word.text, &step.side);
  Token name;
  if (!TakeWord("a call or '{' after '" + side_word.text + "'", &name)) {
    return false;
  }
  if (!LookupCall(name.text, &step.call)) {
    return Error(name, "unknown call '" + name.text + "'");
  }
  switch (step.call) {
    case Call::kRead:
    case Call::kPeek:
    case Call::kReadEarly:
      if (!TakeInt("a positive integer", name.text, 1, kMaxReadLength,
                   &step.read_len, nullptr)) {
        return false;
      }
      break;
    case Call::kWrite:
    case Call::kWriteEarly:
      if (!ParsePayload(name.text, &step.write_data)) return false;
      if (tok_.kind == Token::kWord && tok_.text == "moved") {
        Take();
        step.moved_buffer = true;
      }
      break;
    case Call::kKeyUpdate: {
      Token how;
      if (!TakeWord("requested or not_requested after 'key_update'", &how)) {
        return false;
      }
      if (how.text != "requested" && how.text != "not_requested") {
        return Error(how, "expected requested or not_requested, found " +
                              TokenName(how));
      }
      step.key_update_requested = how.text == "requested";
      break;
    }
    case Call::kRaiseError:
      if (tok_.kind == Token::kWord && tok_.text == "system") {
        Take();
        step.raise_system = true;
      }
      [[fallthrough]];
    case Call::kSetConnectState:
    case Call::kSetAcceptState:
      if (tok_.kind == Token::kArrow) {
        return Error(tok_, name.text + " returns nothing");
      }
      if (!ExpectEndOfLine()) return false;
      AddStep(std::move(step));
      return true;
    default:
      break;
  }
  if (tok_.kind != Token::kArrow) {
    return Unexpected("'->' and the expected outcome");
  }
  Take();
  Outcome outcome;
  if (!ParseOutcome(step.call, &outcome)) return false;
  step.expect = std::move(outcome);
  AddStep(std::move(step));
  return ExpectEndOfLine();
}

bool Parser::ParseOutcome(Call call, Outcome* out) {
  if (tok_.kind != Token::kWord || AtLineCondition()) {
    return Unexpected("an outcome after '->'");
  }
  out->pos = PosOf(tok_);
  if (tok_.text == "any") {
    Take();
    out->any = true;
    return true;
  }
  // Items come in the order: return value, SSL error, key=value pairs.
  enum { kRet, kError, kPairs } stage = kRet;
  while (tok_.kind == Token::kWord && !AtLineCondition()) {
    Token word = Take();
    const std::string& w = word.text;
    if (tok_.kind == Token::kEquals) {
      Take();
      stage = kPairs;
      bool is_string = w == "reason" || w == "state" || w == "data";
      bool is_alert = w == "alert_sent" || w == "alert_received";
      if (w == "errno") {
        if (out->sys_errno) {
          return Error(word, "duplicate outcome key 'errno'");
        }
        Token value;
        if (!TakeWord("an errno name after 'errno='", &value)) return false;
        if (value.text != "ECONNRESET" && value.text != "EPIPE" &&
            value.text != "none") {
          return Error(value, "expected ECONNRESET, EPIPE or none, found " +
                                  TokenName(value));
        }
        out->sys_errno = value.text;
        continue;
      }
      if (!is_string && !is_alert && w != "verify") {
        return Error(word, "unknown outcome key '" + w + "'");
      }
      if (!is_string) UnquoteValue();
      bool duplicate = w == "reason"       ? out->reason.has_value()
                       : w == "state"      ? out->state.has_value()
                       : w == "data"       ? out->data.has_value()
                       : w == "verify"     ? out->verify.has_value()
                       : w == "alert_sent" ? out->alert_sent.has_value()
                                           : out->alert_received.has_value();
      if (duplicate) {
        return Error(word, "duplicate outcome key '" + w + "'");
      }
      if (w == "data" && call != Call::kRead && call != Call::kPeek &&
          call != Call::kReadEarly) {
        return Error(word, "'data' is only for read, peek and read_early");
      }
      if (w == "verify") {
        Token value;
        if (!TakeWord("a verify result after 'verify='", &value)) {
          return false;
        }
        if (value.text.rfind("X509_V_", 0) != 0) {
          return Error(value,
                       "expected a verify result like X509_V_OK, found " +
                           TokenName(value));
        }
        out->verify = value.text;
        continue;
      }
      if (is_string) {
        std::string value;
        if (w == "data") {
          if (!ParsePayload(w + "=", &value)) return false;
        } else if (tok_.kind != Token::kString) {
          return Unexpected("a string after '" + w + "='");
        } else {
          value = Take().text;
        }
        (w == "reason"  ? out->reason
         : w == "state" ? out->state
                        : out->data) = std::move(value);
        continue;
      }
      Token value;
      if (!TakeWord("an alert after '" + w + "='", &value)) return false;
      AlertExpect alert;
      if (!ParseAlert(value, &alert)) return false;
      (w == "alert_sent" ? out->alert_sent : out->alert_received) = alert;
      continue;
    }
    if (LooksLikeInteger(w)) {
      if (out->ret) return Error(word, "duplicate return value");
      if (stage != kRet) {
        return Error(word, "the return value must come first");
      }
      int64_t ret = 0;
      if (!IntFromWord(word, "an integer", INT64_MIN, INT64_MAX, &ret)) {
        return false;
      }
      if (ret < INT_MIN || ret > INT_MAX) {
        return Error(word, "expected an integer, found " + TokenName(word) +
                               RangeText("an integer", INT_MIN, INT_MAX));
      }
      out->ret = static_cast<int>(ret);
      stage = kError;
      continue;
    }
    SslError error;
    if (LookupSslError(w, &error)) {
      if (out->error) return Error(word, "duplicate ssl error");
      if (stage == kPairs) {
        return Error(word, "the ssl error must come before key=value items");
      }
      out->error = error;
      stage = kPairs;
      continue;
    }
    if (w == "any") {
      return Error(word, "'any' cannot be combined with other items");
    }
    if (w[0] >= 'A' && w[0] <= 'Z') {
      return Error(word, "unknown ssl error '" + w + "'");
    }
    return Error(word,
                 "expected a return value, an ssl error or key=value, found " +
                     TokenName(word));
  }
  return true;
}

bool Parser::ParseAlert(const Token& word, AlertExpect* out) {
  std::string_view text = word.text;
  Pos at = PosOf(word);
  if (text == "none") {
    out->description = AlertExpect::kNone;
    return true;
  }
  size_t colon = text.find(':');
  if (colon != std::string_view::npos) {
    std::string_view level = text.substr(0, colon);
    if (std::optional<int> value = proto::AlertLevels().Value(level)) {
      out->level = static_cast<AlertLevel>(*value);
    } else {
      return Error(at, "expected fatal or warning before ':', found '" +
                           std::string(level) + "'");
    }
    text.remove_prefix(colon + 1);
    at.col += static_cast<int>(colon + 1);
  }
  if (std::optional<int> code = proto::AlertDescriptions().Value(text)) {
    out->description = *code;
    return true;
  }
  // A number stands for an alert without a name here.
  int64_t code = 0;
  bool out_of_range = false;
  if (ParseDecimal(text, &code, &out_of_range) && code >= 0 && code <= 255) {
    out->description = static_cast<int>(code);
    return true;
  }
  return Error(at, "unknown alert '" + std::string(text) + "'");
}

bool Parser::ParseDirection(const std::string& after, Side* out_from) {
  const std::string kWhat = "client->server or server->client";
  if (tok_.kind != Token::kWord || !LookupSide(tok_.text, out_from)) {
    return Unexpected(kWhat + " after '" + after + "'");
  }
  Token from = Take();
  if (tok_.kind != Token::kArrow) {
    return Unexpected("'->' after '" + from.text + "'");
  }
  Take();
  const char* to = *out_from == Side::kClient ? "server" : "client";
  if (tok_.kind != Token::kWord || tok_.text != to) {
    return Unexpected("'" + std::string(to) + "' after '" + from.text + "->'");
  }
  Take();
  return true;
}

bool Parser::ParseAmount(Amount* out) {
  const std::string kWhat = "a positive byte count, record or all";
  Token word;
  if (!TakeWord(kWhat, &word)) return false;
  if (word.text == "record") {
    out->kind = Amount::Kind::kRecord;
  } else if (word.text == "all") {
    out->kind = Amount::Kind::kAll;
  } else {
    out->kind = Amount::Kind::kBytes;
    return IntFromWord(word, kWhat, 1, INT64_MAX, &out->bytes);
  }
  return true;
}

bool Parser::ParseDeliver(const Token& keyword) {
  DeliverStep step;
  step.pos = PosOf(keyword);
  if (!ParseDirection("deliver", &step.from)) return false;
  if (!ParseAmount(&step.amount)) return false;
  if (!ParseWireOutcome(keyword, &step.expect)) return false;
  AddStep(std::move(step));
  return true;
}

bool Parser::ParseClose(const Token& keyword) {
  CloseStep step;
  step.pos = PosOf(keyword);
  step.reset = keyword.text == "reset";
  Token direction = tok_;
  if (!ParseDirection(keyword.text, &step.from)) return false;
  if (step.reset) {
    OnPaths([&](PathState* path) -> std::optional<PathFailure> {
      int& line = path->reset_lines[static_cast<size_t>(step.from)];
      if (line != 0) {
        return PathFailure{PosOf(direction),
                           std::string(DirectionName(step.from)) +
                               " is already reset (line " +
                               std::to_string(line) + ")"};
      }
      line = step.pos.line;
      return std::nullopt;
    });
  }
  if (!ParseWireOutcome(keyword, nullptr)) return false;
  AddStep(std::move(step));
  return true;
}

bool Parser::ParseWireOutcome(const Token& keyword,
                              std::optional<WireOutcome>* out) {
  if (tok_.kind != Token::kArrow) return ExpectEndOfLine();
  if (out == nullptr) {
    return Error(tok_, "'" + keyword.text +
                           "' cannot fail, so it takes no expectation "
                           "('-> fails' is for deliver and the faults)");
  }
  Take();
  WireOutcome outcome;
  outcome.pos = PosOf(tok_);
  Token word;
  if (!TakeWord("'fails' after '->' (a wire step can only be expected to fail)",
                &word)) {
    return false;
  }
  if (word.text != "fails") {
    return Error(word,
                 "expected 'fails' after '->' (a wire step can only be "
                 "expected to fail), found " +
                     TokenName(word));
  }
  if (tok_.kind == Token::kString) outcome.message = Take().text;
  *out = std::move(outcome);
  return ExpectEndOfLine();
}

bool Parser::ParseLoopOptions(
    const char* step_name,
    const std::function<bool(const std::string&)>& is_result, Amount* chunk,
    Side* first, int64_t* limit) {
  bool seen_deliver = false, seen_first = false, seen_limit = false;
  while (tok_.kind == Token::kWord && !AtLineCondition()) {
    Token option = Take();
    const std::string& o = option.text;
    bool* seen = o == "deliver" ? &seen_deliver
                 : o == "first" ? &seen_first
                 : o == "limit" ? &seen_limit
                                : nullptr;
    if (seen == nullptr) {
      if (tok_.kind != Token::kEquals && is_result(o)) {
        return Error(option, "expected '->' before '" + o + "'");
      }
      return Error(option, std::string("unknown ") + step_name + " option '" +
                               o + "' (options: deliver=, first=, limit=)");
    }
    if (*seen) {
      return Error(option, std::string("duplicate ") + step_name + " option '" +
                               o + "'");
    }
    *seen = true;
    if (tok_.kind != Token::kEquals) {
      return Unexpected("'=' after '" + o + "'");
    }
    Take();
    UnquoteValue();
    if (o == "deliver") {
      if (!ParseAmount(chunk)) return false;
    } else if (o == "first") {
      Token side;
      if (!TakeWord("client or server", &side)) return false;
      if (!LookupSide(side.text, first)) {
        return Error(side,
                     "expected client or server, found " + TokenName(side));
      }
    } else if (!TakeInt("a positive integer", "limit=", 1, INT64_MAX, limit,
                        nullptr)) {
      return false;
    }
  }
  return true;
}

bool Parser::ParseDrive(const Token& keyword) {
  DriveStep step;
  step.pos = PosOf(keyword);
  if (!ParseLoopOptions(
          "drive",
          [](const std::string& w) {
            return ValueOf(kDriveResults, w).has_value();
          },
          &step.chunk, &step.first, &step.limit)) {
    return false;
  }
  if (tok_.kind != Token::kArrow) {
    return Unexpected("'->' and the expected result");
  }
  if (!ParseVerdict(kDriveResults, &step.expect, &step.failed_by)) {
    return false;
  }
  AddStep(std::move(step));
  return ExpectEndOfLine();
}

// "text", or "text" * N (also written "text" *N): the text N times over.
bool Parser::ParsePayload(const std::string& after, std::string* out) {
  if (tok_.kind != Token::kString) {
    return Unexpected("a string after '" + after + "'");
  }
  Token text = Take();
  if (tok_.kind != Token::kWord || tok_.text.empty() || tok_.text[0] != '*') {
    *out = std::move(text.text);
    return true;
  }
  Token star = Take();
  const std::string what =
      "a repeat count from 1 to " + std::to_string(kMaxPayload);
  int64_t count = 0;
  if (star.text.size() > 1) {
    Token word = star;
    word.text = star.text.substr(1);
    ++word.col;
    if (!IntFromWord(word, what, 1, kMaxPayload, &count)) return false;
  } else if (!TakeInt(what, "*", 1, kMaxPayload, &count, nullptr)) {
    return false;
  }
  if (text.text.empty()) {
    return Error(text, "an empty string repeated is still empty");
  }
  if (static_cast<int64_t>(text.text.size()) > kMaxPayload / count) {
    return Error(star, "the payload would be longer than " +
                           std::to_string(kMaxPayload) + " bytes");
  }
  out->clear();
  out->reserve(text.text.size() * static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) *out += text.text;
  return true;
}

bool Parser::ParseConnection(const Token& keyword) {
  ConnectionStep step;
  step.pos = PosOf(keyword);
  Token name;
  if (!TakeWord("a connection name after 'connection'", &name)) {
    return false;
  }
  step.name = name.text;
  Token from;
  if (tok_.kind == Token::kWord && tok_.text == "resume") {
    Take();
    if (tok_.kind != Token::kEquals) {
      return Unexpected("'=' after 'resume'");
    }
    Take();
    UnquoteValue();
    if (!TakeWord("a connection name after 'resume='", &from)) {
      return false;
    }
    step.resume = Located<std::string>{from.text, PosOf(from)};
  }
  // The names known here are those the path to this line opened.
  OnPaths([&](PathState* path) -> std::optional<PathFailure> {
    auto known = [&](const std::string& n) {
      return std::find(path->connections.begin(), path->connections.end(), n) !=
             path->connections.end();
    };
    if (known(step.name)) {
      return PathFailure{PosOf(name),
                         "duplicate connection '" + step.name + "'"};
    }
    if (step.resume && !known(step.resume->value)) {
      return PathFailure{step.resume->pos,
                         "unknown connection '" + step.resume->value + "'"};
    }
    path->connections.push_back(step.name);
    path->reset_lines = {0, 0};  // a new connection, new directions
    return std::nullopt;
  });
  AddStep(std::move(step));
  return ExpectEndOfLine();
}

}  // namespace tlsim::scenario::internal
