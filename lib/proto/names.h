// The names of TLS protocol numbers, each written once in a two-way table
// that serves both reading and printing, so the two can never drift. Wire
// values come from the IANA TLS registries; SSL_get_error values are
// OpenSSL's (stable across its versions). Depends on nothing, not even
// OpenSSL's headers: the scenario language, the tls layer and the traces
// all share it.
//
//   proto::HandshakeTypes().Name(2)              // "ServerHello"
//   proto::HandshakeTypes().Value("Finished")    // 20
//   proto::HandshakeTypeText(99)                 // "handshake(99)"
//   proto::AlertLevelName(2)                     // "fatal"
//   proto::SideName(proto::Side::kServer)        // "server"
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tlsim::proto {

struct NameRow {
  int value;
  const char* name;
};

// One enum's names. Rows are in value order; a value has at most one name.
class NameTable {
 public:
  constexpr explicit NameTable(std::span<const NameRow> rows) : rows_(rows) {}
  // The name of `value`, or nullptr when it has none here.
  const char* Name(int value) const;
  // The value named `name`, or nullopt.
  std::optional<int> Value(std::string_view name) const;
  std::span<const NameRow> rows() const { return rows_; }

 private:
  std::span<const NameRow> rows_;
};

// The two ends of a connection.
enum class Side { kClient = 0, kServer = 1 };
const char* SideName(Side side);  // "client", "server"
std::optional<Side> SideFromName(std::string_view name);
// The way `from` sends: "client->server", "server->client".
const char* DirectionName(Side from);

// TLS AlertLevel: 1 "warning", 2 "fatal".
const NameTable& AlertLevels();
// TLS AlertDescription: 40 "handshake_failure", ... (RFC 8446 6 and IANA).
const NameTable& AlertDescriptions();
// TLS HandshakeType: 1 "ClientHello", ... (IANA).
const NameTable& HandshakeTypes();
// TLS ContentType: 22 "handshake", ... (IANA).
const NameTable& ContentTypes();
// Protocol versions: 0x0304 "TLSv1.3", ... (OpenSSL's spelling).
const NameTable& Versions();
// SSL_get_error values without the SSL_ERROR_ prefix: 2 "WANT_READ", ...
const NameTable& SslErrors();

// Shorthands for the tables above, nullptr when unnamed.
inline const char* AlertLevelName(int level) {
  return AlertLevels().Name(level);
}
inline const char* AlertDescriptionName(int description) {
  return AlertDescriptions().Name(description);
}

// Names for traces and messages that never fail: the name, or the number in
// a form that cannot be mistaken for one.
std::string AlertLevelText(int level);              // "level(7)"
std::string AlertDescriptionText(int description);  // "alert(255)"
std::string HandshakeTypeText(int type);            // "handshake(7)"
std::string ContentTypeText(int type);              // "content_type(99)"
std::string VersionText(int version);     // 0: "none"; "version(0x0305)"
std::string SslErrorText(int ssl_error);  // "UNKNOWN(99)"

}  // namespace tlsim::proto
