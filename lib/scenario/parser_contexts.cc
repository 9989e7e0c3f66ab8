// server context NAME { ... } blocks, the `contexts` references to them, and
// `client set KEY = VALUE` steps: settings read by the same rows as the
// client and server blocks (settings.h), with the rules of where each may go.
#include <string>
#include <utility>

#include "lib/scenario/parser_internal.h"
#include "lib/scenario/settings.h"

namespace tlsim::scenario::internal {
namespace {

// "a, b or c" of the setting names `allowed` accepts.
template <typename Allowed>
std::string SettingNames(Allowed allowed) {
  std::string names;
  for (const SettingRow& row : Settings()) {
    if (!allowed(row)) continue;
    if (!names.empty()) names += ", ";
    names += row.name;
  }
  return names;
}

}  // namespace

bool Parser::ParseContext(const Token& server_word) {
  Take();  // context
  if (seen_step_) {
    return Error(server_word,
                 "'server context' block must come before the first step");
  }
  Token name;
  if (!TakeWord("a context name after 'context'", &name)) return false;
  for (const ContextDecl& known : out_->contexts) {
    if (known.name == name.text) {
      return Error(name, "duplicate server context '" + name.text +
                             "' (first at line " +
                             std::to_string(known.pos.line) + ")");
    }
  }
  if (tok_.kind != Token::kLBrace) {
    return Unexpected("'{' after the context name");
  }
  ContextDecl context;
  context.pos = PosOf(server_word);
  context.name = name.text;
  context.settings.pos = context.pos;
  context.settings.declared = true;
  bool ok = ParseBlockLines(server_word, "a setting name", [&] {
    const SettingRow* row = FindSetting(tok_.text);
    if (row != nullptr && Allows(row->sides, Side::kServer) &&
        !SwitchedWithContext(*row)) {
      return Error(tok_, "'" + tok_.text +
                             "' does not change with SSL_set_SSL_CTX: a "
                             "server context takes " +
                             SettingNames([](const SettingRow& r) {
                               return SwitchedWithContext(r);
                             }));
    }
    return ParseSetting(Side::kServer, &context.settings);
  });
  if (!ok) return false;
  if (context.settings.options) {
    Pos at = context.settings.options->pos;
    for (const std::string& option : context.settings.options->value) {
      const OptionRow* row = FindOption(option);
      if (row != nullptr && !SwitchedWithContext(row->option)) {
        return Error(at, "option '" + option +
                             "' is not an SSL_OP_ option: the name callback "
                             "does not carry it to another context");
      }
      at.col += static_cast<int>(option.size()) + 1;
    }
  }
  if (!CheckReferences(context.settings)) return false;
  out_->contexts.push_back(std::move(context));
  return true;
}

bool Parser::CheckContextReferences(const EndpointDecl& decl) {
  return CheckContextReferences(decl.contexts) &&
         CheckContextReferences(decl.hello_contexts);
}

bool Parser::CheckContextReferences(
    const std::optional<
        Located<std::vector<std::pair<std::string, std::string>>>>& contexts) {
  if (!contexts) return true;
  Pos at = contexts->pos;
  for (const auto& [host, name] : contexts->value) {
    bool known = false;
    for (const ContextDecl& c : out_->contexts) known = known || c.name == name;
    if (!known) {
      at.col += static_cast<int>(host.size()) + 1;
      return Error(at, "unknown server context '" + name + "'");
    }
    at.col += static_cast<int>(host.size() + name.size()) + 2;
  }
  return true;
}

bool Parser::ParseSet(const Token& side_word) {
  Take();  // set
  SetStep step;
  step.pos = PosOf(side_word);
  LookupSide(side_word.text, &step.side);
  if (tok_.kind != Token::kWord)
    return Unexpected("a setting name after 'set'");
  const SettingRow* row = FindSetting(tok_.text);
  if (row != nullptr && Allows(row->sides, step.side) && !SettableOnSsl(*row)) {
    return Error(tok_, "'" + tok_.text +
                           "' cannot change on a live connection: OpenSSL "
                           "has no SSL form of its setter (it lives in the "
                           "SSL_CTX) or tlsim fixes it when the connection "
                           "opens; `set` takes " +
                           SettingNames([](const SettingRow& r) {
                             return SettableOnSsl(r);
                           }));
  }
  step.settings.pos = step.pos;
  if (!ParseSetting(step.side, &step.settings)) return false;
  if (!CheckReferences(step.settings)) return false;
  AddStep(std::move(step));
  return true;
}

}  // namespace tlsim::scenario::internal
