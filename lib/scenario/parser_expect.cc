// expect lines: a property of one side, or the bytes in flight one way.
#include <cstdint>
#include <string>
#include <utility>

#include "lib/proto/names.h"
#include "lib/scenario/parser_internal.h"
#include "lib/scenario/spellings.h"

namespace tlsim::scenario::internal {
bool Parser::ParseExpect(const Token& keyword) {
  ExpectStep step;
  step.pos = PosOf(keyword);
  Token subject;
  if (!TakeWord("client, server or in_flight after 'expect'", &subject)) {
    return false;
  }
  if (subject.text == "in_flight" || subject.text == "held" ||
      subject.text == "unread") {
    step.property = subject.text == "held"     ? Property::kHeld
                    : subject.text == "unread" ? Property::kUnread
                                               : Property::kInFlight;
    if (!ParseDirection(subject.text, &step.side)) return false;
    if (tok_.kind != Token::kEquals) {
      return Unexpected(std::string("'=' after '") +
                        proto::DirectionName(step.side) + "'");
    }
    Take();
    UnquoteValue();
    int64_t n = 0;
    if (!TakeInt("a non-negative integer", "=", 0, INT64_MAX, &n,
                 &step.value_pos)) {
      return false;
    }
    step.value = n;
    AddStep(std::move(step));
    return ExpectEndOfLine();
  }
  if (!LookupSide(subject.text, &step.side)) {
    return Error(subject,
                 "expected client, server or in_flight after 'expect', found " +
                     TokenName(subject));
  }
  Token property;
  if (!TakeWord("a property after '" + subject.text + "'", &property)) {
    return false;
  }
  const std::string& p = property.text;
  const PropertyRow* info = nullptr;
  for (const PropertyRow& i : kProperties) {
    if (p == i.name) info = &i;
  }
  if (info == nullptr) {
    return Error(property, "unknown property '" + p + "'");
  }
  step.property = info->property;
  const std::string what = info->expected;
  if (tok_.kind != Token::kEquals) {
    return Unexpected("'=' after '" + p + "'");
  }
  Take();
  if (step.property == Property::kProgramRead) {
    // A string as a write's payload is written, never split into words.
    std::string text;
    step.value_pos = PosOf(tok_);
    if (!ParsePayload("read =", &text)) return false;
    step.value = std::move(text);
    AddStep(std::move(step));
    return ExpectEndOfLine();
  }
  UnquoteValue();
  Token value;
  if (!TakeWord(what, &value)) return false;
  step.value_pos = PosOf(value);
  auto wrong = [&] {
    return Error(value, "expected " + what + ", found " + TokenName(value));
  };
  switch (step.property) {
    case Property::kVersion: {
      Version v;
      if (value.text == "none") {
        step.value = value.text;  // no session yet
        break;
      }
      if (!LookupVersion(value.text, &v)) {
        return Error(value, "unknown version '" + value.text + "'");
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
    case Property::kPeerCertType:
    case Property::kPeerSigType:
    case Property::kPeerSigHash:
    case Property::kPeerTmpKey:
      step.value = value.text;
      break;
    case Property::kCaNames: {
      std::vector<std::string> names = SplitList(value.text);
      for (const std::string& name : names) {
        if (name.empty()) {
          return Error(value, "empty item in list '" + value.text + "'");
        }
        if (names.size() > 1 && name == "none") return wrong();
      }
      step.value = value.text;
      break;
    }
    case Property::kInFlight:  // read above
    case Property::kHeld:
    case Property::kUnread:
      break;
    case Property::kTicket:
    case Property::kTicketLifetime:
      if (step.side == Side::kServer) {
        return Error(property, "'" + p +
                                   "' is for the client: the ticket is in "
                                   "the session it holds");
      }
      if (step.property == Property::kTicket) {
        if (value.text != "yes" && value.text != "no") return wrong();
        step.value = value.text == "yes";
      } else if (value.text == "none") {
        step.value = value.text;
      } else {
        int64_t n = 0;
        if (!IntFromWord(value, what, 0, UINT32_MAX, &n)) return false;
        step.value = n;
      }
      break;
    case Property::kSniReceived:
      if (step.side == Side::kClient) {
        return Error(property,
                     "'sni_received' is for the server: only it reads a "
                     "ClientHello");
      }
      step.value = value.text;
      break;
    case Property::kTickets: {
      int64_t n = 0;
      if (!IntFromWord(value, what, 0, INT64_MAX, &n)) return false;
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
                     "session it offered");
      }
      if (value.text != "none" && value.text != "session_id" &&
          value.text != "ticket" && value.text != "psk") {
        return wrong();
      }
      step.value = value.text;
      break;
    case Property::kProgramRead:  // read above
      break;
    case Property::kProgram:
      if (value.text != "done" && value.text != "failed" &&
          value.text != "waiting" && value.text != "none") {
        return wrong();
      }
      step.value = value.text;
      break;
  }
  AddStep(std::move(step));
  return ExpectEndOfLine();
}

}  // namespace tlsim::scenario::internal
