#include "sim/files.h"

#include <cstdlib>
#include <filesystem>

#include "lib/scenario/source_file.h"

namespace tlsim::sim {
namespace {

// Far above any trace tlsim writes; keeps a mistaken path from filling
// memory.
constexpr size_t kMaxOtherBytes = size_t{256} << 20;

}  // namespace

std::string UserPath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (cwd == nullptr || path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(cwd) / path).string();
}

bool ReadScenarioFile(const std::string& path, std::string* out,
                      std::string* out_error) {
  return scenario::ReadSourceFile(path, scenario::kMaxScenarioBytes, out,
                                  out_error);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::string error;
  return scenario::ReadSourceFile(path, kMaxOtherBytes, out, &error);
}

}  // namespace tlsim::sim
