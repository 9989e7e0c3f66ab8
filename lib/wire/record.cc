#include "lib/wire/record.h"

#include <algorithm>
#include <cstring>

namespace tlsim::wire {
namespace {

// SHA-256("HelloRetryRequest"), RFC 8446 section 4.1.3.
constexpr unsigned char kHelloRetryRandom[32] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
    0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
    0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

constexpr int kExtensionSupportedVersions = 43;
constexpr int kTls13Version = 0x0304;

size_t Read16(const unsigned char* p) { return (size_t{p[0]} << 8) | p[1]; }

// True when a ServerHello body selects TLS 1.3 via supported_versions.
bool ServerHelloSelectsTls13(std::string_view body) {
  const auto* p = reinterpret_cast<const unsigned char*>(body.data());
  size_t n = body.size();
  size_t at = 2 + 32;  // legacy_version, random
  if (at + 1 > n) return false;
  at += 1 + p[at];  // legacy_session_id_echo
  at += 2 + 1;      // cipher_suite, legacy_compression_method
  if (at + 2 > n) return false;
  size_t end = std::min(n, at + 2 + Read16(p + at));
  at += 2;
  while (at + 4 <= end) {
    size_t type = Read16(p + at);
    size_t len = Read16(p + at + 2);
    at += 4;
    if (at + len > end) return false;
    if (type == kExtensionSupportedVersions && len == 2) {
      return Read16(p + at) == kTls13Version;
    }
    at += len;
  }
  return false;
}

}  // namespace

bool IsHelloRetryRandom(std::string_view random) {
  return random.size() == sizeof kHelloRetryRandom &&
         std::memcmp(random.data(), kHelloRetryRandom, random.size()) == 0;
}

std::vector<RecordNote> RecordStream::Feed(std::string_view bytes) {
  std::vector<RecordNote> notes;
  size_t at = 0;
  while (at < bytes.size()) {
    RecordNote note;
    note.first = header_len_ < kRecordHeaderSize
                     ? header_len_
                     : kRecordHeaderSize + body_seen_;
    size_t start = at;
    while (header_len_ < kRecordHeaderSize && at < bytes.size()) {
      header_[header_len_++] = static_cast<unsigned char>(bytes[at++]);
    }
    if (header_len_ > 0) note.content_type = header_[0];
    if (header_len_ == kRecordHeaderSize) {
      note.header_complete = true;
      note.length = Read16(header_ + 3);
      note.encrypted = note.content_type == kContentApplicationData ||
                       (ccs_seen_ && !negotiated_->tls13 &&
                        note.content_type != kContentChangeCipherSpec);
      size_t take = std::min(note.length - body_seen_, bytes.size() - at);
      if (!note.encrypted) body_.append(bytes.substr(at, take));
      body_seen_ += take;
      at += take;
      if (body_seen_ == note.length) FinishRecord(&note);
    }
    note.count = at - start;
    notes.push_back(std::move(note));
  }
  position_ += bytes.size();
  return notes;
}

void RecordStream::FinishRecord(RecordNote* note) {
  note->complete = true;
  if (!note->encrypted) {
    switch (note->content_type) {
      case kContentHandshake:
        handshake_ += body_;
        ParseHandshake(note);
        break;
      case kContentAlert:
        if (body_.size() == 2) {
          note->alert = {static_cast<unsigned char>(body_[0]),
                         static_cast<unsigned char>(body_[1])};
        }
        break;
      case kContentChangeCipherSpec:
        ccs_seen_ = true;
        break;
      default:
        break;
    }
  }
  header_len_ = 0;
  body_seen_ = 0;
  body_.clear();
}

void RecordStream::ParseHandshake(RecordNote* note) {
  constexpr size_t kMessageHeader = 4;
  while (handshake_.size() >= kMessageHeader) {
    const auto* p = reinterpret_cast<const unsigned char*>(handshake_.data());
    size_t len = (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | p[3];
    if (handshake_.size() < kMessageHeader + len) break;
    int type = p[0];
    std::string_view body(handshake_.data() + kMessageHeader, len);
    if (type == kHandshakeServerHello && len >= 34) {
      if (IsHelloRetryRandom(body.substr(2, 32))) note->hello_retry = true;
      if (ServerHelloSelectsTls13(body)) negotiated_->tls13 = true;
    }
    note->handshake_types.push_back(type);
    handshake_.erase(0, kMessageHeader + len);
  }
}

std::optional<size_t> RecordStream::BytesToRecordEnd(
    std::string_view upcoming) const {
  if (header_len_ == kRecordHeaderSize) {
    return Read16(header_ + 3) - body_seen_;
  }
  unsigned char header[kRecordHeaderSize];
  std::memcpy(header, header_, header_len_);
  size_t need = kRecordHeaderSize - header_len_;
  if (upcoming.size() < need) return std::nullopt;
  std::memcpy(header + header_len_, upcoming.data(), need);
  return need + Read16(header + 3);
}

}  // namespace tlsim::wire
