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
#include <string_view>
#include <vector>

#include "lib/trace/buffer.h"
#include "lib/trace/event.h"

namespace tlsim::trace {

// One event as one line, without the newline.
std::string FormatEvent(const Event& event);

// Data longer than this is shortened in traces and failure messages; every
// shipped scenario's data is shorter (the longest, 1200 bytes).
inline constexpr size_t kLongData = 4096;
// `data` quoted as the trace writes it; longer than kLongData, shortened to
// its first 16 bytes, its length and its SHA-256:
//   "xxxxxxxxxxxxxxxx"... (1048576 bytes, sha256 3c8f...e2a1)
std::string DataText(std::string_view data);

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
  void Write(std::string_view text);
  std::vector<std::ostream*> outs_;
  Buffer line_;
};

}  // namespace tlsim::trace
