#include "lib/trace/keylog.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

namespace tlsim::trace {

void KeyLog::Add(std::string line) { lines_.push_back(std::move(line)); }

bool KeyLog::WriteFile(const std::string& path, std::string* out_error) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      *out_error = tmp + ": cannot open: " + std::strerror(errno);
      return false;
    }
    for (const std::string& line : lines_) out << line << '\n';
    out.close();
    if (!out) {
      *out_error = tmp + ": write failed";
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *out_error =
        path + ": cannot rename from " + tmp + ": " + std::strerror(errno);
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace tlsim::trace
