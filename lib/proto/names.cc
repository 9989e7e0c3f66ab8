#include "lib/proto/names.h"

#include <cstdio>
#include <string>

namespace tlsim::proto {
namespace {

constexpr NameRow kAlertLevels[] = {{1, "warning"}, {2, "fatal"}};

// RFC 8446 6 and the IANA TLS Alert Registry.
constexpr NameRow kAlertDescriptions[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
};

// The IANA TLS HandshakeType registry.
constexpr NameRow kHandshakeTypes[] = {
    {0, "HelloRequest"},
    {1, "ClientHello"},
    {2, "ServerHello"},
    {3, "HelloVerifyRequest"},
    {4, "NewSessionTicket"},
    {5, "EndOfEarlyData"},
    {8, "EncryptedExtensions"},
    {11, "Certificate"},
    {12, "ServerKeyExchange"},
    {13, "CertificateRequest"},
    {14, "ServerHelloDone"},
    {15, "CertificateVerify"},
    {16, "ClientKeyExchange"},
    {20, "Finished"},
    {21, "CertificateURL"},
    {22, "CertificateStatus"},
    {23, "SupplementalData"},
    {24, "KeyUpdate"},
    {25, "CompressedCertificate"},
    {254, "MessageHash"},
};

// The IANA TLS ContentType registry.
constexpr NameRow kContentTypes[] = {
    {20, "change_cipher_spec"}, {21, "alert"},     {22, "handshake"},
    {23, "application_data"},   {24, "heartbeat"},
};

constexpr NameRow kVersions[] = {
    {0x0300, "SSLv3"},   {0x0301, "TLSv1"},   {0x0302, "TLSv1.1"},
    {0x0303, "TLSv1.2"}, {0x0304, "TLSv1.3"},
};

// <openssl/ssl.h>'s SSL_ERROR_* values; tests/endpoint_config_test checks
// them against OpenSSL's macros.
constexpr NameRow kSslErrors[] = {
    {0, "NONE"},
    {1, "SSL"},
    {2, "WANT_READ"},
    {3, "WANT_WRITE"},
    {4, "WANT_X509_LOOKUP"},
    {5, "SYSCALL"},
    {6, "ZERO_RETURN"},
    {7, "WANT_CONNECT"},
    {8, "WANT_ACCEPT"},
    {9, "WANT_ASYNC"},
    {10, "WANT_ASYNC_JOB"},
    {11, "WANT_CLIENT_HELLO_CB"},
    {12, "WANT_RETRY_VERIFY"},
};

constexpr NameRow kSides[] = {{0, "client"}, {1, "server"}};

constexpr NameTable kAlertLevelTable(kAlertLevels);
constexpr NameTable kAlertDescriptionTable(kAlertDescriptions);
constexpr NameTable kHandshakeTypeTable(kHandshakeTypes);
constexpr NameTable kContentTypeTable(kContentTypes);
constexpr NameTable kVersionTable(kVersions);
constexpr NameTable kSslErrorTable(kSslErrors);
constexpr NameTable kSideTable(kSides);

// The name of `value` in `table`, or "<prefix>(<value>)".
std::string NameOr(const NameTable& table, int value, const char* prefix) {
  const char* name = table.Name(value);
  if (name != nullptr) return name;
  return std::string(prefix) + "(" + std::to_string(value) + ")";
}

}  // namespace

const char* NameTable::Name(int value) const {
  for (const NameRow& row : rows_) {
    if (row.value == value) return row.name;
  }
  return nullptr;
}

std::optional<int> NameTable::Value(std::string_view name) const {
  for (const NameRow& row : rows_) {
    if (row.name == name) return row.value;
  }
  return std::nullopt;
}

const char* SideName(Side side) {
  return kSideTable.Name(static_cast<int>(side));
}

const char* DirectionName(Side from) {
  return from == Side::kClient ? "client->server" : "server->client";
}

std::optional<Side> SideFromName(std::string_view name) {
  std::optional<int> value = kSideTable.Value(name);
  if (!value) return std::nullopt;
  return static_cast<Side>(*value);
}

const NameTable& AlertLevels() { return kAlertLevelTable; }
const NameTable& AlertDescriptions() { return kAlertDescriptionTable; }
const NameTable& HandshakeTypes() { return kHandshakeTypeTable; }
const NameTable& ContentTypes() { return kContentTypeTable; }
const NameTable& Versions() { return kVersionTable; }
const NameTable& SslErrors() { return kSslErrorTable; }

std::string AlertLevelText(int level) {
  return NameOr(kAlertLevelTable, level, "level");
}

std::string AlertDescriptionText(int description) {
  return NameOr(kAlertDescriptionTable, description, "alert");
}

std::string HandshakeTypeText(int type) {
  return NameOr(kHandshakeTypeTable, type, "handshake");
}

std::string ContentTypeText(int type) {
  return NameOr(kContentTypeTable, type, "content_type");
}

std::string VersionText(int version) {
  if (version == 0) return "none";
  if (const char* name = kVersionTable.Name(version)) return name;
  char text[32];
  std::snprintf(text, sizeof text, "version(0x%04x)",
                static_cast<unsigned>(version));
  return text;
}

std::string SslErrorText(int ssl_error) {
  return NameOr(kSslErrorTable, ssl_error, "UNKNOWN");
}

}  // namespace tlsim::proto
