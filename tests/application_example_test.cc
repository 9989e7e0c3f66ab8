// Your own code as an endpoint: a small non-blocking HTTP client, written
// the way such clients are written, sits in the client's seat of a `run`
// step (run::Session::SetApplication) while the server is a scenario
// program, over the scenario's wire and its 1024-byte send buffer.
//
// The client's first version has the classic mistake: it expects only
// SSL_ERROR_WANT_READ back from a non-blocking call and gives up on
// anything else. Its requests are small, so WANT_WRITE "never happens"...
// until the server asks for a client certificate and the chain (a leaf
// under two intermediates, about 3 KB) does not fit the send buffer:
// SSL_connect returns -1 WANT_WRITE, and the run's verdict says the client
// failed, with the call and the error. The fixed client waits for writable
// on WANT_WRITE and reads the whole reply.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "lib/run/application.h"
#include "lib/run/session.h"
#include "lib/scenario/parser.h"
#include "lib/trace/text.h"

namespace tlsim {
namespace {

using Catch::Matchers::Contains;
using wire::Side;

constexpr char kRequest[] = "GET / HTTP/1.1\r\nHost: server.test\r\n\r\n";
constexpr char kReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

// The server is a scenario program; the client's seat is left to C++.
const char kScenario[] =
    R"(scenario "a client certificate chain over a 1024-byte send buffer"
seed 1
pki {
  ca   root key=rsa-2048
  ca   issuing issuer=root key=rsa-2048
  ca   team issuer=issuing key=rsa-2048
  leaf server.test issuer=root key=ec-p256
  leaf client.test issuer=team key=rsa-2048
}
client {
  verify      = peer
  trust       = root
  server_name = server.test
  cert        = client.test
  send_buffer = 1024
}
server {
  cert   = server.test
  verify = require
  trust  = root
}
program server {
  accept
  read until "\r\n\r\n"
  write "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
}
run -> done
expect server read = "GET / HTTP/1.1\r\nHost: server.test\r\n\r\n"
)";

// Connect, send the request, read the reply up to the blank line: one state
// per phase, each call retried when the socket is ready again.
class HttpClient : public run::Application {
 public:
  run::Wait Step(SSL* ssl, run::Readiness) override {
    for (;;) {
      switch (phase_) {
        case Phase::kConnecting: {
          int r = SSL_connect(ssl);
          if (r != 1) return Retry(ssl, r, "SSL_connect");
          phase_ = Phase::kSending;
          break;
        }
        case Phase::kSending: {
          const std::string request = kRequest;
          int r = SSL_write(ssl, request.data() + sent_,
                            static_cast<int>(request.size() - sent_));
          if (r <= 0) return Retry(ssl, r, "SSL_write");
          sent_ += static_cast<size_t>(r);
          if (sent_ == request.size()) phase_ = Phase::kReceiving;
          break;
        }
        case Phase::kReceiving: {
          char buf[4096];
          int r = SSL_read(ssl, buf, sizeof buf);
          if (r <= 0) return Retry(ssl, r, "SSL_read");
          reply_.append(buf, static_cast<size_t>(r));
          if (reply_.find("\r\n\r\n") != std::string::npos) {
            phase_ = Phase::kDone;
            return run::Wait::kFinished;
          }
          break;
        }
        case Phase::kDone:
          return run::Wait::kFinished;
      }
    }
  }

  std::string Describe() const override {
    if (!failure_.empty()) return failure_;
    switch (phase_) {
      case Phase::kConnecting:
        return "connecting";
      case Phase::kSending:
        return "sending the request";
      case Phase::kReceiving:
        return "reading the reply";
      case Phase::kDone:
        return "done";
    }
    return "?";
  }

  const std::string& reply() const { return reply_; }

 protected:
  // A call returned `ret` <= 0: what to wait for before calling again.
  virtual run::Wait Retry(SSL* ssl, int ret, const char* call) {
    switch (SSL_get_error(ssl, ret)) {
      case SSL_ERROR_WANT_READ:
        return run::Wait::kReadable;
      case SSL_ERROR_WANT_WRITE:
        return run::Wait::kWritable;
      default:
        return Fail(ssl, ret, call);
    }
  }

  run::Wait Fail(SSL* ssl, int ret, const char* call) {
    const int error = SSL_get_error(ssl, ret);
    failure_ = std::string(call) + " -> " + std::to_string(ret) + " ";
    switch (error) {
      case SSL_ERROR_WANT_READ:
        failure_ += "WANT_READ";
        break;
      case SSL_ERROR_WANT_WRITE:
        failure_ += "WANT_WRITE";
        break;
      default:
        failure_ += "SSL_get_error " + std::to_string(error);
    }
    if (unsigned long e = ERR_peek_error()) {
      failure_ += std::string(" (") + ERR_reason_error_string(e) + ")";
    }
    ERR_clear_error();
    return run::Wait::kFailed;
  }

 private:
  enum class Phase { kConnecting, kSending, kReceiving, kDone };
  Phase phase_ = Phase::kConnecting;
  size_t sent_ = 0;
  std::string reply_;
  std::string failure_;
};

// The same client as first written: "non-blocking means WANT_READ", and
// everything else is an error.
class NaiveHttpClient : public HttpClient {
 protected:
  run::Wait Retry(SSL* ssl, int ret, const char* call) override {
    if (SSL_get_error(ssl, ret) == SSL_ERROR_WANT_READ) {
      return run::Wait::kReadable;
    }
    return Fail(ssl, ret, call);
  }
};

// Runs kScenario with `client` in the client's seat; returns the first
// failed step's verdict (or the passing one), the server's program's reads
// in `out_server_read` and the text trace in `out_trace`.
run::Verdict RunWithClient(run::Application* client,
                           std::string* out_server_read,
                           std::string* out_trace) {
  const std::string source = kScenario;
  scenario::Scenario parsed;
  scenario::Diagnostic error;
  REQUIRE(
      scenario::Parse("application_example.tlsim", source, &parsed, &error));
  run::Session session(parsed, source);
  session.SetApplication(Side::kClient, client);
  std::ostringstream text;
  trace::TextObserver observer(&text);
  session.AddObserver(&observer);
  REQUIRE(session.Prepare(&error));
  while (!session.done()) session.Step();
  *out_server_read = session.program_read(Side::kServer);
  run::Verdict v = session.Finish();
  *out_trace = text.str();
  return v;
}

TEST_CASE(
    "a client that takes WANT_WRITE for an error fails on a chain "
    "that does not fit its send buffer",
    "[application]") {
  NaiveHttpClient client;
  std::string server_read, trace;
  run::Verdict v = RunWithClient(&client, &server_read, &trace);
  INFO(trace);
  CHECK_FALSE(v.passed);
  // The run step's verdict: the client failed first, with the call and the
  // error it gave up on, and where each side stood.
  CHECK_THAT(v.message,
             Contains("run: expected done, observed failed: the client "
                      "failed first"));
  CHECK_THAT(v.message,
             Contains("client failed: SSL_connect -> -1 WANT_WRITE gave up"));
  CHECK_THAT(v.message, Contains("server accept waits for readable"));
  CHECK(client.Describe() == "SSL_connect -> -1 WANT_WRITE");
  CHECK(client.reply().empty());
  CHECK(server_read.empty());
}

TEST_CASE(
    "the fixed client waits for writable on WANT_WRITE and reads the "
    "whole reply",
    "[application]") {
  HttpClient client;
  std::string server_read, trace;
  run::Verdict v = RunWithClient(&client, &server_read, &trace);
  INFO(trace);
  CHECK(v.passed);
  CHECK(v.message.empty());
  CHECK(client.reply() == kReply);
  CHECK(client.Describe() == "done");
  CHECK(server_read == kRequest);
  // It did wait for room: the trace shows the turn that stopped on it.
  CHECK_THAT(trace, Contains("waits for writable"));
}

}  // namespace
}  // namespace tlsim
