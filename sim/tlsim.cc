// tlsim: runs TLS handshake scenarios against real OpenSSL.
//
//   tlsim run scenarios/handshake/tls13_flights.tlsim --trace
//   tlsim check scenarios/**/*.tlsim
//   tlsim fmt my.tlsim
//
// Exit codes: 0 every expectation held, 1 an expectation failed, 2 bad input
// (unreadable file, syntax or setting error) and then nothing is run.
#include <openssl/crypto.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "lib/run/runner.h"
#include "lib/scenario/parser.h"
#include "lib/scenario/printer.h"
#include "lib/trace/text.h"

namespace {

using namespace tlsim;

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitBadInput = 2;

// `bazel run` starts us in the runfiles tree; the user's folder is in
// BUILD_WORKING_DIRECTORY, and relative paths are relative to it.
std::string UserPath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (cwd == nullptr || path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(cwd) / path).string();
}

struct Loaded {
  std::string path;    // as the user wrote it, for messages
  std::string source;  // the file's text
  scenario::Scenario scenario;
  std::unique_ptr<run::Runner> runner;
};

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return !in.bad();
}

// Parses and prepares every file; prints each problem. Returns false when
// any file is bad, so that nothing runs on bad input.
bool LoadAll(const std::vector<std::string>& paths,
             std::vector<std::unique_ptr<Loaded>>* out) {
  bool ok = true;
  for (const std::string& path : paths) {
    auto l = std::make_unique<Loaded>();
    l->path = path;
    scenario::Diagnostic d;
    if (!ReadFile(UserPath(path), &l->source)) {
      d.file = path;
      d.message = "cannot read the file";
      std::cerr << d.Format();
      ok = false;
      continue;
    }
    if (!scenario::Parse(path, l->source, &l->scenario, &d)) {
      std::cerr << d.Format();
      ok = false;
      continue;
    }
    l->runner = std::make_unique<run::Runner>(l->scenario, l->source);
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
  std::string save_trace;
};

// Writes `text` to `path` through a temporary file, so that a reader never
// sees a half-written trace.
bool WriteWhole(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int Run(const RunFlags& flags) {
  if (!flags.save_trace.empty() && flags.files.size() != 1) {
    std::cerr << "tlsim: error: --save-trace takes exactly one scenario\n";
    return kExitBadInput;
  }
  std::vector<std::unique_ptr<Loaded>> loaded;
  if (!LoadAll(flags.files, &loaded)) return kExitBadInput;
  int exit_code = kExitPass;
  for (const auto& l : loaded) {
    std::ostringstream recorded;
    trace::TextObserver record(&recorded);
    trace::TextObserver live(&std::cout);
    std::vector<trace::Observer*> observers = {&record};
    if (flags.trace) observers.push_back(&live);
    run::Verdict v = l->runner->Run(observers);
    if (!flags.save_trace.empty() &&
        !WriteWhole(UserPath(flags.save_trace), recorded.str())) {
      std::cerr << "tlsim: error: cannot write " << flags.save_trace << "\n";
      return kExitBadInput;
    }
    if (v.passed) {
      if (!flags.trace) std::cout << "PASS " << l->path << "\n";
      continue;
    }
    exit_code = kExitFail;
    std::cerr << v.Format(l->path) << "\n";
    if (!flags.trace) std::cerr << "trace up to that step:\n" << recorded.str();
  }
  return exit_code;
}

int Check(const std::vector<std::string>& files) {
  std::vector<std::unique_ptr<Loaded>> loaded;
  if (!LoadAll(files, &loaded)) return kExitBadInput;
  for (const auto& l : loaded) std::cout << "ok " << l->path << "\n";
  return kExitPass;
}

int Format(const std::vector<std::string>& files) {
  std::vector<std::string> outputs;
  for (const std::string& path : files) {
    std::string source;
    scenario::Scenario s;
    scenario::Diagnostic d;
    if (!ReadFile(UserPath(path), &source)) {
      d.file = path;
      d.message = "cannot read the file";
      std::cerr << d.Format();
      return kExitBadInput;
    }
    if (!scenario::Parse(path, source, &s, &d)) {
      std::cerr << d.Format();
      return kExitBadInput;
    }
    outputs.push_back(scenario::Print(s));
  }
  for (const std::string& out : outputs) std::cout << out;
  return kExitPass;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "tlsim: deterministic TLS handshake scenarios on OpenSSL.\n"
      "A client SSL and a server SSL each talk to one end of a BIO pair;\n"
      "bytes move between them only when the scenario says so.\n"
      "Exit codes: 0 pass, 1 an expectation failed, 2 bad input.\n"
      "The scenario language: scenarios/README.md");
  app.set_version_flag("--version",
                       std::string("tlsim 0.1 (") +
                           OpenSSL_version(OPENSSL_VERSION) + ")");
  app.require_subcommand(1);

  RunFlags run_flags;
  CLI::App* run = app.add_subcommand(
      "run",
      "Check every FILE, then run each; print PASS or the first failed "
      "expectation (file:line: expected X, observed Y) with the trace up "
      "to it.");
  run->add_option("files", run_flags.files, "scenario files (.tlsim)")
      ->required();
  run->add_flag("--trace", run_flags.trace,
                "print each step's trace line as it runs");
  run->add_option("--save-trace", run_flags.save_trace,
                  "also write the whole trace to this file (one scenario)");

  std::vector<std::string> check_files;
  CLI::App* check = app.add_subcommand(
      "check", "Parse FILEs and build their settings without running a step.");
  check->add_option("files", check_files, "scenario files")->required();

  std::vector<std::string> fmt_files;
  CLI::App* fmt = app.add_subcommand(
      "fmt", "Print FILEs in canonical layout (what the printer writes).");
  fmt->add_option("files", fmt_files, "scenario files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitPass : kExitBadInput;
  }
  if (*run) return Run(run_flags);
  if (*check) return Check(check_files);
  if (*fmt) return Format(fmt_files);
  return kExitBadInput;
}
