#include "lib/trace/json.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lib/tls/names.h"

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

Json AlertJson(int level, int description) {
  Json j;
  j["level"] = LevelName(level);
  j["description"] = tls::AlertDescriptionName(description);
  return j;
}

Json AlertsJson(const std::vector<Alert>& alerts) {
  Json j = Json::array();
  for (const Alert& a : alerts) j.push_back(AlertJson(a.level, a.description));
  return j;
}

Json InFlightJson(const InFlight& f) {
  Json j;
  j["client_to_server"] = f[0];
  j["server_to_client"] = f[1];
  return j;
}

// type, step, sub, line: the keys every event starts with.
Json Start(const char* type, const StepId& id) {
  Json j;
  j["type"] = type;
  j["step"] = id.number;
  j["sub"] = id.sub;
  j["line"] = id.line;
  j["connection"] = id.connection.empty() ? Json(nullptr) : Json(id.connection);
  return j;
}

Json RecordJson(const wire::RecordNote& r) {
  Json j;
  if (r.content_type < 0) {
    j["content_type"] = nullptr;
  } else {
    j["content_type"] = tls::ContentTypeName(r.content_type);
  }
  j["header_complete"] = r.header_complete;
  j["length"] = r.length;
  j["first"] = r.first;
  j["count"] = r.count;
  j["complete"] = r.complete;
  j["encrypted"] = r.encrypted;
  Json messages = Json::array();
  for (int type : r.handshake_types) {
    messages.push_back(type == wire::kHandshakeServerHello && r.hello_retry
                           ? std::string("HelloRetryRequest")
                           : tls::HandshakeTypeName(type));
  }
  j["messages"] = std::move(messages);
  if (r.alert.has_value()) {
    j["alert"] = AlertJson(r.alert->first, r.alert->second);
  }
  return j;
}

Json CallJson(const CallEvent& e) {
  Json j = Start("call", e.id);
  j["actor"] = SideName(e.side);
  j["call"] = e.call;
  if (e.returns) {
    j["ret"] = e.ret;
  } else {
    j["ret"] = nullptr;
  }
  j["error"] = e.error_name();
  j["reason"] = e.reason_text();
  j["state"] = e.state;
  j["sent"] = MessageNames(e.sent);
  j["received"] = MessageNames(e.received);
  j["alerts_sent"] = AlertsJson(e.alerts_sent);
  j["alerts_received"] = AlertsJson(e.alerts_received);
  j["data"] = e.data;
  j["in_flight"] = InFlightJson(e.in_flight);
  return j;
}

Json DeliveryJson(const DeliveryEvent& e) {
  const wire::Delivery& d = e.delivery;
  Json j = Start("deliver", e.id);
  j["actor"] = "wire";
  j["from"] = SideName(e.from);
  j["amount"] = e.amount;
  j["ok"] = d.ok;
  j["error"] = d.error;
  j["requested"] = d.requested;
  j["delivered"] = d.delivered;
  j["bytes_hex"] = Hex(d.bytes);
  Json records = Json::array();
  for (const wire::RecordNote& r : d.records) records.push_back(RecordJson(r));
  j["records"] = std::move(records);
  j["in_flight"] = InFlightJson(e.in_flight);
  return j;
}

Json EventJson(const Event& event) {
  struct Visitor {
    Json operator()(const CallEvent& e) const { return CallJson(e); }
    Json operator()(const DeliveryEvent& e) const { return DeliveryJson(e); }
    Json operator()(const CloseEvent& e) const {
      Json j = Start("close", e.id);
      j["actor"] = "wire";
      j["from"] = SideName(e.from);
      j["dropped"] = e.dropped;
      j["in_flight"] = InFlightJson(e.in_flight);
      return j;
    }
    Json operator()(const DriveEvent& e) const {
      if (!e.end) {
        Json j = Start("drive", e.id);
        j["text"] = e.text;
        return j;
      }
      Json j = Start("drive_end", e.id);
      j["result"] = e.result;
      j["detail"] = e.detail;
      return j;
    }
    Json operator()(const FaultEvent& e) const {
      Json j = Start("fault", e.id);
      j["actor"] = "wire";
      j["from"] = SideName(e.from);
      j["fault"] = e.fault;
      j["ok"] = e.ok;
      j["result"] = e.result;
      j["in_flight"] = InFlightJson(e.in_flight);
      return j;
    }
    Json operator()(const ConnectionEvent& e) const {
      Json j = Start("connection", e.id);
      j["resume"] = e.resume.empty() ? Json(nullptr) : Json(e.resume);
      j["session_offered"] = e.session_offered;
      return j;
    }
    Json operator()(const ExpectEvent& e) const {
      Json j = Start("expect", e.id);
      j["what"] = e.what;
      j["observed"] = e.observed;
      j["ok"] = e.ok;
      return j;
    }
  };
  return std::visit(Visitor{}, event);
}

}  // namespace

std::string FormatEventJson(const Event& event) {
  return Dump(EventJson(event));
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
  Write(FormatEventJson(event));
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
