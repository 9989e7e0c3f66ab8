#include "lib/trace/text.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "lib/tls/names.h"

namespace tlsim::trace {
namespace {

const char* SideName(wire::Side side) {
  return side == wire::Side::kClient ? "client" : "server";
}

const char* DirectionName(wire::Side from) {
  return from == wire::Side::kClient ? "client->server" : "server->client";
}

std::string Prefix(const StepId& id) {
  std::string number = id.sub == 0 ? fmt::format("#{}", id.number)
                                   : fmt::format("#{}.{}", id.number, id.sub);
  if (id.connection.empty()) return fmt::format("{} L{}", number, id.line);
  return fmt::format("{} L{} [{}]", number, id.line, id.connection);
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string FormatAlert(const Alert& a) {
  const char* level = a.level == 1   ? "warning"
                      : a.level == 2 ? "fatal"
                                     : "level?";
  return fmt::format("{} {}", level, tls::AlertDescriptionName(a.description));
}

std::string FormatInFlight(const InFlight& f) {
  return fmt::format("in flight c>s {} s>c {}", f[0], f[1]);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

std::string JoinMessages(const std::vector<Message>& messages) {
  std::string out;
  for (Message m : messages) {
    if (!out.empty()) out += ' ';
    out += MessageName(m);
  }
  return out;
}

// One record's share of a delivery: "handshake 512: ClientHello",
// "handshake 512: bytes 0..99", "header 3 of 5", "application_data 53".
std::string FormatRecord(const wire::RecordNote& r) {
  if (!r.header_complete) {
    return fmt::format("header {}..{} of 5", r.first, r.first + r.count);
  }
  std::string out =
      fmt::format("{} {}", tls::ContentTypeName(r.content_type), r.length);
  bool whole = r.first == 0 && r.complete;
  std::vector<std::string> parts;
  if (!whole) {
    parts.push_back(fmt::format("bytes {}..{} of {}", r.first,
                                r.first + r.count, r.total()));
  }
  if (r.encrypted && r.content_type != wire::kContentApplicationData) {
    parts.push_back("encrypted");
  }
  for (int type : r.handshake_types) {
    parts.push_back(type == wire::kHandshakeServerHello && r.hello_retry
                        ? "HelloRetryRequest"
                        : tls::HandshakeTypeName(type));
  }
  if (r.alert.has_value()) {
    parts.push_back(FormatAlert({r.alert->first, r.alert->second}));
  }
  if (!parts.empty()) out += ": " + Join(parts);
  return out;
}

std::string FormatCall(const CallEvent& e) {
  std::string out =
      fmt::format("{} {} {}", Prefix(e.id), SideName(e.side), e.call);
  if (e.returns) out += fmt::format(" -> {} {}", e.ret, e.error_name());
  if (!e.data.empty()) out += fmt::format("; data {}", Quote(e.data));
  if (e.reason != 0) {
    out += fmt::format("; reason {}", Quote(e.reason_text()));
  }
  out += fmt::format("; state {}", Quote(e.state));
  if (!e.sent.empty()) out += "; sent " + JoinMessages(e.sent);
  if (!e.received.empty()) out += "; got " + JoinMessages(e.received);
  for (const Alert& a : e.alerts_sent) out += "; alert sent " + FormatAlert(a);
  for (const Alert& a : e.alerts_received) {
    out += "; alert got " + FormatAlert(a);
  }
  return out + "; " + FormatInFlight(e.in_flight);
}

std::string FormatDelivery(const DeliveryEvent& e) {
  const wire::Delivery& d = e.delivery;
  std::string out = fmt::format("{} wire deliver {} {}", Prefix(e.id),
                                DirectionName(e.from), e.amount);
  if (!d.ok) return out + ": " + d.error;
  if (d.delivered == d.requested) {
    out += fmt::format(": {} bytes", d.delivered);
  } else {
    out += fmt::format(": {} of {} bytes (receiver's buffer full)", d.delivered,
                       d.requested);
  }
  if (!d.records.empty()) {
    std::vector<std::string> records;
    for (const wire::RecordNote& r : d.records) {
      records.push_back(FormatRecord(r));
    }
    std::string joined;
    for (const std::string& r : records) {
      joined += (joined.empty() ? "" : ", ") + r;
    }
    out += " [" + joined + "]";
  }
  return out + "; " + FormatInFlight(e.in_flight);
}

}  // namespace

std::string FormatEvent(const Event& event) {
  struct Visitor {
    std::string operator()(const CallEvent& e) const { return FormatCall(e); }
    std::string operator()(const DeliveryEvent& e) const {
      return FormatDelivery(e);
    }
    std::string operator()(const CloseEvent& e) const {
      std::string out =
          fmt::format("{} wire close {}", Prefix(e.id), DirectionName(e.from));
      if (e.dropped > 0) out += fmt::format(": {} bytes dropped", e.dropped);
      return out + "; " + FormatInFlight(e.in_flight);
    }
    std::string operator()(const DriveEvent& e) const {
      if (!e.end) return fmt::format("{} drive {}", Prefix(e.id), e.text);
      return fmt::format("{} drive -> {}: {}", Prefix(e.id), e.result,
                         e.detail);
    }
    std::string operator()(const FaultEvent& e) const {
      return fmt::format("{} wire {}: {}; {}", Prefix(e.id), e.fault, e.result,
                         FormatInFlight(e.in_flight));
    }
    std::string operator()(const ConnectionEvent& e) const {
      std::string out =
          fmt::format("{} connection {}", Prefix(e.id), e.id.connection);
      if (e.resume.empty()) return out + ": new session";
      return out + fmt::format(": resume={} ({})", e.resume,
                               e.session_offered ? "session offered"
                                                 : "no session to offer");
    }
    std::string operator()(const ExpectEvent& e) const {
      return fmt::format("{} expect {}: {}", Prefix(e.id), e.what,
                         e.ok ? "ok" : "observed " + e.observed);
    }
  };
  return std::visit(Visitor{}, event);
}

void TextObserver::Write(const std::string& text) {
  for (std::ostream* out : outs_) *out << text;
}

void TextObserver::OnHeader(const Header& h) {
  Write(fmt::format("# tlsim trace of {}: {}\n# {}\n", h.file, Quote(h.title),
                    h.openssl_version));
}

void TextObserver::OnEvent(const Event& event) {
  Write(FormatEvent(event) + '\n');
}

void TextObserver::OnFooter(const Footer& f) {
  std::string text;
  for (const WireDigest& d : f.digests) {
    text += fmt::format(
        "# wire {}: c>s {} bytes sha256 {}; s>c {} bytes sha256 {}\n",
        d.connection, d.bytes[0], d.sha256[0], d.bytes[1], d.sha256[1]);
  }
  text += f.passed ? std::string("# pass\n")
                   : fmt::format("# FAIL: {}\n", f.message);
  Write(text);
  for (std::ostream* out : outs_) out->flush();
}

}  // namespace tlsim::trace
