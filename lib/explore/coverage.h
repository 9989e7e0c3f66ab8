// Merging the coverage of a sharded exploration. Each shard of
// `tlsim explore` (a Bazel test target with shard_count) writes its
// coverage as JSON lines (coverage-shard-K.jsonl in the test's undeclared
// outputs); the merge reads the shards in the order given, sums the runs
// of each entry and keeps the first schedule that reached it: the first
// shard's that has the entry, or, where the lines carry `first_run` (the
// run's number in the exploration's order), the lowest-numbered run's.
//
//   explore::CoverageMerge merge;
//   scenario::Diagnostic d;
//   for (const auto& [path, text] : shards) {
//     if (!merge.Add(path, text, &d)) { std::cerr << d.Format(); return 2; }
//   }
//   std::cout << explore::MergedCoverageText(merge.coverage());
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "lib/explore/explorer.h"
#include "lib/scenario/diagnostic.h"

namespace tlsim::explore {

class CoverageMerge {
 public:
  // Adds one shard's JSON lines (`file` names it in messages). Returns
  // false with `out_error` at the first line that is not a coverage entry
  // (not a JSON object, a field missing or of the wrong type); then
  // nothing of this shard has been added.
  [[nodiscard]] bool Add(std::string_view file, std::string_view jsonl,
                         scenario::Diagnostic* out_error);

  // The entries so far, keyed as the explorer keys them
  // ("side | operation | call | state | ret | error | alert").
  const std::map<std::string, CoverageEntry>& coverage() const {
    return coverage_;
  }
  int shards() const { return shards_; }

 private:
  std::map<std::string, CoverageEntry> coverage_;
  // Per entry, the `first_run` of its first schedule, when the lines gave
  // one.
  std::map<std::string, int64_t> first_run_;
  int shards_ = 0;
};

// The merged coverage as text: one line per entry,
// "KEY -> N runs, first SCHEDULE", under the explorer's coverage heading.
std::string MergedCoverageText(
    const std::map<std::string, CoverageEntry>& coverage, int shards);
// As JSON lines, the explorer's own format (a merge of one shard's file
// prints that file again).
std::string MergedCoverageJsonLines(
    const std::map<std::string, CoverageEntry>& coverage);

}  // namespace tlsim::explore
