// A growable byte buffer that the observers format their lines into. Its
// appends are inline (a capacity check and a copy whose length the compiler
// knows for a literal), where std::string's append is an out-of-line call:
// with a line of ~25 pieces per event and ~3,400 events per byte-at-a-time
// handshake, std::string's appends were most of the cost of a trace.
//
//   trace::Buffer line;
//   line += "#";
//   line.AppendDecimal(3);
//   out.write(line.data(), line.size());
//   line.clear();  // keeps the memory: no allocation per line
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace tlsim::trace {

class Buffer {
 public:
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  // always_inline: left to itself, GCC stops inlining these once a file
  // calls them a few hundred times, and an out-of-line append (with a
  // memcpy of unknown length) costs five times the inline one. The buffer
  // is kept as pointers (end_, limit_) rather than sizes: an append then
  // loads two of them, not three.
  [[gnu::always_inline]] void Append(std::string_view s) {
    // >=: an empty buffer has no memory yet, and memcpy wants a pointer.
    if (s.empty()) return;  // data() may be null; free for a literal
    if (s.size() >= static_cast<size_t>(limit_ - end_)) Grow(s.size());
    std::memcpy(end_, s.data(), s.size());
    end_ += s.size();
  }
  [[gnu::always_inline]] void Append(char c) {
    if (end_ == limit_) Grow(1);
    *end_++ = c;
  }
  [[gnu::always_inline]] Buffer& operator+=(std::string_view s) {
    Append(s);
    return *this;
  }
  [[gnu::always_inline]] Buffer& operator+=(char c) {
    Append(c);
    return *this;
  }
  [[gnu::always_inline]] void AppendDecimal(uint64_t n) { AppendInteger(n); }
  [[gnu::always_inline]] void AppendSigned(int64_t n) { AppendInteger(n); }

  // For a writer that knows the most it will write: room for `n` bytes at
  // the pointer returned; Commit(end) keeps what was written up to `end`.
  // Writing through a local pointer spares the reloads of end_ and limit_
  // that each one-byte Append needs (a char store may alias them).
  [[gnu::always_inline]] char* Reserve(size_t n) {
    if (n >= static_cast<size_t>(limit_ - end_)) Grow(n);
    return end_;
  }
  [[gnu::always_inline]] void Commit(char* end) { end_ = end; }

  const char* data() const { return data_.get(); }
  size_t size() const { return static_cast<size_t>(end_ - data_.get()); }
  std::string_view view() const { return {data_.get(), size()}; }
  // Forgets the contents and keeps the memory.
  void clear() { end_ = data_.get(); }
  // Drops everything after the first `size` bytes.
  void Truncate(size_t size) {
    if (size < this->size()) end_ = data_.get() + size;
  }

 private:
  template <typename Integer>
  [[gnu::always_inline]] void AppendInteger(Integer n) {
    // Most numbers in a trace (bytes in flight, a byte delivered, line and
    // step numbers) are one digit: skip std::to_chars for them.
    if (static_cast<uint64_t>(n) < 10) {
      Append(static_cast<char>('0' + n));
      return;
    }
    constexpr size_t kMaxDigits = 21;  // "-9223372036854775808"
    char* at = Reserve(kMaxDigits);
    end_ = std::to_chars(at, at + kMaxDigits, n).ptr;
  }
  // Makes room for `more` bytes after end_.
  void Grow(size_t more);

  std::unique_ptr<char[]> data_;
  char* end_ = nullptr;    // the end of the contents
  char* limit_ = nullptr;  // the end of the memory
};

}  // namespace tlsim::trace
