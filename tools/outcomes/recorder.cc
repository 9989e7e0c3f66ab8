#include "tools/outcomes/recorder.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "lib/proto/names.h"
#include "lib/run/runner.h"
#include "lib/scenario/parser.h"
#include "lib/tls/version.h"
#include "lib/trace/event.h"

namespace tlsim::outcomes {

namespace {

// The series this process runs on, as record paths and targets spell it:
// "" for the default, "3.5" for 3.5.
std::string OtherSeries() {
  proto::OpensslSeries series = proto::kDefaultSeries;
  if (!tls::RunningSeries(&series) || series == proto::kDefaultSeries) {
    return "";
  }
  return std::string(proto::SeriesName(series));
}

}  // namespace

std::string RecordPath() {
  std::string other = OtherSeries();
  return other.empty() ? "scenarios/outcomes.txt"
                       : "scenarios/outcomes-openssl-" + other + ".txt";
}

std::string UpdateCommand() {
  std::string target = "//tools/outcomes";
  std::string other = OtherSeries();
  if (!other.empty()) {
    for (char& c : other) c = c == '.' ? '_' : c;
    target += ":outcomes_openssl_" + other;
  }
  return "bazel run " + target + " -- --update";
}
namespace {

namespace fs = std::filesystem;

// "L22 client connect -> -1 WANT_READ", with the connection's name when
// the scenario has more than one.
std::string StepPrefix(const trace::StepId& id) {
  std::string out = "L" + std::to_string(id.line);
  if (!id.connection.empty()) out += " [" + id.connection + "]";
  return out;
}

// One side's calls inside a drive, grouped by result in order of first
// appearance: "3 calls: 2 x -1 WANT_READ, 1 x 1 NONE".
struct SideCalls {
  int total = 0;
  std::vector<std::pair<std::string, int>> results;

  void Add(const std::string& result) {
    ++total;
    auto it = std::find_if(results.begin(), results.end(),
                           [&](const auto& r) { return r.first == result; });
    if (it == results.end()) {
      results.emplace_back(result, 1);
    } else {
      ++it->second;
    }
  }

  std::string Text() const {
    std::string out = std::to_string(total) + " calls";
    for (size_t i = 0; i < results.size(); ++i) {
      out += (i == 0 ? ": " : ", ") + std::to_string(results[i].second) +
             " x " + results[i].first;
    }
    return out;
  }
};

// Keeps the outcome lines of one run. Only calls, drives and the footer's
// digests matter here; the other kinds of event are left alone on purpose,
// so that a new kind of event changes nothing in the record.
class OutcomeObserver : public trace::Observer {
 public:
  void OnHeader(const trace::Header&) override {}

  void OnEvent(const trace::Event& event) override {
    if (const auto* call = std::get_if<trace::CallEvent>(&event)) {
      std::string result =
          !call->returns ? std::string()
                         : std::to_string(call->ret) + " " + call->error_name();
      if (drive_) {
        drive_->sides[call->side == wire::Side::kClient ? 0 : 1].Add(
            result.empty() ? "void" : result);
        return;
      }
      std::string line = StepPrefix(call->id) + " " +
                         proto::SideName(call->side) + " " + call->call;
      if (!result.empty()) line += " -> " + result;
      lines.push_back(std::move(line));
    } else if (const auto* d = std::get_if<trace::DeliveryEvent>(&event)) {
      if (!d->expect_fails) return;
      AddWireStep(d->id,
                  "deliver " + std::string(proto::DirectionName(d->from)) +
                      " " + d->amount,
                  d->delivery.ok, d->delivery.error);
    } else if (const auto* f = std::get_if<trace::FaultEvent>(&event)) {
      if (!f->expect_fails) return;
      AddWireStep(f->id, f->fault, f->ok, f->result);
    } else if (const auto* drive = std::get_if<trace::DriveEvent>(&event)) {
      if (!drive->end) {
        drive_.emplace();
        return;
      }
      std::string line =
          StepPrefix(drive->id) + " " + drive->kind + " -> " + drive->result;
      if (drive_) {
        line += "; client " + drive_->sides[0].Text() + "; server " +
                drive_->sides[1].Text();
      }
      lines.push_back(std::move(line));
      drive_.reset();
    }
  }

  void OnFooter(const trace::Footer& footer) override {
    for (const trace::WireDigest& d : footer.digests) {
      lines.push_back("wire " + d.connection + ": c>s " +
                      std::to_string(d.bytes[0]) + " bytes sha256 " +
                      d.sha256[0] + "; s>c " + std::to_string(d.bytes[1]) +
                      " bytes sha256 " + d.sha256[1]);
    }
  }

  std::vector<std::string> lines;

 private:
  // A wire step written `-> fails`: "L30 wire deliver client->server all ->
  // fails: the direction is closed", or "-> ok" when it did not fail. Wire
  // steps without an expectation are left out, as before.
  void AddWireStep(const trace::StepId& id, const std::string& step, bool ok,
                   const std::string& error) {
    lines.push_back(StepPrefix(id) + " wire " + step +
                    (ok ? " -> ok" : " -> fails: " + error));
  }

  struct Drive {
    std::array<SideCalls, 2> sides;
  };
  std::optional<Drive> drive_;
};

constexpr char kHeader[] =
    R"txt(# The seeded outcome of every shipped scenario, checked by
# tests/outcomes_test: a change of behaviour fails that test loudly.
# Rewrite it only on purpose, and review its diff:
#
#   bazel run //tools/outcomes -- --update
#
# A block per scenario file, sorted by path: "scenario PATH seed N", then
#   L<line> [connection] SIDE CALL -> RET SSL_get_error   each call step
#   L<line> drive -> RESULT; client N calls: ...; server ...   each drive,
#       with the calls each side made, grouped by result
#   L<line> wire STEP -> fails: MESSAGE | ok   each wire step written -> fails
#   wire CONNECTION: c>s N bytes sha256 ...; s>c ...    bytes each way
#   verdict pass | verdict fail: L<line>: message
#       | verdict not applicable: why (its `requires` excludes this version)
#       | verdict bad input: L<line>:<col>: a setting this OpenSSL refused
# A scenario without its own `seed` runs with seed 1, as with
# `tlsim run --seed 1`; its block says "seed 1 (override)".
)txt";

}  // namespace

bool Record(const std::string& path, std::string_view source,
            std::vector<std::string>* out_lines, std::string* out_error) {
  scenario::Scenario s;
  scenario::Diagnostic d;
  if (!scenario::Parse(path, source, &s, &d)) {
    *out_error = d.Format();
    return false;
  }
  bool override = !s.seed.has_value();
  if (override) s.seed = kSeedOverride;
  const std::string seed_line =
      "seed " + std::to_string(*s.seed) + (override ? " (override)" : "");
  run::Runner runner(s, source);
  if (!runner.Prepare(&d)) {
    // A setting this OpenSSL refuses (a group, an option, a version it
    // does not have) is that version's outcome of the scenario.
    *out_lines = {seed_line, "verdict bad input: L" + std::to_string(d.line) +
                                 ":" + std::to_string(d.col) + ": " +
                                 d.message};
    return true;
  }
  OutcomeObserver observer;
  run::Verdict verdict = runner.Run({&observer});
  out_lines->clear();
  out_lines->push_back(seed_line);
  for (std::string& line : observer.lines) {
    out_lines->push_back(std::move(line));
  }
  out_lines->push_back(!verdict.not_applicable.empty()
                           ? "verdict not applicable: " + verdict.not_applicable
                       : verdict.passed
                           ? "verdict pass"
                           : "verdict fail: L" + std::to_string(verdict.line) +
                                 ": " + verdict.message);
  return true;
}

bool RecordTree(const fs::path& root, Outcomes* out, std::string* out_error) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root / "scenarios", ec);
  if (ec) {
    *out_error = (root / "scenarios").string() + ": " + ec.message();
    return false;
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : it) {
    if (e.path().extension() == ".tlsim") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  out->clear();
  for (const fs::path& file : files) {
    std::string name = file.lexically_relative(root).generic_string();
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      *out_error = name + ": cannot read the file";
      return false;
    }
    if (!Record(name, text.str(), &(*out)[name], out_error)) return false;
  }
  return true;
}

std::string Format(const Outcomes& outcomes) {
  std::string out = kHeader;
  for (const auto& [path, lines] : outcomes) {
    // The first line is "seed N": it joins the block's title.
    out += "\nscenario " + path;
    for (size_t i = 0; i < lines.size(); ++i) {
      out += (i == 0 ? " " : "\n  ") + lines[i];
    }
    out += "\n";
  }
  return out;
}

bool ParseRecord(std::string_view text, Outcomes* out, std::string* out_error) {
  out->clear();
  std::vector<std::string>* block = nullptr;
  std::istringstream in{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    auto fail = [&](const std::string& why) {
      *out_error = "line " + std::to_string(number) + ": " + why;
      return false;
    };
    if (line.empty() || line[0] == '#') {
      block = nullptr;
      continue;
    }
    if (line.rfind("scenario ", 0) == 0) {
      size_t space = line.find(' ', 9);
      if (space == std::string::npos)
        return fail("expected 'scenario PATH seed N'");
      std::string path = line.substr(9, space - 9);
      if (out->count(path) != 0) return fail(path + " is recorded twice");
      block = &(*out)[path];
      block->push_back(line.substr(space + 1));
      continue;
    }
    if (line.rfind("  ", 0) != 0 || block == nullptr) {
      return fail(
          "expected 'scenario PATH seed N' or an indented line of its block");
    }
    block->push_back(line.substr(2));
  }
  return true;
}

std::vector<std::string> Compare(const Outcomes& recorded,
                                 const Outcomes& observed) {
  std::vector<std::string> diffs;
  for (const auto& [path, lines] : observed) {
    auto it = recorded.find(path);
    if (it == recorded.end()) {
      diffs.push_back(path + ": a scenario with no record in " + RecordPath());
      continue;
    }
    const std::vector<std::string>& kept = it->second;
    size_t n = std::min(kept.size(), lines.size());
    size_t i = 0;
    while (i < n && kept[i] == lines[i]) ++i;
    if (i == n && kept.size() == lines.size()) continue;
    std::string diff =
        path + ": line " + std::to_string(i + 1) +
        " of its record differs\n  recorded: " +
        (i < kept.size() ? kept[i] : "(nothing)") +
        "\n  observed: " + (i < lines.size() ? lines[i] : "(nothing)");
    diffs.push_back(std::move(diff));
  }
  for (const auto& [path, lines] : recorded) {
    if (observed.count(path) == 0) {
      diffs.push_back(path + ": recorded in " + RecordPath() +
                      ", but no such scenario file");
    }
  }
  return diffs;
}

}  // namespace tlsim::outcomes
