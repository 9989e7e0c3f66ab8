// The wire on hand-made byte streams: record framing, partial and record
// deliveries, buffer limits, EOF.
#include "lib/wire/wire.h"

#include <openssl/bio.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "lib/wire/link.h"
#include "lib/wire/record.h"
#include "tests/wire_bytes.h"

namespace tlsim::wire {
namespace {

using testing::Message;
using testing::ReadSslSide;
using testing::Record;
using testing::WriteSslSide;

TEST_CASE("a record stream names the handshake messages a record carries",
          "[wire]") {
  Negotiated n;
  RecordStream stream(&n);
  std::string flight = Record(22, Message(2, std::string(38, 'a')) +
                                      Message(11, "cert") + Message(14, ""));
  std::vector<RecordNote> notes = stream.Feed(flight);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].complete);
  CHECK(notes[0].first == 0);
  CHECK(notes[0].count == flight.size());
  CHECK(notes[0].handshake_types == std::vector<int>{2, 11, 14});
  CHECK_FALSE(notes[0].encrypted);
}

TEST_CASE("a record fed in pieces is reported piece by piece", "[wire]") {
  Negotiated n;
  RecordStream stream(&n);
  std::string r = Record(22, Message(1, std::string(20, 'x')));
  std::vector<RecordNote> a = stream.Feed(r.substr(0, 3));
  REQUIRE(a.size() == 1);
  CHECK_FALSE(a[0].header_complete);
  CHECK(a[0].content_type == 22);
  CHECK(stream.BytesToRecordEnd(r.substr(3)) == r.size() - 3);
  std::vector<RecordNote> b = stream.Feed(r.substr(3, 10));
  REQUIRE(b.size() == 1);
  CHECK(b[0].header_complete);
  CHECK(b[0].first == 3);
  CHECK(b[0].count == 10);
  CHECK_FALSE(b[0].complete);
  CHECK(b[0].handshake_types.empty());
  CHECK(stream.BytesToRecordEnd("") == r.size() - 13);
  std::vector<RecordNote> c = stream.Feed(r.substr(13));
  REQUIRE(c.size() == 1);
  CHECK(c[0].complete);
  CHECK(c[0].handshake_types == std::vector<int>{1});
  CHECK(stream.at_boundary());
  CHECK(stream.position() == r.size());
}

TEST_CASE("after a TLS 1.2 ChangeCipherSpec, handshake records are encrypted",
          "[wire]") {
  Negotiated n;
  RecordStream stream(&n);
  std::vector<RecordNote> notes =
      stream.Feed(Record(20, "\x01") + Record(22, std::string(40, 'e')));
  REQUIRE(notes.size() == 2);
  CHECK_FALSE(notes[0].encrypted);
  CHECK(notes[1].encrypted);
  CHECK(notes[1].handshake_types.empty());
}

TEST_CASE("a plaintext alert record is decoded", "[wire]") {
  Negotiated n;
  RecordStream stream(&n);
  std::vector<RecordNote> notes = stream.Feed(Record(21, "\x02\x28"));
  REQUIRE(notes.size() == 1);
  REQUIRE(notes[0].alert.has_value());
  CHECK(notes[0].alert->first == 2);
  CHECK(notes[0].alert->second == 40);
}

TEST_CASE("the HelloRetryRequest random is recognised", "[wire]") {
  Negotiated n;
  RecordStream stream(&n);
  std::string random(
      "\xCF\x21\xAD\x74\xE5\x9A\x61\x11\xBE\x1D\x8C\x02\x1E\x65\xB8\x91"
      "\xC2\xA2\x11\x16\x7A\xBB\x8C\x5E\x07\x9E\x09\xE2\xC8\xA8\x33\x9C",
      32);
  // legacy_version, random, empty session id, cipher, compression,
  // extensions: supported_versions = 0x0304.
  std::string body =
      std::string("\x03\x03", 2) + random +
      std::string("\x00\x13\x01\x00\x00\x06\x00\x2b\x00\x02\x03\x04", 12);
  std::vector<RecordNote> notes = stream.Feed(Record(22, Message(2, body)));
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].hello_retry);
  CHECK(n.tls13);
}

TEST_CASE("bytes reach the peer only when delivered", "[wire]") {
  Link client(0), server(0);
  Wire wire(&client, &server);
  std::string r1 = Record(22, Message(1, "hello"));
  std::string r2 = Record(23, "secret");
  WriteSslSide(client, r1 + r2);
  wire.Collect();
  CHECK(wire.InFlight(Side::kClient) == r1.size() + r2.size());
  CHECK(ReadSslSide(server).empty());

  Delivery d = wire.Deliver(Side::kClient, Amount::Bytes(3));
  CHECK(d.ok);
  CHECK(d.delivered == 3);
  CHECK(ReadSslSide(server) == r1.substr(0, 3));

  d = wire.Deliver(Side::kClient, Amount::Record());
  CHECK(d.ok);
  CHECK(d.delivered == r1.size() - 3);  // the rest of the first record
  REQUIRE(d.records.size() == 1);
  CHECK(d.records[0].complete);
  CHECK(d.records[0].handshake_types == std::vector<int>{1});

  d = wire.Deliver(Side::kClient, Amount::Record());
  CHECK(d.delivered == r2.size());
  CHECK(wire.InFlight(Side::kClient) == 0);
  CHECK(wire.delivered_total(Side::kClient) == r1.size() + r2.size());
}

TEST_CASE("asking for more bytes or records than are in flight is an error",
          "[wire]") {
  Link client(0), server(0);
  Wire wire(&client, &server);
  Delivery d = wire.Deliver(Side::kServer, Amount::Record());
  CHECK_FALSE(d.ok);
  CHECK(d.error == "no record in flight");

  WriteSslSide(server, Record(22, "abcdef").substr(0, 7));
  wire.Collect();
  d = wire.Deliver(Side::kServer, Amount::Bytes(8));
  CHECK_FALSE(d.ok);
  CHECK(d.error == "asked for 8 bytes, only 7 in flight");
  d = wire.Deliver(Side::kServer, Amount::Record());
  CHECK_FALSE(d.ok);
  CHECK(d.error == "no whole record in flight (7 bytes, 11 needed)");
  CHECK(wire.InFlight(Side::kServer) == 7);  // nothing moved

  d = wire.Deliver(Side::kServer, Amount::All());
  CHECK(d.ok);
  CHECK(d.delivered == 7);
}

TEST_CASE("a small receive buffer takes only what fits", "[wire]") {
  Link client(0), server(16);
  Wire wire(&client, &server);
  WriteSslSide(client, std::string(40, 'z'));
  wire.Collect();
  Delivery d = wire.Deliver(Side::kClient, Amount::All());
  CHECK(d.ok);
  CHECK(d.requested == 40);
  CHECK(d.delivered == 16);
  CHECK(wire.InFlight(Side::kClient) == 24);
  CHECK(ReadSslSide(server).size() == 16);
  d = wire.Deliver(Side::kClient, Amount::All());
  CHECK(d.delivered == 16);
}

TEST_CASE("closing a direction gives the reader EOF after delivered bytes",
          "[wire]") {
  Link client(0), server(0);
  Wire wire(&client, &server);
  WriteSslSide(server, "abcdefgh");
  wire.Collect();
  REQUIRE(wire.Deliver(Side::kServer, Amount::Bytes(3)).delivered == 3);
  CHECK(wire.Close(Side::kServer) == 5);  // the rest is lost
  CHECK(wire.closed(Side::kServer));
  CHECK(ReadSslSide(client) == "abc");
  char c;
  CHECK(BIO_read(client.ssl_bio(), &c, 1) == 0);  // EOF, not "retry"
  CHECK_FALSE(BIO_should_retry(client.ssl_bio()));

  Delivery d = wire.Deliver(Side::kServer, Amount::All());
  CHECK(d.ok);  // nothing in flight, nothing to refuse
  WriteSslSide(server, "more");
  wire.Collect();
  // Written after the close: taken, counted as sent, lost, never in flight.
  CHECK(wire.InFlight(Side::kServer) == 0);
  CHECK(wire.lost(Side::kServer) == 4);
  CHECK(wire.sent_total(Side::kServer) == 12);
  d = wire.Deliver(Side::kServer, Amount::All());
  CHECK_FALSE(d.ok);
  CHECK(d.error == "the direction is closed");
}

TEST_CASE("an open direction with nothing delivered asks the reader to retry",
          "[wire]") {
  Link client(0), server(0);
  char c;
  CHECK(BIO_read(client.ssl_bio(), &c, 1) <= 0);
  CHECK(BIO_should_retry(client.ssl_bio()));
}

TEST_CASE("send and receive buffers are sized apart", "[wire]") {
  Link link(/*send_buffer=*/32, /*recv_buffer=*/8, /*socket_bio=*/false);
  REQUIRE(link.ok());
  CHECK(link.send_buffer() == 32);
  CHECK(link.recv_buffer() == 8);
  std::string big(40, 'a');
  CHECK(BIO_write(link.ssl_bio(), big.data(), 40) == 32);  // the send side
  CHECK(link.Held() == 32);
  CHECK(link.Feed(big) == 8);  // the receive side
  CHECK(link.Unread() == 8);
  CHECK(link.DiscardUnread() == 8);
  CHECK(link.Unread() == 0);
  Link both(16);  // the one-size form: both ways
  CHECK(both.send_buffer() == 16);
  CHECK(both.recv_buffer() == 16);
}

TEST_CASE("a capacity keeps the rest in the sender's BIO pair", "[wire]") {
  Link client(0), server(0);
  Wire wire(&client, &server);
  wire.SetCapacity(Side::kClient, 10);
  WriteSslSide(client, std::string(25, 'c'));
  wire.Collect();
  CHECK(wire.InFlight(Side::kClient) == 10);
  CHECK(wire.Held(Side::kClient) == 15);
  CHECK(wire.sent_total(Side::kClient) == 10);  // what the network took
  wire.Collect();  // no room: nothing more is taken
  CHECK(wire.Held(Side::kClient) == 15);
  Delivery d = wire.Deliver(Side::kClient, Amount::Bytes(4));
  CHECK(d.delivered == 4);
  // The room the delivery freed is taken at once.
  CHECK(wire.InFlight(Side::kClient) == 10);
  CHECK(wire.Held(Side::kClient) == 11);
  CHECK(wire.Unread(Side::kClient) == 4);
  CHECK(ReadSslSide(server) == "cccc");
  CHECK(wire.Unread(Side::kClient) == 0);
  // Unlimited the other way, as by default.
  WriteSslSide(server, std::string(25, 's'));
  wire.Collect();
  CHECK(wire.InFlight(Side::kServer) == 25);
  CHECK(wire.Held(Side::kServer) == 0);
}

TEST_CASE("a full BIO pair refuses the SSL's writes until a delivery",
          "[wire]") {
  Link client(/*send_buffer=*/8, 0, false), server(/*send_buffer=*/0, 4, false);
  Wire wire(&client, &server);
  wire.SetCapacity(Side::kClient, 4);
  std::string data(20, 'x');
  CHECK(BIO_write(client.ssl_bio(), data.data(), 20) == 8);
  wire.Collect();
  CHECK(BIO_write(client.ssl_bio(), data.data(), 20) == 4);
  CHECK(BIO_write(client.ssl_bio(), data.data(), 20) <= 0);
  CHECK(BIO_should_write(client.ssl_bio()));
  CHECK(wire.Deliver(Side::kClient, Amount::All()).delivered == 4);
  // The server's buffer is full now: the network moves nothing more.
  CHECK(wire.Deliver(Side::kClient, Amount::All()).delivered == 0);
  CHECK(wire.Held(Side::kClient) == 4);
  CHECK(wire.InFlight(Side::kClient) == 4);
  CHECK(wire.Unread(Side::kClient) == 4);
}

TEST_CASE("a reset discards and fails reads with ECONNRESET, writes EPIPE",
          "[wire]") {
  Link client(0, 0, /*socket_bio=*/true), server(0, 0, /*socket_bio=*/true);
  REQUIRE(client.socket() != nullptr);
  Wire wire(&client, &server);
  WriteSslSide(client, "abcdefgh");
  wire.Collect();
  REQUIRE(wire.Deliver(Side::kClient, Amount::Bytes(3)).delivered == 3);
  Wire::ResetResult r = wire.Reset(Side::kClient);
  CHECK(r.dropped == 5);
  CHECK(r.discarded == 3);
  CHECK(wire.reset(Side::kClient));
  CHECK(wire.InFlight(Side::kClient) == 0);
  CHECK(wire.Unread(Side::kClient) == 0);

  char c;
  errno = 0;
  CHECK(BIO_read(server.ssl_bio(), &c, 1) == -1);
  CHECK(errno == ECONNRESET);
  CHECK_FALSE(BIO_should_retry(server.ssl_bio()));
  CHECK(BIO_eof(server.ssl_bio()) == 0);  // not an EOF
  CHECK(server.socket()->failed_errno == ECONNRESET);
  CHECK(BIO_write(server.ssl_bio(), "x", 1) == -1);  // the peer is gone
  CHECK(errno == EPIPE);
  CHECK(BIO_write(client.ssl_bio(), "x", 1) == -1);  // so is its socket
  CHECK(errno == EPIPE);
  // The client still reads what the server sent before.
  CHECK(client.socket()->read_errno == 0);
}

TEST_CASE("the socket BIO passes everything through until told to fail",
          "[wire]") {
  Link client(0, 0, /*socket_bio=*/true), server(0, 0, /*socket_bio=*/true);
  Wire wire(&client, &server);
  WriteSslSide(client, "hello");
  wire.Collect();
  CHECK(wire.Deliver(Side::kClient, Amount::All()).delivered == 5);
  CHECK(BIO_pending(server.ssl_bio()) == 5);
  CHECK(ReadSslSide(server) == "hello");
  char c;
  CHECK(BIO_read(server.ssl_bio(), &c, 1) <= 0);
  CHECK(BIO_should_retry(server.ssl_bio()));
  CHECK(BIO_should_read(server.ssl_bio()));
  CHECK(server.socket()->failed_errno == 0);
  wire.Close(Side::kClient);
  CHECK(BIO_read(server.ssl_bio(), &c, 1) == 0);  // EOF comes through
  CHECK(BIO_eof(server.ssl_bio()) == 1);
  CHECK(ErrnoName(ECONNRESET) == std::string("ECONNRESET"));
  CHECK(ErrnoValue("EPIPE") == EPIPE);
  CHECK(ErrnoName(0) == nullptr);
}

}  // namespace
}  // namespace tlsim::wire
