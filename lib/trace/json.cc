#include "lib/trace/json.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/proto/names.h"

namespace tlsim::trace {
namespace {

using Json = nlohmann::ordered_json;

const char* SideName(wire::Side side) {
  return side == wire::Side::kClient ? "client" : "server";
}

// Strings are bytes (a read's data can be anything); bytes that are not
// UTF-8 become U+FFFD rather than failing the whole line.
std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

std::string LevelName(int level) {
  if (level == 1) return "warning";
  if (level == 2) return "fatal";
  return "level(" + std::to_string(level) + ")";
}

// One JSON object written straight into a string, keys in the order they
// are added: what nlohmann::ordered_json::dump writes for the same object
// (tests/json_trace_test checks it), without building one per event.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(*out) {}

  void Open() {
    out_ += '{';
    first_ = true;
  }
  void Close() {
    out_ += '}';
    first_ = false;
  }
  void Key(std::string_view key) {
    out_.append(first_ ? "\"" : ",\"", first_ ? 1 : 2);
    first_ = false;
    out_.append(key);
    out_.append("\":", 2);
  }
  void String(std::string_view s) {
    const size_t start = out_.size();
    out_ += '"';
    size_t run = 0;  // start of the bytes not yet copied
    for (size_t i = 0; i < s.size(); ++i) {
      auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') continue;
      if (c >= 0x80) {  // UTF-8, or bytes that are not: nlohmann decides
        out_.resize(start);
        out_ += Dump(Json(std::string(s)));
        return;
      }
      out_.append(s.data() + run, i - run);
      Escaped(static_cast<char>(c));
      run = i + 1;
    }
    out_.append(s.data() + run, s.size() - run);
    out_ += '"';
  }
  void Number(uint64_t n) { Decimal(n); }
  void Signed(int64_t n) { Decimal(n); }
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
  template <typename Integer>
  void Decimal(Integer n) {
    char buf[24];
    char* end = std::to_chars(buf, buf + sizeof buf, n).ptr;
    out_.append(buf, end);
  }

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

  std::string& out_;
  bool first_ = true;
};

void WriteAlert(Writer& w, int level, int description) {
  w.Open();
  w.Key("level");
  w.String(LevelName(level));
  w.Key("description");
  w.String(proto::AlertDescriptionText(description));
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
    w.String(MessageName(m));
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

// type, step, sub, line, connection: the keys every event starts with.
void Start(Writer& w, const char* type, const StepId& id) {
  w.Open();
  w.Key("type");
  w.String(type);
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
    w.String(proto::ContentTypeText(r.content_type));
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
    w.String(type == wire::kHandshakeServerHello && r.hello_retry
                 ? std::string("HelloRetryRequest")
                 : proto::HandshakeTypeText(type));
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
  w.String(SideName(e.side));
  w.Key("call");
  w.String(e.call);
  w.Key("ret");
  if (e.returns) {
    w.Signed(e.ret);
  } else {
    w.Null();
  }
  w.Key("error");
  w.String(e.error_name());
  w.Key("reason");
  w.String(e.reason_text());
  w.Key("state");
  w.String(e.state);
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
  w.Close();
}

void WriteDelivery(Writer& w, const DeliveryEvent& e) {
  const wire::Delivery& d = e.delivery;
  Start(w, "deliver", e.id);
  w.Key("actor");
  w.String("wire");
  w.Key("from");
  w.String(SideName(e.from));
  w.Key("amount");
  w.String(e.amount);
  w.Key("ok");
  w.Bool(d.ok);
  w.Key("error");
  w.String(d.error);
  w.Key("requested");
  w.Number(d.requested);
  w.Key("delivered");
  w.Number(d.delivered);
  w.Key("bytes_hex");
  w.String(Hex(d.bytes));
  w.Key("records");
  w.BeginArray();
  for (const wire::RecordNote& r : d.records) {
    w.Element();
    WriteRecord(w, r);
  }
  w.EndArray();
  WriteInFlight(w, e.in_flight);
  w.Close();
}

void WriteEvent(Writer& w, const Event& event) {
  struct Visitor {
    Writer& w;
    void operator()(const CallEvent& e) const { WriteCall(w, e); }
    void operator()(const DeliveryEvent& e) const { WriteDelivery(w, e); }
    void operator()(const CloseEvent& e) const {
      Start(w, "close", e.id);
      w.Key("actor");
      w.String("wire");
      w.Key("from");
      w.String(SideName(e.from));
      w.Key("dropped");
      w.Number(e.dropped);
      WriteInFlight(w, e.in_flight);
      w.Close();
    }
    void operator()(const DriveEvent& e) const {
      if (!e.end) {
        Start(w, "drive", e.id);
        w.Key("text");
        w.String(e.text);
        w.Close();
        return;
      }
      Start(w, "drive_end", e.id);
      w.Key("result");
      w.String(e.result);
      w.Key("detail");
      w.String(e.detail);
      w.Close();
    }
    void operator()(const FaultEvent& e) const {
      Start(w, "fault", e.id);
      w.Key("actor");
      w.String("wire");
      w.Key("from");
      w.String(SideName(e.from));
      w.Key("fault");
      w.String(e.fault);
      w.Key("ok");
      w.Bool(e.ok);
      w.Key("result");
      w.String(e.result);
      WriteInFlight(w, e.in_flight);
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
  std::string line;
  Writer w(&line);
  WriteEvent(w, event);
  return line;
}

void JsonLinesObserver::Write(const std::string& line) {
  for (std::ostream* out : outs_) *out << line << '\n';
}

void JsonLinesObserver::OnHeader(const Header& h) {
  Json j;
  j["type"] = "header";
  j["file"] = h.file;
  j["title"] = h.title;
  j["openssl"] = h.openssl_version;
  Write(Dump(j));
}

void JsonLinesObserver::OnEvent(const Event& event) {
  line_.clear();  // the buffer is kept: no allocation per line
  Writer w(&line_);
  WriteEvent(w, event);
  Write(line_);
}

void JsonLinesObserver::OnFooter(const Footer& f) {
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
  Write(Dump(j));
  for (std::ostream* out : outs_) out->flush();
}

}  // namespace tlsim::trace
