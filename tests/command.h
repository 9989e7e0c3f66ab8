// Running a command line from a test: its standard output, its standard
// error (kept apart, or merged into the output) and its exit code.
//
//   tests::CommandResult r = tests::RunCommand("timeout 120 sim/tlsim run x");
//   CHECK(r.exit_code == 0);
//   INFO(r.err);
#pragma once

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/runfiles.h"

namespace tlsim::tests {

struct CommandResult {
  int exit_code = -1;  // -1 when the command did not exit (a signal)
  std::string out;     // standard output (and error, when merged)
  std::string err;     // standard error, when kept apart
};

// Runs `command` through the shell. Standard error goes to a file in the
// test's temporary directory and into `err`, or with `merge_stderr` into
// `out` after the output written before it.
inline CommandResult RunCommand(const std::string& command,
                                bool merge_stderr = false) {
  const std::filesystem::path err =
      std::filesystem::path(std::getenv("TEST_TMPDIR")) / "command-stderr.txt";
  const std::string line =
      command + (merge_stderr ? " 2>&1" : " 2>'" + err.string() + "'");
  CommandResult r;
  FILE* pipe = popen(line.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.out.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!merge_stderr) r.err = ReadAll(err);
  return r;
}

}  // namespace tlsim::tests
