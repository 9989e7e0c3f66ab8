// The two directed byte queues between the client's and the server's Link.
// Bytes an SSL writes are collected into its direction's queue ("in
// flight"); they reach the peer only when the harness delivers them.
//
//   wire::Wire wire(&client_link, &server_link);
//   ... SSL_connect(client) ...
//   wire.Collect();
//   wire::Delivery d = wire.Deliver(wire::Side::kClient, wire::Amount::All());
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/proto/names.h"
#include "lib/wire/fault.h"
#include "lib/wire/link.h"
#include "lib/wire/record.h"

namespace tlsim::wire {

// The two ends of a connection, as everywhere in tlsim.
using Side = proto::Side;

inline Side Peer(Side side) {
  return side == Side::kClient ? Side::kServer : Side::kClient;
}

// How much one delivery moves.
struct Amount {
  enum class Kind { kBytes, kRecord, kAll };
  Kind kind = Kind::kAll;
  size_t bytes = 0;

  static Amount All() { return {Kind::kAll, 0}; }
  static Amount Record() { return {Kind::kRecord, 0}; }
  static Amount Bytes(size_t n) { return {Kind::kBytes, n}; }
};

// What one delivery did.
struct Delivery {
  bool ok = true;
  std::string error;                // why nothing was delivered, when !ok
  size_t requested = 0;             // bytes the amount asked for
  size_t delivered = 0;             // bytes that reached the receiver's buffer
  std::string bytes;                // those bytes
  std::vector<RecordNote> records;  // what the delivered bytes carried
};

class Wire {
 public:
  // Borrows both links; they must outlive the Wire.
  Wire(Link* client, Link* server);

  // Moves what each SSL has written into its direction's queue, as much as
  // the direction's capacity leaves room for; the rest stays held in the
  // sender's BIO pair. Bytes written into a closed or reset direction are
  // taken and lost: they never count as in flight (lost()). The runner
  // calls it after every SSL call.
  void Collect();

  // Bytes written by `from` and not yet delivered.
  size_t InFlight(Side from) const;

  // The most bytes the network holds in flight from `from`; SIZE_MAX
  // (the default) is no limit. A delivery that frees room takes more from
  // the sender's BIO pair at once.
  void SetCapacity(Side from, size_t capacity) {
    capacity_[Index(from)] = capacity;
  }
  size_t capacity(Side from) const { return capacity_[Index(from)]; }

  // Bytes `from`'s SSL wrote that are still in its own BIO pair, not yet
  // taken by the network.
  size_t Held(Side from) const;
  // How many more bytes `from`'s SSL can write before its BIO pair is full
  // (it is writable while this is not 0).
  size_t Room(Side from) const;
  // Bytes delivered from `from` that the receiver has not read yet.
  size_t Unread(Side from) const;
  // Bytes `from` wrote after its direction was closed or reset: taken from
  // its BIO pair and lost.
  uint64_t lost(Side from) const { return lost_[Index(from)]; }
  // What the last Collect() lost, [client->server, server->client].
  const std::array<size_t, 2>& collected_lost() const {
    return collected_lost_;
  }

  // Moves bytes from `from`'s queue into the peer's buffer, as many as the
  // amount asks and the buffer takes. Bytes: exactly that many must be in
  // flight; Record: the rest of the current record, which must be wholly in
  // flight; All: whatever is there, possibly nothing. A closed direction
  // delivers nothing and says so.
  Delivery Deliver(Side from, Amount amount);

  // The peer reads EOF after what it was already given; what is still in
  // flight is dropped. Returns how many bytes were dropped.
  size_t Close(Side from);
  bool closed(Side from) const;

  // The records that the bytes `from` has in flight touch, framed as the
  // receiver will frame them, from where its delivered bytes left off (see
  // fault.h for the numbering). Framing learns nothing: negotiated() stays.
  std::vector<RecordSpan> FrameInFlight(Side from) const;

  // A TCP reset sent by `from`: what is in flight from it, held in its BIO
  // pair and delivered but unread is discarded; the receiver's reads fail
  // with ECONNRESET from now on, and both sides' writes with EPIPE (the
  // links need socket BIOs for that; without, only the discarding
  // happens). The receiver no longer reads EOF or anything else.
  struct ResetResult {
    size_t dropped = 0;    // in flight and held
    size_t discarded = 0;  // delivered but unread
  };
  ResetResult Reset(Side from);
  bool reset(Side from) const { return reset_[Index(from)]; }

  // Applies a fault to what `from` has in flight; fault::Close is Close().
  // Returns out_result->ok; on failure nothing changed and
  // out_result->error says why.
  bool Apply(Side from, const Fault& fault, FaultResult* out_result);

  // Bytes ever delivered from `from`.
  uint64_t delivered_total(Side from) const {
    return streams_[Index(from)].position();
  }

  // Bytes `from` ever wrote, and their SHA-256 in lowercase hex: two runs
  // that sent the same bytes have the same digest.
  uint64_t sent_total(Side from) const { return sent_[Index(from)]; }
  std::string SentDigest(Side from) const;

  // Keeps a copy of every byte each side writes from now on (off by
  // default): kept(from) is what the network took from `from`, in order.
  void KeepSent(bool keep) { keep_ = keep; }
  const std::string& kept(Side from) const { return kept_[Index(from)]; }

  const Negotiated& negotiated() const { return negotiated_; }

 private:
  static size_t Index(Side s) { return static_cast<size_t>(s); }
  Link* link(Side s) const { return links_[Index(s)]; }
  // Collect() for one side.
  void Take(Side s);

  std::array<Link*, 2> links_;
  std::array<std::string, 2> queues_;
  std::array<uint64_t, 2> sent_ = {0, 0};
  std::array<size_t, 2> capacity_ = {SIZE_MAX, SIZE_MAX};
  std::array<uint64_t, 2> lost_ = {0, 0};
  std::array<size_t, 2> collected_lost_ = {0, 0};
  std::array<bool, 2> reset_ = {false, false};
  std::array<tls::EvpMdCtxPtr, 2> digests_;
  Negotiated negotiated_;
  std::array<RecordStream, 2> streams_;
  bool keep_ = false;
  std::array<std::string, 2> kept_;
};

}  // namespace tlsim::wire
