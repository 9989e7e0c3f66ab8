#include "lib/wire/wire.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <variant>

namespace tlsim::wire {

Wire::Wire(Link* client, Link* server)
    : links_{client, server},
      streams_{RecordStream(&negotiated_), RecordStream(&negotiated_)} {
  // The digest only identifies bytes; it is computed in the default library
  // context, apart from the run's own.
  for (tls::EvpMdCtxPtr& d : digests_) {
    d.reset(EVP_MD_CTX_new());
    if (d) EVP_DigestInit_ex(d.get(), EVP_sha256(), nullptr);
  }
}

void Wire::Collect() {
  collected_lost_ = {0, 0};
  for (Side s : {Side::kClient, Side::kServer}) {
    // The usual case, after every SSL call: one side wrote nothing.
    if (link(s)->Held() == 0) continue;
    Take(s);
  }
}

void Wire::Take(Side s) {
  // After every SSL call, for both sides: nothing here but the drain
  // itself when no capacity is set and nothing was written.
  size_t i = Index(s);
  std::string bytes;
  if (capacity_[i] == SIZE_MAX || closed(s) || reset_[i]) {
    bytes = link(s)->Drain();
  } else {
    if (queues_[i].size() >= capacity_[i]) return;
    bytes = link(s)->Drain(capacity_[i] - queues_[i].size());
  }
  if (bytes.empty()) return;
  const bool open = !closed(s) && !reset_[i];
  sent_[i] += bytes.size();
  if (keep_) kept_[i] += bytes;
  if (digests_[i]) {
    EVP_DigestUpdate(digests_[i].get(), bytes.data(), bytes.size());
  }
  if (open) {
    queues_[i] += bytes;
  } else {
    lost_[i] += bytes.size();
    collected_lost_[i] += bytes.size();
  }
}

size_t Wire::Held(Side from) const { return link(from)->Held(); }

size_t Wire::Room(Side from) const { return link(from)->SendRoom(); }

size_t Wire::Unread(Side from) const { return link(Peer(from))->Unread(); }

std::string Wire::SentDigest(Side from) const {
  const tls::EvpMdCtxPtr& running = digests_[Index(from)];
  tls::EvpMdCtxPtr copy(EVP_MD_CTX_new());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!running || !copy || EVP_MD_CTX_copy_ex(copy.get(), running.get()) != 1 ||
      EVP_DigestFinal_ex(copy.get(), md, &len) != 1) {
    return "unavailable";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 0xf];
  }
  return hex;
}

size_t Wire::InFlight(Side from) const { return queues_[Index(from)].size(); }

bool Wire::closed(Side from) const { return link(Peer(from))->closed(); }

Delivery Wire::Deliver(Side from, Amount amount) {
  Delivery d;
  std::string& queue = queues_[Index(from)];
  Link* to = link(Peer(from));
  // What was written after the close is lost, not in flight: asking to
  // deliver it fails as asking for what was in flight at the close did.
  if (to->closed() && lost_[Index(from)] > 0) {
    d.ok = false;
    d.error = "the direction is closed";
    return d;
  }
  switch (amount.kind) {
    case Amount::Kind::kAll:
      d.requested = queue.size();
      break;
    case Amount::Kind::kBytes:
      d.requested = amount.bytes;
      if (queue.size() < amount.bytes) {
        d.ok = false;
        d.error = "asked for " + std::to_string(amount.bytes) +
                  " bytes, only " + std::to_string(queue.size()) + " in flight";
        return d;
      }
      break;
    case Amount::Kind::kRecord: {
      std::optional<size_t> need =
          streams_[Index(from)].BytesToRecordEnd(queue);
      if (!need.has_value() || *need > queue.size()) {
        d.ok = false;
        d.error = queue.empty()
                      ? std::string("no record in flight")
                      : "no whole record in flight (" +
                            std::to_string(queue.size()) + " bytes, " +
                            (need ? std::to_string(*need) + " needed)"
                                  : std::string("header incomplete)"));
        return d;
      }
      d.requested = *need;
      break;
    }
  }
  if (to->closed()) {
    if (d.requested == 0) return d;
    d.ok = false;
    d.error = "the direction is closed";
    return d;
  }
  d.delivered = to->Feed(std::string_view(queue).substr(0, d.requested));
  d.bytes = queue.substr(0, d.delivered);
  d.records = streams_[Index(from)].Feed(d.bytes);
  queue.erase(0, d.delivered);
  // Room freed in a direction with a capacity: the network takes more of
  // what the sender holds.
  if (capacity_[Index(from)] != SIZE_MAX && d.delivered > 0) Take(from);
  return d;
}

size_t Wire::Close(Side from) {
  std::string& queue = queues_[Index(from)];
  size_t dropped = queue.size();
  queue.clear();
  link(Peer(from))->Close();
  return dropped;
}

Wire::ResetResult Wire::Reset(Side from) {
  ResetResult r;
  size_t i = Index(from);
  r.dropped = queues_[i].size();
  queues_[i].clear();
  // What the sender's SSL had written and the network not taken is written
  // all the same: it counts in the digest, and is lost.
  r.dropped += link(from)->Held();
  reset_[i] = true;
  Take(from);
  Link* receiver = link(Peer(from));
  r.discarded = receiver->DiscardUnread();
  if (SocketState* s = receiver->socket()) {
    s->read_errno = ECONNRESET;
    s->write_errno = EPIPE;
  }
  if (SocketState* s = link(from)->socket()) s->write_errno = EPIPE;
  return r;
}

std::vector<RecordSpan> Wire::FrameInFlight(Side from) const {
  // A copy of the direction's stream frames the queue from where the
  // receiver is; what it learns (a ServerHello in flight picking TLS 1.3)
  // stays in the copy: the receiver has not seen those bytes yet.
  Negotiated lookahead = negotiated_;
  RecordStream stream = streams_[Index(from)].CopyWith(&lookahead);
  std::vector<RecordNote> notes = stream.Feed(queues_[Index(from)]);
  return SpansFromNotes(notes);
}

bool Wire::Apply(Side from, const Fault& fault, FaultResult* out_result) {
  if (std::holds_alternative<fault::Close>(fault)) {
    size_t dropped = Close(from);
    *out_result = FaultResult();
    out_result->ok = true;
    out_result->description =
        "closed the direction (dropped " + std::to_string(dropped) +
        (dropped == 1 ? " byte" : " bytes") + " in flight)";
    return true;
  }
  // The framing is computed afresh for every fault: nothing is cached that
  // an edit could make stale.
  return ApplyToQueue(fault, FrameInFlight(from), closed(from),
                      &queues_[Index(from)], out_result);
}

}  // namespace tlsim::wire
