// The tlsim command line as a user meets it: exit codes, messages, files.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/command.h"
#include "tests/openssl_differences.h"

namespace {

namespace fs = std::filesystem;

std::string TlsimPath() {
  return std::string(std::getenv("TEST_SRCDIR")) + "/" +
         std::getenv("TEST_WORKSPACE") + "/sim/tlsim";
}

fs::path TempDir() { return fs::path(std::getenv("TEST_TMPDIR")); }

using Result = tlsim::tests::CommandResult;  // out: stdout and stderr

// Runs tlsim with `args` (already shell-quoted where needed), killed after
// `seconds` (exit code 124) so that a hang fails instead of blocking.
Result Tlsim(const std::string& args, int seconds = 120) {
  return tlsim::tests::RunCommand(
      "timeout " + std::to_string(seconds) + " " + TlsimPath() + " " + args,
      /*merge_stderr=*/true);
}

std::string Write(const std::string& name, const std::string& text) {
  fs::path p = TempDir() / name;
  std::ofstream(p) << text;
  return p.string();
}

const char kGood[] = R"(scenario "good"
pki {
  ca root
  leaf server.test issuer=root
}
client {
  verify = peer
  trust = root
}
server {
  cert = server.test
}
client connect -> -1 WANT_READ
drive -> done
)";

TEST_CASE("a passing scenario exits 0 and says PASS", "[cli]") {
  std::string path = Write("good.tlsim", kGood);
  Result r = Tlsim("run " + path);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "PASS " + path + "\n");
}

TEST_CASE("--trace prints numbered steps with the OpenSSL version", "[cli]") {
  std::string path = Write("good.tlsim", kGood);
  Result r = Tlsim("run --trace " + path);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("# " + tlsim::tests::VersionTextPrefix()) !=
        std::string::npos);
  CHECK(r.out.find("#1 L13 client connect -> -1 WANT_READ; state ") !=
        std::string::npos);
  CHECK(r.out.find("#2.2 L14 wire deliver client->server all: ") !=
        std::string::npos);
  CHECK(r.out.substr(r.out.size() - 7) == "# pass\n");
}

TEST_CASE("a failed expectation exits 1 with file:line and the trace",
          "[cli]") {
  std::string text = kGood;
  text.replace(text.find("-1 WANT_READ"), 12, "1");
  std::string path = Write("bad_expect.tlsim", text);
  Result r = Tlsim("run " + path);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(path + ":13: client connect: expected 1, observed -1 "
                          "WANT_READ\ntrace up to that step:\n") == 0);
  CHECK(r.out.find("#1 L13 client connect") != std::string::npos);
  CHECK(r.out.find("#2 ") == std::string::npos);  // it stopped there
}

TEST_CASE("a syntax error exits 2 with file:line:col, the line and a caret",
          "[cli]") {
  std::string path = Write("syntax.tlsim", "client conect -> 1\n");
  Result r = Tlsim("run " + path);
  CHECK(r.exit_code == 2);
  CHECK(r.out == path +
                     ":1:8: error: unknown call 'conect'\n"
                     "client conect -> 1\n"
                     "       ^\n");
}

TEST_CASE("bad input in one file means no file runs", "[cli]") {
  std::string good = Write("good.tlsim", kGood);
  std::string bad = Write("syntax.tlsim", "client conect -> 1\n");
  Result r = Tlsim("run " + good + " " + bad);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("PASS") == std::string::npos);
}

TEST_CASE("a setting OpenSSL refuses exits 2 before any step", "[cli]") {
  std::string text = kGood;
  text.replace(text.find("  verify = peer"), 0, "  groups = nosuchgroup\n");
  std::string path = Write("bad_group.tlsim", text);
  std::string trace = (TempDir() / "bad_group.trace").string();
  Result r = Tlsim("run " + path + " --save-trace " + trace);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find(path + ":7:12: error: client groups: ") == 0);
  CHECK(r.out.find("  groups = nosuchgroup\n           ^\n") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(trace));  // nothing half-written
}

TEST_CASE("an output into a missing folder exits 2 before running", "[cli]") {
  std::string path = Write("good.tlsim", kGood);
  Result r = Tlsim("run " + path + " --pcap /nonexistent/dir/x.pcap");
  CHECK(r.exit_code == 2);
  CHECK(r.out ==
        "tlsim: error: cannot write /nonexistent/dir/x.pcap: no folder "
        "/nonexistent/dir\n");
}

TEST_CASE("an unreadable file exits 2", "[cli]") {
  Result r = Tlsim("run /nonexistent/x.tlsim");
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("/nonexistent/x.tlsim: error: cannot read the file") == 0);
}

// Hostile input: each is refused with one error line, exit 2, and nothing
// runs or is written, even beside a good file.
struct Refused {
  int exit_code = -1;
  std::string out;
  bool wrote = false;  // something appeared in the --outputs folder
};

Refused RunRefused(const std::string& path) {
  std::string good = Write("good.tlsim", kGood);
  fs::path outputs = TempDir() / "refused";
  fs::remove_all(outputs);
  fs::create_directories(outputs);
  Result r =
      Tlsim("run " + good + " " + path + " --outputs " + outputs.string(), 20);
  return {r.exit_code, r.out, !fs::is_empty(outputs)};
}

TEST_CASE("a directory is refused, not read as an empty file", "[cli]") {
  fs::path dir = TempDir() / "SOME_DIRECTORY.tlsim";
  fs::create_directories(dir);
  Refused r = RunRefused(dir.string());
  CHECK(r.exit_code == 2);
  CHECK(r.out == dir.string() + ": error: not a regular file: a directory\n");
  CHECK_FALSE(r.wrote);
}

TEST_CASE("a device and a FIFO are refused without waiting", "[cli]") {
  Refused zero = RunRefused("/dev/zero");
  CHECK(zero.exit_code == 2);
  CHECK(zero.out ==
        "/dev/zero: error: not a regular file: a character "
        "device\n");
  CHECK_FALSE(zero.wrote);
  fs::path fifo = TempDir() / "fifo.tlsim";
  fs::remove(fifo);
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // No writer: an open for reading without O_NONBLOCK would wait forever.
  Result r = Tlsim("run " + fifo.string(), 20);
  CHECK(r.exit_code == 2);
  CHECK(r.out == fifo.string() + ": error: not a regular file: a FIFO\n");
}

TEST_CASE("a scenario file above 1 MiB is refused before it is read", "[cli]") {
  std::string text = kGood;
  text += std::string((1 << 20) - text.size(), '#');
  std::string at_limit = Write("at_limit.tlsim", text);
  CHECK(Tlsim("check " + at_limit).exit_code == 0);
  std::string big = Write("big.tlsim", text + "\n");
  Refused r = RunRefused(big);
  CHECK(r.exit_code == 2);
  CHECK(r.out == big +
                     ": error: the file is 1048577 bytes; the limit is "
                     "1048576 bytes (1 MiB)\n");
  CHECK_FALSE(r.wrote);
}

TEST_CASE("an empty file, or one of comments only, is refused", "[cli]") {
  std::string empty = Write("empty.tlsim", "");
  Refused r = RunRefused(empty);
  CHECK(r.exit_code == 2);
  CHECK(r.out == empty +
                     ":1:1: error: the file is empty: a scenario needs at "
                     "least one statement, such as scenario \"title\"\n"
                     "\n"
                     "^\n");
  CHECK_FALSE(r.wrote);
  std::string comments = Write("comments.tlsim", "# just a comment\n");
  r = RunRefused(comments);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find(comments +
                   ":2:1: error: the file holds only comments and blank "
                   "lines: ") == 0);
  CHECK_FALSE(r.wrote);
}

TEST_CASE("a raw NUL in a string is refused at its column", "[cli]") {
  std::string text = kGood;
  text.replace(text.find("scenario \"good\""), 15,
               std::string("scenario \"go\0od\"", 16));
  std::string path = Write("nul.tlsim", text);
  Refused r = RunRefused(path);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find(path +
                   ":1:13: error: raw control byte 0x00 in a string; write "
                   "it as \\x00\n") == 0);
  CHECK_FALSE(r.wrote);
}

TEST_CASE("a file that starts with a UTF-8 byte order mark runs", "[cli]") {
  std::string path = Write("bom.tlsim", "\xEF\xBB\xBF" + std::string(kGood));
  Result r = Tlsim("run " + path);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PASS") != std::string::npos);
}

TEST_CASE("--save-trace writes the whole trace", "[cli]") {
  std::string path = Write("good.tlsim", kGood);
  std::string trace = (TempDir() / "saved_good.txt").string();
  Result r = Tlsim("run " + path + " --save-trace " + trace);
  CHECK(r.exit_code == 0);
  std::ifstream in(trace);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  CHECK(text.find("# tlsim trace of " + path) == 0);
  CHECK(text.substr(text.size() - 7) == "# pass\n");
}

TEST_CASE("check parses and prepares without running", "[cli]") {
  std::string path = Write("good.tlsim", kGood);
  Result r = Tlsim("check " + path);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok " + path + "\n");
}

TEST_CASE("fmt prints the canonical form, which checks clean", "[cli]") {
  std::string path = Write("good.tlsim", kGood);
  Result r = Tlsim("fmt " + path);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("client connect -> -1 WANT_READ\n") != std::string::npos);
  std::string again = Write("formatted.tlsim", r.out);
  CHECK(Tlsim("check " + again).exit_code == 0);
}

TEST_CASE("settings lists each setting and option with its blocks", "[cli]") {
  Result r = Tlsim("settings");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("  num_tickets = a number of tickets from 0 to 100 "
                   "(client, server)\n") != std::string::npos);
  CHECK(r.out.find("  server_name = a host name (client)\n") !=
        std::string::npos);
  CHECK(r.out.find("  allow_client_renegotiation (server)\n") !=
        std::string::npos);
}

TEST_CASE("help and usage errors", "[cli]") {
  Result help = Tlsim("--help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("run") != std::string::npos);
  CHECK(help.out.find("check") != std::string::npos);
  Result run_help = Tlsim("run --help");
  CHECK(run_help.exit_code == 0);
  CHECK(run_help.out.find("--trace") != std::string::npos);
  CHECK(Tlsim("").exit_code == 2);
  CHECK(Tlsim("frobnicate").exit_code == 2);
  CHECK(Tlsim("run").exit_code == 2);
}

TEST_CASE("a scenario's pcap and key log let tshark decrypt the handshake",
          "[cli][pcap]") {
  std::string scenario = std::string(std::getenv("TEST_SRCDIR")) + "/" +
                         std::getenv("TEST_WORKSPACE") +
                         "/scenarios/data/app_data_close_notify.tlsim";
  std::string pcap = (TempDir() / "run.pcap").string();
  std::string keys = (TempDir() / "run.keys").string();
  Result r = Tlsim("run " + scenario + " --pcap " + pcap + " --keylog " + keys);
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  REQUIRE(access("/usr/bin/tshark", X_OK) == 0);  // CI installs it
  auto tshark = [&](const std::string& args) {
    Result out =
        tlsim::tests::RunCommand("HOME=" + TempDir().string() +
                                 " /usr/bin/tshark -r " + pcap + " " + args);
    REQUIRE(out.exit_code == 0);
    return out.out;
  };
  const std::string fields = "-Y tls -T fields -e tls.handshake.type";
  std::string plain = tshark(fields);
  // Without the key log: the ClientHello (1) and ServerHello (2) only.
  CHECK(plain.find("1\n") != std::string::npos);
  CHECK(plain.find("2\n") != std::string::npos);
  CHECK(plain.find("20") == std::string::npos);
  const std::string keylog = "-o tls.keylog_file:" + keys + " ";
  std::string decrypted = tshark(keylog + fields);
  // With it: the server's encrypted flight ends in Finished (20), then the
  // client's Finished, then the two NewSessionTickets (4).
  CHECK(decrypted.find("2,8,11,15,20\n20\n") != std::string::npos);
  CHECK(decrypted.find("4,4") != std::string::npos);
  // And the application data in clear: the server's "hello".
  std::string dump = tshark(keylog + "-x");
  CHECK(dump.find("Decrypted TLS (5 bytes):\n0000  68 65 6c 6c 6f") !=
        std::string::npos);
  CHECK(tshark("-x").find("Decrypted TLS") == std::string::npos);
}

TEST_CASE("--update writes a golden trace that later runs must match",
          "[cli][golden]") {
  std::string text = std::string(kGood);
  text.replace(text.find("\n"), 0, "\nseed 5");
  std::string path = Write("golden.tlsim", text);
  // golden.trace on 3.0; each other series keeps its own.
  const std::string golden_name = tlsim::tests::GoldenTraceName("golden");
  std::string golden = (TempDir() / golden_name).string();
  fs::remove(golden);
  Result update = Tlsim("run --update " + path);
  CHECK(update.exit_code == 0);
  REQUIRE(fs::exists(golden));
  std::ifstream in(golden);
  std::string stored((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
  // Stored without the OpenSSL version line, and with the file name only.
  CHECK(stored.find("# tlsim trace of golden.tlsim: \"good\"\n#1 L") == 0);
  CHECK(stored.find("# OpenSSL") == std::string::npos);
  CHECK(Tlsim("run " + path).exit_code == 0);

  // A changed golden line: exit 1 and a unified diff.
  std::string changed = stored;
  changed.replace(changed.find("-1 WANT_READ"), 12, "-1 WANT_WRITE");
  std::ofstream(golden) << changed;
  Result r = Tlsim("run " + path);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(golden_name + ": the trace differs from the golden trace") !=
        std::string::npos);
  CHECK(r.out.find("\n@@ -") != std::string::npos);
  CHECK(r.out.find("\n-#1 L14 client connect -> -1 WANT_WRITE") !=
        std::string::npos);
  CHECK(r.out.find("\n+#1 L14 client connect -> -1 WANT_READ") !=
        std::string::npos);
}

TEST_CASE("--update refuses a scenario without a seed", "[cli][golden]") {
  std::string path = Write("unseeded.tlsim", kGood);
  Result r = Tlsim("run --update " + path);
  CHECK(r.exit_code == 2);
  CHECK(r.out == path +
                     ": error: a golden trace needs a seed: add 'seed N' so "
                     "that every run sends the same bytes\n");
  CHECK_FALSE(fs::exists(TempDir() / "unseeded.trace"));
}

TEST_CASE("--format=jsonl prints one JSON object per line", "[cli]") {
  std::string path = Write("good.tlsim", kGood);
  Result r = Tlsim("run --trace --format=jsonl " + path);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("{\"type\":\"header\"") == 0);
  CHECK(r.out.find("\n{\"type\":\"call\",\"step\":1,\"sub\":0,\"line\":13,") !=
        std::string::npos);
  CHECK(r.out.find("\n{\"type\":\"end\",\"passed\":true,") !=
        std::string::npos);
  CHECK(Tlsim("run --format=xml " + path).exit_code == 2);
}

}  // namespace
