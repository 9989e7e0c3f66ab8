// The header of a scenario file: scenario, seed, clock, the pki block, and
// the check of names that client and server blocks use.
#include <ctime>
#include <string>
#include <utility>

#include "lib/proto/keys.h"
#include "lib/scenario/parser_internal.h"
#include "lib/scenario/spellings.h"

namespace tlsim::scenario::internal {
namespace {

// Reads exactly YYYY-MM-DDTHH:MM:SSZ. Returns 0 on success, 1 when the text
// does not have that form, 2 when it has it but names no real time.
int ParseUtcTime(std::string_view s, int64_t* out) {
  constexpr std::string_view kForm = "dddd-dd-ddTdd:dd:ddZ";
  if (s.size() != kForm.size()) return 1;
  for (size_t i = 0; i < s.size(); ++i) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if (kForm[i] == 'd' ? !digit : s[i] != kForm[i]) return 1;
  }
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  int hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 2;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > days || hour > 23 || minute > 59 || second > 59) {
    return 2;
  }
  std::tm tm = {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  *out = static_cast<int64_t>(timegm(&tm));
  return 0;
}

const CertDecl* FindCert(const std::vector<CertDecl>& pki,
                         std::string_view name) {
  for (const CertDecl& c : pki) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

bool Parser::TakeTime(const std::string& after, Located<int64_t>* out) {
  const std::string kWhat = "a time like 2026-01-01T00:00:00Z";
  if (tok_.kind != Token::kWord) {
    return Unexpected(kWhat + " after '" + after + "'");
  }
  Token word = Take();
  out->pos = PosOf(word);
  switch (ParseUtcTime(word.text, &out->value)) {
    case 0:
      return true;
    case 1:
      return Error(word, "expected " + kWhat + ", found " + TokenName(word));
    default:
      return Error(word, "invalid date or time '" + word.text + "'");
  }
}

bool Parser::CheckHeader(const Token& keyword, const std::string& what,
                         Pos* first) {
  if (seen_step_) {
    return Error(keyword, what + " must come before the first step");
  }
  if (first->line != 0) {
    return Error(keyword, "duplicate " + what + " (first at line " +
                              std::to_string(first->line) + ")");
  }
  *first = PosOf(keyword);
  return true;
}

bool Parser::ParseTitle() {
  Token keyword = Take();
  if (!CheckHeader(keyword, "'scenario'", &title_pos_)) return false;
  if (tok_.kind != Token::kString) {
    return Unexpected("a string after 'scenario'");
  }
  out_->title = Take().text;
  return ExpectEndOfLine();
}

bool Parser::ParseSeed() {
  Token keyword = Take();
  if (!CheckHeader(keyword, "'seed'", &seed_pos_)) return false;
  const std::string kWhat = "a non-negative integer";
  if (tok_.kind != Token::kWord) {
    return Unexpected(kWhat + " after 'seed'");
  }
  Token word = Take();
  uint64_t seed = 0;
  bool out_of_range = false;
  if (!ParseDecimal(word.text, &seed, &out_of_range)) {
    if (out_of_range) {
      return Error(word, "expected " + kWhat + ", found " + TokenName(word) +
                             RangeText(kWhat, uint64_t{0}, UINT64_MAX));
    }
    return Error(word, "expected " + kWhat + ", found " + TokenName(word));
  }
  out_->seed = seed;
  return ExpectEndOfLine();
}

bool Parser::ParseClock(const Token& keyword) {
  if (!CheckHeader(keyword, "'clock'", &clock_pos_)) return false;
  Located<int64_t> time;
  if (!TakeTime("clock", &time)) return false;
  out_->clock = time.value;
  for (PathState& path : paths_) path.clock = time.value;
  return ExpectEndOfLine();
}

bool Parser::ParsePki(const Token& keyword) {
  if (tok_.kind != Token::kLBrace) return Unexpected("'{' after 'pki'");
  return ParseBlockLines(keyword, "ca or leaf",
                         [&] { return ParseCertDecl(); });
}

bool Parser::ParseCertDecl() {
  CertDecl cert;
  Token kind = Take();
  if (kind.text != "ca" && kind.text != "leaf") {
    return Error(kind, "expected ca or leaf, found " + TokenName(kind));
  }
  cert.pos = PosOf(kind);
  cert.is_ca = kind.text == "ca";
  Token name;
  if (!TakeWord("a certificate name after '" + kind.text + "'", &name)) {
    return false;
  }
  if (const CertDecl* first = FindCert(out_->pki, name.text)) {
    return Error(name, "duplicate certificate '" + name.text +
                           "' (first at line " +
                           std::to_string(first->pos.line) + ")");
  }
  cert.name = name.text;

  bool seen_key = false, seen_dns = false, seen_point = false;
  bool seen_san = false, seen_permit = false, seen_exclude = false;
  Token point_attr;  // point=, checked against the key at the end
  while (tok_.kind == Token::kWord) {
    Token attr = Take();
    const std::string& a = attr.text;
    bool duplicate = false;
    // Attributes for one kind of certificate only.
    const bool leaf_only = a == "dns" || a == "san";
    const bool ca_only = a == "permit" || a == "exclude";
    if (a == "issuer") {
      duplicate = cert.issuer.has_value();
    } else if (a == "key") {
      duplicate = seen_key;
    } else if (a == "dns") {
      duplicate = seen_dns;
    } else if (a == "san") {
      duplicate = seen_san;
    } else if (a == "point") {
      duplicate = seen_point;
    } else if (a == "permit") {
      duplicate = seen_permit;
    } else if (a == "exclude") {
      duplicate = seen_exclude;
    } else if (a == "not_before") {
      duplicate = cert.not_before.has_value();
    } else if (a == "not_after") {
      duplicate = cert.not_after.has_value();
    } else {
      return Error(attr, "unknown certificate attribute '" + a + "'");
    }
    if (leaf_only && cert.is_ca) {
      return Error(attr, "'" + a + "' is only for leaf certificates");
    }
    if (ca_only && !cert.is_ca) {
      return Error(attr, "'" + a + "' is only for ca certificates");
    }
    if (duplicate) return Error(attr, "duplicate attribute '" + a + "'");
    if ((a == "dns" && seen_san) || (a == "san" && seen_dns)) {
      return Error(attr, "'dns' and 'san=none' contradict each other");
    }
    if (tok_.kind != Token::kEquals) {
      return Unexpected("'=' after '" + a + "'");
    }
    Take();
    UnquoteValue();
    const std::string after = a + "=";
    if (a == "not_before" || a == "not_after") {
      Located<int64_t> time;
      if (!TakeTime(after, &time)) return false;
      (a == "not_before" ? cert.not_before : cert.not_after) = time;
      continue;
    }
    if (a == "dns" || a == "permit" || a == "exclude") {
      std::vector<std::string>* list = a == "dns"      ? &cert.dns
                                       : a == "permit" ? &cert.permit
                                                       : &cert.exclude;
      if (!TakeList("dns names after '" + after + "'", list)) return false;
      (a == "dns"      ? seen_dns
       : a == "permit" ? seen_permit
                       : seen_exclude) = true;
      continue;
    }
    Token value;
    if (a == "san" || a == "point") {
      const char* only = a == "san" ? "none" : "compressed";
      if (!TakeWord(std::string(only) + " after '" + after + "'", &value)) {
        return false;
      }
      if (value.text != only) {
        return Error(value, std::string("expected ") + only + ", found " +
                                TokenName(value));
      }
      if (a == "san") {
        cert.no_san = true;
        seen_san = true;
      } else {
        cert.compressed_point = true;
        seen_point = true;
        point_attr = attr;
      }
      continue;
    }
    if (a == "key") {
      const std::string what = Alternatives(kKeyTypes);
      if (!TakeWord("a key type after '" + after + "'", &value)) return false;
      std::optional<KeyType> key = ValueOf(kKeyTypes, value.text);
      if (!key) {
        return Error(value,
                     "unknown key type '" + value.text + "'; expected " + what);
      }
      cert.key = *key;
      seen_key = true;
      continue;
    }
    // issuer: a CA declared above.
    if (!TakeWord("a certificate name after '" + after + "'", &value)) {
      return false;
    }
    const CertDecl* issuer = FindCert(out_->pki, value.text);
    if (issuer == nullptr) {
      return Error(value, "unknown certificate '" + value.text + "'");
    }
    if (!issuer->is_ca) {
      return Error(value, "'" + value.text + "' is not a ca certificate");
    }
    cert.issuer = Located<std::string>{value.text, PosOf(value)};
  }
  if (tok_.kind != Token::kNewline && tok_.kind != Token::kEof) {
    return Unexpected("name=value or end of line");
  }
  if (cert.compressed_point && !proto::IsEc(cert.key)) {
    return Error(point_attr, "'point=compressed' needs an EC key, not " +
                                 std::string(NameOf(kKeyTypes, cert.key)));
  }
  if (!cert.is_ca && !cert.issuer) {
    return Error(kind, "leaf '" + cert.name + "' needs issuer=");
  }
  out_->pki.push_back(std::move(cert));
  return ExpectEndOfLine();
}

bool Parser::CheckReferences(const EndpointDecl& decl) {
  if (decl.trust) {
    Pos at = decl.trust->pos;
    for (const std::string& name : decl.trust->value) {
      if (FindCert(out_->pki, name) == nullptr) {
        return Error(at, "unknown certificate '" + name + "'");
      }
      at.col += static_cast<int>(name.size()) + 1;
    }
  }
  if (decl.ca_names) {
    Pos at = decl.ca_names->pos;
    for (const std::string& name : decl.ca_names->value) {
      if (FindCert(out_->pki, name) == nullptr) {
        return Error(at, "unknown certificate '" + name + "'");
      }
      at.col += static_cast<int>(name.size()) + 1;
    }
  }
  if (decl.cert) {
    // One certificate per slot: OpenSSL would silently replace the first.
    std::vector<std::pair<std::string, const CertDecl*>> slots;
    Pos at = decl.cert->pos;
    for (const std::string& name : decl.cert->value) {
      const CertDecl* cert = FindCert(out_->pki, name);
      if (cert == nullptr) {
        return Error(at, "unknown certificate '" + name + "'");
      }
      if (cert->is_ca) {
        return Error(at, "'" + name + "' is not a leaf certificate");
      }
      const std::string slot = proto::SlotName(proto::SlotOf(cert->key));
      for (const auto& [taken, first] : slots) {
        if (taken == slot) {
          return Error(at, "'" + name + "' and '" + first->name +
                               "' both use the " + slot +
                               " certificate slot: an endpoint presents one "
                               "certificate per key type");
        }
      }
      slots.emplace_back(slot, cert);
      at.col += static_cast<int>(name.size()) + 1;
    }
  }
  return true;
}

}  // namespace tlsim::scenario::internal
