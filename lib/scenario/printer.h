// Writes a Scenario back as scenario text, in canonical layout. Parsing the
// result gives an equal Scenario: Parse(Print(s)) == s.
#pragma once

#include <string>
#include <string_view>

#include "lib/proto/names.h"
#include "lib/scenario/ast.h"

namespace tlsim::scenario {

std::string Print(const Scenario& scenario);

// Canonical spellings, shared with the runner's messages and traces. The
// protocol's names (alerts, handshake and content types, ...) are
// lib/proto's tables.
using proto::SideName;                                     // "client"
const char* VersionName(Version version);                  // "TLSv1.3"
const char* SslErrorName(SslError error);                  // "WANT_READ"
const char* CallName(Call call);                           // "do_handshake"
const char* PropertyName(Property property);               // "session_reused"
std::string SelectorText(const RecordSelector& selector);  // "Certificate"
// A call with its argument, as written: "read 100", "key_update requested".
std::string CallText(const CallStep& step);
// A direction as written: "client->server" for what the client sends.
using proto::DirectionName;
// A delivery amount as written: "10", "record", "all".
std::string AmountText(const Amount& amount);
// An expected alert as written: "fatal:handshake_failure", "none".
std::string AlertText(const AlertExpect& alert);
// A fault step as written: "drop server->client record Certificate".
std::string FaultText(const FaultStep& step);
// The one setting of a `set` step as written: "alpn = h2".
std::string SetText(const SetStep& step);
std::string FormatTime(int64_t unix_seconds);  // "2026-01-01T00:00:00Z"
// `s` as a scenario string literal, quotes and escapes included.
std::string QuoteString(std::string_view s);
// A payload as written: a literal, or "unit" * N when a long text repeats a
// short unit ("a" * 8192).
std::string PayloadText(std::string_view s);
// A duration as written: "2h30m", "0s".
std::string DurationText(int64_t seconds);
// A clock step as written: "clock advance 2h", "clock set 2026-...Z".
std::string ClockText(const ClockStep& step);
// A run step as written: "run deliver=all first=client limit=10000 -> done".
std::string RunText(const RunStep& step);
// What an expectation is about, as written after `expect`: "client
// version", or for a direction's property "in_flight client->server".
std::string ExpectSubject(const ExpectStep& step);
// A retry policy's name: "full_duplex".
std::string PolicyName(Policy policy);
// A program's operation as written, with its own policy:
// "read until \"\r\n\r\n\" policy=busy", "shutdown once".
std::string ProgramOperationText(const Operation& op);

}  // namespace tlsim::scenario
