// TLS record framing of one direction's byte stream, as it reaches the
// receiver. Fed the bytes of each delivery in order, it says which records
// those bytes belong to, and for plaintext records what they carry:
// handshake messages by type, alerts, ChangeCipherSpec.
//
//   wire::RecordStream stream(&shared);
//   std::vector<wire::RecordNote> notes = stream.Feed(delivered_bytes);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tlsim::wire {

inline constexpr size_t kRecordHeaderSize = 5;
inline constexpr int kContentChangeCipherSpec = 20;
inline constexpr int kContentAlert = 21;
inline constexpr int kContentHandshake = 22;
inline constexpr int kContentApplicationData = 23;
inline constexpr int kHandshakeServerHello = 2;
// The ServerHello.random that marks a HelloRetryRequest (RFC 8446 4.1.3).
bool IsHelloRetryRandom(std::string_view random);

// What both directions learn from the handshake: once the ServerHello picks
// TLS 1.3, handshake records after a ChangeCipherSpec are still plaintext
// (1.3 encrypts under the application_data type); in TLS 1.2 they are not.
struct Negotiated {
  bool tls13 = false;
};

// The part of one record that a delivery carried.
struct RecordNote {
  int content_type = -1;  // -1: not even the type byte has arrived
  size_t length = 0;      // the record's body length, once the header is in
  bool header_complete = false;
  size_t first = 0;       // offset in the record (header included) of the
  size_t count = 0;       // first byte carried, and how many were carried
  bool complete = false;  // the record's last byte was carried
  bool encrypted = false;
  // Handshake messages whose last byte was carried ("ClientHello", ...).
  std::vector<int> handshake_types;
  bool hello_retry = false;  // a ServerHello above is a HelloRetryRequest
  // A plaintext alert whose record completed: level and description.
  std::optional<std::pair<int, int>> alert;

  size_t total() const { return kRecordHeaderSize + length; }
};

class RecordStream {
 public:
  explicit RecordStream(Negotiated* negotiated) : negotiated_(negotiated) {}

  // A copy of this stream's state that records what it learns in
  // `negotiated` instead: for looking ahead without changing anything.
  RecordStream CopyWith(Negotiated* negotiated) const {
    RecordStream copy = *this;
    copy.negotiated_ = negotiated;
    return copy;
  }

  // Consumes the next bytes of the stream; one note per record touched.
  std::vector<RecordNote> Feed(std::string_view bytes);

  // How many of `upcoming` bytes complete the record now in progress (or,
  // at a boundary, the next whole record). nullopt when `upcoming` does not
  // hold enough of the header to know.
  std::optional<size_t> BytesToRecordEnd(std::string_view upcoming) const;

  // Offset in the stream of the next byte to arrive.
  uint64_t position() const { return position_; }
  // True between records.
  bool at_boundary() const { return header_len_ == 0; }

 private:
  void FinishRecord(RecordNote* note);
  void ParseHandshake(RecordNote* note);

  Negotiated* negotiated_;
  uint64_t position_ = 0;
  unsigned char header_[kRecordHeaderSize] = {};
  size_t header_len_ = 0;  // header bytes of the current record seen
  size_t body_seen_ = 0;
  std::string body_;       // plaintext body of the current record
  std::string handshake_;  // plaintext handshake bytes not yet a message
  bool ccs_seen_ = false;
};

}  // namespace tlsim::wire
