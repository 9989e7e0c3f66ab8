// The machine trace: one JSON object per line (JSON Lines) for the header,
// every event and the verdict, keys in a fixed order so output is stable.
// The schema is in scenarios/README.md ("JSON lines") and checked by
// tests/json_trace_test.cc.
//
//   {"type":"header","file":"x.tlsim","title":"...","openssl":"OpenSSL 3.0"}
//   {"type":"call","step":1,"sub":0,"line":29,"actor":"client",...}
//   {"type":"end","passed":true,"message":""}
//
//   trace::JsonLinesObserver json(&std::cout);
//   runner.Run({&json});
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "lib/trace/event.h"

namespace tlsim::trace {

// One event as one JSON object on one line, without the newline.
std::string FormatEventJson(const Event& event);

// Writes every event to `out` as one JSON line, as it comes.
class JsonLinesObserver : public Observer {
 public:
  explicit JsonLinesObserver(std::ostream* out) : outs_{out} {}
  // Also writes to `out`; each line is formatted once.
  void AlsoTo(std::ostream* out) { outs_.push_back(out); }
  void OnHeader(const Header& header) override;
  void OnEvent(const Event& event) override;
  void OnFooter(const Footer& footer) override;

 private:
  void Write(const std::string& line);
  std::vector<std::ostream*> outs_;
  std::string line_;
};

}  // namespace tlsim::trace
