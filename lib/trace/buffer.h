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
  // always_inline: left to itself, GCC stops inlining these once a file
  // calls them a few hundred times, and an out-of-line append (with a
  // memcpy of unknown length) costs five times the inline one.
  [[gnu::always_inline]] void Append(std::string_view s) {
    // >=: an empty buffer has no memory yet, and memcpy wants a pointer.
    if (s.size() >= capacity_ - size_) Grow(s.size());
    std::memcpy(data_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }
  [[gnu::always_inline]] void Append(char c) {
    if (size_ == capacity_) Grow(1);
    data_[size_++] = c;
  }
  [[gnu::always_inline]] Buffer& operator+=(std::string_view s) {
    Append(s);
    return *this;
  }
  [[gnu::always_inline]] Buffer& operator+=(char c) {
    Append(c);
    return *this;
  }
  void AppendDecimal(uint64_t n) { AppendInteger(n); }
  void AppendSigned(int64_t n) { AppendInteger(n); }

  const char* data() const { return data_.get(); }
  size_t size() const { return size_; }
  std::string_view view() const { return {data_.get(), size_}; }
  // Forgets the contents and keeps the memory.
  void clear() { size_ = 0; }
  // Drops everything after the first `size` bytes.
  void Truncate(size_t size) {
    if (size < size_) size_ = size;
  }

 private:
  template <typename Integer>
  void AppendInteger(Integer n) {
    constexpr size_t kMaxDigits = 21;  // "-9223372036854775808"
    if (capacity_ - size_ < kMaxDigits) Grow(kMaxDigits);
    char* at = data_.get() + size_;
    size_ = static_cast<size_t>(std::to_chars(at, at + kMaxDigits, n).ptr -
                                data_.get());
  }
  // Makes room for `more` bytes after size_.
  void Grow(size_t more);

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace tlsim::trace
