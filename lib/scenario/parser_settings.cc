// client { ... } and server { ... }: the endpoint settings.
#include <cctype>
#include <string>
#include <utility>

#include "lib/scenario/parser_internal.h"
#include "lib/scenario/printer.h"

namespace tlsim::scenario::internal {
namespace {

// The settings of a client or server block, by the name files use.
enum class Setting {
  kVersions,
  kCiphersuites,
  kCiphers,
  kGroups,
  kSigalgs,
  kVerify,
  kTrust,
  kCert,
  kServerName,
  kVerifyHost,
  kAlpn,
  kSessionCache,
  kTickets,
  kBuffer,
  kClientHelloCb,
  kCertCb,
  kClientCertCb,
  kVerifyCb,
  kServername,
  kSniCerts,
  kTicketKeyCb,
  kOptions,
  kNumTickets,
  kMaxEarlyData,
  kMaxFragmentLength,
  kMaxSendFragment,
  kSecurityLevel,
  kPskIdentity,
  kPskKey,
};

// The names `options =` takes.
constexpr const char* kOptionNames[] = {
    "ignore_unexpected_eof",
    "no_renegotiation",
    "allow_client_renegotiation",
    "partial_write",
    "moving_write_buffer",
    "no_middlebox_compat",
    "no_auto_retry",
    "post_handshake_auth",
    "verify_post_handshake",
    "allow_no_dhe_kex",
    "no_anti_replay",
};

struct SettingInfo {
  const char* name;
  Setting setting;
  const char* expected;  // what the value should be, for messages
};

constexpr SettingInfo kSettings[] = {
    {"versions", Setting::kVersions,
     "a version or range like TLSv1.2..TLSv1.3"},
    {"ciphersuites", Setting::kCiphersuites, "a TLS 1.3 ciphersuite list"},
    {"ciphers", Setting::kCiphers, "a cipher list"},
    {"groups", Setting::kGroups, "a group list"},
    {"sigalgs", Setting::kSigalgs, "a signature algorithm list"},
    {"verify", Setting::kVerify, "none, peer or require"},
    {"trust", Setting::kTrust, "certificate names"},
    {"cert", Setting::kCert, "a certificate name"},
    {"server_name", Setting::kServerName, "a host name"},
    {"verify_host", Setting::kVerifyHost, "a host name"},
    {"alpn", Setting::kAlpn, "protocol names"},
    {"session_cache", Setting::kSessionCache, "on or off"},
    {"tickets", Setting::kTickets, "on or off"},
    {"buffer", Setting::kBuffer, "a size from 1 to 1048576"},
    {"client_hello_cb", Setting::kClientHelloCb,
     "ok, fail or retry N then ok|fail"},
    {"cert_cb", Setting::kCertCb,
     "ok, fail, missing_file or retry N then ok|fail|missing_file"},
    {"client_cert_cb", Setting::kClientCertCb,
     "ok, fail or retry N then ok|fail"},
    {"verify_cb", Setting::kVerifyCb, "ok, fail or retry N then ok|fail"},
    {"servername", Setting::kServername,
     "ok, noack, alert_warning or alert_fatal"},
    {"sni_certs", Setting::kSniCerts, "host:certificate pairs"},
    {"ticket_key_cb", Setting::kTicketKeyCb, "fail"},
    {"options", Setting::kOptions, "option names"},
    {"num_tickets", Setting::kNumTickets, "a number of tickets from 0 to 100"},
    {"max_early_data", Setting::kMaxEarlyData, "a size from 1 to 1048576"},
    {"max_fragment_length", Setting::kMaxFragmentLength,
     "512, 1024, 2048 or 4096"},
    {"max_send_fragment", Setting::kMaxSendFragment,
     "a size from 512 to 16384"},
    {"security_level", Setting::kSecurityLevel, "a level from 0 to 5"},
    {"psk_identity", Setting::kPskIdentity, "an identity"},
    {"psk_key", Setting::kPskKey, "a key in hex"},
};

constexpr int64_t kMaxBuffer = 1048576;

}  // namespace

bool Parser::ParseEndpoint(const Token& keyword, EndpointDecl* decl) {
  decl->pos = PosOf(keyword);
  decl->declared = true;
  Side side = keyword.text == "client" ? Side::kClient : Side::kServer;
  return ParseBlockLines(keyword, "a setting name",
                         [&] { return ParseSetting(side, decl); });
}

bool Parser::ParseSetting(Side side, EndpointDecl* decl) {
  Token key = Take();
  const SettingInfo* info = nullptr;
  for (const SettingInfo& s : kSettings) {
    if (key.text == s.name) info = &s;
  }
  if (info == nullptr) {
    return Error(key, "unknown setting '" + key.text + "' in " +
                          SideName(side) + " block");
  }
  if (side == Side::kServer && (info->setting == Setting::kServerName ||
                                info->setting == Setting::kVerifyHost)) {
    return Error(key, "'" + key.text + "' is only allowed in the client block");
  }

  const std::string what = info->expected;
  auto wrong = [&](const Token& value) {
    return Error(value, "expected " + what + ", found " + TokenName(value));
  };
  // The four lists OpenSSL reads itself: a word or a string, as given.
  auto openssl_list = [&](std::string* out) {
    if (tok_.kind != Token::kWord && tok_.kind != Token::kString) {
      return Unexpected(what);
    }
    *out = Take().text;
    return true;
  };
  auto name = [&](std::string* out) {
    Token value;
    if (!TakeWord(what, &value)) return false;
    *out = value.text;
    return true;
  };
  auto list = [&](std::vector<std::string>* out) {
    return TakeList(what, out);
  };
  auto on_off = [&](bool* out) {
    Token value;
    if (!TakeWord(what, &value)) return false;
    if (value.text != "on" && value.text != "off") return wrong(value);
    *out = value.text == "on";
    return true;
  };
  auto verify = [&](VerifyMode* out) {
    Token value;
    if (!TakeWord(what, &value)) return false;
    if (value.text == "none") {
      *out = VerifyMode::kNone;
    } else if (value.text == "peer") {
      *out = VerifyMode::kPeer;
    } else if (value.text == "require") {
      *out = VerifyMode::kRequire;
    } else {
      return wrong(value);
    }
    return true;
  };
  auto versions = [&](VersionRange* out) {
    return ParseVersionRange(what, out);
  };
  auto size = [&](int64_t* out) {
    Token value;
    if (!TakeWord(what, &value)) return false;
    return IntFromWord(value, what, 1, kMaxBuffer, out);
  };
  auto number = [&](int64_t min, int64_t max) {
    return [&, min, max](int64_t* out) {
      Token value;
      if (!TakeWord(what, &value)) return false;
      return IntFromWord(value, what, min, max, out);
    };
  };
  // ok | fail | missing_file | retry N then ok|fail|missing_file
  bool file_allowed = info->setting == Setting::kCertCb;
  auto ending = [&](const Token& word, RetryPlan* out) {
    if (word.text == "ok" || word.text == "fail") {
      out->then_fail = word.text == "fail";
      return true;
    }
    if (word.text == "missing_file" && file_allowed) {
      out->then_fail = out->missing_file = true;
      return true;
    }
    return false;
  };
  auto retry_plan = [&](RetryPlan* out) {
    Token first;
    if (!TakeWord(what, &first)) return false;
    if (ending(first, out)) return true;
    if (first.text != "retry") return wrong(first);
    if (!TakeInt("a retry count", "retry", 0, 1000, &out->retries, nullptr)) {
      return false;
    }
    Token then;
    if (!TakeWord("'then'", &then)) return false;
    if (then.text != "then") {
      return Error(then, "expected 'then', found " + TokenName(then));
    }
    const std::string endings =
        file_allowed ? "ok, fail or missing_file" : "ok or fail";
    Token last;
    if (!TakeWord(endings, &last)) return false;
    if (!ending(last, out)) {
      return Error(last, "expected " + endings + ", found " + TokenName(last));
    }
    return true;
  };
  auto servername = [&](ServernameAction* out) {
    Token value;
    if (!TakeWord(what, &value)) return false;
    const std::string& v = value.text;
    if (v == "ok") {
      *out = ServernameAction::kOk;
    } else if (v == "noack") {
      *out = ServernameAction::kNoAck;
    } else if (v == "alert_warning") {
      *out = ServernameAction::kAlertWarning;
    } else if (v == "alert_fatal") {
      *out = ServernameAction::kAlertFatal;
    } else {
      return wrong(value);
    }
    return true;
  };
  auto pairs = [&](std::vector<std::pair<std::string, std::string>>* out) {
    Pos at = PosOf(tok_);
    std::vector<std::string> items;
    if (!TakeList(what, &items)) return false;
    for (const std::string& item : items) {
      size_t colon = item.find(':');
      if (colon == std::string::npos || colon == 0 ||
          colon + 1 == item.size()) {
        return Error(at, "expected host:certificate, found '" + item + "'");
      }
      out->emplace_back(item.substr(0, colon), item.substr(colon + 1));
      at.col += static_cast<int>(item.size()) + 1;
    }
    return true;
  };
  auto fail_only = [&](bool* out) {
    Token value;
    if (!TakeWord(what, &value)) return false;
    if (value.text != "fail") return wrong(value);
    *out = true;
    return true;
  };
  auto options = [&](std::vector<std::string>* out) {
    Pos at = PosOf(tok_);
    if (!TakeList(what, out)) return false;
    for (const std::string& option : *out) {
      bool known = false;
      for (const char* name : kOptionNames) known = known || option == name;
      if (!known) {
        return Error(at, "unknown option '" + option + "'");
      }
      at.col += static_cast<int>(option.size()) + 1;
    }
    return true;
  };
  auto fragment = [&](int64_t* out) {
    Token value;
    if (!TakeWord(what, &value)) return false;
    if (!IntFromWord(value, what, 512, 4096, out)) return false;
    if (*out != 512 && *out != 1024 && *out != 2048 && *out != 4096) {
      return wrong(value);
    }
    return true;
  };
  auto hex_key = [&](std::string* out) {
    Token value;
    if (!TakeWord(what, &value)) return false;
    bool hex = value.text.size() % 2 == 0 && !value.text.empty();
    for (char c : value.text) {
      hex = hex && std::isxdigit(static_cast<unsigned char>(c));
    }
    if (!hex) return wrong(value);
    *out = value.text;
    return true;
  };

  switch (info->setting) {
    case Setting::kVersions:
      return SetOnce(key, &decl->versions, versions);
    case Setting::kCiphersuites:
      return SetOnce(key, &decl->ciphersuites, openssl_list);
    case Setting::kCiphers:
      return SetOnce(key, &decl->ciphers, openssl_list);
    case Setting::kGroups:
      return SetOnce(key, &decl->groups, openssl_list);
    case Setting::kSigalgs:
      return SetOnce(key, &decl->sigalgs, openssl_list);
    case Setting::kVerify:
      return SetOnce(key, &decl->verify, verify);
    case Setting::kTrust:
      return SetOnce(key, &decl->trust, list);
    case Setting::kCert:
      return SetOnce(key, &decl->cert, name);
    case Setting::kServerName:
      return SetOnce(key, &decl->server_name, name);
    case Setting::kVerifyHost:
      return SetOnce(key, &decl->verify_host, name);
    case Setting::kAlpn:
      return SetOnce(key, &decl->alpn, list);
    case Setting::kSessionCache:
      return SetOnce(key, &decl->session_cache, on_off);
    case Setting::kTickets:
      return SetOnce(key, &decl->tickets, on_off);
    case Setting::kBuffer:
      return SetOnce(key, &decl->buffer, size);
    case Setting::kClientHelloCb:
      return SetOnce(key, &decl->client_hello_cb, retry_plan);
    case Setting::kCertCb:
      return SetOnce(key, &decl->cert_cb, retry_plan);
    case Setting::kClientCertCb:
      return SetOnce(key, &decl->client_cert_cb, retry_plan);
    case Setting::kVerifyCb:
      return SetOnce(key, &decl->verify_cb, retry_plan);
    case Setting::kServername:
      return SetOnce(key, &decl->servername, servername);
    case Setting::kSniCerts:
      return SetOnce(key, &decl->sni_certs, pairs);
    case Setting::kTicketKeyCb:
      return SetOnce(key, &decl->ticket_key_fail, fail_only);
    case Setting::kOptions:
      return SetOnce(key, &decl->options, options);
    case Setting::kNumTickets:
      return SetOnce(key, &decl->num_tickets, number(0, 100));
    case Setting::kMaxEarlyData:
      return SetOnce(key, &decl->max_early_data, number(1, kMaxBuffer));
    case Setting::kMaxFragmentLength:
      return SetOnce(key, &decl->max_fragment_length, fragment);
    case Setting::kMaxSendFragment:
      return SetOnce(key, &decl->max_send_fragment, number(512, 16384));
    case Setting::kSecurityLevel:
      return SetOnce(key, &decl->security_level, number(0, 5));
    case Setting::kPskIdentity:
      return SetOnce(key, &decl->psk_identity, name);
    case Setting::kPskKey:
      return SetOnce(key, &decl->psk_key, hex_key);
  }
  return false;
}

template <typename T, typename ParseValue>
bool Parser::SetOnce(const Token& key, std::optional<Located<T>>* field,
                     ParseValue parse_value) {
  if (*field) {
    return Error(key, "duplicate setting '" + key.text + "' (first at line " +
                          std::to_string((*field)->pos.line) + ")");
  }
  if (tok_.kind != Token::kEquals) {
    return Unexpected("'=' after '" + key.text + "'");
  }
  Take();
  Located<T> value;
  value.pos = PosOf(tok_);
  if (!parse_value(&value.value)) return false;
  *field = std::move(value);
  return ExpectEndOfLine();
}

// TLSv1.3, or a range TLSv1.2..TLSv1.3 whose ends are in order.
bool Parser::ParseVersionRange(const std::string& what, VersionRange* out) {
  Token value;
  if (!TakeWord(what, &value)) return false;
  std::string_view text = value.text;
  size_t dots = text.find("..");
  std::string_view min_name = text.substr(0, dots);
  std::string_view max_name =
      dots == std::string_view::npos ? text : text.substr(dots + 2);
  if (min_name.empty() || max_name.empty()) {
    return Error(value, "expected " + what + ", found " + TokenName(value));
  }
  if (!LookupVersion(min_name, &out->min)) {
    return Error(value, "unknown version '" + std::string(min_name) + "'");
  }
  if (!LookupVersion(max_name, &out->max)) {
    Pos at = PosOf(value);
    if (dots != std::string_view::npos) at.col += static_cast<int>(dots + 2);
    return Error(at, "unknown version '" + std::string(max_name) + "'");
  }
  if (out->min > out->max) {
    return Error(value, "empty version range: " + std::string(min_name) +
                            " is above " + std::string(max_name));
  }
  return true;
}

}  // namespace tlsim::scenario::internal
