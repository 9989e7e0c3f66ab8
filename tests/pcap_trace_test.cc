// The pcap observer on a real TLS 1.3 run: two SSL objects over BIO pairs,
// the bytes pumped between them turned into DeliveryEvents, the capture
// read back by tshark (with and without the key log).
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "lib/tls/compat.h"
#include "lib/tls/handles.h"
#include "lib/trace/event.h"
#include "lib/trace/keylog.h"
#include "lib/trace/pcap.h"
#include "lib/wire/wire.h"
#include "tests/command.h"

namespace tlsim::trace {
namespace {

constexpr const char* kTshark = "/usr/bin/tshark";
constexpr const char* kClientData = "ping from the tlsim client\n";
constexpr const char* kServerData = "pong from the tlsim server\n";

std::string TempDir() {
  const char* dir = std::getenv("TEST_TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// A self-signed EC P-256 certificate for "server.test" and its key.
void SelfSigned(tls::EvpPkeyPtr* out_key, tls::X509Ptr* out_cert) {
  tls::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  REQUIRE(key != nullptr);
  tls::X509Ptr cert(X509_new());
  REQUIRE(cert != nullptr);
  REQUIRE(X509_set_version(cert.get(), tlsim::tls::kX509Version3) == 1);
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1);
  tls::X509NamePtr name(X509_NAME_new());
  REQUIRE(X509_NAME_add_entry_by_txt(
              name.get(), "CN", MBSTRING_ASC,
              reinterpret_cast<const unsigned char*>("server.test"), -1, -1,
              0) == 1);
  REQUIRE(X509_set_subject_name(cert.get(), name.get()) == 1);
  REQUIRE(X509_set_issuer_name(cert.get(), name.get()) == 1);
  REQUIRE(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr);
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400) != nullptr);
  REQUIRE(X509_set_pubkey(cert.get(), key.get()) == 1);
  REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  *out_key = std::move(key);
  *out_cert = std::move(cert);
}

void CollectKeyLogLine(const SSL* ssl, const char* line) {
  auto* keys = static_cast<KeyLog*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  keys->Add(line);
}

// One endpoint: the SSL holds one end of a BIO pair, the test the other.
struct Endpoint {
  tls::SslCtxPtr ctx;
  tls::SslPtr ssl;
  tls::BioPtr net;  // the test's end of the pair
};

void Attach(Endpoint* e) {
  e->ssl.reset(SSL_new(e->ctx.get()));
  REQUIRE(e->ssl != nullptr);
  BIO* ssl_end = nullptr;
  BIO* net_end = nullptr;
  REQUIRE(BIO_new_bio_pair(&ssl_end, 65536, &net_end, 65536) == 1);
  SSL_set_bio(e->ssl.get(), ssl_end, ssl_end);  // the SSL owns ssl_end now
  e->net.reset(net_end);
}

// A TLS 1.3 handshake, one application data record each way, the client's
// close_notify and close: what a scenario run would emit, and the keys.
struct Tls13Run {
  std::vector<Event> events;
  KeyLog keys;
  std::vector<size_t> segments;  // bytes of each delivery, in order
};

class Runner {
 public:
  explicit Runner(Tls13Run* out) : out_(out) {
    tls::EvpPkeyPtr key;
    tls::X509Ptr cert;
    SelfSigned(&key, &cert);
    server_.ctx.reset(SSL_CTX_new(TLS_server_method()));
    client_.ctx.reset(SSL_CTX_new(TLS_client_method()));
    REQUIRE(server_.ctx != nullptr);
    REQUIRE(client_.ctx != nullptr);
    for (SSL_CTX* ctx : {server_.ctx.get(), client_.ctx.get()}) {
      REQUIRE(SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1);
    }
    REQUIRE(SSL_CTX_use_certificate(server_.ctx.get(), cert.get()) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey(server_.ctx.get(), key.get()) == 1);
    SSL_CTX_set_app_data(client_.ctx.get(), &out_->keys);
    SSL_CTX_set_keylog_callback(client_.ctx.get(), CollectKeyLogLine);
    Attach(&client_);
    Attach(&server_);
    REQUIRE(SSL_set_tlsext_host_name(client_.ssl.get(), "server.test") == 1);
  }

  void Run() {
    SSL* client = client_.ssl.get();
    SSL* server = server_.ssl.get();
    REQUIRE(SSL_connect(client) == -1);
    Deliver(wire::Side::kClient);  // ClientHello
    REQUIRE(SSL_accept(server) == -1);
    // ServerHello ... Finished in two segments, cut inside the first record.
    Deliver(wire::Side::kServer, 100);
    Deliver(wire::Side::kServer);
    REQUIRE(SSL_connect(client) == 1);
    Deliver(wire::Side::kClient);  // ChangeCipherSpec, Finished
    REQUIRE(SSL_accept(server) == 1);
    Deliver(wire::Side::kServer);  // NewSessionTicket x2

    const std::string ping = kClientData;
    REQUIRE(SSL_write(client, ping.data(), static_cast<int>(ping.size())) ==
            static_cast<int>(ping.size()));
    Deliver(wire::Side::kClient);
    CHECK(Read(server) == ping);
    const std::string pong = kServerData;
    REQUIRE(SSL_write(server, pong.data(), static_cast<int>(pong.size())) ==
            static_cast<int>(pong.size()));
    Deliver(wire::Side::kServer);
    CHECK(Read(client) == pong);

    REQUIRE(SSL_shutdown(client) == 0);  // close_notify sent
    Deliver(wire::Side::kClient);
    CloseEvent close;
    close.id = Next();
    close.from = wire::Side::kClient;
    out_->events.push_back(close);
  }

 private:
  StepId Next() { return {++step_, 0, 0, ""}; }

  std::string Read(SSL* ssl) {
    char buf[256];
    int n = SSL_read(ssl, buf, sizeof buf);
    REQUIRE(n > 0);
    return std::string(buf, static_cast<size_t>(n));
  }

  // Moves what `from` has written (at most `limit` bytes; 0: all of it) to
  // the peer, and records the DeliveryEvent a runner would emit.
  void Deliver(wire::Side from, size_t limit = 0) {
    Endpoint& src = from == wire::Side::kClient ? client_ : server_;
    Endpoint& dst = from == wire::Side::kClient ? server_ : client_;
    std::string bytes = pending_[static_cast<int>(from)];
    char buf[4096];
    int n;
    while ((n = BIO_read(src.net.get(), buf, sizeof buf)) > 0) {
      bytes.append(buf, static_cast<size_t>(n));
    }
    REQUIRE(!bytes.empty());
    size_t take = limit == 0 ? bytes.size() : std::min(limit, bytes.size());
    pending_[static_cast<int>(from)] = bytes.substr(take);
    bytes.resize(take);
    REQUIRE(BIO_write(dst.net.get(), bytes.data(),
                      static_cast<int>(bytes.size())) ==
            static_cast<int>(bytes.size()));
    DeliveryEvent ev;
    ev.id = Next();
    ev.from = from;
    ev.amount = limit == 0 ? "all" : std::to_string(limit);
    ev.delivery.requested = bytes.size();
    ev.delivery.delivered = bytes.size();
    ev.delivery.bytes = bytes;
    ev.in_flight[static_cast<int>(from)] =
        pending_[static_cast<int>(from)].size();
    out_->events.push_back(ev);
    out_->segments.push_back(bytes.size());
  }

  Tls13Run* out_;
  Endpoint client_;
  Endpoint server_;
  std::string pending_[2];
  int step_ = 0;
};

// The run's events, with a few that carry no traffic in between.
void WriteCapture(const std::string& path, const std::vector<Event>& events,
                  bool with_footer = true) {
  PcapObserver pcap(path);
  REQUIRE(pcap.ok());
  pcap.OnHeader({"tls13.tlsim", "TLS 1.3", "OpenSSL 3"});
  for (const Event& e : events) pcap.OnEvent(e);
  if (with_footer) {
    pcap.OnFooter({true, "", {}, ""});
    INFO(pcap.error());
    REQUIRE(pcap.ok());
  }
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Runs tshark with HOME in the test's temporary directory; returns its
// standard output. Fails the test when tshark is missing or fails.
std::string Tshark(const std::string& args) {
  REQUIRE(access(kTshark, X_OK) == 0);  // CI installs it: never skip
  const std::string command =
      "HOME=" + Quote(TempDir()) + " " + kTshark + " " + args;
  const tests::CommandResult r = tests::RunCommand(command);
  INFO(command);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

struct Capture {
  std::string pcap;
  std::string keys;
  std::vector<size_t> segments;
};

// Runs TLS 1.3 once and writes the capture and the key log.
const Capture& TheCapture() {
  static const Capture capture = [] {
    Tls13Run run;
    Runner(&run).Run();
    Capture c;
    c.pcap = TempDir() + "/tls13.pcap";
    c.keys = TempDir() + "/tls13.keys";
    c.segments = run.segments;
    WriteCapture(c.pcap, run.events);
    std::string error;
    if (!run.keys.WriteFile(c.keys, &error)) FAIL(error);
    return c;
  }();
  return capture;
}

TEST_CASE("the key log holds the TLS 1.3 secrets, written whole", "[pcap]") {
  const Capture& c = TheCapture();
  std::string keys = ReadFile(c.keys);
  for (const char* label :
       {"CLIENT_HANDSHAKE_TRAFFIC_SECRET ", "SERVER_HANDSHAKE_TRAFFIC_SECRET ",
        "CLIENT_TRAFFIC_SECRET_0 ", "SERVER_TRAFFIC_SECRET_0 ",
        "EXPORTER_SECRET "}) {
    CHECK(keys.find(label) != std::string::npos);
  }
  CHECK(!Exists(c.keys + ".tmp"));
  KeyLog empty;
  std::string error;
  CHECK(!empty.WriteFile(TempDir() + "/no/such/dir/keys", &error));
  CHECK(error.find("no/such/dir/keys.tmp") != std::string::npos);
}

TEST_CASE("tshark dissects the ClientHello and ServerHello of a capture",
          "[pcap]") {
  const Capture& c = TheCapture();
  std::string types = Tshark("-r " + Quote(c.pcap) +
                             " -Y tls.handshake.type -T fields"
                             " -e tls.handshake.type");
  INFO(types);
  std::vector<std::string> lines = Lines(types);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "1");
  CHECK(lines[1] == "2");
}

// The tab-separated field `i` of a tshark -T fields line.
std::string Field(const std::string& line, size_t i) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, '\t')) fields.push_back(field);
  return i < fields.size() ? fields[i] : "";
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// One line per TLS frame: source address, handshake types, decrypted
// application data (as hex, through the "data" dissector: port 443 would
// otherwise hand it to HTTP), alert descriptions.
std::vector<std::string> TlsFrames(const Capture& c, bool with_keys) {
  std::string keys =
      with_keys ? " -o tls.keylog_file:" + Quote(c.keys) : std::string();
  return Lines(Tshark("-r " + Quote(c.pcap) + keys +
                      " -d tls.port==443,data -Y tls -T fields -e ip.src"
                      " -e tls.handshake.type -e data.data"
                      " -e tls.alert_message.desc"));
}

TEST_CASE("with the key log, tshark decrypts Finished and application data",
          "[pcap]") {
  const Capture& c = TheCapture();
  std::vector<std::string> frames = TlsFrames(c, true);
  std::string all;
  for (const std::string& f : frames) all += f + "\n";
  INFO(all);
  // ClientHello; the server's flight in two segments, TLS reassembled in
  // the second; the client's Finished; two tickets; ping; pong;
  // close_notify.
  REQUIRE(frames.size() == 8);
  CHECK(frames[0] == "10.0.0.1\t1\t\t");
  CHECK(frames[1] == "10.0.0.2\t\t\t");
  CHECK(frames[2] == "10.0.0.2\t2,8,11,15,20\t\t");
  CHECK(frames[3] == "10.0.0.1\t20\t\t");
  CHECK(frames[4] == "10.0.0.2\t4,4\t\t");
  CHECK(frames[5] == "10.0.0.1\t\t" + Hex(kClientData) + "\t");
  CHECK(frames[6] == "10.0.0.2\t\t" + Hex(kServerData) + "\t");
  CHECK(frames[7] == "10.0.0.1\t\t\t0");
}

TEST_CASE("without the key log, tshark sees only the plaintext hellos",
          "[pcap]") {
  const Capture& c = TheCapture();
  std::vector<std::string> frames = TlsFrames(c, false);
  std::string all;
  for (const std::string& f : frames) all += f + "\n";
  INFO(all);
  REQUIRE(frames.size() == 8);
  CHECK(frames[0] == "10.0.0.1\t1\t\t");
  CHECK(frames[2] == "10.0.0.2\t2\t\t");
  for (const std::string& frame : frames) {
    CHECK(Field(frame, 1).find("20") == std::string::npos);  // no Finished
  }
  CHECK(all.find(Hex(kClientData)) == std::string::npos);
  CHECK(all.find(Hex(kServerData)) == std::string::npos);
}

// Every frame of a capture: source, TCP flags, relative seq and ack,
// payload length, checksum statuses (1: good) with checking on, and TCP
// analysis warnings (none expected).
std::vector<std::string> TcpFrames(const std::string& pcap) {
  return Lines(Tshark("-r " + Quote(pcap) +
                      " -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE"
                      " -T fields -e ip.src -e tcp.flags -e tcp.seq"
                      " -e tcp.ack -e tcp.len -e ip.checksum.status"
                      " -e tcp.checksum.status -e tcp.analysis.flags"));
}

TEST_CASE(
    "the capture has a handshake, one segment per delivery and FINs, "
    "with good checksums and no TCP warnings",
    "[pcap]") {
  const Capture& c = TheCapture();
  std::vector<std::string> frames = TcpFrames(c.pcap);
  std::string all;
  for (const std::string& f : frames) all += f + "\n";
  INFO(all);
  std::vector<std::string> want = {
      "10.0.0.1\t0x0002\t0\t0\t0\t1\t1\t",  // SYN
      "10.0.0.2\t0x0012\t0\t1\t0\t1\t1\t",  // SYN-ACK
      "10.0.0.1\t0x0010\t1\t1\t0\t1\t1\t",  // ACK
  };
  // The deliveries alternate as Runner::Run makes them.
  const std::vector<std::string> from = {"10.0.0.1", "10.0.0.2", "10.0.0.2",
                                         "10.0.0.1", "10.0.0.2", "10.0.0.1",
                                         "10.0.0.2", "10.0.0.1"};
  REQUIRE(c.segments.size() == from.size());
  uint64_t seq[2] = {1, 1};
  for (size_t i = 0; i < from.size(); ++i) {
    int s = from[i] == "10.0.0.1" ? 0 : 1;
    want.push_back(from[i] + "\t0x0018\t" + std::to_string(seq[s]) + "\t" +
                   std::to_string(seq[1 - s]) + "\t" +
                   std::to_string(c.segments[i]) + "\t1\t1\t");
    seq[s] += c.segments[i];
  }
  const std::string client_seq = std::to_string(seq[0]);
  const std::string server_seq = std::to_string(seq[1]);
  const std::string client_fin = std::to_string(seq[0] + 1);
  const std::string server_fin = std::to_string(seq[1] + 1);
  // The client's CloseEvent: FIN and its ACK; the footer closes the rest.
  want.push_back("10.0.0.1\t0x0011\t" + client_seq + "\t" + server_seq +
                 "\t0\t1\t1\t");
  want.push_back("10.0.0.2\t0x0010\t" + server_seq + "\t" + client_fin +
                 "\t0\t1\t1\t");
  want.push_back("10.0.0.2\t0x0011\t" + server_seq + "\t" + client_fin +
                 "\t0\t1\t1\t");
  want.push_back("10.0.0.1\t0x0010\t" + client_fin + "\t" + server_fin +
                 "\t0\t1\t1\t");
  CHECK(frames == want);
}

TEST_CASE("a reset is one RST from its sender, and no FIN follows it",
          "[pcap]") {
  std::vector<Event> events;
  DeliveryEvent d;
  d.id = {1, 0, 1, ""};
  d.from = wire::Side::kClient;
  d.delivery.requested = d.delivery.delivered = 5;
  d.delivery.bytes = "hello";
  events.push_back(d);
  CloseEvent reset;
  reset.id = {2, 0, 2, ""};
  reset.from = wire::Side::kServer;
  reset.reset = true;
  events.push_back(reset);
  const std::string path = TempDir() + "/reset.pcap";
  WriteCapture(path, events);
  std::vector<std::string> frames = TcpFrames(path);
  REQUIRE(frames.size() == 5);
  CHECK(frames[3].rfind("10.0.0.1\t0x0018\t1\t1\t5\t", 0) == 0);
  CHECK(frames[4].rfind("10.0.0.2\t0x0014\t1\t6\t0\t", 0) == 0);  // RST|ACK
}

TEST_CASE("timestamps are synthetic: 2026-01-01 plus 1 ms per event",
          "[pcap]") {
  const Capture& c = TheCapture();
  std::vector<std::string> times =
      Lines(Tshark("-r " + Quote(c.pcap) + " -T fields -e frame.time_epoch"));
  REQUIRE(times.size() == 15);
  CHECK(times[0] == "1767225600.000000000");   // SYN, at the header
  CHECK(times[2] == "1767225600.000002000");   // ACK
  CHECK(times[3] == "1767225600.001000000");   // the first event
  CHECK(times[14] == "1767225600.010001000");  // the footer's last ACK
}

TEST_CASE("the same events give byte-identical captures", "[pcap]") {
  Tls13Run run;
  Runner(&run).Run();
  const std::string a = TempDir() + "/same_a.pcap";
  const std::string b = TempDir() + "/same_b.pcap";
  WriteCapture(a, run.events);
  WriteCapture(b, run.events);
  CHECK(ReadFile(a).size() > 1000);
  CHECK(ReadFile(a) == ReadFile(b));
}

TEST_CASE("a capture appears whole when the run ends, or not at all",
          "[pcap]") {
  const std::string path = TempDir() + "/whole.pcap";
  {
    PcapObserver pcap(path);
    REQUIRE(pcap.ok());
    pcap.OnHeader({"f", "t", "o"});
    CHECK(!Exists(path));
    CHECK(Exists(path + ".tmp"));
    pcap.OnFooter({false, "failed", {}, ""});  // a failed run is still captured
    CHECK(pcap.ok());
    CHECK(Exists(path));
    CHECK(!Exists(path + ".tmp"));
  }
  const std::string abandoned = TempDir() + "/abandoned.pcap";
  WriteCapture(abandoned, {}, /*with_footer=*/false);
  CHECK(!Exists(abandoned));
  CHECK(!Exists(abandoned + ".tmp"));

  PcapObserver bad(TempDir() + "/no/such/dir/x.pcap");
  CHECK(!bad.ok());
  CHECK(bad.error().find("no/such/dir/x.pcap.tmp") != std::string::npos);
  bad.OnHeader({"f", "t", "o"});
  bad.OnFooter({true, "", {}, ""});
  CHECK(!bad.ok());
}

TEST_CASE(
    "a delivery larger than an IPv4 packet takes several segments, "
    "acked to stay in the window",
    "[pcap]") {
  DeliveryEvent big;
  big.id = {1, 0, 1, ""};
  big.amount = "all";
  big.delivery.bytes = std::string(100000, 'x');
  big.delivery.requested = big.delivery.delivered = 100000;
  const std::string path = TempDir() + "/big.pcap";
  WriteCapture(path, {big});
  std::vector<std::string> frames = TcpFrames(path);
  std::string all;
  for (const std::string& f : frames) all += f + "\n";
  INFO(all);
  REQUIRE(frames.size() == 10);
  CHECK(frames[3] == "10.0.0.1\t0x0018\t1\t1\t65495\t1\t1\t");
  CHECK(frames[4] == "10.0.0.2\t0x0010\t1\t65496\t0\t1\t1\t");
  CHECK(frames[5] == "10.0.0.1\t0x0018\t65496\t1\t34505\t1\t1\t");
}

}  // namespace
}  // namespace tlsim::trace
