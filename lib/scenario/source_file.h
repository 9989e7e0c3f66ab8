// Reads a file the user named, refusing what would hang or exhaust memory:
// a folder, a FIFO or a device is refused before any byte is read (it is
// opened with O_NONBLOCK, so a FIFO with no writer does not block), and a
// file above a size limit is refused before it is read whole.
//
//   std::string text, error;
//   if (!scenario::ReadSourceFile(path, scenario::kMaxScenarioBytes, &text,
//                                 &error)) {
//     std::cerr << path << ": error: " << error << "\n";
//   }
#pragma once

#include <cstddef>
#include <string>

namespace tlsim::scenario {

// The largest scenario file tlsim reads: 1 MiB. The largest shipped one is
// a few kilobytes.
inline constexpr size_t kMaxScenarioBytes = size_t{1} << 20;

// Reads the regular file at `path` whole into `out` when it holds at most
// `max_bytes`. Returns false with a message for the user ("not a regular
// file: a directory", "cannot read the file: No such file or directory",
// "the file is 2097152 bytes; the limit is 1048576 bytes (1 MiB)").
[[nodiscard]] bool ReadSourceFile(const std::string& path, size_t max_bytes,
                                  std::string* out, std::string* out_error);

}  // namespace tlsim::scenario
