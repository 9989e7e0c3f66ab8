// client { ... } and server { ... }: one `KEY = VALUE` line per setting,
// read as the setting's row in settings.h says.
#include <cctype>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "lib/proto/names.h"
#include "lib/scenario/parser_internal.h"
#include "lib/scenario/settings.h"

namespace tlsim::scenario::internal {

bool Parser::ParseEndpoint(const Token& keyword, EndpointDecl* decl) {
  decl->pos = PosOf(keyword);
  decl->declared = true;
  Side side = keyword.text == "client" ? Side::kClient : Side::kServer;
  return ParseBlockLines(keyword, "a setting name",
                         [&] { return ParseSetting(side, decl); });
}

bool Parser::ParseSetting(Side side, EndpointDecl* decl) {
  Token key = Take();
  const SettingRow* row = FindSetting(key.text);
  if (row == nullptr) {
    return Error(key, "unknown setting '" + key.text + "' in " +
                          SideName(side) + " block");
  }
  if (!Allows(row->sides, side)) {
    return Error(key, "'" + key.text + "' is only allowed in the " +
                          SidesName(row->sides) + " block");
  }
  return std::visit(
      [&](const auto& kind) {
        auto* field = &(decl->*kind.field);
        if (*field) {
          return Error(key, "duplicate setting '" + key.text +
                                "' (first at line " +
                                std::to_string((*field)->pos.line) + ")");
        }
        if (tok_.kind != Token::kEquals) {
          return Unexpected("'=' after '" + key.text + "'");
        }
        Take();
        // Lists OpenSSL reads itself keep a string as written; any other
        // value reads a string as its words.
        if constexpr (!std::is_same_v<std::decay_t<decltype(kind)>,
                                      value::OpensslList>) {
          UnquoteValue();
        }
        typename std::remove_reference_t<decltype(*field)>::value_type value;
        value.pos = PosOf(tok_);
        if (!ReadSetting(*row, kind, side, &value.value)) return false;
        *field = std::move(value);
        return ExpectEndOfLine();
      },
      row->value);
}

bool Parser::WrongValue(const SettingRow& row, const Token& value) {
  return Error(value,
               "expected " + ExpectedText(row) + ", found " + TokenName(value));
}

bool Parser::ReadSetting(const SettingRow& row, const value::Versions&, Side,
                         VersionRange* out) {
  return ParseVersionRange(ExpectedText(row), out);
}

bool Parser::ReadSetting(const SettingRow& row, const value::OpensslList&, Side,
                         std::string* out) {
  if (tok_.kind != Token::kWord && tok_.kind != Token::kString) {
    return Unexpected(ExpectedText(row));
  }
  *out = Take().text;
  return true;
}

bool Parser::ReadSetting(const SettingRow& row, const value::Word&, Side,
                         std::string* out) {
  Token value;
  if (!TakeWord(ExpectedText(row), &value)) return false;
  *out = value.text;
  return true;
}

bool Parser::ReadSetting(const SettingRow& row, const value::Hex&, Side,
                         std::string* out) {
  Token value;
  if (!TakeWord(ExpectedText(row), &value)) return false;
  bool hex = value.text.size() % 2 == 0 && !value.text.empty();
  for (char c : value.text) {
    hex = hex && std::isxdigit(static_cast<unsigned char>(c));
  }
  if (!hex) return WrongValue(row, value);
  *out = value.text;
  return true;
}

bool Parser::ReadSetting(const SettingRow& row, const value::Names& kind, Side,
                         std::vector<std::string>* out) {
  if (kind.empty_list && tok_.kind == Token::kString && tok_.text.empty()) {
    Take();  // "": the empty list
    out->clear();
    return true;
  }
  return TakeList(ExpectedText(row), out);
}

bool Parser::ReadSetting(const SettingRow& row, const value::OptionNames&,
                         Side side, std::vector<std::string>* out) {
  Pos at = PosOf(tok_);
  if (!TakeList(ExpectedText(row), out)) return false;
  for (const std::string& name : *out) {
    const OptionRow* option = FindOption(name);
    if (option == nullptr) {
      return Error(at, "unknown option '" + name + "'");
    }
    if (!Allows(option->sides, side)) {
      return Error(at, "option '" + name + "' is only allowed in the " +
                           SidesName(option->sides) + " block");
    }
    at.col += static_cast<int>(name.size()) + 1;
  }
  return true;
}

bool Parser::ReadSetting(
    const SettingRow& row, const value::HostCerts& kind, Side,
    std::vector<std::pair<std::string, std::string>>* out) {
  Pos at = PosOf(tok_);
  std::vector<std::string> items;
  if (!TakeList(ExpectedText(row), &items)) return false;
  for (const std::string& item : items) {
    size_t colon = item.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == item.size()) {
      return Error(
          at, std::string("expected ") + kind.what + ", found '" + item + "'");
    }
    out->emplace_back(item.substr(0, colon), item.substr(colon + 1));
    at.col += static_cast<int>(item.size()) + 1;
  }
  return true;
}

bool Parser::ReadSetting(const SettingRow& row, const value::OnOff&, Side,
                         bool* out) {
  Token value;
  if (!TakeWord(ExpectedText(row), &value)) return false;
  if (value.text != "on" && value.text != "off") return WrongValue(row, value);
  *out = value.text == "on";
  return true;
}

bool Parser::ReadSetting(const SettingRow& row, const value::FailOnly&, Side,
                         bool* out) {
  Token value;
  if (!TakeWord(ExpectedText(row), &value)) return false;
  if (value.text != "fail") return WrongValue(row, value);
  *out = true;
  return true;
}

bool Parser::ReadSetting(const SettingRow& row, const value::Integer& kind,
                         Side, int64_t* out) {
  const std::string what = ExpectedText(row);
  Token value;
  if (!TakeWord(what, &value)) return false;
  return IntFromWord(value, what, kind.min, kind.max, out);
}

bool Parser::ReadSetting(const SettingRow& row, const value::OneOf& kind, Side,
                         int64_t* out) {
  const std::string what = ExpectedText(row);
  Token value;
  if (!TakeWord(what, &value)) return false;
  if (!IntFromWord(value, what, kind.values.front(), kind.values.back(), out)) {
    return false;
  }
  for (int64_t allowed : kind.values) {
    if (*out == allowed) return true;
  }
  return WrongValue(row, value);
}

// ok | fail | missing_file | retry N then ok|fail|missing_file
bool Parser::ReadSetting(const SettingRow& row, const value::Retry& kind, Side,
                         RetryPlan* out) {
  auto ending = [&](const Token& word) {
    if (word.text == "ok" || word.text == "fail") {
      out->then_fail = word.text == "fail";
      return true;
    }
    if (word.text == "missing_file" && kind.missing_file) {
      out->then_fail = out->missing_file = true;
      return true;
    }
    if (word.text == "accept_all" && kind.accept_all) {
      out->accept_all = true;
      return true;
    }
    return false;
  };
  Token first;
  if (!TakeWord(ExpectedText(row), &first)) return false;
  if (ending(first)) return true;
  if (first.text != "retry") return WrongValue(row, first);
  if (!TakeInt("a retry count", "retry", 0, 1000, &out->retries, nullptr)) {
    return false;
  }
  Token then;
  if (!TakeWord("'then'", &then)) return false;
  if (then.text != "then") {
    return Error(then, "expected 'then', found " + TokenName(then));
  }
  const std::string endings = kind.missing_file ? "ok, fail or missing_file"
                              : kind.accept_all ? "ok, fail or accept_all"
                                                : "ok or fail";
  Token last;
  if (!TakeWord(endings, &last)) return false;
  if (!ending(last)) {
    return Error(last, "expected " + endings + ", found " + TokenName(last));
  }
  return true;
}

template <typename E>
bool Parser::ReadSetting(const SettingRow& row, const value::Enum<E>& kind,
                         Side, E* out) {
  Token value;
  if (!TakeWord(ExpectedText(row), &value)) return false;
  for (const Named<E>& named : kind.names) {
    if (value.text == named.name) {
      *out = named.value;
      return true;
    }
  }
  return WrongValue(row, value);
}

bool Parser::ReadSetting(const SettingRow& row, const value::AlertName&, Side,
                         int64_t* out) {
  Token value;
  if (!TakeWord(ExpectedText(row), &value)) return false;
  std::optional<int> code = proto::AlertDescriptions().Value(value.text);
  if (!code) return Error(value, "unknown alert '" + value.text + "'");
  *out = *code;
  return true;
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
