#include "lib/trace/pcap.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <variant>

namespace tlsim::trace {
namespace {

// 2026-01-01T00:00:00Z: the synthetic clock starts here.
constexpr int64_t kBaseSeconds = 1767225600;
constexpr int kSnapLen = 262144;

constexpr size_t kEthernetSize = 14;
constexpr size_t kIpv4Size = 20;
constexpr size_t kTcpSize = 20;
// An IPv4 packet is at most 65535 bytes: larger deliveries take several
// segments.
constexpr size_t kMaxPayload = 65535 - kIpv4Size - kTcpSize;
constexpr uint32_t kWindow = 65535;

constexpr uint8_t kFin = 0x01;
constexpr uint8_t kSyn = 0x02;
constexpr uint8_t kRst = 0x04;
constexpr uint8_t kPsh = 0x08;
constexpr uint8_t kAck = 0x10;

struct Address {
  std::array<uint8_t, 6> mac;
  std::array<uint8_t, 4> ip;
  uint16_t port;
  uint32_t isn;  // initial sequence number
};

// Locally administered MACs and RFC 1918 addresses, never sent anywhere:
// this is a file. Fixed ISNs keep the file deterministic.
constexpr Address kAddresses[2] = {
    {{0x02, 0, 0, 0, 0, 0x01}, {10, 0, 0, 1}, 49152, 0x10000000},
    {{0x02, 0, 0, 0, 0, 0x02}, {10, 0, 0, 2}, 443, 0x20000000},
};

// Big-endian stores into a frame's headers.
void Put16(uint8_t* at, uint16_t v) {
  at[0] = static_cast<uint8_t>(v >> 8);
  at[1] = static_cast<uint8_t>(v & 0xff);
}

void Put32(uint8_t* at, uint32_t v) {
  Put16(at, static_cast<uint16_t>(v >> 16));
  Put16(at + 2, static_cast<uint16_t>(v & 0xffff));
}

// The ones' complement sum of `bytes` as 16-bit big-endian words, added to
// `sum` (RFC 1071), not yet folded. `bytes` is whole words, but for the
// last piece summed.
uint32_t Sum(const uint8_t* bytes, size_t size, uint32_t sum) {
  for (size_t i = 0; i + 1 < size; i += 2) {
    sum += static_cast<uint32_t>(bytes[i] << 8 | bytes[i + 1]);
    sum = (sum & 0xffff) + (sum >> 16);
  }
  if (size % 2 == 1) sum += static_cast<uint32_t>(bytes[size - 1] << 8);
  return sum;
}

uint16_t Checksum(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

// pcap's per-packet record header (struct pcap_sf_pkthdr in libpcap's
// sf-pcap.c): 32-bit seconds, microseconds, captured and original length,
// in host byte order, as pcap_dump writes it.
constexpr size_t kRecordSize = 16;

// Records are gathered and written in pieces of about this size: one
// fwrite per piece instead of pcap_dump's two per packet.
constexpr size_t kFlushSize = 64 * 1024;

}  // namespace

PcapObserver::PcapObserver(std::string path)
    : path_(std::move(path)), tmp_path_(path_ + ".tmp") {
  pcap_.reset(pcap_open_dead(DLT_EN10MB, kSnapLen));
  if (pcap_ == nullptr) {
    Fail("pcap_open_dead failed");
    return;
  }
  dumper_.reset(pcap_dump_open(pcap_.get(), tmp_path_.c_str()));
  if (dumper_ == nullptr) {
    Fail(tmp_path_ + ": " + pcap_geterr(pcap_.get()));
    return;
  }
  for (int i = 0; i < 2; ++i) endpoints_[i].next_seq = kAddresses[i].isn;
}

PcapObserver::~PcapObserver() {
  if (dumper_ != nullptr) {
    dumper_.reset();
    std::remove(tmp_path_.c_str());
  }
}

void PcapObserver::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  if (dumper_ != nullptr) {
    dumper_.reset();
    std::remove(tmp_path_.c_str());
  }
}

void PcapObserver::Segment(wire::Side from, uint8_t flags,
                           std::string_view payload) {
  if (dumper_ == nullptr) return;
  const int s = static_cast<int>(from);
  const Address& src = kAddresses[s];
  const Address& dst = kAddresses[1 - s];
  Endpoint& self = endpoint(from);
  Endpoint& peer = endpoint(wire::Peer(from));

  const uint32_t ack = (flags & kAck) != 0 ? peer.next_seq : 0;
  // The three headers, built in place; the payload follows them.
  uint8_t h[kEthernetSize + kIpv4Size + kTcpSize] = {};
  // Ethernet II.
  std::memcpy(h, dst.mac.data(), 6);
  std::memcpy(h + 6, src.mac.data(), 6);
  Put16(h + 12, 0x0800);
  // IPv4: no options, don't fragment, TTL 64, TCP; checksum below.
  uint8_t* ip = h + kEthernetSize;
  ip[0] = 0x45;
  Put16(ip + 2, static_cast<uint16_t>(kIpv4Size + kTcpSize + payload.size()));
  Put16(ip + 4, self.ip_id++);
  Put16(ip + 6, 0x4000);
  ip[8] = 64;
  ip[9] = 6;
  std::memcpy(ip + 12, src.ip.data(), 4);
  std::memcpy(ip + 16, dst.ip.data(), 4);
  Put16(ip + 10, Checksum(Sum(ip, kIpv4Size, 0)));
  // TCP: no options; checksum and urgent pointer below.
  uint8_t* tcp = ip + kIpv4Size;
  Put16(tcp, src.port);
  Put16(tcp + 2, dst.port);
  Put32(tcp + 4, self.next_seq);
  Put32(tcp + 8, ack);
  tcp[12] = static_cast<uint8_t>((kTcpSize / 4) << 4);
  tcp[13] = flags;
  Put16(tcp + 14, static_cast<uint16_t>(kWindow));
  // The pseudo-header: addresses, protocol, TCP length.
  uint8_t pseudo[12] = {};
  std::memcpy(pseudo, src.ip.data(), 4);
  std::memcpy(pseudo + 4, dst.ip.data(), 4);
  Put16(pseudo + 8, 6);
  Put16(pseudo + 10, static_cast<uint16_t>(kTcpSize + payload.size()));
  uint32_t sum = Sum(pseudo, sizeof pseudo, 0);
  sum = Sum(tcp, kTcpSize, sum);
  sum = Sum(reinterpret_cast<const uint8_t*>(payload.data()), payload.size(),
            sum);
  Put16(tcp + 16, Checksum(sum));

  self.next_seq += static_cast<uint32_t>(payload.size());
  if ((flags & (kSyn | kFin)) != 0) ++self.next_seq;
  if ((flags & kAck) != 0) peer.peer_acked = ack;

  // The record as pcap_dump would write it, gathered in pending_.
  const uint64_t micros = tick_ * 1000 + in_tick_++;
  const uint32_t length = static_cast<uint32_t>(sizeof h + payload.size());
  const uint32_t record[4] = {
      static_cast<uint32_t>(kBaseSeconds + micros / 1000000),
      static_cast<uint32_t>(micros % 1000000), length, length};
  static_assert(sizeof record == kRecordSize);
  pending_.Append(
      std::string_view(reinterpret_cast<const char*>(record), sizeof record));
  pending_.Append(std::string_view(reinterpret_cast<const char*>(h), sizeof h));
  pending_.Append(payload);
  if (pending_.size() >= kFlushSize) WritePending();
}

void PcapObserver::WritePending() {
  if (pending_.size() > 0 && dumper_ != nullptr) {
    std::fwrite(pending_.data(), 1, pending_.size(),
                pcap_dump_file(dumper_.get()));
  }
  pending_.clear();
}

void PcapObserver::Handshake() {
  if (connected_) return;
  connected_ = true;
  Segment(wire::Side::kClient, kSyn, {});
  Segment(wire::Side::kServer, kSyn | kAck, {});
  Segment(wire::Side::kClient, kAck, {});
}

void PcapObserver::SendData(wire::Side from, std::string_view payload) {
  Handshake();
  Endpoint& self = endpoint(from);
  while (!payload.empty()) {
    std::string_view part = payload.substr(0, kMaxPayload);
    payload.remove_prefix(part.size());
    // Bytes sent and not yet acked must fit the peer's window: the peer
    // acks on its own when it has sent nothing for that long.
    if (self.next_seq - self.peer_acked + part.size() > kWindow) {
      Segment(wire::Peer(from), kAck, {});
    }
    Segment(from, kPsh | kAck, part);
  }
}

void PcapObserver::Fin(wire::Side from) {
  Handshake();
  if (endpoint(from).fin_sent) return;
  endpoint(from).fin_sent = true;
  Segment(from, kFin | kAck, {});
  Segment(wire::Peer(from), kAck, {});
}

void PcapObserver::Rst(wire::Side from) {
  Handshake();
  if (endpoint(from).rst_sent) return;
  Segment(from, kRst | kAck, {});
  // The connection is gone: no FIN from either side after it.
  endpoint(from).rst_sent = true;
  endpoint(from).fin_sent = true;
  endpoint(wire::Peer(from)).fin_sent = true;
}

void PcapObserver::OnHeader(const Header& /*header*/) {
  in_tick_ = 0;
  Handshake();
}

void PcapObserver::OnEvent(const Event& event) {
  ++tick_;
  in_tick_ = 0;
  if (const auto* d = std::get_if<DeliveryEvent>(&event)) {
    if (d->delivery.ok && d->delivery.delivered > 0) {
      SendData(d->from, d->delivery.bytes);
    }
  } else if (const auto* c = std::get_if<CloseEvent>(&event)) {
    if (c->reset) {
      Rst(c->from);
    } else {
      Fin(c->from);
    }
  }
}

void PcapObserver::OnFooter(const Footer& /*footer*/) {
  if (dumper_ == nullptr) return;
  ++tick_;
  in_tick_ = 0;
  Fin(wire::Side::kClient);
  Fin(wire::Side::kServer);
  WritePending();
  if (pcap_dump_flush(dumper_.get()) != 0 ||
      std::ferror(pcap_dump_file(dumper_.get())) != 0) {
    Fail(tmp_path_ + ": write failed");
    return;
  }
  dumper_.reset();
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    Fail(path_ + ": cannot rename from " + tmp_path_ + ": " +
         std::strerror(errno));
    std::remove(tmp_path_.c_str());
  }
}

}  // namespace tlsim::trace
