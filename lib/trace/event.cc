#include "lib/trace/event.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <cstring>

#include "lib/proto/names.h"
#include "lib/tls/compat.h"
#include "lib/tls/names.h"

namespace tlsim::trace {

std::string MessageName(Message message) {
  const char* name = KnownMessageName(message);
  return name != nullptr ? name : proto::HandshakeTypeText(message);
}

const char* KnownMessageName(Message message) {
  switch (message) {
    case kHelloRetryRequest:
      return "HelloRetryRequest";
    case kChangeCipherSpec:
      return "ChangeCipherSpec";
    case kEmptyHandshake:
      return "handshake(empty)";
    default:
      return proto::HandshakeTypes().Name(message);
  }
}

std::vector<std::string> MessageNames(const std::vector<Message>& messages) {
  std::vector<std::string> names;
  names.reserve(messages.size());
  for (Message m : messages) names.push_back(MessageName(m));
  return names;
}

std::string CallEvent::error_name() const {
  return returns ? proto::SslErrorText(error) : std::string();
}

std::string CallEvent::reason_text() const {
  if (reason == 0) return "";
  // The reason strings come with libssl's initialisation, which a program
  // that only formats events may not have done.
  static const bool loaded = OPENSSL_init_ssl(
      OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS,
      nullptr);
  (void)loaded;
  // A system error (errno, from fopen or a socket call) has no reason
  // string of OpenSSL's own.
  const char* text = tls::IsSystemError(reason)
                         ? std::strerror(ERR_GET_REASON(reason))
                         : ERR_reason_error_string(reason);
  if (text != nullptr) return text;
  char hex[32];
  std::snprintf(hex, sizeof hex, "error %#lx", reason);
  return hex;
}

std::string CallEvent::verify_result_name() const {
  return tls::VerifyResultName(verify_result);
}

}  // namespace tlsim::trace
