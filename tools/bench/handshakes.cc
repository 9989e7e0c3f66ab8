// How much tlsim costs over OpenSSL itself: the same handshakes run, in one
// process, through a bare OpenSSL loop written here (two SSLs, two BIO
// pairs, a pump moving bytes between them) and through a run::Session (a
// scenario of `connection` + `drive` pairs), with no output and with every
// output (text trace, JSON lines, pcap, key log). Prints handshakes per
// second, the ratio tlsim / bare, and memory per open connection. Not a
// test: numbers for people.
//
//   bazel run -c opt //tools/bench:handshakes
//   bazel run -c opt //tools/bench:handshakes -- --rounds 9 --flights 400
//
// Both sides use the same library context, certificates (EC P-256 leaf
// under a root), versions, SNI, verification and no tickets (tickets off,
// num_tickets 0): the bare contexts are built here from the Session's own
// World. Each round times every case once, interleaved; the best round is
// printed. Under callgrind, --toggle-collect='*BareBatch*' (or
// '*QuietBatch*', '*OutputsBatch*') counts only those timed handshakes:
//
//   valgrind --tool=callgrind --toggle-collect='*QuietBatch*'
//     bazel-bin/tools/bench/handshakes --only tls13-bytes --rounds 1
//     --memory 0
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "lib/explore/explorer.h"
#include "lib/run/session.h"
#include "lib/scenario/parser.h"
#include "lib/tls/library.h"
#include "lib/trace/json.h"
#include "lib/trace/pcap.h"
#include "lib/trace/text.h"

namespace {

using namespace tlsim;
using Clock = std::chrono::steady_clock;

struct Case {
  const char* version;  // as a scenario writes it
  int version_number;
  bool bytewise;  // drive deliver=1 and a pump of 1 byte
};

// A scenario of `connections` handshakes after "main"'s: TLS `version`,
// each a `connection` step and a `drive`.
std::string Scenario(const Case& c, int connections) {
  std::string s = "scenario \"bench\"\nseed 1\n";
  s += "pki {\n  ca root\n  leaf server.test issuer=root key=ec-p256\n}\n";
  s += std::string("client {\n  versions = ") + c.version +
       "\n  verify = peer\n  trust = root\n  server_name = server.test\n}\n";
  s += std::string("server {\n  versions = ") + c.version +
       "\n  cert = server.test\n  tickets = off\n  num_tickets = 0\n}\n";
  std::string drive = std::string("drive deliver=") +
                      (c.bytewise ? "1" : "all") +
                      " first=client limit=100000 -> done\n";
  s += drive;
  for (int i = 1; i <= connections; ++i) {
    s += "connection c" + std::to_string(i) + "\n" + drive;
  }
  return s;
}

// A parsed, prepared Session and what it needs to live.
struct Prepared {
  std::string source;
  scenario::Scenario scenario;
  std::unique_ptr<run::Session> session;
};

// `keylog`: record the key log (only a run that writes one does).
bool Prepare(const Case& c, int connections, bool keylog, Prepared* out) {
  out->source = Scenario(c, connections);
  scenario::Diagnostic d;
  if (!scenario::Parse("bench.tlsim", out->source, &out->scenario, &d)) {
    std::cerr << d.Format();
    return false;
  }
  out->session = std::make_unique<run::Session>(out->scenario, out->source);
  out->session->RecordKeyLog(keylog);
  if (!out->session->Prepare(&d)) {
    std::cerr << d.Format();
    return false;
  }
  return true;
}

// The bare loop's two contexts, with the settings of the scenario above.
struct BareContexts {
  tls::SslCtxPtr client, server;
};

bool MakeBareContexts(run::World& world, int version, BareContexts* out) {
  const tls::Issued* root = world.pki.Find("root");
  const tls::Issued* leaf = world.pki.Find("server.test");
  out->client = tls::NewSslContext(world.libctx.get(), TLS_method());
  out->server = tls::NewSslContext(world.libctx.get(), TLS_method());
  SSL_CTX* c = out->client.get();
  SSL_CTX* s = out->server.get();
  if (root == nullptr || leaf == nullptr || c == nullptr || s == nullptr) {
    return false;
  }
  for (SSL_CTX* ctx : {c, s}) {
    SSL_CTX_set_min_proto_version(ctx, version);
    SSL_CTX_set_max_proto_version(ctx, version);
    X509_VERIFY_PARAM_set_time(SSL_CTX_get0_param(ctx),
                               static_cast<time_t>(world.clock));
  }
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(c), root->cert.get());
  SSL_CTX_set_options(s, SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(s, 0);
  return SSL_CTX_use_certificate(s, leaf->cert.get()) == 1 &&
         SSL_CTX_use_PrivateKey(s, leaf->key.get()) == 1;
}

// One direction of the bare pump: what `from` wrote, to `to`: everything,
// or one byte. Returns the bytes moved.
size_t Pump(BIO* from, BIO* to, bool bytewise) {
  static char buf[65536];
  int n = BIO_read(from, buf, bytewise ? 1 : static_cast<int>(sizeof buf));
  if (n <= 0) return 0;
  return BIO_write(to, buf, n) == n ? static_cast<size_t>(n) : 0;
}

struct BareConnection {
  SSL* ssl[2] = {nullptr, nullptr};
  BIO* net[2] = {nullptr, nullptr};
  void Free() {
    for (int i = 0; i < 2; ++i) {
      SSL_free(ssl[i]);
      BIO_free(net[i]);
    }
  }
};

// `count` bare handshakes; each connection is kept in `out_open` when given
// (to measure memory), else freed. Returns false when one fails.
[[gnu::noinline]] bool BareBatch(const BareContexts& ctx, bool bytewise,
                                 int count,
                                 std::vector<BareConnection>* out_open) {
  for (int i = 0; i < count; ++i) {
    BareConnection b;
    SSL_CTX* ctxs[2] = {ctx.client.get(), ctx.server.get()};
    for (int side = 0; side < 2; ++side) {
      BIO* ssl_half = nullptr;
      b.ssl[side] = SSL_new(ctxs[side]);
      BIO_new_bio_pair(&ssl_half, 0, &b.net[side], 0);
      SSL_set_bio(b.ssl[side], ssl_half, ssl_half);  // the SSL owns it
    }
    SSL_set_connect_state(b.ssl[0]);
    SSL_set_accept_state(b.ssl[1]);
    SSL_set_tlsext_host_name(b.ssl[0], "server.test");
    bool done[2] = {false, false};
    bool moved = true;
    while (moved && !(done[0] && done[1])) {
      moved = false;
      for (int side = 0; side < 2; ++side) {
        if (!done[side]) {
          int ret = SSL_do_handshake(b.ssl[side]);
          if (ret == 1) {
            done[side] = moved = true;
          } else {
            int error = SSL_get_error(b.ssl[side], ret);
            if (error != SSL_ERROR_WANT_READ) {
              b.Free();
              return false;
            }
          }
        }
        if (Pump(b.net[side], b.net[1 - side], bytewise) > 0) moved = true;
      }
    }
    if (!(done[0] && done[1])) {
      b.Free();
      return false;
    }
    if (out_open != nullptr) {
      out_open->push_back(b);
    } else {
      b.Free();
    }
  }
  return true;
}

// Every output tlsim writes, each to memory or a file in `dir`.
struct Outputs {
  std::ostringstream text, json;
  trace::TextObserver text_observer{&text};
  trace::JsonLinesObserver json_observer{&json};
  std::unique_ptr<trace::PcapObserver> pcap;
};

// Runs every step of a prepared session (the `connection` + `drive` pairs)
// with the outputs when given, then writes the key log and frees the
// session. Returns false when the run did not pass.
bool TlsimBatch(Prepared* p, Outputs* outputs, const std::string& dir) {
  run::Session& session = *p->session;
  if (outputs != nullptr) {
    outputs->pcap = std::make_unique<trace::PcapObserver>(dir + "/bench.pcap");
    session.AddObserver(&outputs->text_observer);
    session.AddObserver(&outputs->json_observer);
    session.AddObserver(outputs->pcap.get());
  }
  while (!session.done()) session.Step();
  run::Verdict v = session.Finish();
  std::string error;
  if (outputs != nullptr &&
      !session.keylog().WriteFile(dir + "/bench.keys", &error)) {
    std::cerr << error << "\n";
    return false;
  }
  if (!v.passed) std::cerr << v.Format("bench.tlsim") << "\n";
  p->session.reset();
  return v.passed;
}

// The two tlsim batches apart, so that callgrind can count each
// (--toggle-collect='*QuietBatch*' or '*OutputsBatch*').
[[gnu::noinline]] bool QuietBatch(Prepared* p, const std::string& dir) {
  return TlsimBatch(p, nullptr, dir);
}
[[gnu::noinline]] bool OutputsBatch(Prepared* p, Outputs* outputs,
                                    const std::string& dir) {
  return TlsimBatch(p, outputs, dir);
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Resident memory now, in KiB.
long RssKib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

struct Timing {
  double bare = 1e9, none = 1e9, every = 1e9;  // best seconds per handshake
};

// One round of a case: the bare loop, tlsim with no output, tlsim with
// every output, `count` handshakes each. Keeps each best time.
bool Round(const Case& c, int count, const std::string& dir, Timing* t) {
  // "main" is handshaken in the untimed first step; the batch runs the
  // `count` connections after it.
  Prepared none, every;
  if (!Prepare(c, count, false, &none) || !Prepare(c, count, true, &every)) {
    return false;
  }
  BareContexts bare;
  if (!MakeBareContexts(none.session->world(), c.version_number, &bare)) {
    std::cerr << "cannot make the bare contexts\n";
    return false;
  }
  for (Prepared* p : {&none, &every}) p->session->Step();  // main's drive

  Clock::time_point start = Clock::now();
  if (!BareBatch(bare, c.bytewise, count, nullptr)) {
    std::cerr << "the bare handshake failed\n";
    return false;
  }
  t->bare = std::min(t->bare, Seconds(start) / count);

  start = Clock::now();
  if (!QuietBatch(&none, dir)) return false;
  t->none = std::min(t->none, Seconds(start) / count);

  Outputs outputs;
  start = Clock::now();
  if (!OutputsBatch(&every, &outputs, dir)) return false;
  t->every = std::min(t->every, Seconds(start) / count);
  return true;
}

// Resident memory per open connection, in KiB: tlsim's (a session holding
// `count` connections) and the bare loop's (as many kept open).
bool Memory(const Case& c, int count, double* out_tlsim, double* out_bare) {
  Prepared p;
  if (!Prepare(c, count, false, &p)) return false;
  p.session->Step();
  long before = RssKib();
  while (!p.session->done()) p.session->Step();
  *out_tlsim = static_cast<double>(RssKib() - before) / count;
  if (!p.session->verdict().passed) return false;

  BareContexts bare;
  if (!MakeBareContexts(p.session->world(), c.version_number, &bare)) {
    return false;
  }
  std::vector<BareConnection> open;
  open.reserve(static_cast<size_t>(count));
  before = RssKib();
  bool ok = BareBatch(bare, c.bytewise, count, &open);
  *out_bare = static_cast<double>(RssKib() - before) / count;
  for (BareConnection& b : open) b.Free();
  return ok;
}

// The explorer's speed: a split-point sweep of the server's first TLS 1.3
// flight (every byte offset), in `workers` worker processes that rewind one
// World between schedules, against bare byte-at-a-time TLS 1.3 handshakes
// in this process. Sweeps twice: with the server (the sender of the split
// flight) played back from the baseline's tape, as the explorer does by
// default, and with both sides real (--no-tape). Prints schedules per
// second (wall clock) and CPU time per schedule (children included), and
// the ratios to the bare loop's handshakes per second.
bool ExploreSpeed(int bare_count, int workers) {
  const Case c{"TLSv1.3", TLS1_3_VERSION, true};
  std::string source = "scenario \"explore bench\"\nseed 1\n";
  source +=
      "pki {\n  ca root\n  leaf server.test issuer=root key=ec-p256\n}\n"
      "client {\n  versions = TLSv1.3\n  verify = peer\n  trust = root\n"
      "  server_name = server.test\n}\n"
      "server {\n  versions = TLSv1.3\n  cert = server.test\n"
      "  tickets = off\n  num_tickets = 0\n}\n"
      "program client {\n  connect\n}\nprogram server {\n  accept\n}\n"
      "run\n";
  scenario::Scenario s;
  scenario::Diagnostic d;
  if (!scenario::Parse("explore-bench.tlsim", source, &s, &d)) {
    std::cerr << d.Format();
    return false;
  }
  Prepared p;
  if (!Prepare(c, 0, false, &p)) return false;
  BareContexts bare;
  if (!MakeBareContexts(p.session->world(), c.version_number, &bare)) {
    return false;
  }
  auto cpu = [](const struct rusage& a, const struct rusage& b) {
    auto sec = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
    return (sec(b.ru_utime) - sec(a.ru_utime)) +
           (sec(b.ru_stime) - sec(a.ru_stime));
  };
  struct rusage bare_before, bare_after;
  getrusage(RUSAGE_SELF, &bare_before);
  Clock::time_point start = Clock::now();
  if (!BareBatch(bare, true, bare_count, nullptr)) return false;
  const double bare_rate = bare_count / Seconds(start);
  getrusage(RUSAGE_SELF, &bare_after);
  const double bare_cpu = cpu(bare_before, bare_after) / bare_count;

  // One sweep, with the sender of the split delivery played back from the
  // baseline's tape (the default) or with both sides real.
  struct Sweep {
    double runs = 0, seconds = 0, cpu_seconds = 0;
    int64_t played = 0, diverged = 0;
  };
  auto sweep = [&](bool tape, Sweep* out) {
    explore::Options options;
    options.families = {explore::Family::kSplits};
    options.split_delivery = 2;  // the server's first flight
    options.workers = workers;
    options.tape = tape;
    explore::Report report;
    std::string error;
    struct rusage before_self, before_children, after_self, after_children;
    getrusage(RUSAGE_SELF, &before_self);
    getrusage(RUSAGE_CHILDREN, &before_children);
    Clock::time_point begin = Clock::now();
    if (!explore::Explore(s, source, options, &report, &error)) {
      std::cerr << error << "\n";
      return false;
    }
    out->seconds = Seconds(begin);
    getrusage(RUSAGE_SELF, &after_self);
    getrusage(RUSAGE_CHILDREN, &after_children);
    out->cpu_seconds =
        cpu(before_self, after_self) + cpu(before_children, after_children);
    out->runs = static_cast<double>(report.runs.size());
    out->played = report.played;
    out->diverged = report.diverged;
    return true;
  };
  Sweep taped, real;
  if (!sweep(true, &taped) || !sweep(false, &real)) return false;
  std::printf(
      "bare loop, TLS 1.3 byte at a time: %.0f handshakes/s, %.2f ms CPU "
      "each\n",
      bare_rate, 1000 * bare_cpu);
  for (const Sweep* w : {&taped, &real}) {
    const std::string label =
        w == &taped ? "the sender played back (" + std::to_string(w->diverged) +
                          " of " + std::to_string(w->played) + " diverged)"
                    : "both sides real (--no-tape)";
    std::printf(
        "explore: split-point sweep of the server's first TLS 1.3 flight, %s: "
        "%.0f schedules in %.2f s with %d workers: %.0f schedules/s, %.2f ms "
        "CPU each (children included)\n"
        "  ratio schedules/s / bare byte-at-a-time handshakes/s: %.2fx (wall "
        "clock); per core (CPU time): %.2fx, so %.2fx with %d workers on as "
        "many idle cores\n",
        label.c_str(), w->runs, w->seconds, workers, w->runs / w->seconds,
        1000 * w->cpu_seconds / w->runs, w->runs / w->seconds / bare_rate,
        bare_cpu / (w->cpu_seconds / w->runs),
        workers * bare_cpu / (w->cpu_seconds / w->runs), workers);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "Handshakes per second through a bare OpenSSL loop and through tlsim, "
      "and memory per connection.");
  int rounds = 5;
  int flights = 200;
  int bytes = 20;
  int memory = 200;
  std::string only;
  app.add_option("--rounds", rounds, "rounds; the best is printed")
      ->check(CLI::Range(1, 1000));
  app.add_option("--flights", flights,
                 "handshakes per round, whole flights (drive)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--bytes", bytes,
                 "handshakes per round, byte at a time (drive deliver=1)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--memory", memory,
                 "connections held open to measure memory (0: skip)")
      ->check(CLI::Range(0, 100000));
  int explore_workers = 2;
  app.add_option("--explore-workers", explore_workers,
                 "children at once in the explorer's measurement (0: skip "
                 "it)")
      ->check(CLI::Range(0, 64));
  app.add_option("--only", only,
                 "run one case: tls13-flights, tls13-bytes, tls12-flights "
                 "or tls12-bytes");
  CLI11_PARSE(app, argc, argv);
  // Both loops run on this version (each version has its own binary).
  std::printf("%s\n", OpenSSL_version(OPENSSL_VERSION));

  const Case kCases[] = {
      {"TLSv1.3", TLS1_3_VERSION, false},
      {"TLSv1.3", TLS1_3_VERSION, true},
      {"TLSv1.2", TLS1_2_VERSION, false},
      {"TLSv1.2", TLS1_2_VERSION, true},
  };
  auto name = [](const Case& c) {
    return std::string(c.version_number == TLS1_3_VERSION ? "tls13" : "tls12") +
           (c.bytewise ? "-bytes" : "-flights");
  };
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("tlsim-bench-" + std::to_string(getpid())))
                        .string();
  std::filesystem::create_directories(dir);

  if (memory > 0 && only.empty()) {
    double tlsim_kib = 0, bare_kib = 0;
    if (!Memory(kCases[0], memory, &tlsim_kib, &bare_kib)) return 1;
    std::printf(
        "memory per open TLS 1.3 connection (%d held open): tlsim %.1f KiB, "
        "bare loop %.1f KiB\n\n",
        memory, tlsim_kib, bare_kib);
  }

  std::printf("%-8s %-13s %12s %12s %7s %12s %7s\n", "version", "delivery",
              "bare hs/s", "none hs/s", "ratio", "every hs/s", "ratio");
  for (const Case& c : kCases) {
    if (!only.empty() && only != name(c)) continue;
    int count = c.bytewise ? bytes : flights;
    Timing t;
    for (int r = 0; r < rounds; ++r) {
      if (!Round(c, count, dir, &t)) return 1;
    }
    std::printf("%-8s %-13s %12.0f %12.0f %6.2fx %12.0f %6.2fx\n", c.version,
                c.bytewise ? "byte (1)" : "flights (all)", 1 / t.bare,
                1 / t.none, t.none / t.bare, 1 / t.every, t.every / t.bare);
  }
  std::filesystem::remove_all(dir);
  if (explore_workers > 0 && (only.empty() || only == "explore")) {
    std::printf("\n");
    if (!ExploreSpeed(bytes, explore_workers)) return 1;
  }
  return 0;
}
