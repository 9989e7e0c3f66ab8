// A thin BIO of tlsim's between an SSL and its end of the BIO pair. It
// passes every read, write and control through, and can fail a read or a
// write the way a socket does: -1 with errno set and no retry flag, which
// OpenSSL reports as SSL_ERROR_SYSCALL. The SSL stays on its BIO pair.
//
//   BIO* top = wire::NewSocketBio();
//   BIO_push(top, pair_end);          // SSL_set_bio(ssl, top, top)
//   wire::SocketState* state = wire::SocketStateOf(top);
//   state->read_errno = ECONNRESET;   // the SSL's next read fails so
//   ... SSL_read(ssl, ...) ...        // -1, SSL_ERROR_SYSCALL
//   int seen = state->failed_errno;   // ECONNRESET
#pragma once

#include <openssl/bio.h>

namespace tlsim::wire {

// What the socket BIO fails, and what it last failed. 0 means pass through.
struct SocketState {
  int read_errno = 0;   // every read fails with this errno (ECONNRESET)
  int write_errno = 0;  // every write fails with this errno (EPIPE)
  // The errno of the last read or write this BIO failed; the harness sets
  // it to 0 before each SSL call and reads it after.
  int failed_errno = 0;
  // Reads that found nothing to read and writes that found no room (the
  // BIO below asked to retry): where a blocking socket would have waited.
  // The harness sets them to 0 before a call of a blocking side.
  int dry_reads = 0;
  int full_writes = 0;
};

// A new socket BIO reading and writing through whatever is pushed below it,
// failing as its state says. nullptr when OpenSSL cannot allocate it.
[[nodiscard]] BIO* NewSocketBio();
// The state of a socket BIO, which owns it: valid as long as the BIO.
SocketState* SocketStateOf(BIO* socket_bio);

// "ECONNRESET", "EPIPE", ... for the errno values the socket BIO sets;
// nullptr for others.
const char* ErrnoName(int value);
// The errno value of one of those names; 0 when unknown.
int ErrnoValue(const char* name);

}  // namespace tlsim::wire
