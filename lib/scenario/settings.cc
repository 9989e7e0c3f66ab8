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

constexpr Named<HelloMismatch> kHelloMismatches[] = {
    {"ignore", HelloMismatch::kIgnore},
    {"reject", HelloMismatch::kReject},
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
  {"verify_cb", kBoth, Retry{&D::verify_cb, false, true},
   "a verify callback that asks for N retries"},
  {"servername", kServer, Enum<ServernameAction>{&D::servername, kServernameActions},
   "the server name callback's answer"},
  {"sni_certs", kServer, HostCerts{&D::sni_certs, "host:certificate"},
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
  {"ca_names", kBoth, Names{&D::ca_names, "certificate names"},
   "CA names sent (server: CertificateRequest; client: certificate_authorities)"},
  {"client_sigalgs", kBoth, OpensslList{&D::client_sigalgs, "a signature algorithm list"},
   "signature algorithms for client certificates (SSL_CTX_set1_client_sigalgs_list)"},
  {"contexts", kServer, HostCerts{&D::contexts, "host:context"},
   "the server context the name callback switches to for each SNI host name"},
  {"hello_contexts", kServer, HostCerts{&D::hello_contexts, "host:context"},
   "the server context the client hello callback switches to for each SNI"},
  {"hello_mismatch", kServer, Enum<HelloMismatch>{&D::hello_mismatch, kHelloMismatches},
   "the client hello callback on an SNI hello_contexts does not list: ignore or reject"},
  {"hello_versions", kServer, Versions{&D::hello_versions},
   "the versions the client hello callback sets on the connection"},
  {"hello_alert", kServer, value::AlertName{&D::hello_alert},
   "the alert the client hello callback fails with"},
  {"dh_auto", kServer, OnOff{&D::dh_auto},
   "finite-field DHE, parameters sized to the certificate key (SSL_CTX_set_dh_auto)"},
  {"send_buffer", kBoth, Integer{&D::send_buffer, "a size", 1, kMaxBuffer},
   "BIO pair buffer for what this side writes, until the network takes it"},
  {"recv_buffer", kBoth, Integer{&D::recv_buffer, "a size", 1, kMaxBuffer},
   "BIO pair buffer for what was delivered to this side, until it reads it"},
  {"network_capacity", kBoth, Integer{&D::network_capacity, "a size", 1, kMaxCapacity},
   "the most bytes in flight from this side (default: no limit)"},
};

// What a `set` step may change: settings with an SSL form of their setter.
constexpr const char* kSettableOnSsl[] = {
    "versions", "ciphersuites", "ciphers", "groups", "sigalgs",
    "client_sigalgs", "verify", "cert", "server_name", "verify_host", "alpn",
    "ca_names", "tickets", "options", "num_tickets", "max_early_data",
    "max_fragment_length", "max_send_fragment", "security_level",
};

// What a `server context` block takes.
constexpr const char* kSwitchedWithContext[] = {
    "cert", "alpn", "verify", "trust", "ca_names", "sigalgs",
    "client_sigalgs", "cert_cb", "verify_cb", "options",
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
  {"cipher_server_preference", Option::kCipherServerPreference, kServer,
   "the server's cipher order wins (SSL_OP_CIPHER_SERVER_PREFERENCE)"},
  {"prioritize_chacha", Option::kPrioritizeChacha, kServer,
   "ChaCha20 first when the client prefers it (SSL_OP_PRIORITIZE_CHACHA)"},
  {"no_resumption_on_renegotiation", Option::kNoResumptionOnRenegotiation, kServer,
   "a renegotiation is a full handshake (SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION)"},
  {"unsafe_legacy_renegotiation", Option::kUnsafeLegacyRenegotiation, kBoth,
   "renegotiate without RFC 5746 (SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION)"},
  {"legacy_server_connect", Option::kLegacyServerConnect, kClient,
   "connect to a server without RFC 5746 (SSL_OP_LEGACY_SERVER_CONNECT)"},
  {"no_encrypt_then_mac", Option::kNoEncryptThenMac, kBoth,
   "no encrypt-then-MAC, RFC 7366 (SSL_OP_NO_ENCRYPT_THEN_MAC)"},
  {"no_extended_master_secret", Option::kNoExtendedMasterSecret, kBoth,
   "no extended master secret, RFC 7627 (SSL_OP_NO_EXTENDED_MASTER_SECRET)"},
  {"no_ca_names", Option::kNoCaNames, kBoth,
   "no certificate_authorities extension (SSL_OP_DISABLE_TLSEXT_CA_NAMES)"},
  {"bugs", Option::kBugs, kBoth,
   "OpenSSL's workarounds, SSL_OP_ALL (ClientHello padding, ...)"},
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
          [](const HostCerts& v) -> std::string {
            return std::string(v.what) + " pairs";
          },
          [](const OnOff&) -> std::string { return "on or off"; },
          [](const FailOnly&) -> std::string { return "fail"; },
          [](const value::AlertName&) -> std::string {
            return "an alert name like handshake_failure";
          },
          [](const Integer& v) {
            return std::string(v.what) + " from " + std::to_string(v.min) +
                   " to " + std::to_string(v.max);
          },
          [](const OneOf& v) {
            return Alternatives(v.values,
                                [](int64_t n) { return std::to_string(n); });
          },
          [](const Retry& v) -> std::string {
            if (v.accept_all) {
              return "ok, fail, accept_all or retry N then "
                     "ok|fail|accept_all";
            }
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

bool SettableOnSsl(const SettingRow& row) {
  for (const char* name : kSettableOnSsl) {
    if (std::string_view(name) == row.name) return true;
  }
  return false;
}

bool SwitchedWithContext(const SettingRow& row) {
  for (const char* name : kSwitchedWithContext) {
    if (std::string_view(name) == row.name) return true;
  }
  return false;
}

bool SwitchedWithContext(Option option) {
  switch (option) {
    case Option::kPartialWrite:
    case Option::kMovingWriteBuffer:
    case Option::kNoAutoRetry:
    case Option::kPostHandshakeAuth:
      return false;  // modes, and a client's
    case Option::kIgnoreUnexpectedEof:
    case Option::kNoRenegotiation:
    case Option::kAllowClientRenegotiation:
    case Option::kNoMiddleboxCompat:
    case Option::kVerifyPostHandshake:  // part of the verify mode
    case Option::kAllowNoDheKex:
    case Option::kNoAntiReplay:
    case Option::kCipherServerPreference:
    case Option::kPrioritizeChacha:
    case Option::kNoResumptionOnRenegotiation:
    case Option::kUnsafeLegacyRenegotiation:
    case Option::kLegacyServerConnect:
    case Option::kNoEncryptThenMac:
    case Option::kNoExtendedMasterSecret:
    case Option::kNoCaNames:
    case Option::kBugs:
      return true;
  }
  return false;
}

std::span<const OptionRow> Options() { return kOptions; }

const OptionRow* FindOption(std::string_view name) {
  for (const OptionRow& row : kOptions) {
    if (name == row.name) return &row;
  }
  return nullptr;
}

}  // namespace tlsim::scenario
