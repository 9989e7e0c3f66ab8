// The seeded outcome of a scenario, as text a reviewer can read: the result
// of every call step and drive, and the bytes and SHA-256 each way on every
// connection. scenarios/outcomes.txt keeps one block per shipped scenario;
// tests/outcomes_test compares a fresh run of each against it, so a change
// of behaviour fails loudly instead of passing silently.
//
//   outcomes::Outcomes now;
//   std::string error;
//   if (!outcomes::RecordTree(root, &now, &error)) ...
//   outcomes::Outcomes kept;
//   if (!outcomes::ParseRecord(text, &kept, &error)) ...
//   for (const std::string& d : outcomes::Compare(kept, now)) std::cerr << d;
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace tlsim::outcomes {

// The seed a scenario without its own `seed` runs with, as with
// `tlsim run --seed 1`.
inline constexpr uint64_t kSeedOverride = 1;

// Where the record of the OpenSSL series this process runs on lives in the
// repository, and how to rewrite it: each series has its own, since what
// OpenSSL sends and answers differs between them. The default series (3.0)
// keeps scenarios/outcomes.txt; 3.5 has scenarios/outcomes-openssl-3.5.txt,
// rewritten by //tools/outcomes:outcomes_openssl_3_5.
std::string RecordPath();
std::string UpdateCommand();

// Path from the repository's top ("scenarios/x/y.tlsim") -> its block: the
// lines of its outcome, without the leading "scenario" line.
using Outcomes = std::map<std::string, std::vector<std::string>>;

// Parses and runs the scenario `source` once (seeded with its own seed, or
// with kSeedOverride) and returns the lines of its outcome; a setting the
// running OpenSSL refuses is recorded as the outcome ("verdict bad input:
// ..."). False with a message when it does not parse.
[[nodiscard]] bool Record(const std::string& path, std::string_view source,
                          std::vector<std::string>* out_lines,
                          std::string* out_error);

// Every *.tlsim file under root/scenarios, recorded. False with a message
// when one cannot be read, parsed or prepared.
[[nodiscard]] bool RecordTree(const std::filesystem::path& root, Outcomes* out,
                              std::string* out_error);

// The record file's text: a header comment, then one block per scenario in
// path order.
std::string Format(const Outcomes& outcomes);

// Reads a record file written by Format. False with a message ("line N:
// ...") when it is not one.
[[nodiscard]] bool ParseRecord(std::string_view text, Outcomes* out,
                               std::string* out_error);

// What differs between the record and a fresh run, one message per
// scenario (a new scenario with no record, a record whose scenario is gone,
// the first line that differs); empty when they agree.
std::vector<std::string> Compare(const Outcomes& recorded,
                                 const Outcomes& observed);

}  // namespace tlsim::outcomes
