#include "lib/wire/socket_bio.h"

#include <cerrno>
#include <cstring>

namespace tlsim::wire {
namespace {

SocketState* State(BIO* b) {
  return static_cast<SocketState*>(BIO_get_data(b));
}

// Fails the operation as a socket call would: errno set, no retry flag.
int FailWith(BIO* b, int value) {
  BIO_clear_retry_flags(b);
  State(b)->failed_errno = value;
  errno = value;
  return -1;
}

int SocketWrite(BIO* b, const char* data, int len) {
  SocketState* s = State(b);
  if (s->write_errno != 0) return FailWith(b, s->write_errno);
  BIO* next = BIO_next(b);
  if (next == nullptr) return 0;
  int n = BIO_write(next, data, len);
  BIO_clear_retry_flags(b);
  BIO_copy_next_retry(b);
  if (n <= 0 && BIO_should_retry(next)) ++s->full_writes;
  return n;
}

int SocketRead(BIO* b, char* out, int len) {
  SocketState* s = State(b);
  if (s->read_errno != 0) return FailWith(b, s->read_errno);
  BIO* next = BIO_next(b);
  if (next == nullptr) return 0;
  int n = BIO_read(next, out, len);
  BIO_clear_retry_flags(b);
  BIO_copy_next_retry(b);
  if (n <= 0 && BIO_should_retry(next)) ++s->dry_reads;
  return n;
}

int SocketPuts(BIO* b, const char* text) {
  return SocketWrite(b, text, static_cast<int>(std::strlen(text)));
}

long SocketCtrl(BIO* b, int cmd, long num, void* ptr) {
  SocketState* s = State(b);
  if (s == nullptr) return 0;
  // A reset connection is not at EOF: OpenSSL must report the errno, not
  // an unexpected EOF.
  if (cmd == BIO_CTRL_EOF && s->read_errno != 0) return 0;
  BIO* next = BIO_next(b);
  if (next == nullptr) return 0;
  return BIO_ctrl(next, cmd, num, ptr);
}

int SocketCreate(BIO* b) {
  BIO_set_data(b, new SocketState());
  BIO_set_init(b, 1);
  return 1;
}

int SocketDestroy(BIO* b) {
  delete State(b);
  BIO_set_data(b, nullptr);
  return 1;
}

const BIO_METHOD* Method() {
  // Made once and kept for the program's life, as OpenSSL's own are.
  static BIO_METHOD* method = [] {
    BIO_METHOD* m =
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_FILTER, "tlsim socket");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, SocketWrite);
    BIO_meth_set_read(m, SocketRead);
    BIO_meth_set_puts(m, SocketPuts);
    BIO_meth_set_ctrl(m, SocketCtrl);
    BIO_meth_set_create(m, SocketCreate);
    BIO_meth_set_destroy(m, SocketDestroy);
    return m;
  }();
  return method;
}

struct ErrnoRow {
  const char* name;
  int value;
};
constexpr ErrnoRow kErrnos[] = {
    {"ECONNRESET", ECONNRESET},
    {"EPIPE", EPIPE},
};

}  // namespace

BIO* NewSocketBio() {
  const BIO_METHOD* method = Method();
  if (method == nullptr) return nullptr;
  return BIO_new(method);
}

SocketState* SocketStateOf(BIO* socket_bio) { return State(socket_bio); }

const char* ErrnoName(int value) {
  for (const ErrnoRow& row : kErrnos) {
    if (row.value == value) return row.name;
  }
  return nullptr;
}

int ErrnoValue(const char* name) {
  for (const ErrnoRow& row : kErrnos) {
    if (std::strcmp(row.name, name) == 0) return row.value;
  }
  return 0;
}

}  // namespace tlsim::wire
