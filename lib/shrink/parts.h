// Internal to lib/shrink: the pieces the shrinker takes a scenario apart
// into, and delta debugging over a list of them.
//
//   internal::Ddmin(items.size(), [&](const std::vector<bool>& keep) {
//     ...build the candidate that keeps items[i] where keep[i], test it...
//   }, [&] { return out_of_runs; });
//   for (const internal::Slot& slot : internal::Slots(s)) ...
//   for (const internal::Node& n : internal::Nodes(s.steps, series)) ...
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "lib/proto/openssl_series.h"
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

// The steps of a scenario are a tree: `if` blocks hold steps of their own.
// A node is a plain step or a block, numbered in the order written (a
// block before the steps inside it); a plain step also has its number
// among plain steps (its leaf number), which is what the shrinker follows
// a step by.
struct Node {
  static constexpr size_t kNone = static_cast<size_t>(-1);
  const scenario::Step* step = nullptr;
  size_t parent = kNone;  // the block it is in, or kNone
  size_t leaf = kNone;    // plain steps: the leaf number; blocks: kNone
  size_t end = 0;         // the number after its last node inside (+1)
  bool runs = false;      // every branch around it is taken on the series
  bool is_block() const { return leaf == kNone; }
};
std::vector<Node> Nodes(const std::vector<scenario::Step>& steps,
                        proto::OpensslSeries series);
// `steps` with only the nodes `keep` marks (a block's steps go with it);
// branches left empty at the end of a block go too (nothing runs in them
// either way), and a block left with no branch. `out_leaves`: the leaf
// numbers of the plain steps kept, in order.
std::vector<scenario::Step> Keep(const std::vector<scenario::Step>& steps,
                                 const std::vector<bool>& keep,
                                 std::vector<size_t>* out_leaves);
// The leaf numbers of the plain steps `series` runs, in the order it runs
// them (scenario::ForSeries's order).
std::vector<size_t> RunOrder(const std::vector<scenario::Step>& steps,
                             proto::OpensslSeries series);
// Every plain step, by leaf number.
std::vector<scenario::Step*> Leaves(scenario::Scenario* s);
std::vector<const scenario::Step*> Leaves(const scenario::Scenario& s);

// Where a payload is: a call's write, a call's expected data, a program
// operation's data or read count, an `expect SIDE read`.
struct Slot {
  enum class Kind { kCallWrite, kCallData, kOpData, kOpBytes, kExpectRead };
  Kind kind = Kind::kCallWrite;
  size_t index = 0;  // the plain step's leaf number, or the program
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
