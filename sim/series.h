// tlsim on several OpenSSL series at once. A process links one libssl, so
// each series has its own tlsim binary, built against it by Bazel and kept
// next to the default one (sim/tlsim_openssl_3_5 beside sim/tlsim); the
// `--openssl` option of run, explore and shrink runs the same command
// through each and gathers what they say.
//
//   std::vector<sim::SeriesBinary> binaries;
//   if (!sim::FindBinaries(argv[0], "all", &binaries, &error)) ...
//   sim::ChildResult r = sim::RunChild({binaries[0].path, "run", "a.tlsim"});
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "lib/proto/openssl_series.h"

namespace tlsim::sim {

// One series a command can run on, and the binary that runs it (empty when
// it is not built on this machine).
struct SeriesBinary {
  proto::OpensslSeries series;
  std::string path;
  bool built() const { return !path.empty(); }
};

// Resolves `wanted` ("all", or series names separated by commas, e.g.
// "1.1.1,3.5") to binaries, in release order. "all" gives every series,
// with an empty path for those not built; a named series that is not built
// is an error that gives the command which builds it. Returns false with a
// message on an unknown name, a repeated one, or a missing binary.
[[nodiscard]] bool FindBinaries(const std::string& argv0,
                                const std::string& wanted,
                                std::vector<SeriesBinary>* out,
                                std::string* out_error);

// The command that builds the tlsim of `series` on this machine.
std::string BuildCommand(proto::OpensslSeries series);

// What a child tlsim printed, and how it exited (-1: it could not start or
// did not exit normally).
struct ChildResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (argv[0] a path) to its end with no standard input, collecting
// its standard output and error.
ChildResult RunChild(const std::vector<std::string>& argv);

}  // namespace tlsim::sim

namespace tlsim::sim {

// `tlsim run --openssl ...`: runs each file on each series' binary (with
// `--seed SEED` when `seed` is not empty) and prints a matrix: per file and
// series, pass, fail with the first expectation that failed, not applicable
// (the scenario's `requires openssl` excludes it), not built, or bad input;
// and for every series but the default, the first step where its trace
// departs from the default series' trace (`default_binary` runs it too when
// the default is not among `binaries`). Returns tlsim's exit code: 2 if a
// file was bad input on some series, else 1 if one failed, else 0.
int RunMatrix(const std::vector<SeriesBinary>& binaries,
              const SeriesBinary& default_binary,
              const std::vector<std::string>& files, const std::string& seed,
              std::ostream& out);

// `tlsim explore|shrink --openssl ...`: runs `args` (the command line
// without --openssl) through each built series' binary in turn, printing a
// heading per series and what the binary printed. Returns the highest exit
// code.
int RunEach(const std::vector<SeriesBinary>& binaries,
            const std::vector<std::string>& args, std::ostream& out);

}  // namespace tlsim::sim
