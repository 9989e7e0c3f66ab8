// Files as the user names them, for the commands in sim/ and tools/.
//
//   std::string text;
//   if (!sim::ReadFile(sim::UserPath(argv[1]), &text)) ...
#pragma once

#include <string>

namespace tlsim::sim {

// `bazel run` starts a command in the runfiles tree; the user's folder is
// in BUILD_WORKING_DIRECTORY, and relative paths are relative to it.
std::string UserPath(const std::string& path);

// The whole file at `path`; false when it cannot be read.
[[nodiscard]] bool ReadFile(const std::string& path, std::string* out);

}  // namespace tlsim::sim
