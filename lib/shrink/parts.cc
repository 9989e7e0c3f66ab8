#include "lib/shrink/parts.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

#include "lib/scenario/printer.h"
#include "lib/scenario/versions.h"

namespace tlsim::shrink::internal {

using scenario::EndpointDecl;
using scenario::Operation;
using scenario::Scenario;
using scenario::Step;

// Delta debugging (Zeller's ddmin, trying complements): removes as many of
// `count` items as it can. `accept(keep)` builds the candidate that keeps
// the items marked, tests it and, when it fails the same way, makes it the
// current one and returns true. Stops early when `stop()` says so.
void Ddmin(size_t count,
           const std::function<bool(const std::vector<bool>&)>& accept,
           const std::function<bool()>& stop) {
  std::vector<size_t> kept(count);
  for (size_t i = 0; i < count; ++i) kept[i] = i;
  auto mask = [count](const std::vector<size_t>& items) {
    std::vector<bool> m(count, false);
    for (size_t i : items) m[i] = true;
    return m;
  };
  if (count == 0 || stop()) return;
  if (accept(mask({}))) return;
  size_t parts = 2;
  while (!kept.empty() && !stop()) {
    parts = std::min(parts, kept.size());
    bool reduced = false;
    for (size_t i = 0; i < parts && !stop(); ++i) {
      size_t begin = i * kept.size() / parts;
      size_t end = (i + 1) * kept.size() / parts;
      std::vector<size_t> rest(kept.begin(), kept.begin() + begin);
      rest.insert(rest.end(), kept.begin() + end, kept.end());
      if (accept(mask(rest))) {
        kept = std::move(rest);
        parts = std::max<size_t>(parts - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (parts >= kept.size()) break;
      parts = std::min(parts * 2, kept.size());
    }
  }
}

// The block a setting item lives in: 0 client, 1 server, 2.. the contexts.
EndpointDecl& Block(Scenario& s, size_t block) {
  if (block == 0) return s.client;
  if (block == 1) return s.server;
  return s.contexts[block - 2].settings;
}

const EndpointDecl& Block(const Scenario& s, size_t block) {
  if (block == 0) return s.client;
  if (block == 1) return s.server;
  return s.contexts[block - 2].settings;
}

std::string BlockName(const Scenario& s, size_t block) {
  if (block == 0) return "client";
  if (block == 1) return "server";
  return "server context " + s.contexts[block - 2].name;
}

bool IsSet(const EndpointDecl& d, const scenario::SettingRow& row) {
  return std::visit([&](const auto& v) { return (d.*(v.field)).has_value(); },
                    row.value);
}

void Unset(EndpointDecl* d, const scenario::SettingRow& row) {
  std::visit([&](const auto& v) { (d->*(v.field)).reset(); }, row.value);
}

// One setting as written: "tickets = off".
std::string SettingText(const EndpointDecl& d,
                        const scenario::SettingRow& row) {
  scenario::SetStep one;
  std::visit([&](const auto& v) { one.settings.*(v.field) = d.*(v.field); },
             row.value);
  return scenario::SetText(one);
}

bool IsOptions(const scenario::SettingRow& row) {
  return std::string_view(row.name) == "options";
}

namespace {

void AddReferences(const EndpointDecl& d, References* r) {
  for (const auto* list : {&d.trust, &d.cert, &d.ca_names}) {
    if (*list)
      r->certs.insert(list->value().value.begin(), list->value().value.end());
  }
  if (d.sni_certs) {
    for (const auto& [host, cert] : d.sni_certs->value) r->certs.insert(cert);
  }
  for (const auto* map : {&d.contexts, &d.hello_contexts}) {
    if (*map) {
      for (const auto& [host, name] : map->value().value) {
        r->contexts.insert(name);
      }
    }
  }
}

void AddNodes(const std::vector<Step>& steps, proto::OpensslSeries series,
              size_t parent, bool runs, size_t* leaf, std::vector<Node>* out) {
  for (const Step& step : steps) {
    const size_t me = out->size();
    out->push_back({&step, parent, Node::kNone, me + 1, runs});
    const auto* block = std::get_if<scenario::IfStep>(&step);
    if (block == nullptr) {
      (*out)[me].leaf = (*leaf)++;
      continue;
    }
    const scenario::Branch* taken = scenario::TakenBranch(*block, series);
    for (const scenario::Branch& branch : block->branches) {
      AddNodes(branch.steps, series, me, runs && &branch == taken, leaf, out);
    }
    (*out)[me].end = out->size();
  }
}

void KeepInto(const std::vector<Step>& steps, const std::vector<bool>& keep,
              bool kept_around, size_t* node, size_t* leaf,
              std::vector<Step>* out, std::vector<size_t>* out_leaves) {
  for (const Step& step : steps) {
    const bool kept = kept_around && keep[(*node)++];
    const auto* block = std::get_if<scenario::IfStep>(&step);
    if (block == nullptr) {
      const size_t me = (*leaf)++;
      if (kept) {
        out->push_back(step);
        out_leaves->push_back(me);
      }
      continue;
    }
    scenario::IfStep copy;
    copy.pos = block->pos;
    copy.one_line = block->one_line;
    for (const scenario::Branch& branch : block->branches) {
      scenario::Branch b;
      b.pos = branch.pos;
      b.condition = branch.condition;
      KeepInto(branch.steps, keep, kept, node, leaf, &b.steps, out_leaves);
      copy.branches.push_back(std::move(b));
    }
    while (!copy.branches.empty() && copy.branches.back().steps.empty()) {
      copy.branches.pop_back();
    }
    if (kept && !copy.branches.empty()) out->push_back(std::move(copy));
  }
}

size_t CountLeaves(const std::vector<Step>& steps) {
  size_t n = 0;
  for (const Step& step : steps) {
    const auto* block = std::get_if<scenario::IfStep>(&step);
    if (block == nullptr) {
      ++n;
      continue;
    }
    for (const scenario::Branch& b : block->branches) n += CountLeaves(b.steps);
  }
  return n;
}

void AddRunOrder(const std::vector<Step>& steps, proto::OpensslSeries series,
                 size_t* leaf, std::vector<size_t>* out) {
  for (const Step& step : steps) {
    const auto* block = std::get_if<scenario::IfStep>(&step);
    if (block == nullptr) {
      out->push_back((*leaf)++);
      continue;
    }
    const scenario::Branch* taken = scenario::TakenBranch(*block, series);
    for (const scenario::Branch& branch : block->branches) {
      if (&branch == taken) {
        AddRunOrder(branch.steps, series, leaf, out);
      } else {
        *leaf += CountLeaves(branch.steps);
      }
    }
  }
}

void AddLeaves(std::vector<Step>* steps, std::vector<Step*>* out) {
  for (Step& step : *steps) {
    auto* block = std::get_if<scenario::IfStep>(&step);
    if (block == nullptr) {
      out->push_back(&step);
      continue;
    }
    for (scenario::Branch& branch : block->branches) {
      AddLeaves(&branch.steps, out);
    }
  }
}

void AddLeaves(const std::vector<Step>& steps, std::vector<const Step*>* out) {
  for (const Step& step : steps) {
    const auto* block = std::get_if<scenario::IfStep>(&step);
    if (block == nullptr) {
      out->push_back(&step);
      continue;
    }
    for (const scenario::Branch& branch : block->branches) {
      AddLeaves(branch.steps, out);
    }
  }
}

}  // namespace

std::vector<Node> Nodes(const std::vector<Step>& steps,
                        proto::OpensslSeries series) {
  std::vector<Node> nodes;
  size_t leaf = 0;
  AddNodes(steps, series, Node::kNone, true, &leaf, &nodes);
  return nodes;
}

std::vector<Step> Keep(const std::vector<Step>& steps,
                       const std::vector<bool>& keep,
                       std::vector<size_t>* out_leaves) {
  std::vector<Step> out;
  out_leaves->clear();
  size_t node = 0, leaf = 0;
  KeepInto(steps, keep, true, &node, &leaf, &out, out_leaves);
  return out;
}

std::vector<size_t> RunOrder(const std::vector<Step>& steps,
                             proto::OpensslSeries series) {
  std::vector<size_t> order;
  size_t leaf = 0;
  AddRunOrder(steps, series, &leaf, &order);
  return order;
}

std::vector<Step*> Leaves(Scenario* s) {
  std::vector<Step*> out;
  AddLeaves(&s->steps, &out);
  return out;
}

std::vector<const Step*> Leaves(const Scenario& s) {
  std::vector<const Step*> out;
  AddLeaves(s.steps, &out);
  return out;
}

References ReferencesOf(const Scenario& s) {
  References r;
  for (const scenario::CertDecl& cert : s.pki) {
    if (cert.issuer) r.certs.insert(cert.issuer->value);
  }
  AddReferences(s.client, &r);
  AddReferences(s.server, &r);
  for (const scenario::ContextDecl& c : s.contexts) {
    AddReferences(c.settings, &r);
  }
  for (const Step* step : Leaves(s)) {
    if (const auto* set = std::get_if<scenario::SetStep>(step)) {
      AddReferences(set->settings, &r);
    }
    const auto* expect = std::get_if<scenario::ExpectStep>(step);
    if (expect && expect->property == scenario::Property::kCaNames) {
      if (const auto* names = std::get_if<std::string>(&expect->value)) {
        size_t start = 0;
        while (start <= names->size()) {
          size_t comma = names->find(',', start);
          if (comma == std::string::npos) comma = names->size();
          r.certs.insert(names->substr(start, comma - start));
          start = comma + 1;
        }
      }
    }
  }
  return r;
}

// Every payload slot of `s`.
std::vector<Slot> Slots(const Scenario& s) {
  std::vector<Slot> slots;
  const std::vector<const Step*> leaves = Leaves(s);
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (const auto* call = std::get_if<scenario::CallStep>(leaves[i])) {
      if (call->call == scenario::Call::kWrite ||
          call->call == scenario::Call::kWriteEarly) {
        slots.push_back({Slot::Kind::kCallWrite, i, 0});
      }
      if (call->expect && call->expect->data) {
        slots.push_back({Slot::Kind::kCallData, i, 0});
      }
    }
    const auto* expect = std::get_if<scenario::ExpectStep>(leaves[i]);
    if (expect && expect->property == scenario::Property::kProgramRead) {
      slots.push_back({Slot::Kind::kExpectRead, i, 0});
    }
  }
  for (size_t p = 0; p < s.programs.size(); ++p) {
    const auto& ops = s.programs[p].operations;
    for (size_t i = 0; i < ops.size(); ++i) {
      using K = Operation::Kind;
      if (ops[i].kind == K::kWrite || ops[i].kind == K::kWriteEarly ||
          (ops[i].kind == K::kRead &&
           ops[i].until == Operation::Until::kText)) {
        slots.push_back({Slot::Kind::kOpData, p, i});
      } else if (ops[i].kind == K::kRead &&
                 ops[i].until == Operation::Until::kBytes) {
        slots.push_back({Slot::Kind::kOpBytes, p, i});
      }
    }
  }
  return slots;
}

size_t SizeOf(const Scenario& s, const Slot& slot) {
  switch (slot.kind) {
    case Slot::Kind::kCallWrite:
      return std::get<scenario::CallStep>(*Leaves(s)[slot.index])
          .write_data.size();
    case Slot::Kind::kCallData:
      return std::get<scenario::CallStep>(*Leaves(s)[slot.index])
          .expect->data->size();
    case Slot::Kind::kExpectRead:
      return std::get<std::string>(
                 std::get<scenario::ExpectStep>(*Leaves(s)[slot.index]).value)
          .size();
    case Slot::Kind::kOpData:
      return s.programs[slot.index].operations[slot.op].data.size();
    case Slot::Kind::kOpBytes:
      return static_cast<size_t>(
          s.programs[slot.index].operations[slot.op].bytes);
  }
  return 0;
}

std::string SlotName(const Scenario& s, const Slot& slot) {
  switch (slot.kind) {
    case Slot::Kind::kCallWrite:
    case Slot::Kind::kCallData: {
      const auto& call = std::get<scenario::CallStep>(*Leaves(s)[slot.index]);
      return fmt::format("L{} {} {}{}", call.pos.line,
                         scenario::SideName(call.side),
                         scenario::CallName(call.call),
                         slot.kind == Slot::Kind::kCallData ? " data=" : "");
    }
    case Slot::Kind::kExpectRead: {
      const auto& e = std::get<scenario::ExpectStep>(*Leaves(s)[slot.index]);
      return fmt::format("L{} expect {} read", e.pos.line,
                         scenario::SideName(e.side));
    }
    case Slot::Kind::kOpData:
    case Slot::Kind::kOpBytes: {
      const scenario::ProgramDecl& p = s.programs[slot.index];
      const Operation& op = p.operations[slot.op];
      const char* what = op.kind == Operation::Kind::kWrite ? "write"
                         : op.kind == Operation::Kind::kWriteEarly
                             ? "write_early"
                         : op.until == Operation::Until::kText ? "read until"
                                                               : "read";
      return fmt::format("L{} {} program {}", op.pos.line,
                         scenario::SideName(p.side), what);
    }
  }
  return "?";
}

// Halves the payload at `slot` (its first half); a call's expected
// return value that was the old size follows.
void Halve(Scenario* s, const Slot& slot) {
  auto follow = [](scenario::CallStep* call, size_t was, size_t now) {
    if (call->expect && call->expect->ret &&
        *call->expect->ret == static_cast<int>(was)) {
      call->expect->ret = static_cast<int>(now);
    }
  };
  switch (slot.kind) {
    case Slot::Kind::kCallWrite: {
      auto& call = std::get<scenario::CallStep>(*Leaves(s)[slot.index]);
      size_t was = call.write_data.size();
      call.write_data.resize(was / 2);
      follow(&call, was, was / 2);
      break;
    }
    case Slot::Kind::kCallData: {
      auto& call = std::get<scenario::CallStep>(*Leaves(s)[slot.index]);
      size_t was = call.expect->data->size();
      call.expect->data->resize(was / 2);
      follow(&call, was, was / 2);
      break;
    }
    case Slot::Kind::kExpectRead: {
      auto& e = std::get<scenario::ExpectStep>(*Leaves(s)[slot.index]);
      auto& text = std::get<std::string>(e.value);
      text.resize(text.size() / 2);
      break;
    }
    case Slot::Kind::kOpData: {
      auto& data = s->programs[slot.index].operations[slot.op].data;
      data.resize(data.size() / 2);
      break;
    }
    case Slot::Kind::kOpBytes: {
      auto& bytes = s->programs[slot.index].operations[slot.op].bytes;
      bytes /= 2;
      break;
    }
  }
}

}  // namespace tlsim::shrink::internal
