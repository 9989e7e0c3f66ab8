#include "sim/files.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tlsim::sim {

std::string UserPath(const std::string& path) {
  const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
  if (cwd == nullptr || path.empty() || path[0] == '/') return path;
  return (std::filesystem::path(cwd) / path).string();
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return !in.bad();
}

}  // namespace tlsim::sim
