// The settings of `client { ... }` and `server { ... }` blocks and the names
// `options =` takes, each declared once, in one row: its name, which block
// takes it, how its value is written (with the range) and where it lives in
// EndpointDecl. The parser, the printer, the side and range rules and the
// position of a value OpenSSL refuses all read these rows.
//
//   const scenario::SettingRow* row = scenario::FindSetting("num_tickets");
//   scenario::ExpectedText(*row)             // "a number of tickets from 0 to
//   100" scenario::SettingPos(decl, *row)         // where the file set it, if
//   it did for (const scenario::OptionRow& o : scenario::Options()) ...
//
// Adding a setting: a member of EndpointDecl (ast.h), a row in settings.cc,
// the code that hands it to OpenSSL (lib/run/world.cc ToConfig and
// lib/tls/endpoint_config), and its line in scenarios/README.md.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "lib/scenario/ast.h"

namespace tlsim::scenario {

// Which block takes a setting or an option.
enum class Sides { kBoth, kClient, kServer };
bool Allows(Sides sides, Side side);
const char* SidesName(Sides sides);  // "both", "client", "server"

// Where a setting's value lives in an EndpointDecl.
template <typename T>
using SettingField = std::optional<Located<T>> EndpointDecl::*;

// A name for one value of an enum-valued setting.
template <typename E>
struct Named {
  const char* name;
  E value;
};

// How a setting's value is written; each kind knows its field.
namespace value {
// TLSv1.3, or a range TLSv1.2..TLSv1.3 whose ends are in order.
struct Versions {
  SettingField<VersionRange> field;
};
// A list OpenSSL reads itself: a word or a string, kept as written.
struct OpensslList {
  SettingField<std::string> field;
  const char* what;  // "a cipher list"
};
// One word, kept as written.
struct Word {
  SettingField<std::string> field;
  const char* what;  // "a host name"
};
// A word of hex digits, an even count of them.
struct Hex {
  SettingField<std::string> field;
};
// a,b,c: words without blanks, none empty. With `empty_list`, the empty
// string "" is an empty list (alpn = "": OpenSSL's tests set one).
struct Names {
  SettingField<std::vector<std::string>> field;
  const char* what;  // "certificate names"
  bool empty_list = false;
};
// a,b,c where each is a name of Options().
struct OptionNames {
  SettingField<std::vector<std::string>> field;
};
// host:cert,host:cert (or host:context,...)
struct HostCerts {
  SettingField<std::vector<std::pair<std::string, std::string>>> field;
  const char* what = "host:certificate";  // one pair, for messages
};
// on | off
struct OnOff {
  SettingField<bool> field;
};
// Only the word `fail`, which sets the field.
struct FailOnly {
  SettingField<bool> field;
};
// A TLS alert description by name (handshake_failure), kept as its code.
struct AlertName {
  SettingField<int64_t> field;
};
// A decimal integer from min to max.
struct Integer {
  SettingField<int64_t> field;
  const char* what;  // "a size": messages say "a size from 1 to 1048576"
  int64_t min;
  int64_t max;
};
// One of a few integers, listed in increasing order.
struct OneOf {
  SettingField<int64_t> field;
  std::span<const int64_t> values;
};
// ok | fail | retry N then ok|fail, and missing_file where allowed.
struct Retry {
  SettingField<RetryPlan> field;
  bool missing_file;
  bool accept_all = false;  // verify_cb: the ending accept_all
};
// One of a few names.
template <typename E>
struct Enum {
  SettingField<E> field;
  std::span<const Named<E>> names;
};
}  // namespace value

using SettingValue =
    std::variant<value::Versions, value::OpensslList, value::Word, value::Hex,
                 value::Names, value::OptionNames, value::HostCerts,
                 value::OnOff, value::FailOnly, value::Integer, value::OneOf,
                 value::Retry, value::Enum<VerifyMode>,
                 value::Enum<ServernameAction>, value::AlertName,
                 value::Enum<HelloMismatch>>;

struct SettingRow {
  const char* name;
  Sides sides;
  SettingValue value;
  const char* description;  // one line, for `tlsim settings`
};

// Every setting, in the order the printer writes them.
std::span<const SettingRow> Settings();
// The row named `name`, or nullptr.
const SettingRow* FindSetting(std::string_view name);
// What a value of `row` looks like, for messages: "on or off".
std::string ExpectedText(const SettingRow& row);
// Where `decl` sets `row`, or nullopt when it does not.
std::optional<Pos> SettingPos(const EndpointDecl& decl, const SettingRow& row);

// Whether a `set` step may change `row` on a live SSL: OpenSSL has an SSL
// form of its setter (SSL_set_cipher_list, SSL_set_verify, ...). Settings
// OpenSSL keeps only in the SSL_CTX (the session cache, the callbacks) or
// that tlsim fixes when a connection opens (buffer) cannot.
bool SettableOnSsl(const SettingRow& row);
// Whether a `server context` block takes `row`: what an SSL reads from its
// SSL_CTX after SSL_set_SSL_CTX (certificates, ALPN, the verify store and
// CA names, signature algorithms) and what the name callback copies over
// (verify mode and callback, SSL_OP_ options).
bool SwitchedWithContext(const SettingRow& row);

// The switches `options =` takes. lib/run maps each to the OpenSSL option
// or mode it sets.
enum class Option {
  kIgnoreUnexpectedEof,
  kNoRenegotiation,
  kAllowClientRenegotiation,
  kPartialWrite,
  kMovingWriteBuffer,
  kNoMiddleboxCompat,
  kNoAutoRetry,
  kPostHandshakeAuth,
  kVerifyPostHandshake,
  kAllowNoDheKex,
  kNoAntiReplay,
  kCipherServerPreference,
  kPrioritizeChacha,
  kNoResumptionOnRenegotiation,
  kUnsafeLegacyRenegotiation,
  kLegacyServerConnect,
  kNoEncryptThenMac,
  kNoExtendedMasterSecret,
  kNoCaNames,
  kBugs,
};

struct OptionRow {
  const char* name;
  Option option;
  Sides sides;
  const char* description;  // one line, for `tlsim settings`
};

std::span<const OptionRow> Options();
// The row named `name`, or nullptr.
const OptionRow* FindOption(std::string_view name);
// Whether `option` is an SSL_OP_ bit, which the name callback copies to a
// connection switched to another context (modes and the rest are not).
bool SwitchedWithContext(Option option);

}  // namespace tlsim::scenario
