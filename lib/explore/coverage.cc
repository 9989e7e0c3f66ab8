#include "lib/explore/coverage.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace tlsim::explore {
namespace {

using Json = nlohmann::json;

// The fields of an entry's key, in the key's order (the explorer's).
constexpr const char* kKeyFields[] = {"side", "operation", "call", "state",
                                      "ret",  "error",     "alert"};

// Fills `out_error` for line `line` of `file` (1-based; its text `text`)
// and returns false.
bool LineError(std::string_view file, int line, std::string_view text,
               const std::string& message, scenario::Diagnostic* out_error) {
  out_error->file = std::string(file);
  out_error->line = line;
  out_error->col = 1;
  out_error->source_line = std::string(text);
  out_error->message = message;
  return false;
}

struct Line {
  std::string key;
  int64_t runs = 0;
  std::string first_schedule;
  int64_t first_run = -1;  // -1: the line has none
};

// Reads one JSON line into `out`; returns the problem, or "" when it is an
// entry.
std::string ReadLine(std::string_view text, Line* out) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return "not a JSON object (a coverage file has one entry per line, as "
           "`tlsim explore --format=jsonl` writes them)";
  }
  for (const char* field : kKeyFields) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string()) {
      return fmt::format("the entry has no '{}' (a string)", field);
    }
    if (!out->key.empty()) out->key += " | ";
    out->key += it->get<std::string>();
  }
  auto runs = j.find("runs");
  if (runs == j.end() || !runs->is_number_integer() ||
      runs->get<int64_t>() < 1) {
    return "the entry has no 'runs' (a whole number, at least 1)";
  }
  out->runs = runs->get<int64_t>();
  auto first = j.find("first_schedule");
  if (first == j.end() || !first->is_string()) {
    return "the entry has no 'first_schedule' (a string)";
  }
  out->first_schedule = first->get<std::string>();
  if (auto n = j.find("first_run"); n != j.end()) {
    if (!n->is_number_integer() || n->get<int64_t>() < 0) {
      return "'first_run' is not a run number (a whole number, from 0)";
    }
    out->first_run = n->get<int64_t>();
  }
  return "";
}

}  // namespace

bool CoverageMerge::Add(std::string_view file, std::string_view jsonl,
                        scenario::Diagnostic* out_error) {
  // Read the whole shard first: a bad line adds nothing of it.
  std::vector<Line> lines;
  int number = 0;
  size_t start = 0;
  while (start < jsonl.size()) {
    size_t end = jsonl.find('\n', start);
    if (end == std::string_view::npos) end = jsonl.size();
    std::string_view text = jsonl.substr(start, end - start);
    start = end + 1;
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    Line line;
    std::string problem = ReadLine(text, &line);
    if (!problem.empty()) {
      return LineError(file, number, text, problem, out_error);
    }
    lines.push_back(std::move(line));
  }
  for (Line& line : lines) {
    CoverageEntry& e = coverage_[line.key];
    const bool is_new = e.runs == 0;
    e.runs += line.runs;
    if (is_new) {
      e.first_schedule = std::move(line.first_schedule);
      e.first_number = line.first_run;
      if (line.first_run >= 0) first_run_[line.key] = line.first_run;
      continue;
    }
    auto known = first_run_.find(line.key);
    if (line.first_run >= 0 && known != first_run_.end() &&
        line.first_run < known->second) {
      known->second = line.first_run;
      e.first_number = line.first_run;
      e.first_schedule = std::move(line.first_schedule);
    }
  }
  ++shards_;
  return true;
}

std::string MergedCoverageText(
    const std::map<std::string, CoverageEntry>& coverage, int shards) {
  std::string out = fmt::format(
      "# coverage of {} shard{}: {} entries\n"
      "## coverage: side | operation | call | state | ret | error | "
      "alert -> runs, first schedule\n",
      shards, shards == 1 ? "" : "s", coverage.size());
  for (const auto& [key, e] : coverage) {
    out +=
        fmt::format("{} -> {} runs, first {}\n", key, e.runs, e.first_schedule);
  }
  return out;
}

std::string MergedCoverageJsonLines(
    const std::map<std::string, CoverageEntry>& coverage) {
  Report report;
  report.coverage = coverage;
  return CoverageJsonLines(report);
}

}  // namespace tlsim::explore
