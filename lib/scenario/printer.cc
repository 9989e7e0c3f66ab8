#include "lib/scenario/printer.h"

#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/scenario/lexer.h"

namespace tlsim::scenario {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

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

const char* KeyTypeName(KeyType key) {
  switch (key) {
    case KeyType::kEcP256:
      return "ec-p256";
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kRsa2048:
      return "rsa-2048";
  }
  return "?";
}

const char* VerifyModeName(VerifyMode mode) {
  switch (mode) {
    case VerifyMode::kNone:
      return "none";
    case VerifyMode::kPeer:
      return "peer";
    case VerifyMode::kRequire:
      return "require";
  }
  return "?";
}

const char* PropertyNameOf(Property property) {
  switch (property) {
    case Property::kVersion:
      return "version";
    case Property::kCipher:
      return "cipher";
    case Property::kGroup:
      return "group";
    case Property::kAlpn:
      return "alpn";
    case Property::kServerName:
      return "server_name";
    case Property::kVerifyResult:
      return "verify_result";
    case Property::kSessionReused:
      return "session_reused";
    case Property::kHandshakeDone:
      return "handshake_done";
    case Property::kInFlight:
      return "in_flight";
    case Property::kTickets:
      return "tickets";
    case Property::kEarlyData:
      return "early_data";
    case Property::kResumption:
      return "resumption";
  }
  return "?";
}

const char* DriveResultName(DriveResult result) {
  switch (result) {
    case DriveResult::kDone:
      return "done";
    case DriveResult::kStalled:
      return "stalled";
    case DriveResult::kFailed:
      return "failed";
  }
  return "?";
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
    out = *alert.level == AlertLevel::kFatal ? "fatal:" : "warning:";
  }
  const char* name = AlertName(alert.description);
  return out + (name != nullptr ? name : std::to_string(alert.description));
}

std::string OutcomeText(const Outcome& outcome) {
  if (outcome.any) return "any";
  std::vector<std::string> items;
  if (outcome.ret) items.push_back(std::to_string(*outcome.ret));
  if (outcome.error) items.push_back(SslErrorName(*outcome.error));
  if (outcome.reason) items.push_back("reason=" + QuoteString(*outcome.reason));
  if (outcome.state) items.push_back("state=" + QuoteString(*outcome.state));
  if (outcome.data) items.push_back("data=" + QuoteString(*outcome.data));
  if (outcome.alert_sent) {
    items.push_back("alert_sent=" + AlertTextOf(*outcome.alert_sent));
  }
  if (outcome.alert_received) {
    items.push_back("alert_received=" + AlertTextOf(*outcome.alert_received));
  }
  if (outcome.verify) items.push_back("verify=" + *outcome.verify);
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
    *out += std::string(" key=") + KeyTypeName(cert.key);
  }
  if (!cert.dns.empty()) *out += " dns=" + Join(cert.dns);
  if (cert.not_before) {
    *out += " not_before=" + FormatTime(cert.not_before->value);
  }
  if (cert.not_after) *out += " not_after=" + FormatTime(cert.not_after->value);
  *out += "\n";
}

void PrintEndpoint(Side side, const EndpointDecl& e, std::string* out) {
  *out += std::string(SideName(side)) + " {\n";
  auto line = [out](const char* key, const std::string& value) {
    *out += std::string("  ") + key + " = " + value + "\n";
  };
  if (e.versions) {
    const VersionRange& r = e.versions->value;
    line("versions", r.min == r.max ? std::string(VersionName(r.min))
                                    : std::string(VersionName(r.min)) + ".." +
                                          VersionName(r.max));
  }
  if (e.ciphersuites) line("ciphersuites", WordOrString(e.ciphersuites->value));
  if (e.ciphers) line("ciphers", WordOrString(e.ciphers->value));
  if (e.groups) line("groups", WordOrString(e.groups->value));
  if (e.sigalgs) line("sigalgs", WordOrString(e.sigalgs->value));
  if (e.verify) line("verify", VerifyModeName(e.verify->value));
  if (e.trust) line("trust", Join(e.trust->value));
  if (e.cert) line("cert", e.cert->value);
  if (e.server_name) line("server_name", e.server_name->value);
  if (e.verify_host) line("verify_host", e.verify_host->value);
  if (e.alpn) line("alpn", Join(e.alpn->value));
  if (e.session_cache)
    line("session_cache", e.session_cache->value ? "on" : "off");
  if (e.tickets) line("tickets", e.tickets->value ? "on" : "off");
  if (e.buffer) line("buffer", std::to_string(e.buffer->value));
  auto plan = [&](const char* key, const std::optional<Located<RetryPlan>>& p) {
    if (!p) return;
    const char* last = p->value.missing_file ? "missing_file"
                       : p->value.then_fail  ? "fail"
                                             : "ok";
    line(key,
         p->value.retries == 0
             ? std::string(last)
             : "retry " + std::to_string(p->value.retries) + " then " + last);
  };
  plan("client_hello_cb", e.client_hello_cb);
  plan("cert_cb", e.cert_cb);
  plan("client_cert_cb", e.client_cert_cb);
  plan("verify_cb", e.verify_cb);
  if (e.servername) {
    static constexpr const char* kActions[] = {"ok", "noack", "alert_warning",
                                               "alert_fatal"};
    line("servername", kActions[static_cast<int>(e.servername->value)]);
  }
  if (e.sni_certs) {
    std::vector<std::string> items;
    for (const auto& [host, cert] : e.sni_certs->value) {
      items.push_back(host + ":" + cert);
    }
    line("sni_certs", Join(items));
  }
  if (e.ticket_key_fail) line("ticket_key_cb", "fail");
  if (e.options) line("options", Join(e.options->value));
  auto number = [&](const char* key, const std::optional<Located<int64_t>>& n) {
    if (n) line(key, std::to_string(n->value));
  };
  number("num_tickets", e.num_tickets);
  number("max_early_data", e.max_early_data);
  number("max_fragment_length", e.max_fragment_length);
  number("max_send_fragment", e.max_send_fragment);
  number("security_level", e.security_level);
  if (e.psk_identity) line("psk_identity", e.psk_identity->value);
  if (e.psk_key) line("psk_key", e.psk_key->value);
  *out += "}\n";
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

std::string StepText(const Step& step) {
  return std::visit(
      Overloaded{
          [](const CallStep& s) {
            std::string out = std::string(SideName(s.side)) + " " + CallText(s);
            if (s.expect) out += " -> " + OutcomeText(*s.expect);
            return out;
          },
          [](const FaultStep& s) { return FaultStepText(s); },
          [](const ConnectionStep& s) {
            std::string out = "connection " + s.name;
            if (s.resume) out += " resume=" + s.resume->value;
            return out;
          },
          [](const DeliverStep& s) {
            return "deliver " + DirectionName(s.from) + " " +
                   AmountTextOf(s.amount);
          },
          [](const CloseStep& s) { return "close " + DirectionName(s.from); },
          [](const DriveStep& s) {
            return "drive deliver=" + AmountTextOf(s.chunk) +
                   " first=" + SideName(s.first) +
                   " limit=" + std::to_string(s.limit) + " -> " +
                   DriveResultName(s.expect);
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
            if (s.property == Property::kInFlight) {
              return "expect in_flight " + DirectionName(s.side) + " = " +
                     value;
            }
            return std::string("expect ") + SideName(s.side) + " " +
                   PropertyNameOf(s.property) + " = " + value;
          },
      },
      step);
}

}  // namespace

std::string Print(const Scenario& s) {
  std::string out;
  if (!s.title.empty()) out += "scenario " + QuoteString(s.title) + "\n";
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
  if (!s.steps.empty()) section();
  for (const Step& step : s.steps) out += StepText(step) + "\n";
  // A file must declare something; one that declared only an empty title
  // or an empty pki block prints as the empty title.
  if (out.empty()) out = "scenario \"\"\n";
  return out;
}

const char* SideName(Side side) {
  switch (side) {
    case Side::kClient:
      return "client";
    case Side::kServer:
      return "server";
  }
  return "?";
}

const char* VersionName(Version version) {
  switch (version) {
    case Version::kTls1_0:
      return "TLSv1";
    case Version::kTls1_1:
      return "TLSv1.1";
    case Version::kTls1_2:
      return "TLSv1.2";
    case Version::kTls1_3:
      return "TLSv1.3";
  }
  return "?";
}

const char* SslErrorName(SslError error) {
  switch (error) {
    case SslError::kNone:
      return "NONE";
    case SslError::kSsl:
      return "SSL";
    case SslError::kWantRead:
      return "WANT_READ";
    case SslError::kWantWrite:
      return "WANT_WRITE";
    case SslError::kWantX509Lookup:
      return "WANT_X509_LOOKUP";
    case SslError::kSyscall:
      return "SYSCALL";
    case SslError::kZeroReturn:
      return "ZERO_RETURN";
    case SslError::kWantConnect:
      return "WANT_CONNECT";
    case SslError::kWantAccept:
      return "WANT_ACCEPT";
    case SslError::kWantAsync:
      return "WANT_ASYNC";
    case SslError::kWantAsyncJob:
      return "WANT_ASYNC_JOB";
    case SslError::kWantClientHelloCb:
      return "WANT_CLIENT_HELLO_CB";
    case SslError::kWantRetryVerify:
      return "WANT_RETRY_VERIFY";
  }
  return "?";
}

const char* HandshakeName(int type) {
  switch (type) {
    case 0:
      return "HelloRequest";
    case 1:
      return "ClientHello";
    case 2:
      return "ServerHello";
    case 4:
      return "NewSessionTicket";
    case 5:
      return "EndOfEarlyData";
    case 8:
      return "EncryptedExtensions";
    case 11:
      return "Certificate";
    case 12:
      return "ServerKeyExchange";
    case 13:
      return "CertificateRequest";
    case 14:
      return "ServerHelloDone";
    case 15:
      return "CertificateVerify";
    case 16:
      return "ClientKeyExchange";
    case 20:
      return "Finished";
    case 22:
      return "CertificateStatus";
    case 24:
      return "KeyUpdate";
    default:
      return nullptr;
  }
}

const char* ContentTypeName(int type) {
  switch (type) {
    case 20:
      return "change_cipher_spec";
    case 21:
      return "alert";
    case 22:
      return "handshake";
    case 23:
      return "application_data";
    default:
      return nullptr;
  }
}

std::string SelectorText(const RecordSelector& selector) {
  switch (selector.kind) {
    case RecordSelector::Kind::kIndex:
      return std::to_string(selector.index);
    case RecordSelector::Kind::kHandshake: {
      const char* name = HandshakeName(selector.type);
      return name ? name : std::to_string(selector.type);
    }
    case RecordSelector::Kind::kTypeIndex: {
      const char* name = ContentTypeName(selector.type);
      return std::string(name ? name : "?") + ":" +
             std::to_string(selector.index);
    }
  }
  return "?";
}

const char* AlertName(int description) {
  switch (description) {
    case 0:
      return "close_notify";
    case 10:
      return "unexpected_message";
    case 20:
      return "bad_record_mac";
    case 21:
      return "decryption_failed";
    case 22:
      return "record_overflow";
    case 30:
      return "decompression_failure";
    case 40:
      return "handshake_failure";
    case 41:
      return "no_certificate";
    case 42:
      return "bad_certificate";
    case 43:
      return "unsupported_certificate";
    case 44:
      return "certificate_revoked";
    case 45:
      return "certificate_expired";
    case 46:
      return "certificate_unknown";
    case 47:
      return "illegal_parameter";
    case 48:
      return "unknown_ca";
    case 49:
      return "access_denied";
    case 50:
      return "decode_error";
    case 51:
      return "decrypt_error";
    case 60:
      return "export_restriction";
    case 70:
      return "protocol_version";
    case 71:
      return "insufficient_security";
    case 80:
      return "internal_error";
    case 86:
      return "inappropriate_fallback";
    case 90:
      return "user_canceled";
    case 100:
      return "no_renegotiation";
    case 109:
      return "missing_extension";
    case 110:
      return "unsupported_extension";
    case 111:
      return "certificate_unobtainable";
    case 112:
      return "unrecognized_name";
    case 113:
      return "bad_certificate_status_response";
    case 114:
      return "bad_certificate_hash_value";
    case 115:
      return "unknown_psk_identity";
    case 116:
      return "certificate_required";
    case 120:
      return "no_application_protocol";
    default:
      return nullptr;
  }
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

const char* PropertyName(Property property) { return PropertyNameOf(property); }

std::string FaultText(const FaultStep& step) { return FaultStepText(step); }

std::string AlertText(const AlertExpect& alert) { return AlertTextOf(alert); }

std::string AmountText(const Amount& amount) { return AmountTextOf(amount); }

std::string DirectionName(Side from) {
  return from == Side::kClient ? "client->server" : "server->client";
}

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
      out += " " + QuoteString(s.write_data);
      if (s.moved_buffer) out += " moved";
      break;
    case Call::kKeyUpdate:
      out += s.key_update_requested ? " requested" : " not_requested";
      break;
    default:
      break;
  }
  return out;
}

std::string QuoteString(std::string_view s) {
  return "\"" + EscapeString(s) + "\"";
}

}  // namespace tlsim::scenario
