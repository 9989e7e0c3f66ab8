// Wire faults (drop, duplicate, swap, truncate, cut, corrupt, inject) and
// the record selectors they use.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

#include "lib/proto/names.h"
#include "lib/scenario/parser_internal.h"

namespace tlsim::scenario::internal {

bool Parser::TakeNumber(const std::string& what, const std::string& after,
                        int64_t min, int64_t max, int64_t* out) {
  if (tok_.kind != Token::kWord) {
    return Unexpected(what + " after '" + after + "'");
  }
  Token word = Take();
  const std::string& w = word.text;
  if (w.size() > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X')) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(w.data() + 2, w.data() + w.size(), v, 16);
    if (ec != std::errc() || end != w.data() + w.size()) {
      return Error(word, "expected " + what + ", found " + TokenName(word));
    }
    if (v < static_cast<uint64_t>(std::max<int64_t>(min, 0)) ||
        v > static_cast<uint64_t>(max)) {
      return Error(word, "expected " + what + ", found " + TokenName(word) +
                             RangeText(what, min, max));
    }
    *out = static_cast<int64_t>(v);
    return true;
  }
  return IntFromWord(word, what, min, max, out);
}

bool Parser::ParseRecord(RecordSelector* out) {
  Token keyword;
  if (!TakeWord("'record'", &keyword)) return false;
  if (keyword.text != "record") {
    return Error(keyword, "expected 'record', found " + TokenName(keyword));
  }
  Token sel;
  if (!TakeWord("a record: a number, a handshake message or type:N", &sel)) {
    return false;
  }
  const std::string& w = sel.text;
  const std::string kWhat = "a record: a number, a handshake message or type:N";
  if (LooksLikeInteger(w)) {
    out->kind = RecordSelector::Kind::kIndex;
    return IntFromWord(sel, "a record number", 1, INT64_MAX, &out->index);
  }
  size_t colon = w.find(':');
  if (colon != std::string::npos) {
    std::string type = w.substr(0, colon);
    out->kind = RecordSelector::Kind::kTypeIndex;
    std::optional<int> content_type = proto::ContentTypes().Value(type);
    if (!content_type) {
      return Error(sel, "unknown content type '" + type + "'");
    }
    out->type = *content_type;
    bool out_of_range = false;
    std::string n = w.substr(colon + 1);
    if (!ParseDecimal(n, &out->index, &out_of_range) || out->index < 1) {
      Pos at = PosOf(sel);
      at.col += static_cast<int>(colon + 1);
      return Error(at, "expected a record number from 1 after '" + type +
                           ":', found '" + n + "'");
    }
    return true;
  }
  out->kind = RecordSelector::Kind::kHandshake;
  if (std::optional<int> type = proto::HandshakeTypes().Value(w)) {
    out->type = *type;
    return true;
  }
  return Error(sel, "expected " + kWhat + ", found " + TokenName(sel));
}

bool Parser::ParseFault(const Token& keyword) {
  FaultStep step;
  step.pos = PosOf(keyword);
  const std::string& k = keyword.text;
  if (!ParseDirection(k, &step.from)) return false;
  if (k == "drop" || k == "duplicate") {
    step.kind =
        k == "drop" ? FaultStep::Kind::kDrop : FaultStep::Kind::kDuplicate;
    step.record.emplace();
    if (!ParseRecord(&*step.record)) return false;
  } else if (k == "swap") {
    step.kind = FaultStep::Kind::kSwap;
    step.record.emplace();
    step.other.emplace();
    if (!ParseRecord(&*step.record) || !ParseRecord(&*step.other)) {
      return false;
    }
  } else if (k == "truncate") {
    step.kind = FaultStep::Kind::kTruncate;
    if (!TakeInt("a byte count", "truncate", 0, INT64_MAX, &step.count,
                 nullptr)) {
      return false;
    }
  } else if (k == "cut") {
    step.kind = FaultStep::Kind::kCut;
    step.record.emplace();
    if (!ParseRecord(&*step.record)) return false;
    if (!TakeInt("the bytes to keep", "record", 0, INT64_MAX, &step.count,
                 nullptr)) {
      return false;
    }
  } else if (k == "inject") {
    Token what;
    if (!TakeWord("hex or alert after the direction", &what)) {
      return false;
    }
    if (what.text == "hex") {
      step.kind = FaultStep::Kind::kInjectHex;
      if (tok_.kind != Token::kString) {
        return Unexpected("a string of hex digits after 'hex'");
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
          return Error(at, std::string("'") + c + "' is not a hex digit");
        } else if (digits % 2 != 0) {
          return Error(hex, "a byte needs two hex digits");
        }
      }
      if (digits == 0 || digits % 2 != 0) {
        return Error(hex, digits == 0 ? "no bytes to inject"
                                      : "a byte needs two hex digits");
      }
      step.hex = hex.text;
    } else if (what.text == "alert") {
      step.kind = FaultStep::Kind::kInjectAlert;
      Token alert;
      if (!TakeWord("an alert like fatal:handshake_failure", &alert)) {
        return false;
      }
      if (!ParseAlert(alert, &step.alert)) return false;
      if (step.alert.description == AlertExpect::kNone) {
        return Error(alert, "expected an alert to inject, found 'none'");
      }
      if (!step.alert.level) {
        return Error(alert, "an injected alert needs its level: fatal:" +
                                alert.text + " or warning:" + alert.text);
      }
    } else {
      return Error(what, "expected hex or alert, found " + TokenName(what));
    }
  } else {  // corrupt
    if (tok_.kind == Token::kWord && tok_.text == "record") {
      step.record.emplace();
      if (!ParseRecord(&*step.record)) return false;
    }
    Token what;
    if (!TakeWord(step.record ? "byte, type, version or length" : "'byte'",
                  &what)) {
      return false;
    }
    const std::string& w = what.text;
    if (w == "byte") {
      step.kind = FaultStep::Kind::kXor;
      if (!TakeInt("a byte offset", "byte", 0, INT64_MAX, &step.offset,
                   nullptr)) {
        return false;
      }
      Token x;
      if (!TakeWord("'xor'", &x)) return false;
      if (x.text != "xor") {
        return Error(x, "expected 'xor', found " + TokenName(x));
      }
      if (!TakeNumber("a mask from 1 to 0xff", "xor", 1, 255, &step.mask)) {
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
                      &step.value)) {
        return false;
      }
    } else {
      return Error(what, std::string("expected ") +
                             (step.record ? "byte, type, version or length"
                                          : "'byte' or 'record'") +
                             ", found " + TokenName(what));
    }
  }
  if (!ParseWireOutcome(keyword, &step.expect)) return false;
  AddStep(std::move(step));
  return true;
}

}  // namespace tlsim::scenario::internal
