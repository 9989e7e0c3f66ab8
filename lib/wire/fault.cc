#include "lib/wire/fault.h"

#include <cstdio>
#include <utility>

#include "lib/proto/names.h"

namespace tlsim::wire {
namespace {

constexpr size_t kHexEchoBytes = 32;  // injected bytes echoed in the trace

std::string Plural(size_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

std::string Hex(unsigned value, int digits) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%0*x", digits, value);
  return text;
}

// "handshake 122: ServerHello", "application_data 53",
// "handshake 45, encrypted".
std::string Summary(const RecordSpan& span) {
  std::string out = proto::ContentTypeText(span.content_type) + " " +
                    std::to_string(span.total);
  if (span.encrypted && span.content_type != kContentApplicationData) {
    out += ", encrypted";
  }
  for (size_t i = 0; i < span.handshake_types.size(); ++i) {
    int type = span.handshake_types[i];
    out += i == 0 ? ": " : ", ";
    out += type == kHandshakeServerHello && span.hello_retry
               ? "HelloRetryRequest"
               : proto::HandshakeTypeText(type);
  }
  return out;
}

std::string Label(const RecordSpan& span) {
  return "record " + std::to_string(span.index) + " (" + Summary(span) + ")";
}

// Which records the parts of an edit belong to, for the trace:
// "record 1 offset 35".
std::string Place(const std::vector<RecordSpan>& spans, size_t at) {
  for (const RecordSpan& span : spans) {
    if (at < span.offset || at >= span.offset + span.in_flight) continue;
    size_t in_record = span.first + (at - span.offset);
    if (span.index == 0) {
      return "partly delivered record offset " + std::to_string(in_record);
    }
    return "record " + std::to_string(span.index) + " offset " +
           std::to_string(in_record);
  }
  return "no record";  // unreachable: the spans cover the queue
}

// Applies one fault to a copy of a queue; each operator() returns true after
// filling result_->description or false after filling result_->error.
class Applier {
 public:
  Applier(const std::vector<RecordSpan>& spans, bool closed, std::string queue,
          FaultResult* result)
      : spans_(spans),
        closed_(closed),
        queue_(std::move(queue)),
        result_(result) {}

  // The queue after a successful operation.
  const std::string& edited() const { return queue_; }

  bool operator()(const fault::Drop& f) {
    const RecordSpan* r = SelectWhole(f.record);
    if (r == nullptr) return false;
    queue_.erase(r->offset, r->total);
    return Done("dropped " + Label(*r));
  }

  bool operator()(const fault::Duplicate& f) {
    const RecordSpan* r = SelectWhole(f.record);
    if (r == nullptr) return false;
    queue_.insert(r->offset + r->total, queue_.substr(r->offset, r->total));
    return Done("duplicated " + Label(*r));
  }

  bool operator()(const fault::Swap& f) {
    const RecordSpan* a = SelectWhole(f.a);
    if (a == nullptr) return false;
    const RecordSpan* b = SelectWhole(f.b);
    if (b == nullptr) return false;
    if (a == b) {
      return Error("cannot swap record " + std::to_string(a->index) +
                   " with itself");
    }
    if (b->offset < a->offset) std::swap(a, b);
    std::string first = queue_.substr(a->offset, a->total);
    std::string second = queue_.substr(b->offset, b->total);
    size_t between = a->offset + a->total;
    queue_ = queue_.substr(0, a->offset) + second +
             queue_.substr(between, b->offset - between) + first +
             queue_.substr(b->offset + b->total);
    return Done("swapped " + Label(*a) + " and " + Label(*b));
  }

  bool operator()(const fault::Truncate& f) {
    if (f.keep > queue_.size()) {
      return Error("cannot truncate to " + Plural(f.keep, "byte") + ": only " +
                   std::to_string(queue_.size()) + " in flight");
    }
    size_t dropped = queue_.size() - f.keep;
    queue_.resize(f.keep);
    return Done("truncated to " + Plural(f.keep, "byte") +
                " in flight (dropped " + std::to_string(dropped) + ")");
  }

  bool operator()(const fault::Cut& f) {
    const RecordSpan* r = SelectWhole(f.record);
    if (r == nullptr) return false;
    if (f.keep >= r->total) {
      return Error("cannot cut record " + std::to_string(r->index) + " to " +
                   Plural(f.keep, "byte") + ": it has " +
                   std::to_string(r->total));
    }
    size_t dropped = r->total - f.keep;
    queue_.erase(r->offset + f.keep, dropped);
    return Done("cut " + Label(*r) + " to " + Plural(f.keep, "byte") +
                " (dropped " + std::to_string(dropped) + ")");
  }

  bool operator()(const fault::XorByte& f) {
    if (f.offset >= queue_.size()) {
      return Error("offset " + std::to_string(f.offset) + " is past the " +
                   Plural(queue_.size(), "byte") + " in flight");
    }
    return Xor(f.offset, f.mask);
  }

  bool operator()(const fault::XorInRecord& f) {
    const RecordSpan* r = Select(f.record);
    if (r == nullptr) return false;
    if (f.offset >= r->in_flight) {
      return Error("offset " + std::to_string(f.offset) + " is past the " +
                   Plural(r->in_flight, "byte") + " of record " +
                   std::to_string(r->index) + " in flight");
    }
    return Xor(r->offset + f.offset, f.mask);
  }

  bool operator()(const fault::SetField& f) {
    const RecordSpan* r = Select(f.record);
    if (r == nullptr) return false;
    if (!r->header_complete) {
      return Error("the header of record " + std::to_string(r->index) +
                   " is not wholly in flight");
    }
    const char* name = "type";
    size_t at = 0;
    int width = 1;
    switch (f.field) {
      case HeaderField::kType:
        break;
      case HeaderField::kVersion:
        name = "version";
        at = 1;
        width = 2;
        break;
      case HeaderField::kLength:
        name = "length";
        at = 3;
        width = 2;
        break;
    }
    if (f.value >= (1u << (8 * width))) {
      return Error("value " + std::to_string(f.value) + " does not fit the " +
                   std::to_string(width) + "-byte " + name + " field");
    }
    char* p = queue_.data() + r->offset + at;
    unsigned was = static_cast<unsigned char>(p[0]);
    if (width == 2) {
      was = (was << 8) | static_cast<unsigned char>(p[1]);
      p[0] = static_cast<char>(f.value >> 8);
      p[1] = static_cast<char>(f.value & 0xff);
    } else {
      p[0] = static_cast<char>(f.value);
    }
    auto show = [&](unsigned v) {
      return f.field == HeaderField::kVersion ? Hex(v, 4) : std::to_string(v);
    };
    return Done("set the " + std::string(name) + " of " + Label(*r) + " to " +
                show(f.value) + " (was " + show(was) + ")");
  }

  bool operator()(const fault::InjectBytes& f) {
    if (closed_) return Error("cannot inject: the direction is closed");
    std::string error;
    std::optional<std::string> bytes = ParseHex(f.hex, &error);
    if (!bytes.has_value()) {
      return Error("bad hex \"" + f.hex + "\": " + error);
    }
    std::string echo;
    for (size_t i = 0; i < bytes->size() && i < kHexEchoBytes; ++i) {
      echo += Hex(static_cast<unsigned char>((*bytes)[i]), 2).substr(2);
    }
    if (bytes->size() > kHexEchoBytes) echo += "...";
    size_t at = queue_.size();
    queue_ += *bytes;
    return Done("injected " + Plural(bytes->size(), "byte") + " at byte " +
                std::to_string(at) + " (" + echo + ")");
  }

  bool operator()(const fault::InjectAlert& f) {
    if (closed_) return Error("cannot inject: the direction is closed");
    if (f.level < 0 || f.level > 255) {
      return Error("alert level " + std::to_string(f.level) +
                   " does not fit a byte");
    }
    if (f.description < 0 || f.description > 255) {
      return Error("alert description " + std::to_string(f.description) +
                   " does not fit a byte");
    }
    std::string record = AlertRecord(f.level, f.description);
    queue_ += record;
    return Done("injected alert " + proto::AlertLevelText(f.level) + ":" +
                proto::AlertDescriptionText(f.description) + " (" +
                Plural(record.size(), "byte") + ")");
  }

  bool operator()(const fault::Close&) {
    return Error("closing is done by the Wire");
  }

 private:
  bool Error(std::string text) {
    result_->ok = false;
    result_->error = std::move(text);
    return false;
  }

  bool Done(std::string description) {
    result_->ok = true;
    result_->description = std::move(description);
    return true;
  }

  bool Xor(size_t at, uint8_t mask) {
    queue_[at] = static_cast<char>(queue_[at] ^ mask);
    return Done("xor " + Hex(mask, 2) + " at byte " + std::to_string(at) +
                " (" + Place(spans_, at) + ")");
  }

  // The selected record, or nullptr after Error().
  const RecordSpan* Select(const RecordSelector& sel) {
    size_t records = 0;
    size_t of_type = 0;
    for (const RecordSpan& span : spans_) {
      if (span.index == 0) continue;
      ++records;
      switch (sel.kind) {
        case RecordSelector::Kind::kIndex:
          if (span.index == sel.index) return &span;
          break;
        case RecordSelector::Kind::kHandshake:
          for (int type : span.handshake_types) {
            if (type == sel.handshake_type) return &span;
          }
          break;
        case RecordSelector::Kind::kTypeIndex:
          if (span.content_type == sel.content_type && ++of_type == sel.index) {
            return &span;
          }
          break;
      }
    }
    switch (sel.kind) {
      case RecordSelector::Kind::kIndex:
        if (sel.index == 0) return Fail("records are numbered from 1");
        return Fail("no record " + std::to_string(sel.index) + " in flight (" +
                    Plural(records, "record") + ")");
      case RecordSelector::Kind::kHandshake:
        return Fail("no record carrying " +
                    proto::HandshakeTypeText(sel.handshake_type) +
                    " in flight");
      case RecordSelector::Kind::kTypeIndex: {
        if (sel.index == 0) return Fail("records are numbered from 1");
        std::string type = proto::ContentTypeText(sel.content_type);
        return Fail("no " + type + " record " + std::to_string(sel.index) +
                    " in flight (" + Plural(of_type, type + " record") + ")");
      }
    }
    return nullptr;
  }

  // The selected record if it is wholly in flight, or nullptr after Error().
  const RecordSpan* SelectWhole(const RecordSelector& sel) {
    const RecordSpan* r = Select(sel);
    if (r == nullptr || r->complete) return r;
    std::string have =
        r->header_complete
            ? std::to_string(r->in_flight) + " of " + std::to_string(r->total) +
                  " bytes"
            : Plural(r->in_flight, "byte") + ", header incomplete";
    return Fail("record " + std::to_string(r->index) +
                " is not wholly in flight (" + have + ")");
  }

  const RecordSpan* Fail(std::string text) {
    Error(std::move(text));
    return nullptr;
  }

  const std::vector<RecordSpan>& spans_;
  bool closed_;
  std::string queue_;  // the edited copy
  FaultResult* result_;
};

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<RecordSpan> SpansFromNotes(const std::vector<RecordNote>& notes) {
  std::vector<RecordSpan> spans;
  size_t offset = 0;
  size_t index = 1;
  for (const RecordNote& note : notes) {
    RecordSpan span;
    span.index = note.first == 0 ? index++ : 0;
    span.offset = offset;
    span.in_flight = note.count;
    span.first = note.first;
    span.content_type = note.content_type;
    span.header_complete = note.header_complete;
    span.total = note.header_complete ? note.total() : 0;
    span.complete = note.complete;
    span.encrypted = note.encrypted;
    span.handshake_types = note.handshake_types;
    span.hello_retry = note.hello_retry;
    offset += note.count;
    spans.push_back(std::move(span));
  }
  return spans;
}

bool ApplyToQueue(const Fault& fault, const std::vector<RecordSpan>& spans,
                  bool closed, std::string* queue, FaultResult* out_result) {
  *out_result = FaultResult();
  Applier applier(spans, closed, *queue, out_result);
  if (std::visit(applier, fault)) *queue = applier.edited();
  out_result->in_flight = queue->size();
  return out_result->ok;
}

std::optional<std::string> ParseHex(std::string_view hex,
                                    std::string* out_error) {
  std::string bytes;
  int high = -1;  // the first digit of a byte, once read
  for (char c : hex) {
    if (c == ' ' || c == '\t' || c == ':') {
      if (high >= 0) {
        *out_error = "a byte needs two digits";
        return std::nullopt;
      }
      continue;
    }
    int digit = HexDigit(c);
    if (digit < 0) {
      *out_error = std::string("'") + c + "' is not a hex digit";
      return std::nullopt;
    }
    if (high < 0) {
      high = digit;
    } else {
      bytes += static_cast<char>(high << 4 | digit);
      high = -1;
    }
  }
  if (high >= 0) {
    *out_error = "a byte needs two digits";
    return std::nullopt;
  }
  if (bytes.empty()) {
    *out_error = "no bytes";
    return std::nullopt;
  }
  return bytes;
}

std::string AlertRecord(int level, int description) {
  std::string r;
  r += static_cast<char>(kContentAlert);
  r += '\x03';
  r += '\x03';
  r += '\x00';
  r += '\x02';
  r += static_cast<char>(level);
  r += static_cast<char>(description);
  return r;
}

}  // namespace tlsim::wire
