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

void Put16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

void Put32(std::string* out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xffff));
}

// The ones' complement sum of `bytes` as 16-bit big-endian words, added to
// `sum` (RFC 1071), not yet folded.
uint32_t Sum(std::string_view bytes, uint32_t sum) {
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    sum += static_cast<uint32_t>(static_cast<uint8_t>(bytes[i]) << 8 |
                                 static_cast<uint8_t>(bytes[i + 1]));
    sum = (sum & 0xffff) + (sum >> 16);
  }
  if (bytes.size() % 2 == 1) {
    sum += static_cast<uint32_t>(static_cast<uint8_t>(bytes.back()) << 8);
  }
  return sum;
}

uint16_t Checksum(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

void PutChecksum(std::string* frame, size_t at, uint16_t sum) {
  (*frame)[at] = static_cast<char>(sum >> 8);
  (*frame)[at + 1] = static_cast<char>(sum & 0xff);
}

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
  std::string frame;
  frame.reserve(kEthernetSize + kIpv4Size + kTcpSize + payload.size());
  // Ethernet II.
  frame.append(dst.mac.begin(), dst.mac.end());
  frame.append(src.mac.begin(), src.mac.end());
  Put16(&frame, 0x0800);
  // IPv4: no options, don't fragment, TTL 64, TCP.
  const size_t ip = frame.size();
  frame.push_back(0x45);
  frame.push_back(0);
  Put16(&frame, static_cast<uint16_t>(kIpv4Size + kTcpSize + payload.size()));
  Put16(&frame, self.ip_id++);
  Put16(&frame, 0x4000);
  frame.push_back(64);
  frame.push_back(6);
  Put16(&frame, 0);  // checksum, below
  frame.append(src.ip.begin(), src.ip.end());
  frame.append(dst.ip.begin(), dst.ip.end());
  PutChecksum(&frame, ip + 10,
              Checksum(Sum(std::string_view(frame).substr(ip, kIpv4Size), 0)));
  // TCP: no options.
  const size_t tcp = frame.size();
  Put16(&frame, src.port);
  Put16(&frame, dst.port);
  Put32(&frame, self.next_seq);
  Put32(&frame, ack);
  frame.push_back(static_cast<char>((kTcpSize / 4) << 4));
  frame.push_back(static_cast<char>(flags));
  Put16(&frame, static_cast<uint16_t>(kWindow));
  Put16(&frame, 0);  // checksum, below
  Put16(&frame, 0);  // urgent pointer
  frame.append(payload);
  // The pseudo-header: addresses, protocol, TCP length.
  std::string pseudo;
  pseudo.append(src.ip.begin(), src.ip.end());
  pseudo.append(dst.ip.begin(), dst.ip.end());
  Put16(&pseudo, 6);
  Put16(&pseudo, static_cast<uint16_t>(kTcpSize + payload.size()));
  PutChecksum(
      &frame, tcp + 16,
      Checksum(Sum(std::string_view(frame).substr(tcp), Sum(pseudo, 0))));

  self.next_seq += static_cast<uint32_t>(payload.size());
  if ((flags & (kSyn | kFin)) != 0) ++self.next_seq;
  if ((flags & kAck) != 0) peer.peer_acked = ack;

  pcap_pkthdr header{};
  const uint64_t micros = tick_ * 1000 + in_tick_++;
  header.ts.tv_sec = static_cast<time_t>(kBaseSeconds + micros / 1000000);
  header.ts.tv_usec = static_cast<suseconds_t>(micros % 1000000);
  header.caplen = static_cast<bpf_u_int32>(frame.size());
  header.len = header.caplen;
  pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &header,
            reinterpret_cast<const u_char*>(frame.data()));
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
    Fin(c->from);
  }
}

void PcapObserver::OnFooter(const Footer& /*footer*/) {
  if (dumper_ == nullptr) return;
  ++tick_;
  in_tick_ = 0;
  Fin(wire::Side::kClient);
  Fin(wire::Side::kServer);
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
