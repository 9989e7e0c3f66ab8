// The wire traffic of a run as a pcap capture, for Wireshark / tshark.
// TLS runs over no socket in tlsim, so the observer makes up the TCP
// framing: Ethernet / IPv4 / TCP between client 10.0.0.1:49152 and server
// 10.0.0.2:443, a three-way handshake at the header, one PSH|ACK segment
// per delivery that moved bytes (so the capture shows the fragmentation
// the scenario chose), FIN exchanges for closed directions. Timestamps are
// synthetic (2026-01-01T00:00:00Z + 1 ms per event), so two runs of a
// scenario give byte-identical files. The layout is in scenarios/README.md
// ("pcap and key log").
//
//   trace::PcapObserver pcap("run.pcap");
//   if (!pcap.ok()) return Error(pcap.error());
//   runner.AddObserver(&pcap);
//   ... run ...
//   if (!pcap.ok()) return Error(pcap.error());  // checked after OnFooter
#pragma once

#include <pcap/pcap.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "lib/trace/buffer.h"
#include "lib/trace/event.h"

namespace tlsim::trace {

class PcapObserver : public Observer {
 public:
  // Opens `path`.tmp for writing; OnFooter renames it to `path`. Check ok().
  explicit PcapObserver(std::string path);
  // Removes `path`.tmp when OnFooter never completed the file.
  ~PcapObserver() override;
  PcapObserver(const PcapObserver&) = delete;
  PcapObserver& operator=(const PcapObserver&) = delete;

  // False once opening, writing or renaming failed; error() says why, and
  // nothing is left at `path`.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void OnHeader(const Header& header) override;
  void OnEvent(const Event& event) override;
  void OnFooter(const Footer& footer) override;

 private:
  struct PcapCloser {
    void operator()(pcap_t* p) const { pcap_close(p); }
  };
  struct DumperCloser {
    void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
  };

  // One end of the made-up TCP connection, by the side that sends from it.
  struct Endpoint {
    uint32_t next_seq = 0;    // sequence number of the next byte sent
    uint32_t peer_acked = 0;  // the highest ack the peer has sent us
    uint16_t ip_id = 0;
    bool fin_sent = false;
    bool rst_sent = false;
  };

  void Handshake();
  // Sends the payload from `from`, split at the IPv4 size limit, acking
  // first from the peer when the window would overflow.
  void SendData(wire::Side from, std::string_view payload);
  // Sends a FIN from `from` (when not sent yet) and the peer's ACK of it.
  void Fin(wire::Side from);
  // Sends a RST|ACK from `from` (a reset): nothing follows it either way.
  void Rst(wire::Side from);
  // Writes one segment; SYN and FIN count one sequence number each.
  void Segment(wire::Side from, uint8_t flags, std::string_view payload);
  // Writes the gathered records to the file.
  void WritePending();
  void Fail(std::string message);
  Endpoint& endpoint(wire::Side s) { return endpoints_[static_cast<int>(s)]; }

  std::string path_;
  std::string tmp_path_;
  std::unique_ptr<pcap_t, PcapCloser> pcap_;
  std::unique_ptr<pcap_dumper_t, DumperCloser> dumper_;
  std::string error_;
  // Records not yet written: Segment gathers them, WritePending writes them.
  Buffer pending_;
  std::array<Endpoint, 2> endpoints_;
  bool connected_ = false;
  uint64_t tick_ = 0;     // events seen: the millisecond of the timestamp
  uint32_t in_tick_ = 0;  // packets already written in this tick
};

}  // namespace tlsim::trace
