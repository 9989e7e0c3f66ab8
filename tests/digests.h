// The wire digests a run ends with, kept by an observer, so that a test can
// compare runs by the bytes they sent, or a run with the digests the text
// trace or the explorer wrote for it.
//
//   tests::Digests digests;
//   run::Verdict v = runner.Run({&digests});
//   CHECK(digests.WireLine() == the_emitted_scenarios_wire_line);
#pragma once

#include <string>
#include <vector>

#include "lib/trace/event.h"

namespace tlsim::tests {

class Digests : public trace::Observer {
 public:
  void OnHeader(const trace::Header&) override {}
  void OnEvent(const trace::Event&) override {}
  // Each run observed adds its digests after the last run's.
  void OnFooter(const trace::Footer& f) override {
    digests_.insert(digests_.end(), f.digests.begin(), f.digests.end());
  }

  // As the text trace ends a run, a line a connection:
  // "# wire main: c>s 517 bytes sha256 HEX; s>c 1234 bytes sha256 HEX\n".
  [[nodiscard]] std::string TraceLines() const {
    std::string out;
    for (const trace::WireDigest& d : digests_) {
      out += "# wire " + d.connection + ": c>s " + std::to_string(d.bytes[0]) +
             " bytes sha256 " + d.sha256[0] + "; s>c " +
             std::to_string(d.bytes[1]) + " bytes sha256 " + d.sha256[1] + "\n";
    }
    return out;
  }

  // As the explorer writes a run's "# Wire: " line, a connection after
  // another: "main c>s HEX s>c HEX; ".
  [[nodiscard]] std::string WireLine() const {
    std::string out;
    for (const trace::WireDigest& d : digests_) {
      out +=
          d.connection + " c>s " + d.sha256[0] + " s>c " + d.sha256[1] + "; ";
    }
    return out;
  }

 private:
  std::vector<trace::WireDigest> digests_;
};

}  // namespace tlsim::tests
