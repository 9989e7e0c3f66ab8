// Faults on the wire: edits to the bytes one direction has in flight (not
// yet delivered). A fault addresses either a byte offset in flight or a
// record in flight, chosen by a RecordSelector, and is applied with
// Wire::Apply, which says what it did in one line for the trace.
//
//   wire::FaultResult r;
//   wire.Apply(wire::Side::kServer,
//              wire::fault::Drop{wire::RecordSelector::Handshake(11)}, &r);
//   // r.description == "dropped record 2 (handshake 822: Certificate)"
//
// Record numbering: records in flight are framed from the next record
// boundary. When a record is partly delivered already, the bytes that finish
// it come first in the queue; they are "record 0" and cannot be selected.
// Record 1 is the first record that starts in flight. The last record may be
// only partly in flight (its writer has not written the rest yet, or the
// queue was truncated).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/wire/record.h"

namespace tlsim::wire {

// One record touched by the bytes in flight, as the receiver will frame it.
struct RecordSpan {
  size_t index = 0;       // 0: the rest of a partly delivered record; 1, 2 ...
  size_t offset = 0;      // in the queue, of its first byte in flight
  size_t in_flight = 0;   // its bytes in flight
  size_t first = 0;       // offset in the record of its first byte in flight
  int content_type = -1;  // -1: not even the type byte is in flight
  bool header_complete = false;
  size_t total = 0;       // header + body length, once the header is known
  bool complete = false;  // its last byte is in flight
  bool encrypted = false;
  // Plaintext handshake messages whose last byte is in this record.
  std::vector<int> handshake_types;
  bool hello_retry = false;
};

// The spans of the bytes a RecordStream was fed, from its notes.
std::vector<RecordSpan> SpansFromNotes(const std::vector<RecordNote>& notes);

// Which record in flight a fault addresses.
struct RecordSelector {
  enum class Kind {
    kIndex,      // the Nth record in flight (1-based)
    kHandshake,  // the first plaintext record carrying a handshake message
                 // of that type (the record its last byte is in)
    kTypeIndex,  // the Nth record in flight of that content type (1-based);
                 // how TLS 1.3 encrypted records are addressed
  };
  Kind kind = Kind::kIndex;
  size_t index = 1;        // kIndex, kTypeIndex
  int handshake_type = 0;  // kHandshake
  int content_type = 0;    // kTypeIndex

  static RecordSelector Index(size_t n) { return {Kind::kIndex, n, 0, 0}; }
  static RecordSelector Handshake(int type) {
    return {Kind::kHandshake, 0, type, 0};
  }
  static RecordSelector TypeIndex(int content_type, size_t n) {
    return {Kind::kTypeIndex, n, 0, content_type};
  }
};

enum class HeaderField { kType, kVersion, kLength };

inline constexpr int kAlertLevelWarning = 1;
inline constexpr int kAlertLevelFatal = 2;

// The operations. Every record operation except XorInRecord and SetField
// needs the record wholly in flight.
namespace fault {

// Removes the record.
struct Drop {
  RecordSelector record;
};
// Inserts a copy of the record right after it.
struct Duplicate {
  RecordSelector record;
};
// Exchanges two records; what lies between them stays.
struct Swap {
  RecordSelector a;
  RecordSelector b;
};
// Keeps the first `keep` bytes in flight and drops the rest.
struct Truncate {
  size_t keep = 0;
};
// Keeps the first `keep` bytes of the record, header included, and drops the
// rest of it. The length field is not changed, so the receiver sees a short
// record followed by the next one.
struct Cut {
  RecordSelector record;
  size_t keep = 0;
};
// XORs the byte at `offset` in flight with `mask`.
struct XorByte {
  size_t offset = 0;
  uint8_t mask = 0;
};
// XORs the byte at `offset` in the record (0 is its first header byte).
struct XorInRecord {
  RecordSelector record;
  size_t offset = 0;
  uint8_t mask = 0;
};
// Overwrites a header field: type (1 byte), version or length (2 bytes,
// big-endian). The header must be wholly in flight.
struct SetField {
  RecordSelector record;
  HeaderField field = HeaderField::kType;
  unsigned value = 0;
};
// Appends bytes given in hex ("16 03 03 00 02 02 28"; spaces, tabs and ':'
// between bytes are ignored) at the end of what is in flight.
struct InjectBytes {
  std::string hex;
};
// Appends a plaintext alert record: 21, version 0x0303, length 2, level,
// description.
struct InjectAlert {
  int level = kAlertLevelFatal;
  int description = 0;
};
// Closes the direction: the receiver reads EOF after what it was given and
// what is in flight is dropped. To close in the middle of a record, deliver
// part of it first.
struct Close {};

}  // namespace fault

using Fault =
    std::variant<fault::Drop, fault::Duplicate, fault::Swap, fault::Truncate,
                 fault::Cut, fault::XorByte, fault::XorInRecord,
                 fault::SetField, fault::InjectBytes, fault::InjectAlert,
                 fault::Close>;

// What applying a fault did.
struct FaultResult {
  bool ok = false;
  std::string error;        // why nothing changed, when !ok
  std::string description;  // one line for the trace, when ok
  size_t in_flight = 0;     // bytes in flight afterwards
};

// Applies every fault but Close to `queue`, framed as `spans`. On failure
// fills out_result->error, leaves `queue` as it was and returns false.
// `closed`: the direction is closed (injecting is refused).
bool ApplyToQueue(const Fault& fault, const std::vector<RecordSpan>& spans,
                  bool closed, std::string* queue, FaultResult* out_result);

// Bytes from hex; nullopt and *out_error when the text is not hex.
std::optional<std::string> ParseHex(std::string_view hex,
                                    std::string* out_error);

// The 7 bytes of a plaintext alert record.
std::string AlertRecord(int level, int description);

}  // namespace tlsim::wire
