#include "lib/scenario/settings.h"

#include <string>
#include <variant>

#include "lib/scenario/overloaded.h"

namespace tlsim::scenario {
namespace {

using D = EndpointDecl;
using value::Enum;
using value::FailOnly;
using value::HostCerts;
using value::Integer;
using value::Names;
using value::OneOf;
using value::OnOff;
using value::OpensslList;
using value::OptionNames;
using value::Retry;
using value::Versions;
using value::Word;

constexpr int64_t kMaxBuffer = 1048576;
constexpr int64_t kMaxCapacity = 16777216;
constexpr int64_t kFragmentLengths[] = {512, 1024, 2048, 4096};  // RFC 6066
constexpr Named<VerifyMode> kVerifyModes[] = {
    {"none", VerifyMode::kNone},
    {"peer", VerifyMode::kPeer},
    {"require", VerifyMode::kRequire},
};
constexpr Named<ServernameAction> kServernameActions[] = {
    {"ok", ServernameAction::kOk},
    {"noack", ServernameAction::kNoAck},
    {"alert_warning", ServernameAction::kAlertWarning},
    {"alert_fatal", ServernameAction::kAlertFatal},
};

constexpr Sides kBoth = Sides::kBoth;
constexpr Sides kClient = Sides::kClient;
constexpr Sides kServer = Sides::kServer;

// clang-format off
constexpr SettingRow kSettings[] = {
  {"versions", kBoth, Versions{&D::versions},
   "protocol versions, one or a range min..max"},
  {"ciphersuites", kBoth, OpensslList{&D::ciphersuites, "a TLS 1.3 ciphersuite list"},
   "TLS 1.3 suites, colon list (SSL_CTX_set_ciphersuites)"},
  {"ciphers", kBoth, OpensslList{&D::ciphers, "a cipher list"},
   "TLS 1.2 cipher list (SSL_CTX_set_cipher_list)"},
  {"groups", kBoth, OpensslList{&D::groups, "a group list"},
   "key exchange groups, colon list (SSL_CTX_set1_groups_list)"},
  {"sigalgs", kBoth, OpensslList{&D::sigalgs, "a signature algorithm list"},
   "signature algorithms, colon list (SSL_CTX_set1_sigalgs_list)"},
  {"verify", kBoth, Enum<VerifyMode>{&D::verify, kVerifyModes},
   "check the peer's certificate: none, peer (if sent) or require"},
  {"trust", kBoth, Names{&D::trust, "certificate names"},
   "certificates of the pki block to trust"},
  {"cert", kBoth, Names{&D::cert, "certificate names"},
   "the pki leaves to present, each with its chain, one per key type slot"},
  {"server_name", kClient, Word{&D::server_name, "a host name"},
   "the SNI host name sent"},
  {"verify_host", kClient, Word{&D::verify_host, "a host name"},
   "the host name the server's certificate must match"},
  {"alpn", kBoth, Names{&D::alpn, "protocol names", true},
   "ALPN protocols offered (client) or accepted (server)"},
  {"session_cache", kBoth, OnOff{&D::session_cache},
   "OpenSSL's session cache"},
  {"tickets", kBoth, OnOff{&D::tickets}, "session tickets"},
  {"buffer", kBoth, Integer{&D::buffer, "a size", 1, kMaxBuffer},
   "BIO pair buffer size in bytes"},
  {"client_hello_cb", kServer, Retry{&D::client_hello_cb, false},
   "a client hello callback that asks for N retries"},
  {"cert_cb", kBoth, Retry{&D::cert_cb, true},
   "a certificate callback that asks for N retries"},
  {"client_cert_cb", kClient, Retry{&D::client_cert_cb, false},
   "a client certificate callback that asks for N retries"},
  {"verify_cb", kBoth, Retry{&D::verify_cb, false},
   "a verify callback that asks for N retries"},
  {"servername", kServer, Enum<ServernameAction>{&D::servername, kServernameActions},
   "the server name callback's answer"},
  {"sni_certs", kServer, HostCerts{&D::sni_certs},
   "the leaf presented for each SNI host name"},
  {"ticket_key_cb", kServer, FailOnly{&D::ticket_key_fail},
   "a session ticket key callback that fails"},
  {"options", kBoth, OptionNames{&D::options},
   "SSL_OP_ and SSL_MODE_ switches by name"},
  {"num_tickets", kBoth, Integer{&D::num_tickets, "a number of tickets", 0, 100},
   "TLS 1.3 NewSessionTickets a server sends"},
  {"max_early_data", kServer, Integer{&D::max_early_data, "a size", 1, kMaxBuffer},
   "bytes of 0-RTT data a server accepts"},
  {"max_fragment_length", kClient, OneOf{&D::max_fragment_length, kFragmentLengths},
   "the maximum fragment length a client asks for (RFC 6066)"},
  {"max_send_fragment", kBoth, Integer{&D::max_send_fragment, "a size", 512, 16384},
   "the largest record plaintext this side sends"},
  {"security_level", kBoth, Integer{&D::security_level, "a level", 0, 5},
   "OpenSSL's security level"},
  {"psk_identity", kBoth, Word{&D::psk_identity, "an identity"},
   "external PSK identity (with psk_key)"},
  {"psk_key", kBoth, value::Hex{&D::psk_key},
   "external PSK key in hex (with psk_identity)"},
  {"clear_errors", kBoth, OnOff{&D::clear_errors},
   "empty the thread's error queue around this side's calls (default on)"},
  {"dh_auto", kServer, OnOff{&D::dh_auto},
   "finite-field DHE, parameters sized to the certificate key (SSL_CTX_set_dh_auto)"},
  {"send_buffer", kBoth, Integer{&D::send_buffer, "a size", 1, kMaxBuffer},
   "BIO pair buffer for what this side writes, until the network takes it"},
  {"recv_buffer", kBoth, Integer{&D::recv_buffer, "a size", 1, kMaxBuffer},
   "BIO pair buffer for what was delivered to this side, until it reads it"},
  {"network_capacity", kBoth, Integer{&D::network_capacity, "a size", 1, kMaxCapacity},
   "the most bytes in flight from this side (default: no limit)"},
};

constexpr OptionRow kOptions[] = {
  {"ignore_unexpected_eof", Option::kIgnoreUnexpectedEof, kBoth,
   "an EOF without close_notify is a clean end (SSL_OP_IGNORE_UNEXPECTED_EOF)"},
  {"no_renegotiation", Option::kNoRenegotiation, kBoth,
   "refuse renegotiation (SSL_OP_NO_RENEGOTIATION)"},
  {"allow_client_renegotiation", Option::kAllowClientRenegotiation, kServer,
   "accept a client's renegotiation (SSL_OP_ALLOW_CLIENT_RENEGOTIATION)"},
  {"partial_write", Option::kPartialWrite, kBoth,
   "SSL_write may write part (SSL_MODE_ENABLE_PARTIAL_WRITE)"},
  {"moving_write_buffer", Option::kMovingWriteBuffer, kBoth,
   "a retried write may pass a new buffer (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)"},
  {"no_middlebox_compat", Option::kNoMiddleboxCompat, kBoth,
   "no TLS 1.3 middlebox compatibility mode"},
  {"no_auto_retry", Option::kNoAutoRetry, kBoth,
   "clear SSL_MODE_AUTO_RETRY"},
  {"post_handshake_auth", Option::kPostHandshakeAuth, kClient,
   "offer post-handshake authentication"},
  {"verify_post_handshake", Option::kVerifyPostHandshake, kServer,
   "ask for the client's certificate only after the handshake"},
  {"allow_no_dhe_kex", Option::kAllowNoDheKex, kBoth,
   "TLS 1.3 resumption without (EC)DHE, psk_ke (SSL_OP_ALLOW_NO_DHE_KEX)"},
  {"no_anti_replay", Option::kNoAntiReplay, kBoth,
   "no 0-RTT anti-replay protection (SSL_OP_NO_ANTI_REPLAY)"},
};
// clang-format on

// "a, b or c"
template <typename Items, typename Text>
std::string Alternatives(const Items& items, Text text) {
  std::string out;
  size_t i = 0;
  for (const auto& item : items) {
    if (i > 0) out += i + 1 == std::size(items) ? " or " : ", ";
    out += text(item);
    ++i;
  }
  return out;
}

}  // namespace

bool Allows(Sides sides, Side side) {
  switch (sides) {
    case Sides::kBoth:
      return true;
    case Sides::kClient:
      return side == Side::kClient;
    case Sides::kServer:
      return side == Side::kServer;
  }
  return false;
}

const char* SidesName(Sides sides) {
  switch (sides) {
    case Sides::kBoth:
      return "both";
    case Sides::kClient:
      return "client";
    case Sides::kServer:
      return "server";
  }
  return "?";
}

std::span<const SettingRow> Settings() { return kSettings; }

const SettingRow* FindSetting(std::string_view name) {
  for (const SettingRow& row : kSettings) {
    if (name == row.name) return &row;
  }
  return nullptr;
}

std::string ExpectedText(const SettingRow& row) {
  return std::visit(
      Overloaded{
          [](const Versions&) -> std::string {
            return "a version or range like TLSv1.2..TLSv1.3";
          },
          [](const OpensslList& v) -> std::string { return v.what; },
          [](const Word& v) -> std::string { return v.what; },
          [](const value::Hex&) -> std::string { return "a key in hex"; },
          [](const Names& v) -> std::string { return v.what; },
          [](const OptionNames&) -> std::string { return "option names"; },
          [](const HostCerts&) -> std::string {
            return "host:certificate pairs";
          },
          [](const OnOff&) -> std::string { return "on or off"; },
          [](const FailOnly&) -> std::string { return "fail"; },
          [](const Integer& v) {
            return std::string(v.what) + " from " + std::to_string(v.min) +
                   " to " + std::to_string(v.max);
          },
          [](const OneOf& v) {
            return Alternatives(v.values,
                                [](int64_t n) { return std::to_string(n); });
          },
          [](const Retry& v) -> std::string {
            return v.missing_file ? "ok, fail, missing_file or retry N then "
                                    "ok|fail|missing_file"
                                  : "ok, fail or retry N then ok|fail";
          },
          []<typename E>(const Enum<E>& v) {
            return Alternatives(v.names, [](const Named<E>& named) {
              return std::string(named.name);
            });
          },
      },
      row.value);
}

std::optional<Pos> SettingPos(const EndpointDecl& decl, const SettingRow& row) {
  return std::visit(
      [&](const auto& v) -> std::optional<Pos> {
        const auto& field = decl.*v.field;
        if (!field) return std::nullopt;
        return field->pos;
      },
      row.value);
}

std::span<const OptionRow> Options() { return kOptions; }

const OptionRow* FindOption(std::string_view name) {
  for (const OptionRow& row : kOptions) {
    if (name == row.name) return &row;
  }
  return nullptr;
}

}  // namespace tlsim::scenario
