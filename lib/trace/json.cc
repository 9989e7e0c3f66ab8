#include "lib/trace/json.h"

#include <array>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/proto/names.h"
#include "lib/wire/socket_bio.h"

namespace tlsim::trace {
namespace {

using Json = nlohmann::ordered_json;

using proto::SideName;

// Strings are bytes (a read's data can be anything); bytes that are not
// UTF-8 become U+FFFD rather than failing the whole line.
std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string LevelName(int level) {
  if (level == 1) return "warning";
  if (level == 2) return "fatal";
  return "level(" + std::to_string(level) + ")";
}

// One JSON object written straight into a buffer, keys in the order they
// are added: what nlohmann::ordered_json::dump writes for the same object
// (tests/json_trace_test checks it), without building one per event.
class Writer {
 public:
  explicit Writer(Buffer* out) : out_(*out) {}

  void Open() {
    out_ += '{';
    first_ = true;
  }
  void Close() {
    out_ += '}';
    first_ = false;
  }
  // A key is always a literal: its length is known here, and forcing the
  // inlining turns each key into a few stores (an out-of-line call with a
  // memcpy of unknown length was the largest single cost of a JSON line).
  template <size_t N>
  [[gnu::always_inline]] void Key(const char (&key)[N]) {
    char* at = out_.Reserve(N + 3);  // ,"key":
    if (!first_) *at++ = ',';
    first_ = false;
    *at++ = '"';
    std::memcpy(at, key, N - 1);
    at += N - 1;
    *at++ = '"';
    *at++ = ':';
    out_.Commit(at);
  }
  void String(std::string_view s) {
    const size_t start = out_.size();
    out_ += '"';
    size_t run = 0;  // start of the bytes not yet copied
    for (size_t i = 0; i < s.size(); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if (!kSpecial[c]) continue;
      if (c >= 0x80) {  // UTF-8, or bytes that are not: nlohmann decides
        out_.Truncate(start);
        out_ += Dump(Json(std::string(s)));
        return;
      }
      out_ += s.substr(run, i - run);
      Escaped(static_cast<char>(c));
      run = i + 1;
    }
    out_ += s.substr(run);
    out_ += '"';
  }
  // String(state) for a call's state, from a cache: see QuotedState in
  // text.cc (OpenSSL's static state strings, one per call, kept by address).
  void State(const char* state) {
    struct Entry {
      const char* state;
      std::string json;
    };
    thread_local std::vector<Entry> cache;
    for (const Entry& e : cache) {
      if (e.state == state) {
        out_ += e.json;
        return;
      }
    }
    if (cache.size() >= 256) cache.clear();  // far more than OpenSSL has
    const size_t start = out_.size();
    String(state);
    cache.push_back({state, std::string(out_.view().substr(start))});
  }
  // A string the caller knows has nothing to escape (a name from a table,
  // a literal): copied without looking at each byte.
  void Plain(std::string_view s) {
    char* at = out_.Reserve(s.size() + 2);
    *at++ = '"';
    if (!s.empty()) std::memcpy(at, s.data(), s.size());  // data() may be null
    at += s.size();
    *at++ = '"';
    out_.Commit(at);
  }
  // `bytes` as a string of lowercase hex digits.
  void Hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    char* at = out_.Reserve(bytes.size() * 2 + 2);
    *at++ = '"';
    for (unsigned char c : bytes) {
      *at++ = kDigits[c >> 4];
      *at++ = kDigits[c & 0xf];
    }
    *at++ = '"';
    out_.Commit(at);
  }
  // A name from a table, or its number spelled by `text` when it has none.
  void Name(const char* name, std::string (*text)(int), int value) {
    if (name != nullptr) {
      Plain(name);
    } else {
      Plain(text(value));  // "handshake(99)"
    }
  }
  void Number(uint64_t n) { out_.AppendDecimal(n); }
  void Signed(int64_t n) { out_.AppendSigned(n); }
  void Bool(bool b) { out_ += b ? "true" : "false"; }
  void Null() { out_ += "null"; }

  // An array as a value: Element() before each element.
  void BeginArray() {
    out_ += '[';
    first_ = true;
  }
  void EndArray() {
    out_ += ']';
    first_ = false;
  }
  void Element() {
    if (!first_) out_ += ',';
    first_ = false;
  }

 private:
  // The bytes String() cannot copy as they are: control characters, the
  // quote, the backslash, and bytes above ASCII. A table lookup per byte
  // instead of four comparisons: the state strings and calls of every
  // event pass through here.
  static constexpr std::array<bool, 256> kSpecial = [] {
    std::array<bool, 256> special{};
    for (int c = 0; c < 256; ++c) {
      special[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    }
    return special;
  }();

  void Escaped(char c) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        return;
      case '\\':
        out_ += "\\\\";
        return;
      case '\b':
        out_ += "\\b";
        return;
      case '\f':
        out_ += "\\f";
        return;
      case '\n':
        out_ += "\\n";
        return;
      case '\r':
        out_ += "\\r";
        return;
      case '\t':
        out_ += "\\t";
        return;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out_ += "\\u00";
          out_ += kHex[(c >> 4) & 0xf];
          out_ += kHex[c & 0xf];
        } else {
          out_ += c;
        }
    }
  }

  Buffer& out_;
  bool first_ = true;
};

void WriteAlert(Writer& w, int level, int description) {
  w.Open();
  w.Key("level");
  w.Plain(LevelName(level));
  w.Key("description");
  w.Name(proto::AlertDescriptionName(description), proto::AlertDescriptionText,
         description);
  w.Close();
}

void WriteAlerts(Writer& w, const std::vector<Alert>& alerts) {
  w.BeginArray();
  for (const Alert& a : alerts) {
    w.Element();
    WriteAlert(w, a.level, a.description);
  }
  w.EndArray();
}

void WriteMessages(Writer& w, const std::vector<Message>& messages) {
  w.BeginArray();
  for (Message m : messages) {
    w.Element();
    w.Name(KnownMessageName(m), proto::HandshakeTypeText, m);
  }
  w.EndArray();
}

void WriteInFlight(Writer& w, const InFlight& f) {
  w.Key("in_flight");
  w.Open();
  w.Key("client_to_server");
  w.Number(f[0]);
  w.Key("server_to_client");
  w.Number(f[1]);
  w.Close();
}

// The transport's other counts, only for a scenario that sets it:
// "transport":{"held":{...},"unread":{...}}.
void WriteTransport(Writer& w, const Transport& t) {
  if (!t.shown) return;
  auto pair = [&](const std::array<size_t, 2>& counts) {
    w.Open();
    w.Key("client_to_server");
    w.Number(counts[0]);
    w.Key("server_to_client");
    w.Number(counts[1]);
    w.Close();
  };
  w.Key("transport");
  w.Open();
  w.Key("held");
  pair(t.held);
  w.Key("unread");
  pair(t.unread);
  w.Close();
}

// type, step, sub, line, connection: the keys every event starts with.
void Start(Writer& w, const char* type, const StepId& id) {
  w.Open();
  w.Key("type");
  w.Plain(type);
  w.Key("step");
  w.Signed(id.number);
  w.Key("sub");
  w.Signed(id.sub);
  w.Key("line");
  w.Signed(id.line);
  w.Key("connection");
  if (id.connection.empty()) {
    w.Null();
  } else {
    w.String(id.connection);
  }
}

void WriteRecord(Writer& w, const wire::RecordNote& r) {
  w.Open();
  w.Key("content_type");
  if (r.content_type < 0) {
    w.Null();
  } else {
    w.Name(proto::ContentTypes().Name(r.content_type), proto::ContentTypeText,
           r.content_type);
  }
  w.Key("header_complete");
  w.Bool(r.header_complete);
  w.Key("length");
  w.Number(r.length);
  w.Key("first");
  w.Number(r.first);
  w.Key("count");
  w.Number(r.count);
  w.Key("complete");
  w.Bool(r.complete);
  w.Key("encrypted");
  w.Bool(r.encrypted);
  w.Key("messages");
  w.BeginArray();
  for (int type : r.handshake_types) {
    w.Element();
    if (type == wire::kHandshakeServerHello && r.hello_retry) {
      w.Plain("HelloRetryRequest");
    } else {
      w.Name(proto::HandshakeTypes().Name(type), proto::HandshakeTypeText,
             type);
    }
  }
  w.EndArray();
  if (r.alert.has_value()) {
    w.Key("alert");
    WriteAlert(w, r.alert->first, r.alert->second);
  }
  w.Close();
}

void WriteCall(Writer& w, const CallEvent& e) {
  Start(w, "call", e.id);
  w.Key("actor");
  w.Plain(SideName(e.side));
  w.Key("call");
  w.String(e.call);
  w.Key("ret");
  if (e.returns) {
    w.Signed(e.ret);
  } else {
    w.Null();
  }
  w.Key("error");
  if (e.returns) {
    w.Name(proto::SslErrors().Name(e.error), proto::SslErrorText, e.error);
  } else {
    w.Plain("");
  }
  w.Key("reason");
  if (e.reason != 0) {
    w.String(e.reason_text());
  } else {
    w.Plain("");
  }
  w.Key("state");
  w.State(e.state);
  w.Key("sent");
  WriteMessages(w, e.sent);
  w.Key("received");
  WriteMessages(w, e.received);
  w.Key("alerts_sent");
  WriteAlerts(w, e.alerts_sent);
  w.Key("alerts_received");
  WriteAlerts(w, e.alerts_received);
  w.Key("data");
  w.String(e.data);
  WriteInFlight(w, e.in_flight);
  WriteTransport(w, e.transport);
  if (e.sys_errno != 0) {
    w.Key("errno");
    const char* name = wire::ErrnoName(e.sys_errno);
    if (name != nullptr) {
      w.Plain(name);
    } else {
      w.Plain(std::to_string(e.sys_errno));
    }
  }
  if (e.lost[0] != 0 || e.lost[1] != 0) {
    w.Key("lost");
    w.Open();
    w.Key("client_to_server");
    w.Number(e.lost[0]);
    w.Key("server_to_client");
    w.Number(e.lost[1]);
    w.Close();
  }
  if (!e.note.empty()) {
    w.Key("note");
    w.String(e.note);
  }
  w.Close();
}

void WriteDelivery(Writer& w, const DeliveryEvent& e) {
  const wire::Delivery& d = e.delivery;
  Start(w, "deliver", e.id);
  w.Key("actor");
  w.Plain("wire");
  w.Key("from");
  w.Plain(SideName(e.from));
  w.Key("amount");
  w.String(e.amount);
  w.Key("ok");
  w.Bool(d.ok);
  w.Key("error");
  w.String(d.error);
  w.Key("expect_fails");
  w.Bool(e.expect_fails);
  w.Key("requested");
  w.Number(d.requested);
  w.Key("delivered");
  w.Number(d.delivered);
  w.Key("bytes_hex");
  w.Hex(d.bytes);
  w.Key("records");
  w.BeginArray();
  for (const wire::RecordNote& r : d.records) {
    w.Element();
    WriteRecord(w, r);
  }
  w.EndArray();
  WriteInFlight(w, e.in_flight);
  WriteTransport(w, e.transport);
  w.Close();
}

void WriteEvent(Writer& w, const Event& event) {
  struct Visitor {
    Writer& w;
    void operator()(const CallEvent& e) const { WriteCall(w, e); }
    void operator()(const DeliveryEvent& e) const { WriteDelivery(w, e); }
    void operator()(const CloseEvent& e) const {
      Start(w, e.reset ? "reset" : "close", e.id);
      w.Key("actor");
      w.Plain("wire");
      w.Key("from");
      w.Plain(SideName(e.from));
      w.Key("dropped");
      w.Number(e.dropped);
      if (e.reset) {
        w.Key("discarded");
        w.Number(e.discarded);
      }
      WriteInFlight(w, e.in_flight);
      WriteTransport(w, e.transport);
      w.Close();
    }
    void operator()(const DriveEvent& e) const {
      const bool run = std::string_view(e.kind) == "run";
      if (!e.end) {
        Start(w, run ? "run" : "drive", e.id);
        w.Key("text");
        w.String(e.text);
        w.Close();
        return;
      }
      Start(w, run ? "run_end" : "drive_end", e.id);
      w.Key("result");
      w.String(e.result);
      w.Key("detail");
      w.String(e.detail);
      w.Close();
    }
    void operator()(const FaultEvent& e) const {
      Start(w, "fault", e.id);
      w.Key("actor");
      w.Plain("wire");
      w.Key("from");
      w.Plain(SideName(e.from));
      w.Key("fault");
      w.String(e.fault);
      w.Key("ok");
      w.Bool(e.ok);
      w.Key("result");
      w.String(e.result);
      w.Key("expect_fails");
      w.Bool(e.expect_fails);
      WriteInFlight(w, e.in_flight);
      WriteTransport(w, e.transport);
      w.Close();
    }
    void operator()(const ConnectionEvent& e) const {
      Start(w, "connection", e.id);
      w.Key("resume");
      if (e.resume.empty()) {
        w.Null();
      } else {
        w.String(e.resume);
      }
      w.Key("session_offered");
      w.Bool(e.session_offered);
      w.Key("session_declined");
      w.String(e.session_declined);
      w.Close();
    }
    void operator()(const ClockEvent& e) const {
      Start(w, "clock", e.id);
      w.Key("text");
      w.String(e.text);
      w.Key("now");
      w.String(e.now);
      w.Close();
    }
    void operator()(const SettingEvent& e) const {
      Start(w, "set", e.id);
      w.Key("actor");
      w.String(e.side == wire::Side::kClient ? "client" : "server");
      w.Key("setting");
      w.String(e.setting);
      w.Key("ok");
      w.Bool(e.ok);
      w.Key("result");
      w.String(e.result);
      w.Close();
    }
    void operator()(const ExpectEvent& e) const {
      Start(w, "expect", e.id);
      w.Key("what");
      w.String(e.what);
      w.Key("observed");
      w.String(e.observed);
      w.Key("ok");
      w.Bool(e.ok);
      w.Close();
    }
  };
  std::visit(Visitor{w}, event);
}

}  // namespace

std::string FormatEventJson(const Event& event) {
  Buffer line;
  Writer w(&line);
  WriteEvent(w, event);
  return std::string(line.view());
}

void JsonLinesObserver::Write(std::string_view line) {
  for (std::ostream* out : outs_) {
    out->write(line.data(), static_cast<std::streamsize>(line.size()));
  }
}

void JsonLinesObserver::OnHeader(const Header& h) {
  Json j;
  j["type"] = "header";
  j["file"] = h.file;
  j["title"] = h.title;
  j["openssl"] = h.openssl_version;
  Write(Dump(j) + '\n');
}

void JsonLinesObserver::OnEvent(const Event& event) {
  line_.clear();  // the buffer is kept: no allocation per line
  Writer w(&line_);
  WriteEvent(w, event);
  line_ += '\n';
  Write(line_.view());
}

void JsonLinesObserver::OnFooter(const Footer& f) {
  if (!f.not_applicable.empty()) {
    // Its own record, before `end`: nothing ran, and says why.
    Json na;
    na["type"] = "not_applicable";
    na["message"] = f.not_applicable;
    Write(Dump(na) + '\n');
  }
  Json j;
  j["type"] = "end";
  j["passed"] = f.passed;
  j["message"] = f.message;
  Json digests = Json::array();
  for (const WireDigest& d : f.digests) {
    Json one;
    one["connection"] = d.connection;
    one["client_to_server"] = {{"bytes", d.bytes[0]}, {"sha256", d.sha256[0]}};
    one["server_to_client"] = {{"bytes", d.bytes[1]}, {"sha256", d.sha256[1]}};
    digests.push_back(std::move(one));
  }
  j["digests"] = std::move(digests);
  Write(Dump(j) + '\n');
  for (std::ostream* out : outs_) out->flush();
}

}  // namespace tlsim::trace
