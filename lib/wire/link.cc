#include "lib/wire/link.h"

#include <algorithm>

namespace tlsim::wire {

Link::Link(size_t send_buffer, size_t recv_buffer, bool socket_bio)
    : send_buffer_(send_buffer), recv_buffer_(recv_buffer) {
  BIO* ssl_half = nullptr;
  BIO* net_half = nullptr;
  // The SSL-side half's buffer holds what the SSL writes; the network
  // side's holds what is fed toward the SSL.
  if (BIO_new_bio_pair(&ssl_half, send_buffer, &net_half, recv_buffer) != 1) {
    return;
  }
  tls::BioPtr net(net_half);
  tls::BioPtr top(ssl_half);
  if (socket_bio) {
    BIO* socket = NewSocketBio();
    if (socket == nullptr) return;
    socket_ = SocketStateOf(socket);
    BIO_push(socket, top.release());
    top.reset(socket);
  }
  ssl_half_ = ssl_half;
  ssl_bio_ = std::move(top);
  net_ = std::move(net);
  if (send_buffer_ == 0) {
    send_buffer_ = BIO_ctrl_get_write_guarantee(ssl_half);
  }
  if (recv_buffer_ == 0) recv_buffer_ = BIO_ctrl_get_write_guarantee(net_half);
}

Link::~Link() {
  // Before ReleaseSslBio the Link owns the whole chain on the SSL's side.
  if (ssl_bio_ != nullptr) BIO_free_all(ssl_bio_.release());
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

std::string Link::Drain(size_t max) {
  std::string out;
  for (size_t pending = std::min(BIO_ctrl_pending(net_.get()), max);
       pending > 0;
       pending = std::min(BIO_ctrl_pending(net_.get()), max - out.size())) {
    size_t have = out.size();
    out.resize(have + pending);
    int n = BIO_read(net_.get(), out.data() + have, static_cast<int>(pending));
    out.resize(have + static_cast<size_t>(std::max(n, 0)));
    if (n <= 0) break;
  }
  return out;
}

size_t Link::Held() const { return BIO_ctrl_pending(net_.get()); }

size_t Link::Unread() const { return BIO_ctrl_pending(ssl_half_); }

size_t Link::DiscardUnread() {
  size_t discarded = 0;
  char sink[4096];
  for (size_t pending = Unread(); pending > 0; pending = Unread()) {
    int n = BIO_read(ssl_half_, sink,
                     static_cast<int>(std::min(pending, sizeof sink)));
    if (n <= 0) break;
    discarded += static_cast<size_t>(n);
  }
  return discarded;
}

size_t Link::SendRoom() const {
  return BIO_ctrl_get_write_guarantee(ssl_half_);
}

size_t Link::DiscardHeld() { return Drain().size(); }

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
