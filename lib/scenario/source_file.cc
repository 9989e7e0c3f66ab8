#include "lib/scenario/source_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

namespace tlsim::scenario {
namespace {

// What a non-regular file is, for the message.
const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

std::string LimitText(size_t max_bytes) {
  std::string out = "the limit is " + std::to_string(max_bytes) + " bytes";
  if (max_bytes % (size_t{1} << 20) == 0) {
    out += " (" + std::to_string(max_bytes >> 20) + " MiB)";
  }
  return out;
}

// Closes the descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

bool ReadSourceFile(const std::string& path, size_t max_bytes, std::string* out,
                    std::string* out_error) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
  // writer. Nothing is read before fstat says the file is regular.
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    *out_error = std::string("cannot read the file: ") + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    *out_error = std::string("cannot read the file: ") + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *out_error = std::string("not a regular file: ") + KindOf(st.st_mode);
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    *out_error = "the file is " + std::to_string(st.st_size) + " bytes; " +
                 LimitText(max_bytes);
    return false;
  }
  // The file may grow between fstat and read: read at most one byte past
  // the limit to notice.
  std::string text;
  text.resize(static_cast<size_t>(st.st_size) + 1);
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *out_error = std::string("cannot read the file: ") + std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
    if (got == text.size() && got <= max_bytes) {
      text.resize(std::min(max_bytes + 1, text.size() * 2));
    }
  }
  if (got > max_bytes) {
    *out_error = "the file grew past the limit while being read; " +
                 LimitText(max_bytes);
    return false;
  }
  text.resize(got);
  *out = std::move(text);
  return true;
}

}  // namespace tlsim::scenario
