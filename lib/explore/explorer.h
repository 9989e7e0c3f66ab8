// The explorer: one scenario with programs, run under every schedule of a
// family. The PKI and the SSL_CTXs are made once: two worker processes
// (both cores) are forked from the process that ran the baseline, and each
// rewinds that one World between its runs (run::Session::Rewind), so every
// run sends the bytes a fresh run would. In a split schedule the sender of
// the split delivery, whose calls the split does not touch, is played back
// from a tape of the baseline (run/tape.h) for as long as every call finds
// what it found there, so only the side the schedule affects calls OpenSSL;
// a run where the tape diverges runs again with both sides real. Scenarios
// that cannot rewind (no seed, `connection` steps), buffer sizes and
// --fork-at-branch run each schedule in a child forked where it departs
// from the baseline instead. Each path found replays from its emitted
// plain scenario.
//
//   explore::Options options;
//   options.families = {explore::Family::kSplits};
//   explore::Report report;
//   std::string error;
//   if (!explore::Explore(scenario, source, options, &report, &error)) ...
//   std::cout << explore::ReportText(report);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/scenario/ast.h"

namespace tlsim::explore {

enum class Family {
  kChunks,   // every delivery N bytes: 1..16, powers of two, record, all
  kSplits,   // one delivery split in two at each byte offset of its flight
  kOrder,    // the other side runs first in one turn after a delivery
  kBuffers,  // send/recv buffers and network capacity, where behaviour changes
  kFaults,   // each fault kind on each record of each direction
};

const char* FamilyName(Family family);
std::optional<Family> FamilyNamed(std::string_view name);

struct Options {
  std::vector<Family> families = {Family::kChunks, Family::kSplits,
                                  Family::kOrder};
  int64_t max_runs = 20000;  // a family set that needs more is refused
  int workers = 2;           // children at once
  int shard_index = 0;       // run schedule n when n % shard_count ==
  int shard_count = 1;       //   shard_index (Bazel's test sharding)
  std::string emit_dir;      // one plain scenario per distinct path
  // splits: only delivery number `split_delivery` (1-based) is split; 0:
  // every delivery.
  int64_t split_delivery = 0;
  // Forks a child per schedule where it departs from the baseline (shares
  // each schedule's prefix) instead of running schedule after schedule in
  // two worker processes, each with one World it rewinds between runs.
  // Either sends the same bytes; the workers are faster where forking is
  // expensive (every page a child writes is copied), and the only way for
  // scenarios that cannot rewind (no seed, `connection` steps).
  bool fork_at_branch = false;
  // In a split schedule, the sender of the split delivery is played back
  // from a tape of the baseline (lib/run/tape.h) instead of calling OpenSSL,
  // for as long as it finds what it found in the baseline; a run where it
  // does not is run again with both sides real. Same results either way.
  bool tape = true;
};

// One run of the exploration and what it showed.
struct RunResult {
  int64_t number = 0;    // in the exploration's order, from 0 (baseline)
  std::string schedule;  // "splits: delivery 3 (server->client) split at 117"
  std::string fault;     // the fault kind applied ("drop"), or empty
  std::string verdict;   // the run's: done, failed, deadlock, ...
  std::string detail;
  std::string client_read, server_read;
  std::string path;    // digest of every call's (side, call, ret, error)
  std::string plain;   // the plain scenario (when emitting)
  std::string digest;  // "main c>s SHA256 s>c SHA256; " per connection
  // Per side: for the fault table, each side's last call, error, reason
  // and alerts.
  std::string client_end, server_end;
  bool crashed = false;  // the child died or reported nothing
};

// One distinct (side, operation, call, state, ret, error, alert) seen.
struct CoverageEntry {
  int64_t runs = 0;
  std::string first_schedule;
  int64_t first_number = -1;  // of first_schedule, the lowest that reached it
};

struct Report {
  std::string file;
  int64_t planned = 0;          // runs the families take (all shards)
  std::vector<RunResult> runs;  // this shard's, baseline first
  // "client | read until \"x\" | read | state | -1 | WANT_READ | -"
  std::map<std::string, CoverageEntry> coverage;
  std::vector<std::string> violations;  // each with its schedule
  std::vector<std::string> emitted;     // files written
  double seconds = 0;
  // Runs that played a side back from the baseline's tape, and of those
  // the ones whose tape diverged (run again with both sides real).
  int64_t played = 0;
  int64_t diverged = 0;
};

// Explores `scenario` (which must have programs and a `run` step; steps
// before the first run are its prefix, steps after it are not run), its
// `if openssl` blocks resolved for the series here (run/series.h).
// Returns false with `out_error` for what cannot be explored (no run step,
// a family larger than max_runs, an emit folder that is not empty, a
// `requires` that excludes this series: "not applicable: ...").
[[nodiscard]] bool Explore(const scenario::Scenario& scenario,
                           std::string_view source, const Options& options,
                           Report* out, std::string* out_error);

// The report as text: runs, distinct paths, coverage, violations.
std::string ReportText(const Report& report);
// The coverage as JSON lines: one object per entry.
std::string CoverageJsonLines(const Report& report);
// The fault table: fault × record -> each side's outcome.
std::string FaultTable(const Report& report);

}  // namespace tlsim::explore
