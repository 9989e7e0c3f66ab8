#include "tools/outcomes/table.h"

#include <fstream>
#include <sstream>

#include "lib/proto/openssl_series.h"

namespace tlsim::outcomes {
namespace {

// The step lines of a block ("L38 drive -> done; client 2 calls: ..."),
// each cut to what the step gave: "L38 drive -> done".
std::vector<std::string> Steps(const std::vector<std::string>& lines) {
  std::vector<std::string> steps;
  for (const std::string& line : lines) {
    if (line.empty() || line[0] != 'L') continue;
    steps.push_back(line.substr(0, line.find(';')));
  }
  return steps;
}

// Why a block's run stopped early: its failed expectation, or "".
std::string Failure(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    for (std::string_view kind : {"verdict fail: ", "verdict bad input: ",
                                  "verdict not applicable: "}) {
      if (line.rfind(kind, 0) == 0) {
        // Not applicable says which version it is: the same on each.
        if (kind == "verdict not applicable: ") return "not applicable";
        return kind == "verdict fail: "
                   ? line.substr(kind.size())
                   : "bad input: " + line.substr(kind.size());
      }
    }
  }
  return "";
}

// Why a block's scenario did not run at all (its `requires`), or "".
std::string NotApplicable(const std::vector<std::string>& lines) {
  const std::string kNotApplicable = "verdict not applicable: ";
  for (const std::string& line : lines) {
    if (line.rfind(kNotApplicable, 0) == 0) return "not applicable";
  }
  return "";
}

// What a block's scenario came to: its last run or drive step's result, or
// its last step.
std::string Result(const std::vector<std::string>& steps) {
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (it->find(" run -> ") != std::string::npos ||
        it->find(" drive -> ") != std::string::npos) {
      return *it;
    }
  }
  return steps.empty() ? "" : steps.back();
}

std::string Cell(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else
      out += c;
  }
  return "`" + out + "`";
}

std::string ReadFile(const std::string& path, bool* found) {
  std::ifstream in(path, std::ios::binary);
  *found = static_cast<bool>(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::string VersionTable(const std::vector<VersionRecord>& records,
                         std::string_view prefix, std::string_view except,
                         bool differing_only) {
  if (records.empty()) return "";
  const std::string& reference = records[0].first;
  std::string out = "| scenario |";
  std::string rule = "|---|";
  for (const auto& [series, outcomes] : records) {
    out += " OpenSSL " + series + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  for (const auto& [path, lines] : records[0].second) {
    if (path.rfind(prefix, 0) != 0) continue;
    if (!except.empty() && path.rfind(except, 0) == 0) continue;
    std::string name = path.substr(prefix.size());
    if (name.size() > 6 && name.ends_with(".tlsim")) {
      name.resize(name.size() - 6);
    }
    std::string row = "| " + name + " |";
    bool differs = false;
    const std::vector<std::string> first = Steps(lines);
    for (size_t v = 0; v < records.size(); ++v) {
      auto it = records[v].second.find(path);
      if (it == records[v].second.end()) {
        row += " (no record) |";
        differs = true;
        continue;
      }
      const std::vector<std::string> steps = Steps(it->second);
      const std::string na = NotApplicable(it->second);
      if (v == 0) {
        row += " " + (na.empty() ? Cell(Result(steps)) : na) + " |";
        continue;
      }
      if (na != NotApplicable(lines)) {
        differs = true;
        row += " " + (na.empty() ? Cell(Result(steps)) : na) + " |";
        continue;
      }
      size_t k = 0;
      while (k < first.size() && k < steps.size() && first[k] == steps[k]) ++k;
      const bool same_steps = k == first.size() && k == steps.size();
      if (same_steps && Failure(it->second) == Failure(lines)) {
        row += " as " + reference + " |";
        continue;
      }
      differs = true;
      if (k < steps.size()) {
        row += " " + Cell(steps[k]) + " |";
      } else {
        std::string why = Failure(it->second);
        row += why == "not applicable"
                   ? " not applicable |"
                   : " stops at " + Cell(why.empty() ? "its end" : why) + " |";
      }
    }
    if (differs || !differing_only) out += row + "\n";
  }
  return out;
}

std::string CatalogueTables(const std::vector<VersionRecord>& records) {
  return "#### scenarios/bugs\n\n" +
         VersionTable(records, "scenarios/bugs/", "", false) +
         "\n#### Every other scenario where a version differs\n\n" +
         VersionTable(records, "scenarios/", "scenarios/bugs/", true);
}

bool ReadRecords(const std::string& root, std::vector<VersionRecord>* out,
                 std::string* out_error) {
  out->clear();
  for (proto::OpensslSeries s : proto::AllSeries()) {
    std::string series(proto::SeriesName(s));
    std::string file = s == proto::kDefaultSeries
                           ? "scenarios/outcomes.txt"
                           : "scenarios/outcomes-openssl-" + series + ".txt";
    bool found = false;
    std::string text = ReadFile(root + "/" + file, &found);
    if (!found) continue;
    Outcomes outcomes;
    std::string error;
    if (!ParseRecord(text, &outcomes, &error)) {
      *out_error = file + ": " + error;
      return false;
    }
    VersionRecord record{series, std::move(outcomes)};
    // The default version is the reference: first.
    if (s == proto::kDefaultSeries) {
      out->insert(out->begin(), std::move(record));
    } else {
      out->push_back(std::move(record));
    }
  }
  return true;
}

bool ReplaceTable(std::string_view text, std::string_view table,
                  std::string* out) {
  size_t begin = text.find(kTableBegin);
  size_t end = text.find(kTableEnd);
  if (begin == std::string_view::npos || end == std::string_view::npos ||
      end < begin) {
    return false;
  }
  size_t after_begin = text.find('\n', begin);
  if (after_begin == std::string_view::npos || after_begin > end) return false;
  *out = std::string(text.substr(0, after_begin + 1)) + std::string(table) +
         std::string(text.substr(end));
  return true;
}

}  // namespace tlsim::outcomes
