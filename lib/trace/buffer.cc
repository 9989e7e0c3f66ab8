#include "lib/trace/buffer.h"

#include <algorithm>

namespace tlsim::trace {

void Buffer::Grow(size_t more) {
  const size_t size = this->size();
  const size_t capacity = static_cast<size_t>(limit_ - data_.get());
  const size_t grown = std::max<size_t>({256, capacity * 2, size + more + 1});
  std::unique_ptr<char[]> data(new char[grown]);
  if (size > 0) std::memcpy(data.get(), data_.get(), size);
  data_ = std::move(data);
  end_ = data_.get() + size;
  limit_ = data_.get() + grown;
}

}  // namespace tlsim::trace
