#include "lib/wire/link.h"

#include <algorithm>

namespace tlsim::wire {

Link::Link(size_t buffer_size) : buffer_size_(buffer_size) {
  BIO* ssl_half = nullptr;
  BIO* net_half = nullptr;
  if (BIO_new_bio_pair(&ssl_half, buffer_size, &net_half, buffer_size) != 1) {
    return;
  }
  ssl_bio_.reset(ssl_half);
  net_.reset(net_half);
  if (buffer_size_ == 0) buffer_size_ = BIO_ctrl_get_write_guarantee(net_half);
}

std::string Link::Drain() {
  // Asking how much is pending costs less than a read that finds nothing,
  // and the runner drains both links after every SSL call.
  std::string out;
  for (size_t pending = BIO_ctrl_pending(net_.get()); pending > 0;
       pending = BIO_ctrl_pending(net_.get())) {
    size_t have = out.size();
    out.resize(have + pending);
    int n = BIO_read(net_.get(), out.data() + have, static_cast<int>(pending));
    out.resize(have + static_cast<size_t>(std::max(n, 0)));
    if (n <= 0) break;
  }
  return out;
}

size_t Link::FeedSpace() const {
  if (closed_) return 0;
  return BIO_ctrl_get_write_guarantee(net_.get());
}

size_t Link::Feed(std::string_view bytes) {
  size_t fed = 0;
  while (fed < bytes.size() && FeedSpace() > 0) {
    int n = BIO_write(net_.get(), bytes.data() + fed,
                      static_cast<int>(bytes.size() - fed));
    if (n <= 0) break;
    fed += static_cast<size_t>(n);
  }
  return fed;
}

void Link::Close() {
  if (closed_) return;
  closed_ = true;
  BIO_shutdown_wr(net_.get());
}

}  // namespace tlsim::wire
