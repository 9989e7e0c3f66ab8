#include "lib/trace/buffer.h"

#include <algorithm>

namespace tlsim::trace {

void Buffer::Grow(size_t more) {
  size_t capacity = std::max<size_t>({256, capacity_ * 2, size_ + more + 1});
  std::unique_ptr<char[]> data(new char[capacity]);
  if (size_ > 0) std::memcpy(data.get(), data_.get(), size_);
  data_ = std::move(data);
  capacity_ = capacity;
}

}  // namespace tlsim::trace
