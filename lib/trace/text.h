// The human trace: one numbered line per step.
//
//   #1 L21 client connect -> -1 WANT_READ; state "SSLv3/TLS write client
//       hello"; sent ClientHello; in flight c>s 517 s>c 0
//
// (one line in the real output). The format is documented in
// scenarios/README.md and kept stable: golden traces depend on it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "lib/trace/event.h"

namespace tlsim::trace {

// One event as one line, without the newline.
std::string FormatEvent(const Event& event);

// Writes every event to `out` as it comes (and to every stream added with
// AlsoTo: each line is formatted once, however many streams get it).
class TextObserver : public Observer {
 public:
  explicit TextObserver(std::ostream* out) : outs_{out} {}
  void AlsoTo(std::ostream* out) { outs_.push_back(out); }
  void OnHeader(const Header& header) override;
  void OnEvent(const Event& event) override;
  void OnFooter(const Footer& footer) override;

 private:
  void Write(const std::string& text);
  std::vector<std::ostream*> outs_;
  std::string line_;
};

}  // namespace tlsim::trace
