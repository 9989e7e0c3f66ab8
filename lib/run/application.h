// A user's own application in one seat of a run: instead of a scenario
// program, the `run` step's event loop calls this object for its side,
// over the scenario's wire, faults and capacities, while the other side
// runs the scenario's program.
//
//   class MyClient : public run::Application {
//     run::Wait Step(SSL* ssl, run::Readiness ready) override {
//       int r = SSL_connect(ssl);
//       if (r == 1) return run::Wait::kFinished;
//       int e = SSL_get_error(ssl, r);
//       if (e == SSL_ERROR_WANT_READ) return run::Wait::kReadable;
//       if (e == SSL_ERROR_WANT_WRITE) return run::Wait::kWritable;
//       return run::Wait::kFailed;
//     }
//   };
//   MyClient client;
//   run::Session session(scenario, source);   // has `run` and a server program
//   session.SetApplication(wire::Side::kClient, &client);  // before Prepare
//   ... Prepare, then Step() until done() ...
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace tlsim::run {

// What the transport can do for a side when its application is called.
struct Readiness {
  bool readable = false;  // bytes (or the end of the stream) wait to be read
  bool writable = false;  // its send buffer has room
};

// What an application waits for before the loop calls it again.
enum class Wait {
  kNothing,   // call again as soon as it is its turn
  kReadable,  // bytes or the end of the stream arrived for it
  kWritable,  // its send buffer has room
  kEither,    // readable or writable
  kFinished,  // done: never called again
  kFailed,    // gave up: never called again; the run's verdict is `failed`
};

class Application {
 public:
  virtual ~Application() = default;
  // Called when the run starts and each time what it last waited for holds:
  // makes any SSL calls it likes on `ssl`, then says what it waits for.
  // OpenSSL reads the scenario clock meanwhile; what the calls write goes
  // onto the scenario's wire when Step returns.
  virtual Wait Step(SSL* ssl, Readiness ready) = 0;
  // What it is doing, for the trace and the verdict ("reading the reply").
  virtual std::string Describe() const { return "application"; }
};

}  // namespace tlsim::run
