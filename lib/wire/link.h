// One endpoint's connection to the wire: a BIO pair whose SSL-side half is
// given to the SSL, and whose network-side half only the harness touches.
//
//   wire::Link link(/*buffer_size=*/64);
//   SSL_set_bio(ssl, link.ssl_bio(), link.ssl_bio());
//   link.ReleaseSslBio();       // the SSL owns it now
//   std::string out = link.Drain();   // what the SSL wrote
//   size_t n = link.Feed(bytes);      // toward the SSL, as much as fits
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "lib/tls/handles.h"

namespace tlsim::wire {

class Link {
 public:
  // A BIO pair with `buffer_size` bytes of buffer each way; 0 means
  // OpenSSL's default (17408). On allocation failure ok() is false.
  explicit Link(size_t buffer_size);

  bool ok() const { return net_ != nullptr; }
  size_t buffer_size() const { return buffer_size_; }

  // The half the SSL reads and writes. Owned by the Link until
  // ReleaseSslBio() is called right after SSL_set_bio takes it.
  BIO* ssl_bio() const {
    return ssl_bio_ != nullptr ? ssl_bio_.get() : ssl_bio_raw_;
  }
  void ReleaseSslBio() { ssl_bio_raw_ = ssl_bio_.release(); }

  // Takes every byte the SSL has written so far.
  std::string Drain();

  // How many bytes Feed() accepts now.
  size_t FeedSpace() const;

  // Writes as much of `bytes` toward the SSL as the buffer takes; returns
  // how many. Nothing is accepted after Close().
  size_t Feed(std::string_view bytes);

  // The SSL reads EOF once it has read everything fed before.
  void Close();
  bool closed() const { return closed_; }

 private:
  size_t buffer_size_ = 0;
  tls::BioPtr net_;
  tls::BioPtr ssl_bio_;
  BIO* ssl_bio_raw_ = nullptr;  // after release, for ssl_bio()
  bool closed_ = false;
};

}  // namespace tlsim::wire
