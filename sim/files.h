// Files as the user names them, for the commands in sim/ and tools/.
//
//   std::string text, error;
//   if (!sim::ReadScenarioFile(sim::UserPath(argv[1]), &text, &error)) ...
#pragma once

#include <string>

namespace tlsim::sim {

// `bazel run` starts a command in the runfiles tree; the user's folder is
// in BUILD_WORKING_DIRECTORY, and relative paths are relative to it.
std::string UserPath(const std::string& path);

// A scenario file whole. False with a message for the user when it is not
// a regular file (a folder, a FIFO, a device: refused without blocking),
// is above scenario::kMaxScenarioBytes (1 MiB), or cannot be read.
[[nodiscard]] bool ReadScenarioFile(const std::string& path, std::string* out,
                                    std::string* out_error);

// Any other file whole (a golden trace); false when it is not a regular
// file or cannot be read.
[[nodiscard]] bool ReadFile(const std::string& path, std::string* out);

}  // namespace tlsim::sim
