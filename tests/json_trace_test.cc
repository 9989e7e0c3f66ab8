// The JSON lines trace: every line parses, and every object has exactly the
// documented keys, in the documented order, with the documented types. The
// schema below is the one in scenarios/README.md ("JSON lines"), as data.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lib/trace/event.h"
#include "lib/trace/json.h"
#include "lib/wire/record.h"
#include "lib/wire/wire.h"

namespace tlsim::trace {
namespace {

using Json = nlohmann::ordered_json;

// The schema, one object per "type". A value is
//   "string", "int" (any integer), "uint" (non-negative), "bool", "null",
//   or a literal string value, alternatives joined by '|';
//   [schema]: an array whose every element matches schema;
//   {...}: an object with exactly these keys, in this order; a key ending
//   in '?' may be absent.
constexpr const char* kSchema = R"({
  "header": {"type": "header", "file": "string", "title": "string",
             "openssl": "string"},
  "call": {"type": "call", "step": "uint", "sub": "uint", "line": "uint", "connection": "string|null",
           "actor": "client|server", "call": "string", "ret": "int|null",
           "error": "string", "reason": "string", "state": "string",
           "sent": ["string"], "received": ["string"],
           "alerts_sent": [{"level": "string", "description": "string"}],
           "alerts_received": [{"level": "string", "description": "string"}],
           "data": "string",
           "in_flight": {"client_to_server": "uint",
                         "server_to_client": "uint"},
           "transport?": {"held": {"client_to_server": "uint", "server_to_client": "uint"},
                         "unread": {"client_to_server": "uint", "server_to_client": "uint"}},
           "errno?": "ECONNRESET|EPIPE",
           "lost?": {"client_to_server": "uint", "server_to_client": "uint"}},
  "deliver": {"type": "deliver", "step": "uint", "sub": "uint",
              "line": "uint", "connection": "string|null", "actor": "wire", "from": "client|server",
              "amount": "string", "ok": "bool", "error": "string",
              "expect_fails": "bool", "requested": "uint", "delivered": "uint",
              "bytes_hex": "string",
              "records": [{"content_type": "string|null",
                           "header_complete": "bool", "length": "uint",
                           "first": "uint", "count": "uint",
                           "complete": "bool", "encrypted": "bool",
                           "messages": ["string"],
                           "alert?": {"level": "string",
                                      "description": "string"}}],
              "in_flight": {"client_to_server": "uint",
                            "server_to_client": "uint"},
              "transport?": {"held": {"client_to_server": "uint", "server_to_client": "uint"},
                         "unread": {"client_to_server": "uint", "server_to_client": "uint"}}},
  "close": {"type": "close", "step": "uint", "sub": "uint", "line": "uint", "connection": "string|null",
            "actor": "wire", "from": "client|server", "dropped": "uint",
            "in_flight": {"client_to_server": "uint",
                          "server_to_client": "uint"},
            "transport?": {"held": {"client_to_server": "uint", "server_to_client": "uint"},
                         "unread": {"client_to_server": "uint", "server_to_client": "uint"}}},
  "reset": {"type": "reset", "step": "uint", "sub": "uint", "line": "uint", "connection": "string|null",
            "actor": "wire", "from": "client|server", "dropped": "uint",
            "discarded": "uint",
            "in_flight": {"client_to_server": "uint",
                          "server_to_client": "uint"},
            "transport?": {"held": {"client_to_server": "uint", "server_to_client": "uint"},
                         "unread": {"client_to_server": "uint", "server_to_client": "uint"}}},
  "drive": {"type": "drive", "step": "uint", "sub": "uint", "line": "uint", "connection": "string|null",
            "text": "string"},
  "drive_end": {"type": "drive_end", "step": "uint", "sub": "uint",
                "line": "uint", "connection": "string|null", "result": "done|stalled|failed",
                "detail": "string"},
  "expect": {"type": "expect", "step": "uint", "sub": "uint", "line": "uint", "connection": "string|null",
             "what": "string", "observed": "string", "ok": "bool"},
  "fault": {"type": "fault", "step": "uint", "sub": "uint", "line": "uint",
            "connection": "string|null", "actor": "wire",
            "from": "client|server", "fault": "string", "ok": "bool",
            "result": "string", "expect_fails": "bool",
            "in_flight": {"client_to_server": "uint",
                          "server_to_client": "uint"},
            "transport?": {"held": {"client_to_server": "uint", "server_to_client": "uint"},
                         "unread": {"client_to_server": "uint", "server_to_client": "uint"}}},
  "connection": {"type": "connection", "step": "uint", "sub": "uint",
                 "line": "uint", "connection": "string|null",
                 "resume": "string|null", "session_offered": "bool",
                 "session_declined": "string"},
  "set": {"type": "set", "step": "uint", "sub": "uint", "line": "uint",
          "connection": "string|null", "actor": "client|server",
          "setting": "string", "ok": "bool", "result": "string"},
  "not_applicable": {"type": "not_applicable", "message": "string"},
  "end": {"type": "end", "passed": "bool", "message": "string",
          "digests": [{"connection": "string",
                       "client_to_server": {"bytes": "uint",
                                            "sha256": "string"},
                       "server_to_client": {"bytes": "uint",
                                            "sha256": "string"}}]}
})";

bool MatchesScalar(const Json& v, const std::string& spec) {
  std::stringstream alternatives(spec);
  std::string alt;
  while (std::getline(alternatives, alt, '|')) {
    if (alt == "string" ? v.is_string()
        : alt == "int"  ? v.is_number_integer()
        : alt == "uint" ? v.is_number_unsigned()
        : alt == "bool" ? v.is_boolean()
        : alt == "null" ? v.is_null()
                        : v.is_string() && v.get<std::string>() == alt) {
      return true;
    }
  }
  return false;
}

// Appends to `errors` every way `v` departs from `schema`, each starting
// with the path of the offending value.
void Validate(const Json& v, const Json& schema, const std::string& path,
              std::vector<std::string>* errors) {
  if (schema.is_string()) {
    if (!MatchesScalar(v, schema.get<std::string>())) {
      errors->push_back(path + ": " + v.dump() + " is not " +
                        schema.get<std::string>());
    }
    return;
  }
  if (schema.is_array()) {
    if (!v.is_array()) {
      errors->push_back(path + ": not an array");
      return;
    }
    for (size_t i = 0; i < v.size(); ++i) {
      Validate(v[i], schema[0], path + "[" + std::to_string(i) + "]", errors);
    }
    return;
  }
  if (!v.is_object()) {
    errors->push_back(path + ": not an object");
    return;
  }
  // Walk both in order: the keys must come in the schema's order.
  auto it = v.begin();
  for (const auto& [spec_key, spec] : schema.items()) {
    bool optional = spec_key.back() == '?';
    std::string key =
        optional ? spec_key.substr(0, spec_key.size() - 1) : spec_key;
    if (it != v.end() && it.key() == key) {
      Validate(it.value(), spec, path + "." + key, errors);
      ++it;
    } else if (!optional) {
      errors->push_back(path + ": missing or out of order: " + key);
    }
  }
  for (; it != v.end(); ++it) {
    errors->push_back(path + ": unexpected key: " + it.key());
  }
}

// The errors of one line of the trace against the schema of its type.
std::vector<std::string> ValidateLine(const std::string& line) {
  static const Json schema = Json::parse(kSchema);
  Json v = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (v.is_discarded()) return {"not JSON: " + line};
  if (!v.is_object() || !v.contains("type") || !v["type"].is_string()) {
    return {"no type: " + line};
  }
  std::string type = v["type"].get<std::string>();
  if (!schema.contains(type)) return {"unknown type " + type};
  std::vector<std::string> errors;
  Validate(v, schema[type], type, &errors);
  return errors;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

wire::RecordNote Note(int content_type, size_t length, size_t first,
                      size_t count) {
  wire::RecordNote r;
  r.content_type = content_type;
  r.length = length;
  r.header_complete = true;
  r.first = first;
  r.count = count;
  r.complete = first + count == r.total();
  return r;
}

// One of each event, with every optional part filled at least once.
std::vector<Event> SampleEvents() {
  std::vector<Event> events;

  CallEvent connect;
  connect.id = {1, 0, 29, ""};
  connect.call = "connect";
  connect.ret = -1;
  connect.error = SSL_ERROR_WANT_READ;
  connect.state = "SSLv3/TLS write client hello";
  connect.sent = {SSL3_MT_CLIENT_HELLO};
  connect.in_flight = {245, 0};
  events.push_back(connect);

  CallEvent set_state;
  set_state.id = {2, 0, 30, ""};
  set_state.side = wire::Side::kServer;
  set_state.call = "set_accept_state";
  set_state.returns = false;
  set_state.state = "before SSL initialization";
  events.push_back(set_state);

  CallEvent failed;
  failed.id = {3, 2, 31, ""};
  failed.side = wire::Side::kServer;
  failed.call = "read 100";
  failed.ret = 0;
  failed.error = SSL_ERROR_SSL;
  failed.reason = ERR_PACK(ERR_LIB_SSL, 0, SSL_R_NO_SHARED_CIPHER);
  failed.state = "error";
  failed.received = {SSL3_MT_CLIENT_HELLO};
  failed.alerts_sent = {{2, 40}};
  failed.alerts_received = {{1, 0}};
  failed.data = "hi \"there\"\n\xff";  // not UTF-8 at the end
  events.push_back(failed);

  DeliveryEvent deliver;
  deliver.id = {4, 0, 32, ""};
  deliver.from = wire::Side::kServer;
  deliver.amount = "all";
  deliver.delivery.requested = 12;
  deliver.delivery.delivered = 12;
  deliver.delivery.bytes = std::string("\x16\x03\x03\x00\x04\x02\xAB", 7) +
                           std::string("\x15\x03\x03\x00", 4) + "\x02";
  wire::RecordNote hrr = Note(22, 90, 0, 95);
  hrr.handshake_types = {2};
  hrr.hello_retry = true;
  wire::RecordNote hello = Note(22, 90, 0, 95);
  hello.handshake_types = {2, 8};
  wire::RecordNote alert = Note(21, 2, 0, 7);
  alert.alert = std::pair(2, 40);
  wire::RecordNote encrypted = Note(23, 300, 100, 50);
  encrypted.encrypted = true;
  wire::RecordNote header;  // 2 bytes of a header: the type is known
  header.content_type = 22;
  header.count = 2;
  wire::RecordNote nothing;  // not even the type byte: impossible in a
  nothing.count = 0;         // real delivery, but a valid note
  deliver.delivery.records = {hrr, hello, alert, encrypted, header, nothing};
  deliver.in_flight = {0, 754};
  events.push_back(deliver);

  DeliveryEvent refused;
  refused.id = {5, 0, 33, ""};
  refused.amount = "10";
  refused.delivery.ok = false;
  refused.delivery.error = "only 3 bytes in flight";
  refused.delivery.requested = 10;
  refused.expect_fails = true;  // written `-> fails`
  events.push_back(refused);

  events.push_back(CloseEvent{
      {6, 0, 34, ""}, wire::Side::kClient, 80, {0, 0}, false, 0, {}});
  events.push_back(DriveEvent{
      {7, 0, 35, ""}, "deliver=all first=client limit=1000", false, "", ""});
  events.push_back(DriveEvent{{7, 0, 35, ""}, "", true, "stalled", "3 rounds"});
  events.push_back(ExpectEvent{
      {8, 0, 36, ""}, "client version = TLSv1.3", "TLSv1.2", false});
  events.push_back(FaultEvent{{9, 0, 37, "resumed"},
                              wire::Side::kServer,
                              "drop server->client record 2",
                              true,
                              "dropped record 2 (handshake 13: Certificate)",
                              {0, 12},
                              {}});
  events.push_back(ConnectionEvent{{10, 0, 38, "resumed"}, "main", true});
  CloseEvent reset;
  reset.id = {6, 0, 34, ""};
  reset.reset = true;
  reset.dropped = 5;
  reset.discarded = 7;
  reset.transport = {true, {0, 3}, {0, 0}};
  events.push_back(reset);
  CallEvent reset_read;
  reset_read.id = {6, 0, 35, ""};
  reset_read.side = wire::Side::kServer;
  reset_read.call = "read 10";
  reset_read.ret = -1;
  reset_read.error = SSL_ERROR_SYSCALL;
  reset_read.state = "SSL negotiation finished successfully";
  reset_read.sys_errno = ECONNRESET;
  reset_read.lost = {0, 24};
  reset_read.transport = {true, {1, 2}, {3, 4}};
  events.push_back(reset_read);
  events.push_back(SettingEvent{
      {11, 0, 39, "resumed"}, wire::Side::kServer, "alpn = h2", true, ""});
  events.push_back(SettingEvent{{12, 0, 40, "resumed"},
                                wire::Side::kClient,
                                "ciphers = nothing",
                                false,
                                "ciphers: OpenSSL refused 'nothing'"});
  return events;
}

std::string RunObserver(const std::vector<Event>& events, bool passed) {
  std::ostringstream out;
  JsonLinesObserver json(&out);
  json.OnHeader({"scenarios/a.tlsim", "A \"title\"", "OpenSSL 3.0.19"});
  for (const Event& e : events) json.OnEvent(e);
  Footer footer;
  footer.passed = passed;
  footer.message = passed ? "" : "step 8: expectation failed";
  footer.digests.push_back({"main", {245, 764}, {"ab12", "cd34"}});
  json.OnFooter(footer);
  return out.str();
}

TEST_CASE(
    "the schema check rejects a missing, an extra, a moved or a "
    "mistyped key",
    "[json]") {
  const std::string good =
      R"({"type":"end","passed":true,"message":"","digests":[]})";
  CHECK(ValidateLine(good).empty());
  CHECK(ValidateLine(R"({"type":"end","passed":true,"digests":[]})").size() ==
        1);
  CHECK(ValidateLine(R"({"type":"end","passed":true,"message":"",)"
                     R"("digests":[],"extra":1})")
            .size() == 1);
  CHECK(!ValidateLine(R"({"type":"end","message":"","passed":true,)"
                      R"("digests":[]})")
             .empty());
  CHECK(ValidateLine(R"({"type":"end","passed":1,"message":"",)"
                     R"("digests":[]})")
            .size() == 1);
  CHECK(!ValidateLine(R"({"type":"close","step":1,"sub":0,"line":1,)"
                      R"("actor":"wire","from":"client","dropped":-1,)"
                      R"("in_flight":{"client_to_server":0}})")
             .empty());
  CHECK(!ValidateLine(R"({"type":"drive_end","step":1,"sub":0,"line":1,)"
                      R"("result":"maybe","detail":""})")
             .empty());
  CHECK(ValidateLine("{not json").size() == 1);
}

TEST_CASE("every line of a JSON trace parses and matches the schema",
          "[json]") {
  for (bool passed : {true, false}) {
    std::vector<std::string> lines = Lines(RunObserver(SampleEvents(), passed));
    REQUIRE(lines.size() == SampleEvents().size() + 2);
    for (const std::string& line : lines) {
      INFO(line);
      std::vector<std::string> errors = ValidateLine(line);
      for (const std::string& e : errors) UNSCOPED_INFO(e);
      CHECK(errors.empty());
    }
  }
}

TEST_CASE("a scenario that does not apply says so in a record before end",
          "[json]") {
  std::ostringstream out;
  JsonLinesObserver json(&out);
  json.OnHeader({"scenarios/a.tlsim", "A", "OpenSSL 3.0.19"});
  Footer footer;
  footer.not_applicable = "requires openssl >= 3.5; this is OpenSSL 3.0";
  json.OnFooter(footer);
  std::vector<std::string> lines = Lines(out.str());
  REQUIRE(lines.size() == 3);
  for (const std::string& line : lines) {
    INFO(line);
    CHECK(ValidateLine(line).empty());
  }
  CHECK(Json::parse(lines[1]) ==
        Json::parse(R"({"type":"not_applicable",)"
                    R"("message":"requires openssl >= 3.5; this is OpenSSL )"
                    R"(3.0"})"));
  CHECK(Json::parse(lines[2])["type"] == "end");
  // A scenario that ran has no such record.
  std::ostringstream ran;
  JsonLinesObserver again(&ran);
  again.OnFooter(Footer());
  CHECK(ran.str().find("not_applicable") == std::string::npos);
}

TEST_CASE("a JSON trace carries the events' values", "[json]") {
  std::vector<std::string> lines = Lines(RunObserver(SampleEvents(), false));
  std::vector<Json> v;
  for (const std::string& line : lines) v.push_back(Json::parse(line));

  CHECK(v[0]["type"] == "header");
  CHECK(v[0]["title"] == "A \"title\"");
  CHECK(v[0]["openssl"] == "OpenSSL 3.0.19");

  const Json& connect = v[1];
  CHECK(connect.dump() ==
        R"({"type":"call","step":1,"sub":0,"line":29,"connection":null,)"
        R"("actor":"client",)"
        R"("call":"connect","ret":-1,"error":"WANT_READ","reason":"",)"
        R"("state":"SSLv3/TLS write client hello","sent":["ClientHello"],)"
        R"("received":[],"alerts_sent":[],"alerts_received":[],"data":"",)"
        R"("in_flight":{"client_to_server":245,"server_to_client":0}})");
  CHECK(lines[1] == connect.dump());  // the observer's own bytes

  CHECK(v[2]["actor"] == "server");
  CHECK(v[2]["ret"].is_null());

  const Json& failed = v[3];
  CHECK(failed["sub"] == 2);
  CHECK(failed["reason"] == "no shared cipher");
  CHECK(
      failed["alerts_sent"] ==
      Json::parse(R"([{"level":"fatal","description":"handshake_failure"}])"));
  CHECK(failed["alerts_received"] ==
        Json::parse(R"([{"level":"warning","description":"close_notify"}])"));
  CHECK(failed["data"] == "hi \"there\"\n\xEF\xBF\xBD");  // U+FFFD

  const Json& deliver = v[4];
  CHECK(deliver["from"] == "server");
  CHECK(deliver["bytes_hex"] == "160303000402ab1503030002");
  const Json& records = deliver["records"];
  REQUIRE(records.size() == 6);
  CHECK(records[0]["content_type"] == "handshake");
  CHECK(records[0]["messages"] == Json::parse(R"(["HelloRetryRequest"])"));
  CHECK(records[1]["messages"] ==
        Json::parse(R"(["ServerHello","EncryptedExtensions"])"));
  CHECK(records[1]["complete"] == true);
  CHECK(!records[1].contains("alert"));
  CHECK(records[2]["content_type"] == "alert");
  CHECK(records[2]["alert"] ==
        Json::parse(R"({"level":"fatal","description":"handshake_failure"})"));
  CHECK(records[3]["encrypted"] == true);
  CHECK(records[3]["first"] == 100);
  CHECK(records[3]["count"] == 50);
  CHECK(records[3]["complete"] == false);
  CHECK(records[4]["header_complete"] == false);
  CHECK(records[4]["content_type"] == "handshake");
  CHECK(records[5]["content_type"].is_null());
  CHECK(deliver["in_flight"]["server_to_client"] == 754);

  CHECK(v[5]["ok"] == false);
  CHECK(v[5]["error"] == "only 3 bytes in flight");
  CHECK(v[5]["delivered"] == 0);
  CHECK(v[5]["bytes_hex"] == "");

  CHECK(v[6]["type"] == "close");
  CHECK(v[6]["dropped"] == 80);
  CHECK(v[7]["type"] == "drive");
  CHECK(v[7]["text"] == "deliver=all first=client limit=1000");
  CHECK(v[8]["type"] == "drive_end");
  CHECK(v[8]["result"] == "stalled");
  CHECK(v[9]["type"] == "expect");
  CHECK(v[9]["observed"] == "TLSv1.2");
  CHECK(v[9]["ok"] == false);

  CHECK(v[10]["type"] == "fault");
  CHECK(v[10]["connection"] == "resumed");
  CHECK(v[10]["result"] == "dropped record 2 (handshake 13: Certificate)");
  CHECK(v[10]["expect_fails"] == false);
  CHECK(v[4]["expect_fails"] == false);
  CHECK(v[5]["expect_fails"] == true);
  CHECK(v[11]["type"] == "connection");
  CHECK(v[11]["resume"] == "main");
  CHECK(v[11]["session_offered"] == true);

  CHECK(v[12]["type"] == "reset");
  CHECK(v[12]["dropped"] == 5);
  CHECK(v[12]["discarded"] == 7);
  CHECK(v[12]["transport"]["held"]["server_to_client"] == 3);
  CHECK(v[13]["errno"] == "ECONNRESET");
  CHECK(v[13]["lost"]["server_to_client"] == 24);
  CHECK(v[13]["transport"]["unread"]["server_to_client"] == 4);
  CHECK_FALSE(v[0].contains("errno"));  // only when the transport failed
  CHECK_FALSE(v[0].contains("transport"));
  CHECK_FALSE(v[0].contains("lost"));
  CHECK(v[14] ==
        Json::parse(R"({"type":"set","step":11,"sub":0,"line":39,)"
                    R"("connection":"resumed","actor":"server",)"
                    R"("setting":"alpn = h2","ok":true,"result":""})"));
  CHECK(v[15]["ok"] == false);
  CHECK(v[15]["result"] == "ciphers: OpenSSL refused 'nothing'");

  CHECK(v[16] ==
        Json::parse(R"({"type":"end","passed":false,)"
                    R"("message":"step 8: expectation failed","digests":[)"
                    R"({"connection":"main",)"
                    R"("client_to_server":{"bytes":245,"sha256":"ab12"},)"
                    R"("server_to_client":{"bytes":764,"sha256":"cd34"}}]})"));
}

TEST_CASE(
    "each JSON line is byte for byte what nlohmann writes for the same object",
    "[json]") {
  // The observer writes lines itself, without building JSON objects; a
  // reader that re-serialises them with nlohmann::ordered_json (keys kept
  // in order) must get the same bytes back, escapes and U+FFFD included.
  std::vector<Event> events = SampleEvents();
  CallEvent escapes;
  escapes.id = {11, 0, 39, ""};
  escapes.call = "write \"a\\b\"";
  escapes.data =
      std::string("\x01\x1f\x7f\b\f\t\r\n\"\\ ok caf\xc3\xa9 \xe2", 21);
  events.push_back(escapes);
  for (const std::string& line : Lines(RunObserver(events, true))) {
    INFO(line);
    CHECK(Json::parse(line).dump(-1, ' ', false,
                                 Json::error_handler_t::replace) == line);
  }
}

}  // namespace
}  // namespace tlsim::trace
