// Internal to lib/shrink: the pieces the shrinker takes a scenario apart
// into, and delta debugging over a list of them.
//
//   internal::Ddmin(items.size(), [&](const std::vector<bool>& keep) {
//     ...build the candidate that keeps items[i] where keep[i], test it...
//   }, [&] { return out_of_runs; });
//   for (const internal::Slot& slot : internal::Slots(s)) ...
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "lib/scenario/ast.h"
#include "lib/scenario/settings.h"

namespace tlsim::shrink::internal {

// Delta debugging (Zeller's ddmin, trying complements): removes as many of
// `count` items as it can. `accept(keep)` builds the candidate that keeps
// the items marked, tests it and, when it fails the same way, makes it the
// current one and returns true. Stops early when `stop()` says so.
void Ddmin(size_t count,
           const std::function<bool(const std::vector<bool>&)>& accept,
           const std::function<bool()>& stop);

// The block a setting lives in: 0 client, 1 server, 2.. the server
// contexts; and its name for messages ("server context other").
scenario::EndpointDecl& Block(scenario::Scenario& s, size_t block);
const scenario::EndpointDecl& Block(const scenario::Scenario& s, size_t block);
std::string BlockName(const scenario::Scenario& s, size_t block);
// Whether `d` sets `row`; unsets it; writes it ("tickets = off").
bool IsSet(const scenario::EndpointDecl& d, const scenario::SettingRow& row);
void Unset(scenario::EndpointDecl* d, const scenario::SettingRow& row);
std::string SettingText(const scenario::EndpointDecl& d,
                        const scenario::SettingRow& row);
bool IsOptions(const scenario::SettingRow& row);

// A setting of one block, or one name of its `options`.
struct SettingItem {
  size_t block = 0;
  const scenario::SettingRow* row = nullptr;
  std::string option;  // one name of `options`; empty for the whole row
};

// The names pki certificates and server contexts are referred to by.
struct References {
  std::set<std::string> certs, contexts;
};

// The names pki certificates and server contexts are referred to by in `s`.
References ReferencesOf(const scenario::Scenario& s);

// Where a payload is: a call's write, a call's expected data, a program
// operation's data or read count, an `expect SIDE read`.
struct Slot {
  enum class Kind { kCallWrite, kCallData, kOpData, kOpBytes, kExpectRead };
  Kind kind = Kind::kCallWrite;
  size_t index = 0;  // the step, or the program
  size_t op = 0;     // the program's operation
};

// Every payload slot of `s`, in order.
std::vector<Slot> Slots(const scenario::Scenario& s);
// The bytes a slot holds (or counts, for `read N`).
size_t SizeOf(const scenario::Scenario& s, const Slot& slot);
// Where it was written and what it is: "L36 client program write".
std::string SlotName(const scenario::Scenario& s, const Slot& slot);
// Halves the payload at `slot` (keeps its first half); a call's expected
// return value that was the old size follows.
void Halve(scenario::Scenario* s, const Slot& slot);

}  // namespace tlsim::shrink::internal
