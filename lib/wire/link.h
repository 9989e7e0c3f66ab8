// One endpoint's connection to the wire: a BIO pair whose SSL-side half is
// given to the SSL, and whose network-side half only the harness touches.
// Optionally a socket BIO (socket_bio.h) sits on top of the SSL-side half,
// so that the harness can fail the SSL's reads and writes with an errno.
//
//   wire::Link link(/*send_buffer=*/64, /*recv_buffer=*/64);
//   SSL_set_bio(ssl, link.ssl_bio(), link.ssl_bio());
//   link.ReleaseSslBio();       // the SSL owns it now
//   std::string out = link.Drain();   // what the SSL wrote
//   size_t n = link.Feed(bytes);      // toward the SSL, as much as fits
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lib/tls/handles.h"
#include "lib/wire/socket_bio.h"

namespace tlsim::wire {

class Link {
 public:
  // A BIO pair with `buffer_size` bytes of buffer each way; 0 means
  // OpenSSL's default (17408). On allocation failure ok() is false.
  explicit Link(size_t buffer_size) : Link(buffer_size, buffer_size, false) {}
  // `send_buffer` holds what the SSL writes until the network takes it,
  // `recv_buffer` what was delivered until the SSL reads it; 0 means
  // OpenSSL's default. With `socket_bio`, the SSL talks to a socket BIO on
  // top of the pair (socket() fails its reads and writes).
  Link(size_t send_buffer, size_t recv_buffer, bool socket_bio);

  bool ok() const { return net_ != nullptr; }
  // The send buffer's size (kept for the callers of the one-size form).
  size_t buffer_size() const { return send_buffer_; }
  size_t send_buffer() const { return send_buffer_; }
  size_t recv_buffer() const { return recv_buffer_; }

  // The BIO the SSL reads and writes: the socket BIO when there is one,
  // else the pair's SSL-side half. Owned by the Link until ReleaseSslBio()
  // is called right after SSL_set_bio takes it.
  BIO* ssl_bio() const {
    return ssl_bio_ != nullptr ? ssl_bio_.get() : ssl_bio_raw_;
  }
  void ReleaseSslBio() { ssl_bio_raw_ = ssl_bio_.release(); }

  // Takes every byte the SSL has written so far, or at most `max`.
  std::string Drain();
  std::string Drain(size_t max);

  // Bytes the SSL has written that the network has not taken.
  size_t Held() const;
  // Bytes fed toward the SSL that it has not read yet.
  size_t Unread() const;
  // Throws away what Unread() counts; returns how many bytes.
  size_t DiscardUnread();
  // Throws away what Held() counts; returns how many bytes.
  size_t DiscardHeld();

  // How many more bytes the SSL can write before its send buffer is full.
  size_t SendRoom() const;

  // How many bytes Feed() accepts now.
  size_t FeedSpace() const;

  // Writes as much of `bytes` toward the SSL as the buffer takes; returns
  // how many. Nothing is accepted after Close().
  size_t Feed(std::string_view bytes);

  // The SSL reads EOF once it has read everything fed before.
  void Close();
  bool closed() const { return closed_; }

  // The socket BIO's state; nullptr without one. It belongs to the BIO,
  // which the SSL owns once released: valid while the SSL is.
  SocketState* socket() const { return socket_; }

  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

 private:
  size_t send_buffer_ = 0;
  size_t recv_buffer_ = 0;
  tls::BioPtr net_;
  tls::BioPtr ssl_bio_;
  BIO* ssl_bio_raw_ = nullptr;  // after release, for ssl_bio()
  BIO* ssl_half_ = nullptr;     // the pair's SSL-side half, owned above
  SocketState* socket_ = nullptr;
  bool closed_ = false;
};

}  // namespace tlsim::wire
