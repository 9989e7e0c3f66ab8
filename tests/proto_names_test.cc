// lib/proto's name tables: each name reads back as its value, and the
// numbers are the ones OpenSSL uses.
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "lib/proto/names.h"
#include "lib/tls/compat.h"

namespace tlsim::proto {
namespace {

TEST_CASE("every name reads back as its value and the other way", "[names]") {
  for (const NameTable* table :
       {&AlertLevels(), &AlertDescriptions(), &HandshakeTypes(),
        &ContentTypes(), &Versions(), &SslErrors()}) {
    std::set<int> values;
    std::set<std::string> names;
    for (const NameRow& row : table->rows()) {
      CAPTURE(row.name);
      CHECK(values.insert(row.value).second);
      CHECK(names.insert(row.name).second);
      CHECK(table->Value(row.name) == row.value);
      CHECK(std::string(table->Name(row.value)) == row.name);
    }
  }
  CHECK(HandshakeTypes().Value("Finished") == 20);
  CHECK_FALSE(HandshakeTypes().Value("finished"));
  CHECK(HandshakeTypes().Name(7) == nullptr);
  CHECK(std::string(SideName(Side::kServer)) == "server");
  CHECK(SideFromName("client") == Side::kClient);
  CHECK_FALSE(SideFromName("peer"));
}

TEST_CASE("texts never fail: unnamed numbers are spelled out", "[names]") {
  CHECK(AlertLevelText(2) == "fatal");
  CHECK(AlertLevelText(7) == "level(7)");
  CHECK(AlertDescriptionText(116) == "certificate_required");
  CHECK(AlertDescriptionText(255) == "alert(255)");
  CHECK(HandshakeTypeText(99) == "handshake(99)");
  CHECK(ContentTypeText(24) == "heartbeat");
  CHECK(ContentTypeText(99) == "content_type(99)");
  CHECK(VersionText(0) == "none");
  CHECK(VersionText(0x0305) == "version(0x0305)");
  CHECK(SslErrorText(99) == "UNKNOWN(99)");
}

TEST_CASE("the numbers are OpenSSL's", "[names]") {
  CHECK(SslErrors().Value("NONE") == SSL_ERROR_NONE);
  CHECK(SslErrors().Value("SSL") == SSL_ERROR_SSL);
  CHECK(SslErrors().Value("WANT_READ") == SSL_ERROR_WANT_READ);
  CHECK(SslErrors().Value("WANT_WRITE") == SSL_ERROR_WANT_WRITE);
  CHECK(SslErrors().Value("WANT_X509_LOOKUP") == SSL_ERROR_WANT_X509_LOOKUP);
  CHECK(SslErrors().Value("SYSCALL") == SSL_ERROR_SYSCALL);
  CHECK(SslErrors().Value("ZERO_RETURN") == SSL_ERROR_ZERO_RETURN);
  CHECK(SslErrors().Value("WANT_CONNECT") == SSL_ERROR_WANT_CONNECT);
  CHECK(SslErrors().Value("WANT_ACCEPT") == SSL_ERROR_WANT_ACCEPT);
  CHECK(SslErrors().Value("WANT_ASYNC") == SSL_ERROR_WANT_ASYNC);
  CHECK(SslErrors().Value("WANT_ASYNC_JOB") == SSL_ERROR_WANT_ASYNC_JOB);
  CHECK(SslErrors().Value("WANT_CLIENT_HELLO_CB") ==
        SSL_ERROR_WANT_CLIENT_HELLO_CB);
  // 1.1.1 has no SSL_ERROR_WANT_RETRY_VERIFY (kErrorWantRetryVerify is -1
  // there); the name keeps 3.0's number on every series.
  if (tlsim::tls::kErrorWantRetryVerify != -1) {
    CHECK(SslErrors().Value("WANT_RETRY_VERIFY") ==
          tlsim::tls::kErrorWantRetryVerify);
  }
  CHECK(Versions().Value("TLSv1") == TLS1_VERSION);
  CHECK(Versions().Value("TLSv1.3") == TLS1_3_VERSION);
  CHECK(ContentTypes().Value("handshake") == SSL3_RT_HANDSHAKE);
  CHECK(ContentTypes().Value("alert") == SSL3_RT_ALERT);
  CHECK(HandshakeTypes().Value("KeyUpdate") == SSL3_MT_KEY_UPDATE);
  CHECK(AlertLevels().Value("fatal") == SSL3_AL_FATAL);
  CHECK(AlertLevels().Value("warning") == SSL3_AL_WARNING);
  CHECK(AlertDescriptions().Value("unrecognized_name") ==
        TLS1_AD_UNRECOGNIZED_NAME);
}

}  // namespace
}  // namespace tlsim::proto
