// The catalogue's table of which OpenSSL versions have each bug: for every
// scenario under scenarios/bugs, what each version does, made from the
// versions' records (scenarios/outcomes.txt, outcomes-openssl-3.5.txt, ...)
// so that it cannot drift from what the runs saw. scenarios/README.md keeps
// it between two marker lines; tests/outcomes_test checks it.
//
//   std::string text = outcomes::CatalogueTables(records);
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/outcomes/recorder.h"

namespace tlsim::outcomes {

// The marker lines around the table in scenarios/README.md.
inline constexpr std::string_view kTableBegin =
    "<!-- versions table: `bazel run //tools/outcomes -- --table` writes it "
    "from the records; tests/outcomes_test checks it -->";
inline constexpr std::string_view kTableEnd = "<!-- end of versions table -->";

// One version's record: its series name ("3.0") and outcomes.
using VersionRecord = std::pair<std::string, Outcomes>;

// A Markdown table, one row per scenario whose path starts with `prefix`
// (and not with `except`, when that is not empty) and one column per record
// (in the order given; the first is the reference): in the reference's
// column what its last run or drive step gave (or its last call), in the
// others "as 3.0" when every call and drive gave the same result and the
// same verdict, or else the first that did not, or the expectation that
// stopped the run. With
// `differing_only`, the rows where every version is "as 3.0" are left out.
// Ends with a line break.
std::string VersionTable(const std::vector<VersionRecord>& records,
                         std::string_view prefix, std::string_view except,
                         bool differing_only);

// What scenarios/README.md keeps between the markers: the table of
// scenarios/bugs, then that of every other scenario where a version
// differs.
std::string CatalogueTables(const std::vector<VersionRecord>& records);

// Reads every record file present under root (outcomes.txt first, then
// outcomes-openssl-SERIES.txt in release order). False with a message when
// one does not parse.
[[nodiscard]] bool ReadRecords(const std::string& root,
                               std::vector<VersionRecord>* out,
                               std::string* out_error);

// `text` (scenarios/README.md) with the part between the markers replaced
// by `table`; false when the markers are missing.
[[nodiscard]] bool ReplaceTable(std::string_view text, std::string_view table,
                                std::string* out);

}  // namespace tlsim::outcomes
