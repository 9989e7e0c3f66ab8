// Wire faults on hand-made byte streams: each operation, the three record
// selectors, record numbering when the queue starts mid-record, and the
// errors for what is not in flight.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "lib/wire/fault.h"
#include "lib/wire/link.h"
#include "lib/wire/record.h"
#include "lib/wire/wire.h"
#include "tests/wire_bytes.h"

namespace tlsim::wire {
namespace {

using testing::Message;
using testing::ReadSslSide;
using testing::Record;
using testing::WriteSslSide;

// A ServerHello body: legacy_version, random, empty session id, cipher,
// compression, and supported_versions = 0x0304 when `tls13`.
std::string ServerHelloBody(const std::string& random, bool tls13) {
  std::string body =
      std::string("\x03\x03", 2) + random + std::string("\x00\x13\x01\x00", 4);
  if (tls13) body += std::string("\x00\x06\x00\x2b\x00\x02\x03\x04", 8);
  return body;
}

// A server flight of three plaintext handshake records: 47, 13 and 9 bytes.
const std::string kServerHello = Record(22, Message(2, std::string(38, 'a')));
const std::string kCertificate = Record(22, Message(11, "cert"));
const std::string kHelloDone = Record(22, Message(14, ""));
const std::string kFlight = kServerHello + kCertificate + kHelloDone;

// Both links and the wire, with `bytes` in flight from the server.
struct Fixture {
  Link client{0};
  Link server{0};
  Wire wire{&client, &server};

  explicit Fixture(const std::string& bytes) {
    WriteSslSide(server, bytes);
    wire.Collect();
  }

  FaultResult Apply(const Fault& fault) {
    FaultResult r;
    bool ok = wire.Apply(Side::kServer, fault, &r);
    CHECK(ok == r.ok);
    CHECK(r.in_flight == wire.InFlight(Side::kServer));
    return r;
  }

  // Everything in flight, as the client receives it.
  std::string Received() {
    Delivery d = wire.Deliver(Side::kServer, Amount::All());
    CHECK(d.ok);
    return ReadSslSide(client);
  }
};

TEST_CASE("the records in flight are framed from the next record boundary",
          "[wire][fault]") {
  Fixture f(kFlight);
  std::vector<RecordSpan> spans = f.wire.FrameInFlight(Side::kServer);
  REQUIRE(spans.size() == 3);
  CHECK(spans[0].index == 1);
  CHECK(spans[1].index == 2);
  CHECK(spans[1].offset == 47);
  CHECK(spans[1].total == 13);
  CHECK(spans[1].complete);
  CHECK(spans[1].handshake_types == std::vector<int>{11});

  REQUIRE(f.wire.Deliver(Side::kServer, Amount::Bytes(10)).ok);
  spans = f.wire.FrameInFlight(Side::kServer);
  REQUIRE(spans.size() == 3);
  CHECK(spans[0].index == 0);  // the rest of the ServerHello record
  CHECK(spans[0].first == 10);
  CHECK(spans[0].in_flight == 37);
  CHECK(spans[0].handshake_types == std::vector<int>{2});
  CHECK(spans[1].index == 1);
  CHECK(spans[1].offset == 37);
  CHECK(spans[2].index == 2);
}

TEST_CASE("dropping a record removes exactly its bytes", "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r = f.Apply(fault::Drop{RecordSelector::Handshake(11)});
  CHECK(r.ok);
  CHECK(r.description == "dropped record 2 (handshake 13: Certificate)");
  CHECK(r.in_flight == 56);
  CHECK(f.Received() == kServerHello + kHelloDone);
}

TEST_CASE("a duplicated record is followed by its copy", "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r = f.Apply(fault::Duplicate{RecordSelector::Index(1)});
  CHECK(r.ok);
  CHECK(r.description == "duplicated record 1 (handshake 47: ServerHello)");
  CHECK(f.Received() ==
        kServerHello + kServerHello + kCertificate + kHelloDone);
}

TEST_CASE("swapping two records leaves what is between them", "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r =
      f.Apply(fault::Swap{RecordSelector::Index(3), RecordSelector::Index(1)});
  CHECK(r.ok);
  CHECK(r.description ==
        "swapped record 1 (handshake 47: ServerHello) and record 3 "
        "(handshake 9: ServerHelloDone)");
  CHECK(f.Received() == kHelloDone + kCertificate + kServerHello);
}

TEST_CASE("a record cannot be swapped with itself", "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r = f.Apply(
      fault::Swap{RecordSelector::Index(2), RecordSelector::Handshake(11)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "cannot swap record 2 with itself");
  CHECK(f.Received() == kFlight);
}

TEST_CASE("truncating keeps the first bytes in flight", "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r = f.Apply(fault::Truncate{70});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "cannot truncate to 70 bytes: only 69 in flight");
  CHECK(r.in_flight == 69);

  r = f.Apply(fault::Truncate{50});
  CHECK(r.ok);
  CHECK(r.description == "truncated to 50 bytes in flight (dropped 19)");
  CHECK(f.Received() == kServerHello + kCertificate.substr(0, 3));
}

TEST_CASE("a cut record keeps its length field and is followed by the next",
          "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r = f.Apply(fault::Cut{RecordSelector::Index(2), 13});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "cannot cut record 2 to 13 bytes: it has 13");

  r = f.Apply(fault::Cut{RecordSelector::Index(2), 7});
  CHECK(r.ok);
  CHECK(r.description ==
        "cut record 2 (handshake 13: Certificate) to 7 bytes (dropped 6)");
  CHECK(f.Received() == kServerHello + kCertificate.substr(0, 7) + kHelloDone);
}

TEST_CASE("a byte is XORed at an offset in flight", "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r = f.Apply(fault::XorByte{69, 0x01});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "offset 69 is past the 69 bytes in flight");

  r = f.Apply(fault::XorByte{50, 0x01});
  CHECK(r.ok);
  CHECK(r.description == "xor 0x01 at byte 50 (record 2 offset 3)");
  std::string expected = kFlight;
  expected[50] ^= 0x01;
  CHECK(f.Received() == expected);
}

TEST_CASE("a byte is XORed at an offset in a record", "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r =
      f.Apply(fault::XorInRecord{RecordSelector::Handshake(14), 9, 0xff});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "offset 9 is past the 9 bytes of record 3 in flight");

  r = f.Apply(fault::XorInRecord{RecordSelector::Handshake(14), 5, 0xff});
  CHECK(r.ok);
  CHECK(r.description == "xor 0xff at byte 65 (record 3 offset 5)");
  std::string expected = kFlight;
  expected[65] ^= '\xff';
  CHECK(f.Received() == expected);
}

TEST_CASE("header fields are overwritten big-endian", "[wire][fault]") {
  Fixture f(kFlight);
  FaultResult r = f.Apply(
      fault::SetField{RecordSelector::Index(1), HeaderField::kType, 256});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "value 256 does not fit the 1-byte type field");
  r = f.Apply(
      fault::SetField{RecordSelector::Index(1), HeaderField::kLength, 70000});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "value 70000 does not fit the 2-byte length field");

  r = f.Apply(
      fault::SetField{RecordSelector::Index(1), HeaderField::kVersion, 0x0301});
  CHECK(r.ok);
  CHECK(r.description ==
        "set the version of record 1 (handshake 47: ServerHello) to 0x0301 "
        "(was 0x0303)");
  r = f.Apply(
      fault::SetField{RecordSelector::Index(2), HeaderField::kLength, 0x0110});
  CHECK(r.ok);
  CHECK(r.description ==
        "set the length of record 2 (handshake 13: Certificate) to 272 "
        "(was 8)");
  r = f.Apply(
      fault::SetField{RecordSelector::Index(1), HeaderField::kType, 23});
  CHECK(r.ok);
  CHECK(r.description ==
        "set the type of record 1 (handshake 47: ServerHello) to 23 (was 22)");

  std::string expected = kFlight;
  expected[0] = 23;
  expected[2] = 0x01;
  expected[47 + 3] = 0x01;
  expected[47 + 4] = 0x10;
  CHECK(f.Received() == expected);
}

TEST_CASE("bytes given in hex are injected at the end of what is in flight",
          "[wire][fault]") {
  Fixture f(kServerHello);
  FaultResult r = f.Apply(fault::InjectBytes{"16 0g"});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "bad hex \"16 0g\": 'g' is not a hex digit");
  r = f.Apply(fault::InjectBytes{"160"});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "bad hex \"160\": a byte needs two digits");
  r = f.Apply(fault::InjectBytes{"1 6"});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "bad hex \"1 6\": a byte needs two digits");
  r = f.Apply(fault::InjectBytes{""});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "bad hex \"\": no bytes");

  r = f.Apply(fault::InjectBytes{"15:03:03 00 02 01 00"});
  CHECK(r.ok);
  CHECK(r.description == "injected 7 bytes at byte 47 (15030300020100)");
  CHECK(f.Received() ==
        kServerHello + std::string("\x15\x03\x03\x00\x02\x01\x00", 7));
}

TEST_CASE("an injected alert reaches the receiver as a plaintext alert",
          "[wire][fault]") {
  Fixture f(kServerHello);
  FaultResult r = f.Apply(fault::InjectAlert{kAlertLevelFatal, 40});
  CHECK(r.ok);
  CHECK(r.description == "injected alert fatal:handshake_failure (7 bytes)");
  Delivery d = f.wire.Deliver(Side::kServer, Amount::All());
  REQUIRE(d.records.size() == 2);
  REQUIRE(d.records[1].alert.has_value());
  CHECK(d.records[1].alert->first == 2);
  CHECK(d.records[1].alert->second == 40);
  CHECK(ReadSslSide(f.client) ==
        kServerHello + std::string("\x15\x03\x03\x00\x02\x02\x28", 7));
}

TEST_CASE("records are selected by index within their content type",
          "[wire][fault]") {
  std::string ccs = Record(20, "\x01");
  std::string data1 = Record(23, std::string(20, 'x'));
  std::string data2 = Record(23, std::string(30, 'y'));
  Fixture f(ccs + data1 + data2);

  FaultResult r = f.Apply(fault::Drop{RecordSelector::TypeIndex(23, 3)});
  CHECK_FALSE(r.ok);
  CHECK(r.error ==
        "no application_data record 3 in flight (2 application_data "
        "records)");
  r = f.Apply(fault::Drop{RecordSelector::TypeIndex(23, 0)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "records are numbered from 1");

  r = f.Apply(fault::Drop{RecordSelector::TypeIndex(23, 2)});
  CHECK(r.ok);
  CHECK(r.description == "dropped record 3 (application_data 35)");
  CHECK(f.Received() == ccs + data1);
}

TEST_CASE("a selector that matches nothing is an error and changes nothing",
          "[wire][fault]") {
  Fixture f(kServerHello + kHelloDone);
  FaultResult r = f.Apply(fault::Drop{RecordSelector::Index(3)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "no record 3 in flight (2 records)");
  CHECK(r.in_flight == 56);
  r = f.Apply(fault::Cut{RecordSelector::Handshake(11), 3});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "no record carrying Certificate in flight");
  r = f.Apply(fault::Drop{RecordSelector::Index(0)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "records are numbered from 1");

  Fixture empty("");
  r = empty.Apply(fault::Duplicate{RecordSelector::Index(1)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "no record 1 in flight (0 records)");
  r = empty.Apply(fault::XorByte{0, 1});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "offset 0 is past the 0 bytes in flight");
  CHECK(f.Received() == kServerHello + kHelloDone);
}

TEST_CASE("after a TLS 1.2 ChangeCipherSpec no handshake type is matched",
          "[wire][fault]") {
  std::string finished = Record(22, Message(20, std::string(12, 'f')));
  Fixture f(Record(20, "\x01") + finished);
  FaultResult r = f.Apply(fault::Drop{RecordSelector::Handshake(20)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "no record carrying Finished in flight");
  r = f.Apply(fault::Drop{RecordSelector::TypeIndex(22, 1)});
  CHECK(r.ok);
  CHECK(r.description == "dropped record 2 (handshake 21, encrypted)");
}

TEST_CASE(
    "a TLS 1.3 ServerHello in flight keeps later handshake records "
    "plaintext, without telling the wire",
    "[wire][fault]") {
  std::string hello =
      Record(22, Message(2, ServerHelloBody(std::string(32, 'r'), true)));
  std::string ccs = Record(20, "\x01");
  std::string extensions = Record(22, Message(8, ""));
  Fixture f(hello + ccs + extensions);
  FaultResult r = f.Apply(fault::Drop{RecordSelector::Handshake(8)});
  CHECK(r.ok);
  CHECK(r.description == "dropped record 3 (handshake 9: EncryptedExtensions)");
  CHECK_FALSE(f.wire.negotiated().tls13);  // nothing delivered yet
  CHECK(f.Received() == hello + ccs);
  CHECK(f.wire.negotiated().tls13);
}

TEST_CASE("a HelloRetryRequest is named in descriptions", "[wire][fault]") {
  std::string random(
      "\xCF\x21\xAD\x74\xE5\x9A\x61\x11\xBE\x1D\x8C\x02\x1E\x65\xB8\x91"
      "\xC2\xA2\x11\x16\x7A\xBB\x8C\x5E\x07\x9E\x09\xE2\xC8\xA8\x33\x9C",
      32);
  Fixture f(Record(22, Message(2, ServerHelloBody(random, true))));
  FaultResult r = f.Apply(fault::Duplicate{RecordSelector::Handshake(2)});
  CHECK(r.ok);
  CHECK(r.description ==
        "duplicated record 1 (handshake 55: HelloRetryRequest)");
}

TEST_CASE("after a partial delivery, record 1 is the next whole record",
          "[wire][fault]") {
  Fixture f(kFlight);
  REQUIRE(f.wire.Deliver(Side::kServer, Amount::Bytes(10)).ok);
  CHECK(ReadSslSide(f.client) == kServerHello.substr(0, 10));

  FaultResult r = f.Apply(fault::XorByte{2, 0x80});
  CHECK(r.ok);
  CHECK(r.description ==
        "xor 0x80 at byte 2 (partly delivered record offset 12)");
  r = f.Apply(fault::Drop{RecordSelector::Index(1)});
  CHECK(r.ok);
  CHECK(r.description == "dropped record 1 (handshake 13: Certificate)");
  r = f.Apply(fault::Drop{RecordSelector::Index(2)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "no record 2 in flight (1 record)");
  r = f.Apply(fault::XorInRecord{RecordSelector::Index(1), 0, 0x01});
  CHECK(r.ok);
  CHECK(r.description == "xor 0x01 at byte 37 (record 1 offset 0)");

  std::string expected = kServerHello.substr(10) + kHelloDone;
  expected[2] ^= '\x80';
  expected[37] ^= 0x01;
  CHECK(f.Received() == expected);
}

TEST_CASE("a record only partly in flight cannot be moved or cut",
          "[wire][fault]") {
  Fixture f(kServerHello + kCertificate.substr(0, 3));
  FaultResult r = f.Apply(fault::Drop{RecordSelector::Index(2)});
  CHECK_FALSE(r.ok);
  CHECK(r.error ==
        "record 2 is not wholly in flight (3 bytes, header incomplete)");
  r = f.Apply(
      fault::SetField{RecordSelector::Index(2), HeaderField::kType, 21});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "the header of record 2 is not wholly in flight");
  r = f.Apply(fault::XorInRecord{RecordSelector::Index(2), 2, 0x02});
  CHECK(r.ok);
  CHECK(r.description == "xor 0x02 at byte 49 (record 2 offset 2)");

  WriteSslSide(f.server, kCertificate.substr(3, 5));
  f.wire.Collect();
  r = f.Apply(fault::Duplicate{RecordSelector::TypeIndex(22, 2)});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "record 2 is not wholly in flight (8 of 13 bytes)");
}

TEST_CASE(
    "closing in the middle of a record gives the reader its first part "
    "then EOF",
    "[wire][fault]") {
  Fixture f(kFlight);
  REQUIRE(f.wire.Deliver(Side::kServer, Amount::Bytes(20)).ok);
  FaultResult r = f.Apply(fault::Close{});
  CHECK(r.ok);
  CHECK(r.description == "closed the direction (dropped 49 bytes in flight)");
  CHECK(r.in_flight == 0);
  CHECK(f.wire.closed(Side::kServer));

  CHECK(ReadSslSide(f.client) == kServerHello.substr(0, 20));
  char c;
  CHECK(BIO_read(f.client.ssl_bio(), &c, 1) == 0);
  CHECK_FALSE(BIO_should_retry(f.client.ssl_bio()));

  r = f.Apply(fault::InjectAlert{kAlertLevelFatal, 40});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "cannot inject: the direction is closed");
  r = f.Apply(fault::InjectBytes{"00"});
  CHECK_FALSE(r.ok);
  CHECK(r.error == "cannot inject: the direction is closed");
}

TEST_CASE("an alert record is seven plaintext bytes", "[wire][fault]") {
  CHECK(AlertRecord(1, 0) == std::string("\x15\x03\x03\x00\x02\x01\x00", 7));
}

}  // namespace
}  // namespace tlsim::wire
