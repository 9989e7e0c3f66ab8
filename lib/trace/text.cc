#include "lib/trace/text.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "lib/proto/names.h"
#include "lib/wire/socket_bio.h"

namespace tlsim::trace {
namespace {

using proto::DirectionName;
using proto::SideName;

void AppendNumber(Buffer& out, uint64_t n) { out.AppendDecimal(n); }

std::string ErrnoText(int value) {
  return "errno(" + std::to_string(value) + ")";
}

void AppendSigned(Buffer& out, int64_t n) { out.AppendSigned(n); }

// A name from a table, or its number spelled by `text` when it has none.
void AppendName(Buffer& out, const char* name, std::string (*text)(int),
                int value) {
  if (name != nullptr) {
    out += name;
  } else {
    out += text(value);
  }
}

// "#3 L21", "#3.2 L21 [resumed]".
void AppendPrefix(Buffer& out, const StepId& id) {
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

// The bytes AppendQuoted escapes: control characters, the quote, the
// backslash, DEL and above. A table lookup per byte instead of four
// comparisons: every call's state string passes through here.
constexpr std::array<bool, 256> kEscaped = [] {
  std::array<bool, 256> escaped{};
  for (int c = 0; c < 256; ++c) {
    escaped[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
  }
  return escaped;
}();

void AppendQuoted(Buffer& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the plain bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (!kEscaped[c]) continue;
    out += s.substr(run, i - run);
    run = i + 1;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  out += s.substr(run);
  out += '"';
}

// AppendQuoted, shortened past kLongData (see DataText).
void AppendData(Buffer& out, std::string_view data) {
  if (data.size() <= kLongData) {
    AppendQuoted(out, data);
    return;
  }
  AppendQuoted(out, data.substr(0, 16));
  out += "... (";
  AppendNumber(out, data.size());
  out += " bytes, sha256 ";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  out += ')';
}

// AppendQuoted(state) for a call's state, from a cache. The states are
// OpenSSL's static strings, a few dozen of them, and one is quoted on every
// call: each quoted form is kept by the string's address (CallEvent::state
// must live as long as the program) and copied.
std::string_view QuotedState(const char* state) {
  struct Entry {
    const char* state;
    std::string quoted;
  };
  thread_local std::vector<Entry> cache;
  for (const Entry& e : cache) {
    if (e.state == state) return e.quoted;
  }
  if (cache.size() >= 256) cache.clear();  // far more than OpenSSL has
  Buffer quoted;
  AppendQuoted(quoted, state);
  cache.push_back({state, std::string(quoted.view())});
  return cache.back().quoted;
}

std::string Quote(std::string_view s) {
  Buffer out;
  AppendQuoted(out, s);
  return std::string(out.view());
}

void AppendAlert(Buffer& out, const Alert& a) {
  out += a.level == 1 ? "warning " : a.level == 2 ? "fatal " : "level? ";
  AppendName(out, proto::AlertDescriptionName(a.description),
             proto::AlertDescriptionText, a.description);
}

void AppendInFlight(Buffer& out, const InFlight& f) {
  out += "in flight c>s ";
  AppendNumber(out, f[0]);
  out += " s>c ";
  AppendNumber(out, f[1]);
}

// "; held c>s 0 s>c 300; unread c>s 5 s>c 0", only for a scenario that
// sets the transport.
void AppendTransport(Buffer& out, const Transport& t) {
  if (!t.shown) return;
  out += "; held c>s ";
  AppendNumber(out, t.held[0]);
  out += " s>c ";
  AppendNumber(out, t.held[1]);
  out += "; unread c>s ";
  AppendNumber(out, t.unread[0]);
  out += " s>c ";
  AppendNumber(out, t.unread[1]);
}

void AppendMessages(Buffer& out, const std::vector<Message>& messages) {
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out += ' ';
    AppendName(out, KnownMessageName(messages[i]), proto::HandshakeTypeText,
               messages[i]);
  }
}

// One record's share of a delivery: "handshake 512: ClientHello",
// "handshake 512: bytes 0..99 of 517", "header 3..5 of 5",
// "application_data 53".
void AppendRecord(Buffer& out, const wire::RecordNote& r) {
  if (!r.header_complete) {
    out += "header ";
    AppendNumber(out, r.first);
    out += "..";
    AppendNumber(out, r.first + r.count);
    out += " of 5";
    return;
  }
  AppendName(out, proto::ContentTypes().Name(r.content_type),
             proto::ContentTypeText, r.content_type);
  out += ' ';
  AppendNumber(out, r.length);
  bool whole = r.first == 0 && r.complete;
  const char* separator = ": ";
  auto part = [&]() -> Buffer& {
    out += separator;
    separator = " ";
    return out;
  };
  if (!whole) {
    Buffer& o = part();
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
    if (type == wire::kHandshakeServerHello && r.hello_retry) {
      part() += "HelloRetryRequest";
    } else {
      AppendName(part(), proto::HandshakeTypes().Name(type),
                 proto::HandshakeTypeText, type);
    }
  }
  if (r.alert.has_value()) {
    AppendAlert(part(), {r.alert->first, r.alert->second});
  }
}

void AppendCall(Buffer& out, const CallEvent& e) {
  AppendPrefix(out, e.id);
  out += ' ';
  out += SideName(e.side);
  out += ' ';
  out += e.call;
  if (e.returns) {
    out += " -> ";
    AppendSigned(out, e.ret);
    out += ' ';
    AppendName(out, proto::SslErrors().Name(e.error), proto::SslErrorText,
               e.error);
    if (e.sys_errno != 0) {
      out += " errno=";
      AppendName(out, wire::ErrnoName(e.sys_errno), ErrnoText, e.sys_errno);
    }
  }
  if (!e.data.empty()) {
    out += "; data ";
    AppendData(out, e.data);
  }
  if (e.reason != 0) {
    out += "; reason ";
    AppendQuoted(out, e.reason_text());
  }
  out += "; state ";
  out += QuotedState(e.state);
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
  AppendTransport(out, e.transport);
  if (e.lost[0] != 0 || e.lost[1] != 0) {
    out += "; lost";
    if (e.lost[0] != 0) {
      out += " c>s ";
      AppendNumber(out, e.lost[0]);
    }
    if (e.lost[1] != 0) {
      out += " s>c ";
      AppendNumber(out, e.lost[1]);
    }
    out += " (written after the direction closed)";
  }
  if (!e.note.empty()) {
    out += "; ";
    out += e.note;
  }
}

void AppendDelivery(Buffer& out, const DeliveryEvent& e) {
  const wire::Delivery& d = e.delivery;
  AppendPrefix(out, e.id);
  out += " wire deliver ";
  out += DirectionName(e.from);
  out += ' ';
  out += e.amount;
  if (!d.ok && e.expect_fails) {
    out += " -> fails: ";
    out += d.error;
    out += "; ";
    AppendInFlight(out, e.in_flight);
    return;
  }
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
  AppendTransport(out, e.transport);
}

// One event as one line, without the newline, appended to `out`.
void AppendEvent(Buffer& out, const Event& event) {
  struct Visitor {
    Buffer& out;
    void operator()(const CallEvent& e) const { AppendCall(out, e); }
    void operator()(const DeliveryEvent& e) const { AppendDelivery(out, e); }
    void operator()(const CloseEvent& e) const {
      AppendPrefix(out, e.id);
      out += e.reset ? " wire reset " : " wire close ";
      out += DirectionName(e.from);
      const char* separator = ": ";
      if (e.dropped > 0) {
        out += separator;
        AppendNumber(out, e.dropped);
        out += " bytes dropped";
        separator = ", ";
      }
      if (e.discarded > 0) {
        out += separator;
        AppendNumber(out, e.discarded);
        out += " unread bytes discarded";
      }
      out += "; ";
      AppendInFlight(out, e.in_flight);
      AppendTransport(out, e.transport);
    }
    void operator()(const DriveEvent& e) const {
      AppendPrefix(out, e.id);
      out += ' ';
      out += e.kind;
      if (!e.end) {
        out += ' ';
        out += e.text;
        return;
      }
      out += " -> ";
      out += e.result;
      out += ": ";
      out += e.detail;
    }
    void operator()(const FaultEvent& e) const {
      AppendPrefix(out, e.id);
      out += " wire ";
      out += e.fault;
      out += !e.ok && e.expect_fails ? " -> fails: " : ": ";
      out += e.result;
      out += "; ";
      AppendInFlight(out, e.in_flight);
      AppendTransport(out, e.transport);
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
      if (e.session_offered) {
        out += " (session offered)";
      } else if (!e.session_declined.empty()) {
        out += " (session not offered: ";
        out += e.session_declined;
        out += ')';
      } else {
        out += " (no session to offer)";
      }
    }
    void operator()(const ClockEvent& e) const {
      AppendPrefix(out, e.id);
      out += ' ';
      out += e.text;
      out += ": now ";
      out += e.now;
    }
    void operator()(const SettingEvent& e) const {
      AppendPrefix(out, e.id);
      out += e.side == wire::Side::kClient ? " client set " : " server set ";
      out += e.setting;
      if (!e.ok) {
        out += ": refused: ";
        out += e.result;
      }
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

std::string DataText(std::string_view data) {
  Buffer out;
  AppendData(out, data);
  return std::string(out.view());
}

std::string FormatEvent(const Event& event) {
  Buffer line;
  AppendEvent(line, event);
  return std::string(line.view());
}

void TextObserver::Write(std::string_view text) {
  for (std::ostream* out : outs_) {
    out->write(text.data(), static_cast<std::streamsize>(text.size()));
  }
}

void TextObserver::OnHeader(const Header& h) {
  Write(fmt::format("# tlsim trace of {}: {}\n# {}\n", h.file, Quote(h.title),
                    h.openssl_version));
}

void TextObserver::OnEvent(const Event& event) {
  line_.clear();  // the buffer is kept: no allocation per line
  AppendEvent(line_, event);
  line_ += '\n';
  Write(line_.view());
}

void TextObserver::OnFooter(const Footer& f) {
  std::string text;
  for (const WireDigest& d : f.digests) {
    text += fmt::format(
        "# wire {}: c>s {} bytes sha256 {}; s>c {} bytes sha256 {}\n",
        d.connection, d.bytes[0], d.sha256[0], d.bytes[1], d.sha256[1]);
  }
  text += !f.not_applicable.empty()
              ? fmt::format("# not applicable: {}\n", f.not_applicable)
          : f.passed ? std::string("# pass\n")
                     : fmt::format("# FAIL: {}\n", f.message);
  Write(text);
  for (std::ostream* out : outs_) out->flush();
}

}  // namespace tlsim::trace
