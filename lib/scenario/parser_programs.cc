// program blocks (what each side's application does, operation by
// operation, and how it retries) and the `run` step that runs them:
//
//   program client policy=full_duplex {
//     connect
//     write "GET / HTTP/1.1\r\n\r\n"
//     read until "\r\n\r\n" policy=correct
//   }
//   run deliver=record -> done
#include <cstdint>
#include <string>
#include <utility>

#include "lib/scenario/parser_internal.h"
#include "lib/scenario/spellings.h"

namespace tlsim::scenario::internal {
namespace {

const OperationRow* FindOperation(std::string_view name) {
  for (const OperationRow& row : kOperations) {
    if (name == row.name) return &row;
  }
  return nullptr;
}

// "connect, accept, ..." for messages.
std::string OperationNames() {
  std::string out;
  for (const OperationRow& row : kOperations) {
    if (!out.empty()) out += ", ";
    out += row.name;
  }
  return out;
}

}  // namespace

bool Parser::ParseProgram(const Token& keyword) {
  if (seen_step_) {
    return Error(keyword, "'program' block must come before the first step");
  }
  Token side_word;
  if (!TakeWord("client or server after 'program'", &side_word)) return false;
  ProgramDecl program;
  program.pos = PosOf(keyword);
  if (!LookupSide(side_word.text, &program.side)) {
    return Error(side_word,
                 "expected client or server after 'program', found " +
                     TokenName(side_word));
  }
  Pos& first = program_pos_[static_cast<size_t>(program.side)];
  if (first.line != 0) {
    return Error(keyword, "duplicate program for the " + side_word.text +
                              " (first at line " + std::to_string(first.line) +
                              "): one program per side");
  }
  while (tok_.kind == Token::kWord) {
    Token option = Take();
    if (option.text == "blocking") {
      if (program.blocking) return Error(option, "duplicate 'blocking'");
      program.blocking = true;
    } else if (option.text == "policy") {
      if (!ParsePolicyOption(option, &program.policy)) return false;
    } else {
      return Error(option, "unknown program option '" + option.text +
                               "' (options: blocking, policy=NAME)");
    }
  }
  if (tok_.kind != Token::kLBrace) {
    return Unexpected("'{' after 'program " + side_word.text + "'");
  }
  bool ok = ParseBlockLines(keyword, "an operation", [&] {
    return ParseOperation(program.side, &program);
  });
  if (!ok) return false;
  if (program.operations.empty()) {
    return Error(keyword, "the " + side_word.text +
                              "'s program has no operations: it needs at "
                              "least one (" +
                              OperationNames() + ")");
  }
  first = program.pos;
  out_->programs.push_back(std::move(program));
  return true;
}

bool Parser::ParsePolicyOption(const Token& option,
                               std::optional<Located<Policy>>* out) {
  if (out->has_value()) return Error(option, "duplicate 'policy='");
  if (tok_.kind != Token::kEquals) return Unexpected("'=' after 'policy'");
  Take();
  UnquoteValue();
  const std::string names = Alternatives(kPolicies);
  Token name;
  if (!TakeWord("a policy after 'policy=' (" + names + ")", &name)) {
    return false;
  }
  std::optional<Policy> policy = ValueOf(kPolicies, name.text);
  if (!policy) {
    return Error(
        name, "unknown policy '" + name.text + "' (policies: " + names + ")");
  }
  *out = Located<Policy>{*policy, PosOf(name)};
  return true;
}

bool Parser::ParseOperation(Side side, ProgramDecl* program) {
  Token word = Take();
  const std::string& w = word.text;
  const OperationRow* row = FindOperation(w);
  if (row == nullptr) {
    return Error(word, "unknown operation '" + w +
                           "' (operations: " + OperationNames() + ")");
  }
  if (row->side && *row->side != side) {
    return Error(word, std::string("a ") + SideName(side) +
                           " program cannot '" + w + "': " + row->why);
  }
  Operation op;
  op.pos = PosOf(word);
  op.kind = row->kind;
  if (op.kind == Operation::Kind::kHandshake) op.call = row->call;
  switch (op.kind) {
    case Operation::Kind::kWrite:
    case Operation::Kind::kWriteEarly:
      if (!ParsePayload(w, &op.data)) return false;
      break;
    case Operation::Kind::kRead:
      if (tok_.kind == Token::kWord && tok_.text == "until") {
        Take();
        if (tok_.kind == Token::kWord && tok_.text == "close_notify") {
          Take();
          op.until = Operation::Until::kCloseNotify;
          break;
        }
        if (tok_.kind != Token::kString) {
          return Unexpected("a string or close_notify after 'until'");
        }
        Token text = tok_;
        if (!ParsePayload("until", &op.data)) return false;
        if (op.data.empty()) {
          return Error(text,
                       "'read until' needs a text to wait for; an empty one "
                       "is always there");
        }
        if (op.data.size() > kMaxReadUntil) {
          return Error(text, "the text of 'read until' is " +
                                 std::to_string(op.data.size()) +
                                 " bytes, longer than the limit of " +
                                 std::to_string(kMaxReadUntil) + " bytes");
        }
        op.until = Operation::Until::kText;
      } else {
        // As much as a write may send: the program reads it in many calls.
        const std::string what = "a byte count from 1 to " +
                                 std::to_string(kMaxPayload) + ", or until";
        if (!TakeInt(what, "read", 1, kMaxPayload, &op.bytes, nullptr)) {
          return false;
        }
        op.until = Operation::Until::kBytes;
      }
      break;
    case Operation::Kind::kShutdown:
      if (tok_.kind == Token::kWord && tok_.text == "once") {
        Take();
        op.once = true;
      }
      break;
    case Operation::Kind::kKeyUpdate:
      if (tok_.kind == Token::kWord &&
          (tok_.text == "requested" || tok_.text == "not_requested")) {
        op.requested = Take().text == "requested";
      }
      break;
    case Operation::Kind::kWaitPeer:
      if (tok_.kind != Token::kWord || tok_.text != "peer") {
        return Unexpected(
            "'peer' after 'wait' (a program waits for its peer's program to "
            "finish)");
      }
      Take();
      break;
    case Operation::Kind::kHandshake:
    case Operation::Kind::kRenegotiate:
    case Operation::Kind::kVerifyClientPostHandshake:
    case Operation::Kind::kReadEarly:
      break;
  }
  while (tok_.kind == Token::kWord && tok_.text == "policy") {
    Token option = Take();
    if (!ParsePolicyOption(option, &op.policy)) return false;
  }
  if (tok_.kind != Token::kNewline && tok_.kind != Token::kEof) {
    return Unexpected("policy=NAME or end of line after '" + w + "'");
  }
  program->operations.push_back(std::move(op));
  return ExpectEndOfLine();
}

bool Parser::ParseRun(const Token& keyword) {
  if (out_->programs.empty()) {
    return Error(keyword,
                 "'run' runs the sides' programs, and this file declares "
                 "none: add a 'program client { ... }' or 'program server "
                 "{ ... }' block before the steps");
  }
  RunStep step;
  step.pos = PosOf(keyword);
  if (!ParseLoopOptions(
          "run",
          [](const std::string& w) {
            return ValueOf(kRunVerdicts, w).has_value();
          },
          &step.chunk, &step.first, &step.limit)) {
    return false;
  }
  if (tok_.kind == Token::kArrow &&
      !ParseVerdict(kRunVerdicts, &step.expect, &step.failed_by)) {
    return false;
  }
  AddStep(std::move(step));
  return ExpectEndOfLine();
}

}  // namespace tlsim::scenario::internal
