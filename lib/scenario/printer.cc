#include "lib/scenario/printer.h"

#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/scenario/lexer.h"
#include "lib/scenario/overloaded.h"
#include "lib/scenario/settings.h"
#include "lib/scenario/spellings.h"
#include "lib/scenario/versions.h"

namespace tlsim::scenario {
namespace {

// `s` as a bare word when the lexer would read it back as one, else quoted.
std::string WordOrString(std::string_view s) {
  bool word = !s.empty() && s.find("->") == std::string_view::npos;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '"' || c == '#' || c == '=' ||
        c == '{' || c == '}') {
      word = false;
    }
  }
  return word ? std::string(s) : QuoteString(s);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ",";
    out += item;
  }
  return out;
}

std::string AmountTextOf(const Amount& amount) {
  switch (amount.kind) {
    case Amount::Kind::kBytes:
      return std::to_string(amount.bytes);
    case Amount::Kind::kRecord:
      return "record";
    case Amount::Kind::kAll:
      return "all";
  }
  return "?";
}

std::string AlertTextOf(const AlertExpect& alert) {
  if (alert.description == AlertExpect::kNone) return "none";
  std::string out;
  if (alert.level) {
    out = std::string(proto::AlertLevelName(static_cast<int>(*alert.level))) +
          ":";
  }
  const char* name = proto::AlertDescriptionName(alert.description);
  return out + (name != nullptr ? name : std::to_string(alert.description));
}

std::string OutcomeText(const Outcome& outcome) {
  if (outcome.any) return "any";
  std::vector<std::string> items;
  if (outcome.ret) items.push_back(std::to_string(*outcome.ret));
  if (outcome.error) items.push_back(SslErrorName(*outcome.error));
  if (outcome.reason) items.push_back("reason=" + QuoteString(*outcome.reason));
  if (outcome.state) items.push_back("state=" + QuoteString(*outcome.state));
  if (outcome.data) items.push_back("data=" + PayloadText(*outcome.data));
  if (outcome.alert_sent) {
    items.push_back("alert_sent=" + AlertTextOf(*outcome.alert_sent));
  }
  if (outcome.alert_received) {
    items.push_back("alert_received=" + AlertTextOf(*outcome.alert_received));
  }
  if (outcome.verify) items.push_back("verify=" + *outcome.verify);
  if (outcome.sys_errno) items.push_back("errno=" + *outcome.sys_errno);
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += " ";
    out += item;
  }
  return out;
}

void PrintCert(const CertDecl& cert, std::string* out) {
  *out += std::string("  ") + (cert.is_ca ? "ca " : "leaf ") + cert.name;
  if (cert.issuer) *out += " issuer=" + cert.issuer->value;
  if (cert.key != KeyType::kEcP256) {
    *out += std::string(" key=") + NameOf(kKeyTypes, cert.key);
  }
  if (!cert.dns.empty()) *out += " dns=" + Join(cert.dns);
  if (cert.no_san) *out += " san=none";
  if (cert.compressed_point) *out += " point=compressed";
  if (!cert.permit.empty()) *out += " permit=" + Join(cert.permit);
  if (!cert.exclude.empty()) *out += " exclude=" + Join(cert.exclude);
  if (cert.not_before) {
    *out += " not_before=" + FormatTime(cert.not_before->value);
  }
  if (cert.not_after) *out += " not_after=" + FormatTime(cert.not_after->value);
  *out += "\n";
}

// A setting's value as written, by its row's kind.
struct ValueText {
  std::string operator()(const VersionRange& r, const value::Versions&) const {
    std::string out = VersionName(r.min);
    if (r.max != r.min) out += std::string("..") + VersionName(r.max);
    return out;
  }
  std::string operator()(const std::string& s,
                         const value::OpensslList&) const {
    return WordOrString(s);
  }
  std::string operator()(const std::string& s, const value::Word&) const {
    return s;
  }
  std::string operator()(const std::string& s, const value::Hex&) const {
    return s;
  }
  std::string operator()(const std::vector<std::string>& names,
                         const value::Names&) const {
    return names.empty() ? "\"\"" : Join(names);
  }
  std::string operator()(const std::vector<std::string>& names,
                         const value::OptionNames&) const {
    return Join(names);
  }
  std::string operator()(
      const std::vector<std::pair<std::string, std::string>>& pairs,
      const value::HostCerts&) const {
    std::vector<std::string> items;
    for (const auto& [host, cert] : pairs) items.push_back(host + ":" + cert);
    return Join(items);
  }
  std::string operator()(bool on, const value::OnOff&) const {
    return on ? "on" : "off";
  }
  std::string operator()(bool, const value::FailOnly&) const { return "fail"; }
  std::string operator()(int64_t code, const value::AlertName&) const {
    return proto::AlertDescriptionName(static_cast<int>(code));
  }
  std::string operator()(int64_t n, const value::Integer&) const {
    return std::to_string(n);
  }
  std::string operator()(int64_t n, const value::OneOf&) const {
    return std::to_string(n);
  }
  std::string operator()(const RetryPlan& p, const value::Retry&) const {
    const char* last = p.accept_all     ? "accept_all"
                       : p.missing_file ? "missing_file"
                       : p.then_fail    ? "fail"
                                        : "ok";
    if (p.retries == 0) return last;
    return "retry " + std::to_string(p.retries) + " then " + last;
  }
  template <typename E>
  std::string operator()(E e, const value::Enum<E>& kind) const {
    for (const Named<E>& named : kind.names) {
      if (named.value == e) return named.name;
    }
    return "?";
  }
};

// `KEY = VALUE` for every setting `e` sets, each after `prefix`.
void PrintSettings(const EndpointDecl& e, const std::string& prefix,
                   std::string* out) {
  for (const SettingRow& row : Settings()) {
    std::visit(
        [&](const auto& kind) {
          const auto& field = e.*kind.field;
          if (!field) return;
          *out += prefix + row.name + " = " + ValueText{}(field->value, kind) +
                  "\n";
        },
        row.value);
  }
}

void PrintEndpoint(Side side, const EndpointDecl& e, std::string* out) {
  *out += std::string(SideName(side)) + " {\n";
  PrintSettings(e, "  ", out);
  *out += "}\n";
}

// " -> fails" with its message, or nothing.
std::string WireOutcomeText(const std::optional<WireOutcome>& outcome) {
  if (!outcome) return "";
  std::string out = " -> fails";
  if (outcome->message) out += " " + QuoteString(*outcome->message);
  return out;
}

std::string FaultStepText(const FaultStep& s) {
  std::string dir = DirectionName(s.from);
  auto record = [](const std::optional<RecordSelector>& sel) {
    return " record " + SelectorText(*sel);
  };
  switch (s.kind) {
    case FaultStep::Kind::kDrop:
      return "drop " + dir + record(s.record);
    case FaultStep::Kind::kDuplicate:
      return "duplicate " + dir + record(s.record);
    case FaultStep::Kind::kSwap:
      return "swap " + dir + record(s.record) + record(s.other);
    case FaultStep::Kind::kTruncate:
      return "truncate " + dir + " " + std::to_string(s.count);
    case FaultStep::Kind::kCut:
      return "cut " + dir + record(s.record) + " " + std::to_string(s.count);
    case FaultStep::Kind::kXor: {
      char mask[8];
      std::snprintf(mask, sizeof mask, "0x%02x", static_cast<unsigned>(s.mask));
      return "corrupt " + dir + (s.record ? record(s.record) : "") + " byte " +
             std::to_string(s.offset) + " xor " + mask;
    }
    case FaultStep::Kind::kSetField: {
      const char* field = s.field == FaultStep::Field::kType      ? "type"
                          : s.field == FaultStep::Field::kVersion ? "version"
                                                                  : "length";
      std::string value = std::to_string(s.value);
      if (s.field == FaultStep::Field::kVersion) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%04x",
                      static_cast<unsigned>(s.value));
        value = hex;
      }
      return "corrupt " + dir + record(s.record) + " " + field + " " + value;
    }
    case FaultStep::Kind::kInjectHex:
      return "inject " + dir + " hex " + QuoteString(s.hex);
    case FaultStep::Kind::kInjectAlert:
      return "inject " + dir + " alert " + AlertTextOf(s.alert);
  }
  return "?";
}

// `policy=NAME` after a space, or nothing.
std::string PolicyText(const std::optional<Located<Policy>>& policy) {
  if (!policy) return "";
  return std::string(" policy=") + NameOf(kPolicies, policy->value);
}

std::string OperationText(const Operation& op) {
  std::string out = OperationName(op);
  switch (op.kind) {
    case Operation::Kind::kWrite:
    case Operation::Kind::kWriteEarly:
      out += " " + PayloadText(op.data);
      break;
    case Operation::Kind::kRead:
      switch (op.until) {
        case Operation::Until::kBytes:
          out += " " + std::to_string(op.bytes);
          break;
        case Operation::Until::kText:
          out += " until " + PayloadText(op.data);
          break;
        case Operation::Until::kCloseNotify:
          out += " until close_notify";
          break;
      }
      break;
    case Operation::Kind::kShutdown:
      if (op.once) out += " once";
      break;
    case Operation::Kind::kKeyUpdate:
      if (op.requested) out += " requested";
      break;
    case Operation::Kind::kWaitPeer:
      out += " peer";
      break;
    case Operation::Kind::kHandshake:
    case Operation::Kind::kRenegotiate:
    case Operation::Kind::kVerifyClientPostHandshake:
    case Operation::Kind::kReadEarly:
      break;
  }
  return out + PolicyText(op.policy);
}

void PrintProgram(const ProgramDecl& program, std::string* out) {
  *out += std::string("program ") + SideName(program.side);
  if (program.blocking) *out += " blocking";
  *out += PolicyText(program.policy) + " {\n";
  for (const Operation& op : program.operations) {
    *out += "  " + OperationText(op) + "\n";
  }
  *out += "}\n";
}

std::string StepText(const Step& step) {
  return std::visit(
      Overloaded{
          [](const CallStep& s) {
            std::string out = std::string(SideName(s.side)) + " " + CallText(s);
            if (s.expect) out += " -> " + OutcomeText(*s.expect);
            return out;
          },
          [](const FaultStep& s) {
            return FaultStepText(s) + WireOutcomeText(s.expect);
          },
          [](const SetStep& s) {
            return std::string(SideName(s.side)) + " set " + SetText(s);
          },
          [](const ConnectionStep& s) {
            std::string out = "connection " + s.name;
            if (s.resume) out += " resume=" + s.resume->value;
            return out;
          },
          [](const DeliverStep& s) {
            return std::string("deliver ") + DirectionName(s.from) + " " +
                   AmountTextOf(s.amount) + WireOutcomeText(s.expect);
          },
          [](const CloseStep& s) {
            return std::string(s.reset ? "reset " : "close ") +
                   DirectionName(s.from);
          },
          [](const DriveStep& s) {
            std::string out = "drive deliver=" + AmountTextOf(s.chunk) +
                              " first=" + SideName(s.first) +
                              " limit=" + std::to_string(s.limit) + " -> " +
                              NameOf(kDriveResults, s.expect);
            if (s.failed_by)
              out += std::string(" by ") + SideName(*s.failed_by);
            return out;
          },
          [](const ClockStep& s) { return ClockText(s); },
          [](const RunStep& s) { return RunText(s); },
          [](const IfStep& s) {
            // Only a one-line block comes here (PrintSteps); its step,
            // then its condition.
            return StepText(s.branches.front().steps.front()) + " if " +
                   ConditionText(*s.branches.front().condition);
          },
          [](const ExpectStep& s) {
            std::string value = std::visit(
                Overloaded{
                    [](const std::string& v) { return v; },
                    [](Version v) { return std::string(VersionName(v)); },
                    [](bool v) { return std::string(v ? "yes" : "no"); },
                    [](int64_t v) { return std::to_string(v); },
                },
                s.value);
            if (s.property == Property::kProgramRead &&
                std::holds_alternative<std::string>(s.value)) {
              value = PayloadText(std::get<std::string>(s.value));
            }
            return "expect " + ExpectSubject(s) + " = " + value;
          },
      },
      step);
}

// Whether `block` prints on one line: as the parser reads the one-line
// form, one branch with a condition, holding one step that is no block.
bool PrintsOnOneLine(const IfStep& block) {
  return block.one_line && block.branches.size() == 1 &&
         block.branches.front().condition &&
         block.branches.front().steps.size() == 1 &&
         !std::holds_alternative<IfStep>(block.branches.front().steps.front());
}

// Each step on its lines after `indent`; an `if` block's steps two spaces
// further in.
void PrintSteps(const std::vector<Step>& steps, const std::string& indent,
                std::string* out) {
  for (const Step& step : steps) {
    const auto* block = std::get_if<IfStep>(&step);
    if (block == nullptr || PrintsOnOneLine(*block)) {
      *out += indent + StepText(step) + "\n";
      continue;
    }
    for (size_t i = 0; i < block->branches.size(); ++i) {
      const Branch& branch = block->branches[i];
      *out += i == 0 ? indent : "} else ";
      if (branch.condition) *out += "if " + ConditionText(*branch.condition);
      *out += branch.condition ? " {\n" : "{\n";
      PrintSteps(branch.steps, indent + "  ", out);
      *out += indent;
    }
    *out += "}\n";
  }
}

}  // namespace

std::string Print(const Scenario& s) {
  std::string out;
  if (!s.title.empty()) out += "scenario " + QuoteString(s.title) + "\n";
  if (s.requirement) {
    out += "requires " + ConditionText(*s.requirement) + "\n";
  }
  if (s.seed) out += "seed " + std::to_string(*s.seed) + "\n";
  if (s.clock) out += "clock " + FormatTime(*s.clock) + "\n";
  // Sections are set apart by one blank line.
  auto section = [&out] {
    if (!out.empty()) out += "\n";
  };
  if (!s.pki.empty()) {
    section();
    out += "pki {\n";
    for (const CertDecl& cert : s.pki) PrintCert(cert, &out);
    out += "}\n";
  }
  bool client = !(s.client == EndpointDecl{});
  bool server = !(s.server == EndpointDecl{});
  if (client || server) section();
  if (client) PrintEndpoint(Side::kClient, s.client, &out);
  if (server) PrintEndpoint(Side::kServer, s.server, &out);
  for (const ContextDecl& context : s.contexts) {
    section();
    out += "server context " + context.name + " {\n";
    PrintSettings(context.settings, "  ", &out);
    out += "}\n";
  }
  for (const ProgramDecl& program : s.programs) {
    section();
    PrintProgram(program, &out);
  }
  if (!s.steps.empty()) section();
  PrintSteps(s.steps, "", &out);
  // A file must declare something; one that declared only an empty title
  // or an empty pki block prints as the empty title.
  if (out.empty()) out = "scenario \"\"\n";
  return out;
}

const char* VersionName(Version version) {
  return proto::Versions().Name(static_cast<int>(version));
}

const char* SslErrorName(SslError error) {
  return proto::SslErrors().Name(static_cast<int>(error));
}

std::string SelectorText(const RecordSelector& selector) {
  switch (selector.kind) {
    case RecordSelector::Kind::kIndex:
      return std::to_string(selector.index);
    case RecordSelector::Kind::kHandshake: {
      const char* name = proto::HandshakeTypes().Name(selector.type);
      return name ? name : std::to_string(selector.type);
    }
    case RecordSelector::Kind::kTypeIndex: {
      const char* name = proto::ContentTypes().Name(selector.type);
      return std::string(name ? name : "?") + ":" +
             std::to_string(selector.index);
    }
  }
  return "?";
}

const char* CallName(Call call) {
  switch (call) {
    case Call::kConnect:
      return "connect";
    case Call::kAccept:
      return "accept";
    case Call::kDoHandshake:
      return "do_handshake";
    case Call::kSetConnectState:
      return "set_connect_state";
    case Call::kSetAcceptState:
      return "set_accept_state";
    case Call::kRead:
      return "read";
    case Call::kWrite:
      return "write";
    case Call::kShutdown:
      return "shutdown";
    case Call::kPeek:
      return "peek";
    case Call::kPending:
      return "pending";
    case Call::kWriteEarly:
      return "write_early";
    case Call::kReadEarly:
      return "read_early";
    case Call::kKeyUpdate:
      return "key_update";
    case Call::kRenegotiate:
      return "renegotiate";
    case Call::kVerifyClientPostHandshake:
      return "verify_client_post_handshake";
    case Call::kRaiseError:
      return "raise_error";
  }
  return "?";
}

std::string FormatTime(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm = {};
  if (gmtime_r(&t, &tm) == nullptr) return std::to_string(unix_seconds);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace tlsim::scenario

namespace tlsim::scenario {

const char* PropertyName(Property property) {
  if (property == Property::kInFlight) return "in_flight";
  if (property == Property::kHeld) return "held";
  if (property == Property::kUnread) return "unread";
  for (const PropertyRow& row : kProperties) {
    if (row.property == property) return row.name;
  }
  return "?";
}

std::string FaultText(const FaultStep& step) { return FaultStepText(step); }

std::string SetText(const SetStep& step) {
  std::string line;
  PrintSettings(step.settings, "", &line);
  if (!line.empty()) line.pop_back();  // the newline
  return line;
}

std::string AlertText(const AlertExpect& alert) { return AlertTextOf(alert); }

std::string AmountText(const Amount& amount) { return AmountTextOf(amount); }

std::string CallText(const CallStep& s) {
  std::string out = CallName(s.call);
  switch (s.call) {
    case Call::kRead:
    case Call::kPeek:
    case Call::kReadEarly:
      out += " " + std::to_string(s.read_len);
      break;
    case Call::kWrite:
    case Call::kWriteEarly:
      out += " " + PayloadText(s.write_data);
      if (s.moved_buffer) out += " moved";
      break;
    case Call::kKeyUpdate:
      out += s.key_update_requested ? " requested" : " not_requested";
      break;
    case Call::kRaiseError:
      if (s.raise_system) out += " system";
      break;
    default:
      break;
  }
  return out;
}

std::string QuoteString(std::string_view s) {
  return "\"" + EscapeString(s) + "\"";
}

std::string PayloadText(std::string_view s) {
  // The shortest unit that repeats to `s`, when writing it that way saves
  // most of a long literal; shipped scenarios' writes stay literals.
  constexpr size_t kLongest = 4096;  // a shorter text stays a literal
  constexpr size_t kUnit = 16;       // the longest unit looked for
  if (s.size() > kLongest) {
    for (size_t unit = 1; unit <= kUnit && unit < s.size(); ++unit) {
      if (s.size() % unit != 0) continue;
      bool repeats = true;
      for (size_t i = unit; i < s.size() && repeats; ++i) {
        repeats = s[i] == s[i - unit];
      }
      if (repeats) {
        return QuoteString(s.substr(0, unit)) + " * " +
               std::to_string(s.size() / unit);
      }
    }
  }
  return QuoteString(s);
}

std::string DurationText(int64_t seconds) {
  static constexpr std::pair<char, int64_t> kUnits[] = {
      {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
  if (seconds == 0) return "0s";
  std::string out;
  for (const auto& [unit, size] : kUnits) {
    if (seconds >= size) {
      out += std::to_string(seconds / size) + unit;
      seconds %= size;
    }
  }
  return out;
}

std::string ExpectSubject(const ExpectStep& step) {
  if (IsDirectionProperty(step.property)) {
    return std::string(PropertyName(step.property)) + " " +
           DirectionName(step.side);
  }
  return std::string(SideName(step.side)) + " " + PropertyName(step.property);
}

std::string RunText(const RunStep& s) {
  std::string out = "run deliver=" + AmountTextOf(s.chunk) +
                    " first=" + SideName(s.first) +
                    " limit=" + std::to_string(s.limit) + " -> " +
                    NameOf(kRunVerdicts, s.expect);
  if (s.failed_by) out += std::string(" by ") + SideName(*s.failed_by);
  return out;
}

std::string PolicyName(Policy policy) { return NameOf(kPolicies, policy); }

std::string ProgramOperationText(const Operation& op) {
  return OperationText(op);
}

std::string ClockText(const ClockStep& step) {
  return step.set ? "clock set " + FormatTime(step.seconds)
                  : "clock advance " + DurationText(step.seconds);
}

}  // namespace tlsim::scenario
