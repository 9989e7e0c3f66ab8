// tlsim: runs TLS handshake scenarios against real OpenSSL.
//
//   tlsim run scenarios/handshake/tls13_flights.tlsim --trace
//   tlsim run a.tlsim --pcap a.pcap --keylog a.keys
//   tlsim check scenarios/**/*.tlsim
//   tlsim fmt my.tlsim
//
// Exit codes: 0 every expectation held, 1 an expectation failed (or a golden
// trace differs), 2 bad input (unreadable file, syntax or setting error, bad
// flags); on bad input nothing is run and nothing is written.
#include <openssl/crypto.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "lib/explore/coverage.h"
#include "lib/explore/explorer.h"
#include "lib/run/runner.h"
#include "lib/run/series.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "lib/scenario/settings.h"
#include "lib/shrink/shrink.h"
#include "lib/tls/version.h"
#include "lib/trace/json.h"
#include "lib/trace/pcap.h"
#include "lib/trace/text.h"
#include "sim/files.h"
#include "sim/golden.h"
#include "sim/series.h"

namespace {

using namespace tlsim;
namespace fs = std::filesystem;

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitBadInput = 2;

using sim::ReadFile;
using sim::UserPath;

// Writes `text` to `path` through a temporary file, so that a reader never
// sees a half-written file.
bool WriteWhole(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

struct Loaded {
  std::string path;    // as the user wrote it, for messages
  std::string source;  // the file's text
  scenario::Scenario scenario;
  std::unique_ptr<run::Runner> runner;
};

// Reads and parses one file into `l`; prints the problem and returns false
// when it is unreadable or does not parse.
bool ReadAndParse(const std::string& path, Loaded* l) {
  l->path = path;
  scenario::Diagnostic d;
  if (!sim::ReadScenarioFile(UserPath(path), &l->source, &d.message)) {
    d.file = path;
    std::cerr << d.Format();
    return false;
  }
  if (!scenario::Parse(path, l->source, &l->scenario, &d)) {
    std::cerr << d.Format();
    return false;
  }
  return true;
}

// Parses and prepares every file; prints each problem. Returns false when
// any file is bad, so that nothing runs on bad input.
// `record_keylog`: the runs write a key log.
bool LoadAll(const std::vector<std::string>& paths,
             std::optional<uint64_t> seed, bool record_keylog,
             std::vector<std::unique_ptr<Loaded>>* out) {
  bool ok = true;
  for (const std::string& path : paths) {
    auto l = std::make_unique<Loaded>();
    if (!ReadAndParse(path, l.get())) {
      ok = false;
      continue;
    }
    if (seed) l->scenario.seed = seed;
    l->runner = std::make_unique<run::Runner>(l->scenario, l->source);
    l->runner->session().RecordKeyLog(record_keylog);
    scenario::Diagnostic d;
    if (!l->runner->Prepare(&d)) {
      std::cerr << d.Format();
      ok = false;
      continue;
    }
    out->push_back(std::move(l));
  }
  return ok;
}

struct RunFlags {
  std::vector<std::string> files;
  bool trace = false;
  std::string format = "text";
  std::string save_trace;
  std::string pcap;
  std::string keylog;
  std::string outputs;
  std::string emit_steps;
  std::optional<uint64_t> seed;
  bool update = false;
};

// Where one scenario's files go: the single-file flags, or --outputs DIR
// with the scenario's name.
struct OutputPaths {
  std::string trace, json, pcap, keylog;
};

OutputPaths PathsFor(const RunFlags& flags, const std::string& scenario) {
  OutputPaths p;
  if (!flags.outputs.empty()) {
    fs::path base =
        fs::path(UserPath(flags.outputs)) / fs::path(scenario).stem();
    p.trace = base.string() + ".trace";
    p.json = base.string() + ".jsonl";
    p.pcap = base.string() + ".pcap";
    p.keylog = base.string() + ".keys";
  }
  if (!flags.save_trace.empty()) p.trace = UserPath(flags.save_trace);
  if (!flags.pcap.empty()) p.pcap = UserPath(flags.pcap);
  if (!flags.keylog.empty()) p.keylog = UserPath(flags.keylog);
  return p;
}

// Checks the flags that no parser can; prints why and returns false.
bool CheckFlags(const RunFlags& flags) {
  bool single = !flags.save_trace.empty() || !flags.pcap.empty() ||
                !flags.keylog.empty() || !flags.emit_steps.empty();
  if (single && flags.files.size() != 1) {
    std::cerr << "tlsim: error: --save-trace, --pcap, --keylog and "
                 "--emit-steps take exactly one scenario; use --outputs DIR "
                 "for several\n";
    return false;
  }
  for (const std::string* path :
       {&flags.save_trace, &flags.pcap, &flags.keylog, &flags.emit_steps}) {
    if (path->empty()) continue;
    fs::path parent = fs::path(UserPath(*path)).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::is_directory(parent, ec)) {
      std::cerr << "tlsim: error: cannot write " << *path << ": no folder "
                << parent.string() << "\n";
      return false;
    }
  }
  if (!flags.outputs.empty()) {
    std::error_code ec;
    fs::create_directories(UserPath(flags.outputs), ec);
    if (ec) {
      std::cerr << "tlsim: error: cannot create " << flags.outputs << ": "
                << ec.message() << "\n";
      return false;
    }
  }
  return true;
}

// The text trace of a finished run that kept no text: formatted from the
// events it kept, or, for a seeded scenario (whose every run sends the
// same bytes), from a second run.
std::string TraceAfterwards(const Loaded& l) {
  std::ostringstream out;
  trace::TextObserver text(&out);
  const run::Session& session = l.runner->session();
  if (session.events().empty() && l.scenario.seed) {
    run::Runner again(l.scenario, l.source);
    again.session().RecordKeyLog(false);
    scenario::Diagnostic d;
    if (again.Prepare(&d)) {
      (void)again.Run({&text});
      return out.str();
    }
  }
  text.OnHeader(session.header());
  for (const trace::Event& e : session.events()) text.OnEvent(e);
  text.OnFooter(session.footer());
  return out.str();
}

// Runs one prepared scenario with every observer the flags ask for, writes
// its files, and compares or updates its golden trace. Returns the exit
// code for this scenario. Nothing is formatted that nothing reads: a run
// with no output flag and no golden trace keeps its events and formats them
// only if it fails.
// The golden trace of `path` on the OpenSSL series this process runs on.
std::string GoldenOnThisSeries(const std::string& path) {
  proto::OpensslSeries series = proto::kDefaultSeries;
  if (!tls::RunningSeries(&series) || series == proto::kDefaultSeries) {
    return sim::GoldenPath(path);
  }
  return sim::GoldenPath(path, std::string(proto::SeriesName(series)));
}

int RunOne(const RunFlags& flags, Loaded& l) {
  OutputPaths paths = PathsFor(flags, l.path);
  std::string golden_path = GoldenOnThisSeries(UserPath(l.path));
  std::string golden;
  bool has_golden = !flags.update && ReadFile(golden_path, &golden);
  bool print_text = flags.trace && flags.format == "text";
  bool print_json = flags.trace && flags.format == "jsonl";
  bool keep_text =
      !paths.trace.empty() || flags.update || has_golden || print_text;

  std::ostringstream text, json;
  trace::TextObserver text_observer(&text);
  trace::JsonLinesObserver json_observer(&json);
  // --trace shares the formatting of the trace that is kept anyway.
  if (print_text) text_observer.AlsoTo(&std::cout);
  if (print_json) json_observer.AlsoTo(&std::cout);
  std::vector<trace::Observer*> observers;
  if (keep_text) observers.push_back(&text_observer);
  if (!paths.json.empty() || print_json) observers.push_back(&json_observer);
  std::unique_ptr<trace::PcapObserver> pcap;
  if (!paths.pcap.empty()) {
    pcap = std::make_unique<trace::PcapObserver>(paths.pcap);
    if (!pcap->ok()) {
      std::cerr << "tlsim: error: " << pcap->error() << "\n";
      return kExitBadInput;
    }
    observers.push_back(pcap.get());
  }
  // A failure prints the trace up to the failed step. Without a text trace
  // kept, a seeded scenario runs again to print it; another keeps its
  // events (as data) to format then.
  if (!keep_text && !flags.trace && !l.scenario.seed) {
    l.runner->session().KeepEvents(true);
  }
  if (!flags.emit_steps.empty()) l.runner->session().RecordPlainSteps(true);
  run::Verdict v = l.runner->Run(observers);

  std::string error;
  if ((!paths.trace.empty() && !WriteWhole(paths.trace, text.str())) ||
      (!paths.json.empty() && !WriteWhole(paths.json, json.str())) ||
      (!paths.keylog.empty() &&
       !l.runner->keylog().WriteFile(paths.keylog, &error)) ||
      (!flags.emit_steps.empty() &&
       !WriteWhole(UserPath(flags.emit_steps),
                   scenario::Print(l.runner->session().PlainScenario())))) {
    std::cerr << "tlsim: error: cannot write the outputs of " << l.path
              << (error.empty() ? "" : ": " + error) << "\n";
    return kExitBadInput;
  }

  if (!v.not_applicable.empty()) {
    // Nothing ran on this series: a pass that says so, never silently; no
    // golden trace to compare with or to write.
    if (!flags.trace) {
      std::cout << l.path << ": not applicable: " << v.not_applicable
                << (flags.update ? "; its golden trace is left as it is" : "")
                << "\n";
    }
    return kExitPass;
  }
  int code = v.passed ? kExitPass : kExitFail;
  if (!v.passed) {
    std::cerr << v.Format(l.path) << "\n";
    if (!flags.trace) {
      std::cerr << "trace up to that step:\n"
                << (keep_text ? text.str() : TraceAfterwards(l));
    }
  }

  if (flags.update) {
    std::string actual = sim::Comparable(text.str(), l.path);
    if (!WriteWhole(golden_path, actual)) {
      std::cerr << "tlsim: error: cannot write " << golden_path << "\n";
      return kExitBadInput;
    }
    std::cout << "updated " << GoldenOnThisSeries(l.path) << "\n";
  } else if (has_golden) {
    std::string actual = sim::Comparable(text.str(), l.path);
    std::string diff =
        sim::GoldenDiff(golden, actual, GoldenOnThisSeries(l.path));
    if (!diff.empty()) {
      std::cerr << GoldenOnThisSeries(l.path)
                << ": the trace differs from the golden trace "
                   "(tlsim run --update rewrites it):\n"
                << diff;
      code = kExitFail;
    }
  }
  if (code == kExitPass && !flags.trace) std::cout << "PASS " << l.path << "\n";
  return code;
}

int Run(const RunFlags& flags) {
  if (!CheckFlags(flags)) return kExitBadInput;
  std::vector<std::unique_ptr<Loaded>> loaded;
  bool record_keylog = !flags.keylog.empty() || !flags.outputs.empty();
  if (!LoadAll(flags.files, flags.seed, record_keylog, &loaded)) {
    return kExitBadInput;
  }
  if (flags.update) {
    for (const auto& l : loaded) {
      if (!l->scenario.seed) {
        std::cerr << l->path
                  << ": error: a golden trace needs a seed: add 'seed N' "
                     "so that every run sends the same bytes\n";
        return kExitBadInput;
      }
    }
  }
  int exit_code = kExitPass;
  for (const auto& l : loaded) {
    int code = RunOne(flags, *l);
    if (code == kExitBadInput) return code;
    if (code != kExitPass) exit_code = code;
  }
  return exit_code;
}

int Check(const std::vector<std::string>& files) {
  std::vector<std::unique_ptr<Loaded>> loaded;
  if (!LoadAll(files, std::nullopt, false, &loaded)) return kExitBadInput;
  for (const auto& l : loaded) {
    const std::string& na = l->runner->session().not_applicable();
    if (na.empty()) {
      std::cout << "ok " << l->path << "\n";
    } else {
      // Parsed, but its settings were not built: they are another
      // series'.
      std::cout << l->path << ": not applicable: " << na << "\n";
    }
  }
  return kExitPass;
}

int Format(const std::vector<std::string>& files) {
  std::vector<std::string> outputs;
  for (const std::string& path : files) {
    Loaded l;
    if (!ReadAndParse(path, &l)) return kExitBadInput;
    outputs.push_back(scenario::Print(l.scenario));
  }
  for (const std::string& out : outputs) std::cout << out;
  return kExitPass;
}

struct ExploreFlags {
  std::string file;
  std::vector<std::string> families;
  int64_t max_runs = 20000;
  int workers = 2;
  std::string emit;
  std::string format = "text";
  std::string coverage;
  bool fault_table = false;
  int64_t split_delivery = 0;
  bool fork_at_branch = false;
  bool no_tape = false;
};

// A number from the environment (Bazel's sharding variables); `fallback`
// when unset or not a number.
int EnvNumber(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == 0) return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return *end == 0 ? static_cast<int>(n) : fallback;
}

// `tlsim explore FILE`: the scenario's programs under every schedule of the
// families asked for. Exit 0 when no invariant was violated, 1 when one
// was, 2 on bad input. Under `bazel test` with shard_count, runs this
// shard's part and writes its coverage into the undeclared outputs.
int Explore(const ExploreFlags& flags) {
  Loaded l;
  if (!ReadAndParse(flags.file, &l)) return kExitBadInput;
  {
    // A scenario whose `requires` excludes this series has nothing to
    // explore here: it says so and passes, as `tlsim run` does.
    proto::OpensslSeries series;
    std::string na;
    scenario::Diagnostic d;
    if (!run::DecideHere(l.scenario, l.source, &series, &na, &d)) {
      std::cerr << d.Format();
      return kExitBadInput;
    }
    if (!na.empty()) {
      std::cout << l.path << ": not applicable: " << na << "\n";
      return kExitPass;
    }
  }
  explore::Options options;
  if (!flags.families.empty()) {
    options.families.clear();
    for (const std::string& name : flags.families) {
      std::optional<explore::Family> f = explore::FamilyNamed(name);
      if (!f) {
        std::cerr << "tlsim: error: unknown family '" << name
                  << "' (chunks, splits, order, buffers, faults)\n";
        return kExitBadInput;
      }
      options.families.push_back(*f);
    }
  }
  options.max_runs = flags.max_runs;
  options.split_delivery = flags.split_delivery;
  options.fork_at_branch = flags.fork_at_branch;
  options.tape = !flags.no_tape;
  options.workers = std::max(1, flags.workers);
  if (!flags.emit.empty()) options.emit_dir = UserPath(flags.emit);
  options.shard_count = std::max(1, EnvNumber("TEST_TOTAL_SHARDS", 1));
  options.shard_index = EnvNumber("TEST_SHARD_INDEX", 0);
  if (const char* status = std::getenv("TEST_SHARD_STATUS_FILE")) {
    std::ofstream touch(status);  // this test knows how to shard
  }
  explore::Report report;
  std::string error;
  if (!explore::Explore(l.scenario, l.source, options, &report, &error)) {
    std::cerr << l.path << ": error: " << error << "\n";
    return kExitBadInput;
  }
  std::string coverage = explore::CoverageJsonLines(report);
  if (flags.format == "jsonl") {
    std::cout << coverage;
  } else {
    std::cout << explore::ReportText(report);
  }
  if (flags.fault_table) std::cout << explore::FaultTable(report);
  std::string coverage_path =
      flags.coverage.empty() ? "" : UserPath(flags.coverage);
  if (coverage_path.empty()) {
    if (const char* dir = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR")) {
      coverage_path =
          (fs::path(dir) /
           ("coverage-shard-" + std::to_string(options.shard_index) + ".jsonl"))
              .string();
    }
  }
  if (!coverage_path.empty() && !WriteWhole(coverage_path, coverage)) {
    std::cerr << "tlsim: error: cannot write " << coverage_path << "\n";
    return kExitBadInput;
  }
  return report.violations.empty() ? kExitPass : kExitFail;
}

struct ShrinkFlags {
  std::string file;
  std::string output;
  int max_runs = 300;
  std::optional<uint64_t> seed;
};

// `tlsim shrink FILE`: the smallest scenario that fails the way FILE does
// (lib/shrink). Each reduction is a line on standard error; the scenario
// goes to standard output or --output. Exit 0 with it written, 2 on bad
// input or when FILE passes or does not apply to this series.
int Shrink(const ShrinkFlags& flags) {
  Loaded l;
  if (!ReadAndParse(flags.file, &l)) return kExitBadInput;
  if (flags.seed) l.scenario.seed = flags.seed;
  if (!flags.output.empty()) {
    fs::path parent = fs::path(UserPath(flags.output)).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::is_directory(parent, ec)) {
      std::cerr << "tlsim: error: cannot write " << flags.output
                << ": no folder " << parent.string() << "\n";
      return kExitBadInput;
    }
  }
  shrink::Options options;
  options.max_runs = std::max(1, flags.max_runs);
  options.on_failure = [&](const shrink::Failure& f) {
    std::cerr << l.path << ":" << f.line << ": fails: " << f.message
              << "\nkeeping: the same step fails, " << f.Summary() << "\n";
  };
  options.on_reduction = [](const std::string& line) {
    std::cerr << line << "\n";
  };
  auto start = std::chrono::steady_clock::now();
  shrink::Result result;
  scenario::Diagnostic bad;
  switch (shrink::Shrink(l.scenario, l.source, options, &result, &bad)) {
    case shrink::Status::kRefused:
      std::cerr << bad.Format();
      return kExitBadInput;
    case shrink::Status::kPasses:
      std::cerr << l.path << " passes: nothing to shrink\n";
      return kExitBadInput;
    case shrink::Status::kNotApplicable:
      // As for a scenario that passes: nothing failed here to shrink.
      std::cerr << l.path << ": not applicable: " << result.not_applicable
                << "; nothing to shrink\n";
      return kExitBadInput;
    case shrink::Status::kNotRepeated:
      std::cerr << l.path
                << ": error: the shrunk scenario does not fail the same way "
                   "when run again (give the scenario a seed)\n";
      return kExitFail;
    case shrink::Status::kShrunk:
      break;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::ostringstream took;
  took.precision(1);
  took << std::fixed << seconds;
  std::cerr << "shrunk from " << shrink::SizeText(result.before)
            << "\n        to " << shrink::SizeText(result.after) << "\n"
            << result.runs << " candidate runs (" << result.refused
            << " did not build) in " << took.str() << " s\n";
  if (result.bounded) {
    std::cerr << "stopped at the bound of " << options.max_runs
              << " candidate runs (--max-runs): a smaller scenario may "
                 "fail the same way\n";
  }
  if (result.series) {
    std::cerr << "shrunk on OpenSSL " << proto::SeriesName(*result.series)
              << ": the steps of branches that do not run on it were "
                 "removed; the conditions that still hold a step stay\n";
  }
  std::string out_name = flags.output.empty() ? "<stdout>" : flags.output;
  std::cerr << out_name << ":" << result.shrunk.line
            << ": fails: " << result.shrunk.message << "\n";
  if (flags.output.empty()) {
    std::cout << result.text;
  } else if (!WriteWhole(UserPath(flags.output), result.text)) {
    std::cerr << "tlsim: error: cannot write " << flags.output << "\n";
    return kExitBadInput;
  }
  return kExitPass;
}

struct CoverageMergeFlags {
  std::vector<std::string> files;
  std::string format = "text";
};

// `tlsim coverage merge FILE...`: the coverage of an exploration's shards
// (each shard's `--coverage` file, or coverage-shard-K.jsonl from a
// tlsim_explore_test's undeclared outputs) as one: the runs of each entry
// summed, the first schedule kept (the first file's that has the entry).
// Exit 0, or 2 when a file cannot be read or a line is not an entry (then
// nothing is printed).
int MergeCoverage(const CoverageMergeFlags& flags) {
  explore::CoverageMerge merge;
  for (const std::string& path : flags.files) {
    std::string text;
    if (!ReadFile(UserPath(path), &text)) {
      std::cerr << path << ": error: cannot read the coverage file\n";
      return kExitBadInput;
    }
    scenario::Diagnostic d;
    if (!merge.Add(path, text, &d)) {
      std::cerr << d.Format();
      return kExitBadInput;
    }
  }
  if (flags.format == "jsonl") {
    std::cout << explore::MergedCoverageJsonLines(merge.coverage());
  } else {
    std::cout << explore::MergedCoverageText(merge.coverage(), merge.shards());
  }
  return kExitPass;
}

// `tlsim settings`: the registry of lib/scenario/settings.h, one entry per
// setting and per option: "NAME = VALUE (BLOCKS)" and its description.
int PrintSettings() {
  auto blocks = [](scenario::Sides sides) {
    return sides == scenario::Sides::kBoth ? std::string("client, server")
                                           : scenario::SidesName(sides);
  };
  std::cout << "Settings of client { ... } and server { ... }:\n";
  for (const scenario::SettingRow& row : scenario::Settings()) {
    std::cout << "  " << row.name << " = " << scenario::ExpectedText(row)
              << " (" << blocks(row.sides) << ")\n      " << row.description
              << "\n";
  }
  std::cout << "Names for options = NAME,...:\n";
  for (const scenario::OptionRow& row : scenario::Options()) {
    std::cout << "  " << row.name << " (" << blocks(row.sides) << ")\n      "
              << row.description << "\n";
  }
  return kExitPass;
}

// `tlsim versions`.
int ListVersions(const std::string& argv0) {
  std::vector<sim::SeriesBinary> binaries;
  std::string error;
  if (!sim::FindBinaries(argv0, "all", &binaries, &error)) {
    std::cerr << "tlsim: error: " << error << "\n";
    return kExitBadInput;
  }
  for (const sim::SeriesBinary& b : binaries) {
    std::string line(proto::SeriesName(b.series));
    line.resize(7, ' ');
    if (!b.built()) {
      line += "not built: " + sim::BuildCommand(b.series);
    } else {
      // "tlsim 0.1 (OpenSSL 3.5.7 9 Jun 2026)" -> what is in brackets.
      std::string said = sim::RunChild({b.path, "--version"}).out;
      size_t open = said.find('('), close = said.rfind(')');
      line += open != std::string::npos && close > open
                  ? said.substr(open + 1, close - open - 1)
                  : "(does not start: " + b.path + ")";
      if (b.series == proto::kDefaultSeries) line += "  (default)";
    }
    std::cout << line << "\n";
  }
  return kExitPass;
}

// `tlsim run --openssl VERSIONS FILE...`: the matrix.
int RunOnVersions(const std::string& argv0, const std::string& wanted,
                  const RunFlags& flags) {
  if (flags.trace || !flags.save_trace.empty() || !flags.pcap.empty() ||
      !flags.keylog.empty() || !flags.outputs.empty() ||
      !flags.emit_steps.empty() || flags.update) {
    std::cerr << "tlsim: error: --openssl prints a matrix of the runs; "
                 "of the other options it takes only --seed (run one "
                 "version's tlsim for traces and files: tlsim versions)\n";
    return kExitBadInput;
  }
  std::vector<sim::SeriesBinary> binaries, all;
  std::string error;
  if (!sim::FindBinaries(argv0, wanted, &binaries, &error) ||
      !sim::FindBinaries(argv0, "all", &all, &error)) {
    std::cerr << "tlsim: error: " << error << "\n";
    return kExitBadInput;
  }
  // Every file is checked (by this tlsim) before anything runs.
  for (const std::string& path : flags.files) {
    Loaded l;
    if (!ReadAndParse(path, &l)) return kExitBadInput;
  }
  sim::SeriesBinary reference{proto::kDefaultSeries, ""};
  for (const sim::SeriesBinary& b : all) {
    if (b.series == proto::kDefaultSeries) reference = b;
  }
  std::string seed = flags.seed ? std::to_string(*flags.seed) : "";
  return sim::RunMatrix(binaries, reference, flags.files, seed, std::cout);
}

// `tlsim explore|shrink --openssl VERSIONS ...`: the same command line,
// less --openssl, through each version's tlsim.
int EachVersion(int argc, char** argv, const std::string& wanted,
                bool writes_files) {
  std::vector<sim::SeriesBinary> binaries;
  std::string error;
  if (!sim::FindBinaries(argv[0], wanted, &binaries, &error)) {
    std::cerr << "tlsim: error: " << error << "\n";
    return kExitBadInput;
  }
  if (writes_files && binaries.size() > 1) {
    std::cerr << "tlsim: error: --openssl " << wanted
              << ": the versions would write the same output files; name "
                 "one version, or leave out --emit, --coverage and --output\n";
    return kExitBadInput;
  }
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--openssl") {
      ++i;
      continue;
    }
    if (a.rfind("--openssl=", 0) == 0) continue;
    args.push_back(a);
  }
  return sim::RunEach(binaries, args, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "tlsim: deterministic TLS handshake scenarios on OpenSSL.\n"
      "A client SSL and a server SSL each talk to one end of a BIO pair;\n"
      "bytes move between them only when the scenario says so.\n"
      "Exit codes: 0 pass, 1 an expectation failed or a golden trace\n"
      "differs, 2 bad input (then nothing runs and nothing is written).\n"
      "The scenario language and the trace formats: scenarios/README.md");
  app.set_version_flag("--version", std::string("tlsim 0.1 (") +
                                        OpenSSL_version(OPENSSL_VERSION) + ")");
  app.require_subcommand(1);

  RunFlags run_flags;
  CLI::App* run = app.add_subcommand(
      "run",
      "Check every FILE, then run each; print PASS or the first failed "
      "expectation (file:line: expected X, observed Y) with the trace up "
      "to it. When FILE has a golden trace beside it (a.tlsim -> a.trace), "
      "the run's trace must match it.");
  run->add_option("files", run_flags.files, "scenario files (.tlsim)")
      ->required();
  run->add_flag("--trace", run_flags.trace,
                "print the trace on standard output as the run goes");
  run->add_option("--format", run_flags.format,
                  "the --trace format: text (one line per step) or jsonl "
                  "(one JSON object per event)")
      ->check(CLI::IsMember({"text", "jsonl"}));
  run->add_option("--save-trace", run_flags.save_trace,
                  "write the text trace to this file (one scenario)");
  run->add_option("--pcap", run_flags.pcap,
                  "write the wire traffic as a pcap capture with synthetic "
                  "TCP framing (one scenario)");
  run->add_option("--keylog", run_flags.keylog,
                  "write the NSS key log, for Wireshark (one scenario)");
  run->add_option("--outputs", run_flags.outputs,
                  "write NAME.trace, NAME.jsonl, NAME.pcap and NAME.keys "
                  "for each scenario into this folder");
  run->add_option("--emit-steps", run_flags.emit_steps,
                  "write the scenario as run, each `run` step replaced by "
                  "the plain calls and deliveries it made, to this file "
                  "(one scenario): it repeats the run exactly");
  run->add_option("--seed", run_flags.seed,
                  "override every scenario's seed: all random values of "
                  "the run derive from it");
  run->add_flag("--update", run_flags.update,
                "write each scenario's golden trace (FILE.trace) from this "
                "run instead of comparing; the scenario needs a seed");

  std::vector<std::string> check_files;
  CLI::App* check = app.add_subcommand(
      "check", "Parse FILEs and build their settings without running a step.");
  check->add_option("files", check_files, "scenario files")->required();

  std::vector<std::string> fmt_files;
  CLI::App* fmt = app.add_subcommand(
      "fmt", "Print FILEs in canonical layout (what the printer writes).");
  fmt->add_option("files", fmt_files, "scenario files")->required();

  ExploreFlags explore_flags;
  CLI::App* explore = app.add_subcommand(
      "explore",
      "Run FILE's programs under every schedule of the families asked for, "
      "check the invariants on every run, and print the coverage: exit 1 "
      "when an invariant is violated. The runs share --workers processes, "
      "each rewinding one World between runs; --fork-at-branch, the buffers "
      "family and a scenario that cannot rewind (no seed, or connection "
      "steps) fork a child per schedule instead.");
  explore->add_option("file", explore_flags.file, "scenario file")->required();
  explore
      ->add_option("--family", explore_flags.families,
                   "chunks, splits, order, buffers, faults (repeat or "
                   "comma-separate; default chunks,splits,order)")
      ->delimiter(',');
  explore->add_option("--max-runs", explore_flags.max_runs,
                      "refuse families that take more runs (default 20000)");
  explore->add_option("--workers", explore_flags.workers,
                      "child processes at once (default 2)");
  explore->add_option("--emit", explore_flags.emit,
                      "write one plain scenario per distinct path into this "
                      "folder (which must not exist or be empty)");
  explore
      ->add_option("--format", explore_flags.format,
                   "text (the report) or jsonl (the coverage)")
      ->check(CLI::IsMember({"text", "jsonl"}));
  explore->add_option("--coverage", explore_flags.coverage,
                      "also write the coverage as JSON lines to this file");
  explore->add_option("--split-delivery", explore_flags.split_delivery,
                      "splits: split only this delivery of the baseline "
                      "(1-based; default every one)");
  explore->add_flag("--fork-at-branch", explore_flags.fork_at_branch,
                    "run each schedule in a child forked where it departs "
                    "from the baseline, instead of in two workers that "
                    "rewind one World between runs (same results)");
  explore->add_flag("--no-tape", explore_flags.no_tape,
                    "call OpenSSL for both sides in every schedule, instead "
                    "of playing the sender of a split delivery back from the "
                    "baseline's tape (same results, slower)");
  explore->add_flag("--fault-table", explore_flags.fault_table,
                    "print the fault sweep's table (fault x record -> each "
                    "side's outcome)");

  ShrinkFlags shrink_flags;
  CLI::App* shrink = app.add_subcommand(
      "shrink",
      "From FILE, which fails, find the smallest scenario that fails the "
      "same way (the same step, its kind and the first words of what went "
      "wrong): remove steps, program operations, settings and unreferenced "
      "certificates, halve payloads. Prints each reduction on standard "
      "error and the scenario on standard output (or --output); exit 2 when "
      "FILE passes.");
  shrink->add_option("file", shrink_flags.file, "scenario file")->required();
  shrink->add_option("--output", shrink_flags.output,
                     "write the smallest scenario to this file");
  shrink->add_option("--max-runs", shrink_flags.max_runs,
                     "candidate runs at most (default 300)");
  shrink->add_option("--seed", shrink_flags.seed,
                     "override the scenario's seed (the result keeps it)");

  // --openssl: the same command through each series' tlsim (sim/series.h).
  const std::string kOpensslHelp =
      "run on these OpenSSL versions (comma-separated: 1.1.1, 3.0, 3.5, "
      "3.6, 4.0) or all of them, each through the tlsim built against it "
      "(tlsim versions lists them)";
  std::string run_openssl, explore_openssl, shrink_openssl;
  run->add_option("--openssl", run_openssl,
                  kOpensslHelp +
                      ", and print a matrix: per version, pass "
                      "or fail with the first failed expectation, "
                      "and where its trace departs from 3.0's");
  explore->add_option("--openssl", explore_openssl, kOpensslHelp);
  shrink->add_option("--openssl", shrink_openssl, kOpensslHelp);

  CLI::App* versions = app.add_subcommand(
      "versions",
      "List the OpenSSL versions tlsim can run on (--openssl): each one's "
      "exact version where its tlsim is built, or the command that builds "
      "it.");

  CoverageMergeFlags merge_flags;
  CLI::App* coverage = app.add_subcommand(
      "coverage", "Work with the coverage `tlsim explore` writes.");
  coverage->require_subcommand(1);
  CLI::App* coverage_merge = coverage->add_subcommand(
      "merge",
      "Merge the coverage files of an exploration's shards (JSON lines, "
      "as --coverage and the undeclared outputs' coverage-shard-K.jsonl "
      "have them): sum the runs per entry, keep the first file's first "
      "schedule.");
  coverage_merge
      ->add_option("files", merge_flags.files, "coverage files, in shard order")
      ->required();
  coverage_merge
      ->add_option("--format", merge_flags.format,
                   "text (one line per entry) or jsonl (the "
                   "explorer's own format)")
      ->check(CLI::IsMember({"text", "jsonl"}));

  CLI::App* settings = app.add_subcommand(
      "settings",
      "List the settings of client and server blocks and the "
      "names options take, with the blocks that accept each.");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitPass : kExitBadInput;
  }
  if (*versions) return ListVersions(argv[0]);
  if (*run && !run_openssl.empty()) {
    return RunOnVersions(argv[0], run_openssl, run_flags);
  }
  if ((*explore && !explore_openssl.empty()) ||
      (*shrink && !shrink_openssl.empty())) {
    bool several_outputs = *explore ? !explore_flags.emit.empty() ||
                                          !explore_flags.coverage.empty()
                                    : !shrink_flags.output.empty();
    return EachVersion(argc, argv, *explore ? explore_openssl : shrink_openssl,
                       several_outputs);
  }
  if (*run) return Run(run_flags);
  if (*check) return Check(check_files);
  if (*fmt) return Format(fmt_files);
  if (*settings) return PrintSettings();
  if (*explore) return Explore(explore_flags);
  if (*coverage_merge) return MergeCoverage(merge_flags);
  if (*shrink) return Shrink(shrink_flags);
  return kExitBadInput;
}
