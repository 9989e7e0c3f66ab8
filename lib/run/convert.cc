#include "lib/run/convert.h"

namespace tlsim::run {

using scenario::Amount;

wire::Amount ToWire(const Amount& a) {
  switch (a.kind) {
    case Amount::Kind::kBytes:
      return wire::Amount::Bytes(static_cast<size_t>(a.bytes));
    case Amount::Kind::kRecord:
      return wire::Amount::Record();
    case Amount::Kind::kAll:
      return wire::Amount::All();
  }
  return wire::Amount::All();
}

wire::RecordSelector ToWire(const scenario::RecordSelector& s) {
  switch (s.kind) {
    case scenario::RecordSelector::Kind::kIndex:
      return wire::RecordSelector::Index(static_cast<size_t>(s.index));
    case scenario::RecordSelector::Kind::kHandshake:
      return wire::RecordSelector::Handshake(s.type);
    case scenario::RecordSelector::Kind::kTypeIndex:
      return wire::RecordSelector::TypeIndex(s.type,
                                             static_cast<size_t>(s.index));
  }
  return wire::RecordSelector::Index(1);
}

wire::Fault ToWire(const scenario::FaultStep& f) {
  using Kind = scenario::FaultStep::Kind;
  auto count = static_cast<size_t>(f.count);
  switch (f.kind) {
    case Kind::kDrop:
      return wire::fault::Drop{ToWire(*f.record)};
    case Kind::kDuplicate:
      return wire::fault::Duplicate{ToWire(*f.record)};
    case Kind::kSwap:
      return wire::fault::Swap{ToWire(*f.record), ToWire(*f.other)};
    case Kind::kTruncate:
      return wire::fault::Truncate{count};
    case Kind::kCut:
      return wire::fault::Cut{ToWire(*f.record), count};
    case Kind::kXor:
      if (!f.record) {
        return wire::fault::XorByte{static_cast<size_t>(f.offset),
                                    static_cast<uint8_t>(f.mask)};
      }
      return wire::fault::XorInRecord{ToWire(*f.record),
                                      static_cast<size_t>(f.offset),
                                      static_cast<uint8_t>(f.mask)};
    case Kind::kSetField: {
      wire::HeaderField field =
          f.field == scenario::FaultStep::Field::kType
              ? wire::HeaderField::kType
          : f.field == scenario::FaultStep::Field::kVersion
              ? wire::HeaderField::kVersion
              : wire::HeaderField::kLength;
      return wire::fault::SetField{ToWire(*f.record), field,
                                   static_cast<unsigned>(f.value)};
    }
    case Kind::kInjectHex:
      return wire::fault::InjectBytes{f.hex};
    case Kind::kInjectAlert:
      return wire::fault::InjectAlert{static_cast<int>(*f.alert.level),
                                      f.alert.description};
  }
  return wire::fault::Truncate{0};
}

}  // namespace tlsim::run
