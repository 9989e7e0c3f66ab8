#include "lib/tls/version.h"

#include <openssl/crypto.h>

#include <cstdio>

namespace tlsim::tls {

bool RunningSeries(proto::OpensslSeries* out) {
  // 0xMNN00PPSL on 3.0 and later, 0xMNNFFPPSL before: major and minor are
  // the top three nibbles either way.
  unsigned long number = OpenSSL_version_num();
  char name[16];
  std::snprintf(name, sizeof name, "%lu.%lu", (number >> 28) & 0xf,
                (number >> 20) & 0xff);
  if (((number >> 28) & 0xf) == 1) {
    std::snprintf(name, sizeof name, "1.%lu.%lu", (number >> 20) & 0xff,
                  (number >> 12) & 0xff);
  }
  return proto::ParseSeries(name, out);
}

std::string RunningVersionText() { return OpenSSL_version(OPENSSL_VERSION); }

}  // namespace tlsim::tls
