#include "lib/trace/text.h"

#include <fmt/format.h>

#include <charconv>
#include <string>
#include <string_view>

#include "lib/proto/names.h"

namespace tlsim::trace {
namespace {

const char* SideName(wire::Side side) {
  return side == wire::Side::kClient ? "client" : "server";
}

const char* DirectionName(wire::Side from) {
  return from == wire::Side::kClient ? "client->server" : "server->client";
}

void AppendNumber(std::string& out, uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

void AppendSigned(std::string& out, int64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

// "#3 L21", "#3.2 L21 [resumed]".
void AppendPrefix(std::string& out, const StepId& id) {
  out += '#';
  AppendSigned(out, id.number);
  if (id.sub != 0) {
    out += '.';
    AppendSigned(out, id.sub);
  }
  out += " L";
  AppendSigned(out, id.line);
  if (!id.connection.empty()) {
    out += " [";
    out += id.connection;
    out += ']';
  }
}

void AppendQuoted(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
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
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::string Quote(std::string_view s) {
  std::string out;
  AppendQuoted(out, s);
  return out;
}

void AppendAlert(std::string& out, const Alert& a) {
  out += a.level == 1 ? "warning " : a.level == 2 ? "fatal " : "level? ";
  out += proto::AlertDescriptionText(a.description);
}

void AppendInFlight(std::string& out, const InFlight& f) {
  out += "in flight c>s ";
  AppendNumber(out, f[0]);
  out += " s>c ";
  AppendNumber(out, f[1]);
}

void AppendMessages(std::string& out, const std::vector<Message>& messages) {
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out += ' ';
    out += MessageName(messages[i]);
  }
}

// One record's share of a delivery: "handshake 512: ClientHello",
// "handshake 512: bytes 0..99 of 517", "header 3..5 of 5",
// "application_data 53".
void AppendRecord(std::string& out, const wire::RecordNote& r) {
  if (!r.header_complete) {
    out += "header ";
    AppendNumber(out, r.first);
    out += "..";
    AppendNumber(out, r.first + r.count);
    out += " of 5";
    return;
  }
  out += proto::ContentTypeText(r.content_type);
  out += ' ';
  AppendNumber(out, r.length);
  bool whole = r.first == 0 && r.complete;
  const char* separator = ": ";
  auto part = [&]() -> std::string& {
    out += separator;
    separator = " ";
    return out;
  };
  if (!whole) {
    std::string& o = part();
    o += "bytes ";
    AppendNumber(o, r.first);
    o += "..";
    AppendNumber(o, r.first + r.count);
    o += " of ";
    AppendNumber(o, r.total());
  }
  if (r.encrypted && r.content_type != wire::kContentApplicationData) {
    part() += "encrypted";
  }
  for (int type : r.handshake_types) {
    part() += type == wire::kHandshakeServerHello && r.hello_retry
                  ? std::string("HelloRetryRequest")
                  : proto::HandshakeTypeText(type);
  }
  if (r.alert.has_value()) {
    AppendAlert(part(), {r.alert->first, r.alert->second});
  }
}

void AppendCall(std::string& out, const CallEvent& e) {
  AppendPrefix(out, e.id);
  out += ' ';
  out += SideName(e.side);
  out += ' ';
  out += e.call;
  if (e.returns) {
    out += " -> ";
    AppendSigned(out, e.ret);
    out += ' ';
    out += e.error_name();
  }
  if (!e.data.empty()) {
    out += "; data ";
    AppendQuoted(out, e.data);
  }
  if (e.reason != 0) {
    out += "; reason ";
    AppendQuoted(out, e.reason_text());
  }
  out += "; state ";
  AppendQuoted(out, e.state);
  if (!e.sent.empty()) {
    out += "; sent ";
    AppendMessages(out, e.sent);
  }
  if (!e.received.empty()) {
    out += "; got ";
    AppendMessages(out, e.received);
  }
  for (const Alert& a : e.alerts_sent) {
    out += "; alert sent ";
    AppendAlert(out, a);
  }
  for (const Alert& a : e.alerts_received) {
    out += "; alert got ";
    AppendAlert(out, a);
  }
  out += "; ";
  AppendInFlight(out, e.in_flight);
}

void AppendDelivery(std::string& out, const DeliveryEvent& e) {
  const wire::Delivery& d = e.delivery;
  AppendPrefix(out, e.id);
  out += " wire deliver ";
  out += DirectionName(e.from);
  out += ' ';
  out += e.amount;
  if (!d.ok) {
    out += ": ";
    out += d.error;
    return;
  }
  out += ": ";
  AppendNumber(out, d.delivered);
  if (d.delivered == d.requested) {
    out += " bytes";
  } else {
    out += " of ";
    AppendNumber(out, d.requested);
    out += " bytes (receiver's buffer full)";
  }
  if (!d.records.empty()) {
    out += " [";
    for (size_t i = 0; i < d.records.size(); ++i) {
      if (i > 0) out += ", ";
      AppendRecord(out, d.records[i]);
    }
    out += ']';
  }
  out += "; ";
  AppendInFlight(out, e.in_flight);
}

// One event as one line, without the newline, appended to `out`.
void AppendEvent(std::string& out, const Event& event) {
  struct Visitor {
    std::string& out;
    void operator()(const CallEvent& e) const { AppendCall(out, e); }
    void operator()(const DeliveryEvent& e) const { AppendDelivery(out, e); }
    void operator()(const CloseEvent& e) const {
      AppendPrefix(out, e.id);
      out += " wire close ";
      out += DirectionName(e.from);
      if (e.dropped > 0) {
        out += ": ";
        AppendNumber(out, e.dropped);
        out += " bytes dropped";
      }
      out += "; ";
      AppendInFlight(out, e.in_flight);
    }
    void operator()(const DriveEvent& e) const {
      AppendPrefix(out, e.id);
      if (!e.end) {
        out += " drive ";
        out += e.text;
        return;
      }
      out += " drive -> ";
      out += e.result;
      out += ": ";
      out += e.detail;
    }
    void operator()(const FaultEvent& e) const {
      AppendPrefix(out, e.id);
      out += " wire ";
      out += e.fault;
      out += ": ";
      out += e.result;
      out += "; ";
      AppendInFlight(out, e.in_flight);
    }
    void operator()(const ConnectionEvent& e) const {
      AppendPrefix(out, e.id);
      out += " connection ";
      out += e.id.connection;
      if (e.resume.empty()) {
        out += ": new session";
        return;
      }
      out += ": resume=";
      out += e.resume;
      out +=
          e.session_offered ? " (session offered)" : " (no session to offer)";
    }
    void operator()(const ExpectEvent& e) const {
      AppendPrefix(out, e.id);
      out += " expect ";
      out += e.what;
      out += ": ";
      if (e.ok) {
        out += "ok";
      } else {
        out += "observed ";
        out += e.observed;
      }
    }
  };
  std::visit(Visitor{out}, event);
}

}  // namespace

std::string FormatEvent(const Event& event) {
  std::string line;
  AppendEvent(line, event);
  return line;
}

void TextObserver::Write(const std::string& text) {
  for (std::ostream* out : outs_) *out << text;
}

void TextObserver::OnHeader(const Header& h) {
  Write(fmt::format("# tlsim trace of {}: {}\n# {}\n", h.file, Quote(h.title),
                    h.openssl_version));
}

void TextObserver::OnEvent(const Event& event) {
  line_.clear();  // the buffer is kept: no allocation per line
  AppendEvent(line_, event);
  line_ += '\n';
  Write(line_);
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
