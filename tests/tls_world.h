// One library context and PKI for the tls layer's tests, and the contexts
// and SSLs made from them, failing the test case at once when OpenSSL
// refuses what it must accept:
//
//   root -> intermediate -> server.test, other.test, chained-client.test
//   root -> client.test
//
//   testing::TlsWorld world;
//   SslPtr client = world.Make(testing::Client());
//   ConfigError e = world.Refusal(bad_config);  // MakeContext must refuse
#pragma once

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "lib/tls/endpoint_config.h"
#include "lib/tls/handles.h"
#include "lib/tls/pki.h"
#include "tests/test_pki.h"

namespace tlsim::tls::testing {

struct TlsWorld {
  TlsWorld() {
    std::string error;
    REQUIRE(
        pki.Build(libctx.get(),
                  {Spec("root", true, ""), Spec("intermediate", true, "root"),
                   Spec("server.test", false, "intermediate"),
                   Spec("other.test", false, "intermediate"),
                   Spec("chained-client.test", false, "intermediate"),
                   Spec("client.test", false, "root")},
                  &error));
  }

  // MakeContext; the context lives as long as the world.
  SSL_CTX* Context(const EndpointConfig& config) {
    ConfigError error;
    contexts.push_back(MakeContext(libctx.get(), config, pki, &error));
    INFO(error.field << ": " << error.message);
    REQUIRE(contexts.back() != nullptr);
    return contexts.back().get();
  }

  // MakeSsl, with the verification time pinned to kNow.
  SslPtr Ssl(SSL_CTX* ctx, const EndpointConfig& config) {
    ConfigError error;
    SslPtr ssl = MakeSsl(ctx, config, &error);
    INFO(error.field << ": " << error.message);
    REQUIRE(ssl != nullptr);
    X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl.get()), kNow);
    return ssl;
  }

  // MakeContext + MakeSsl.
  SslPtr Make(const EndpointConfig& config) {
    return Ssl(Context(config), config);
  }

  // MakeContext's error for a config it must refuse; the failure path must
  // leave OpenSSL's error queue empty.
  ConfigError Refusal(const EndpointConfig& config) {
    ConfigError error;
    CHECK(MakeContext(libctx.get(), config, pki, &error) == nullptr);
    CHECK(ERR_peek_error() == 0);
    return error;
  }

  LibCtxPtr libctx = tlsim::tls::NewLibCtx();
  Pki pki;
  std::vector<SslCtxPtr> contexts;
};

}  // namespace tlsim::tls::testing
