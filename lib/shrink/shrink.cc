#include "lib/shrink/shrink.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>
#include <utility>
#include <variant>

#include "lib/run/series.h"
#include "lib/scenario/printer.h"
#include "lib/scenario/settings.h"
#include "lib/scenario/versions.h"
#include "lib/shrink/parts.h"

namespace tlsim::shrink {
namespace {

using scenario::EndpointDecl;
using scenario::Operation;
using scenario::Scenario;
using scenario::Step;
using namespace internal;

// A payload shorter than this stays as written: short texts ("\r\n\r\n", a
// request line) usually mean something, long ones are bulk.
constexpr size_t kShortPayload = 16;

// A scenario being shrunk, and where each of its plain steps came from.
struct Candidate {
  Scenario s;
  // Each plain step's leaf number in the original (parts.h), by its own.
  std::vector<size_t> origin;
};

int LineOf(const Step& step) {
  return std::visit([](const auto& s) { return s.pos.line; }, step);
}

// One step as the printer writes it.
std::string StepText(const Step& step) {
  Scenario one;
  one.steps = {step};
  std::string text = scenario::Print(one);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// "L20-L25, L30": the lines of the plain steps `leaves` (ascending leaf
// numbers of `c`), runs of neighbouring steps as ranges.
std::string StepLines(const Candidate& c, const std::vector<size_t>& leaves) {
  const std::vector<const Step*> all = Leaves(c.s);
  std::string out;
  for (size_t i = 0; i < leaves.size();) {
    size_t j = i;
    while (j + 1 < leaves.size() && leaves[j + 1] == leaves[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += fmt::format("L{}", LineOf(*all[leaves[i]]));
    if (j > i) out += fmt::format("-L{}", LineOf(*all[leaves[j]]));
    i = j + 1;
  }
  return out;
}

// "removed 2 steps: L20 client connect -> -1 WANT_READ; L21 deliver ...",
// or, for more than three, their lines only; the nodes `gone` of `c`
// (parts.h), a block with the steps inside it: "removed 3 steps and 1 'if'
// block (L20): ...". Nodes `already` marks (gone in an earlier candidate)
// are not told again.
std::string RemovedSteps(const Candidate& c, const std::vector<Node>& nodes,
                         const std::vector<size_t>& gone,
                         const std::string& what,
                         const std::vector<bool>& already = {}) {
  std::vector<bool> removed(nodes.size(), false);
  for (size_t i : gone) removed[i] = true;
  auto was_gone = [&](size_t i) { return i < already.size() && already[i]; };
  std::vector<size_t> leaves;
  std::vector<int> blocks;
  for (size_t i = 0; i < nodes.size(); ++i) {
    // Gone itself, or inside a block that is; and not told before.
    bool out = removed[i];
    bool inside = false;
    bool told = was_gone(i);
    for (size_t p = nodes[i].parent; p != Node::kNone; p = nodes[p].parent) {
      inside = inside || removed[p];
      told = told || was_gone(p);
    }
    if ((!out && !inside) || told) continue;
    if (!nodes[i].is_block()) {
      leaves.push_back(nodes[i].leaf);
    } else if (!inside) {
      blocks.push_back(LineOf(*nodes[i].step));
    }
  }
  std::string head = fmt::format("removed {} step{}", leaves.size(),
                                 leaves.size() == 1 ? "" : "s");
  if (!blocks.empty()) {
    std::string lines;
    for (int line : blocks) {
      lines += fmt::format("{}L{}", lines.empty() ? "" : ", ", line);
    }
    head += fmt::format(" and {} 'if' block{} ({})", blocks.size(),
                        blocks.size() == 1 ? "" : "s", lines);
  }
  std::string out = head + what + ": ";
  if (leaves.size() > 3) return out + StepLines(c, leaves);
  const std::vector<const Step*> all = Leaves(c.s);
  for (size_t k = 0; k < leaves.size(); ++k) {
    const Step& step = *all[leaves[k]];
    out += fmt::format("{}L{} {}", k ? "; " : "", LineOf(step), StepText(step));
  }
  return out;
}

class Shrinker {
 public:
  Shrinker(const Options& options, Result* result, std::string file,
           proto::OpensslSeries series)
      : options_(options),
        result_(result),
        file_(std::move(file)),
        series_(series) {}

  void Start(const Scenario& original) {
    current_.s = original;
    const size_t leaves = Leaves(original).size();
    current_.origin.resize(leaves);
    for (size_t i = 0; i < leaves; ++i) current_.origin[i] = i;
    // The failure's index is among the steps that ran on this series.
    failed_origin_ =
        RunOrder(original.steps, series_).at(result_->failure.step);
  }

  void Run() {
    DropTail();
    PruneOtherSeries();
    // Each kind of reduction can make another possible (a setting gone
    // leaves a certificate unreferenced, a step gone a program operation
    // useless): go round until a whole round removes nothing.
    while (!Stop()) {
      bool progress = false;
      progress |= Steps();
      progress |= WholePrograms();
      progress |= ProgramOperations();
      progress |= ProgramPolicies();
      progress |= Settings();
      progress |= Unreferenced();
      progress |= Payloads();
      if (!progress) break;
    }
  }

  const Candidate& current() const { return current_; }
  // The failed step's leaf number in `c`.
  size_t FailedIn(const Candidate& c) const {
    return static_cast<size_t>(
        std::find(c.origin.begin(), c.origin.end(), failed_origin_) -
        c.origin.begin());
  }
  // The failed step's index among the steps `c` runs on this series.
  size_t FailedRunIndex(const Candidate& c) const {
    const std::vector<size_t> order = RunOrder(c.s.steps, series_);
    return static_cast<size_t>(
        std::find(order.begin(), order.end(), FailedIn(c)) - order.begin());
  }
  // The failed step's node in `nodes`, the nodes of `c`.
  size_t FailedNode(const Candidate& c, const std::vector<Node>& nodes) const {
    const size_t leaf = FailedIn(c);
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].leaf == leaf) return i;
    }
    return nodes.size();
  }

  // Runs `c` (printed, parsed, built): true when it fails the same way at
  // the same step.
  bool Test(const Candidate& c) {
    if (Stop()) return false;
    ++result_->runs;
    std::string text = scenario::Print(c.s);
    Failure f;
    scenario::Diagnostic d;
    switch (RunText(file_, text, &f, &d)) {
      case RunResult::kRefused:
        ++result_->refused;
        return false;
      case RunResult::kPassed:
      case RunResult::kNotApplicable:
        return false;
      case RunResult::kFailed: {
        // The steps that ran are `c`'s resolved for this series.
        const std::vector<size_t> order = RunOrder(c.s.steps, series_);
        return f.step < order.size() && order[f.step] < c.origin.size() &&
               c.origin[order[f.step]] == failed_origin_ &&
               f.SameWay(result_->failure);
      }
    }
    return false;
  }

 private:
  bool Exhausted() const { return result_->runs >= options_.max_runs; }
  // Asked before each test: true, and the result says the bound stopped
  // the shrink, when no test is left.
  bool Stop() {
    if (!Exhausted()) return false;
    result_->bounded = true;
    return true;
  }

  // Tests `c`; when it fails the same way, it becomes the current one and
  // `line` is reported.
  bool Accept(Candidate c, const std::string& line) {
    if (!Test(c)) return false;
    current_ = std::move(c);
    result_->reductions.push_back(line);
    if (options_.on_reduction) options_.on_reduction(line);
    return true;
  }

  // Builds the candidate that keeps the items `keep` marks and the line that
  // reports the removal of those `before` (the last kept) still had; false
  // when there is no such candidate.
  using Edit = std::function<bool(const std::vector<bool>& keep,
                                  const std::vector<bool>& before,
                                  Candidate* out, std::string* out_line)>;

  // Delta debugging over `count` items: each candidate `edit` builds is
  // accepted when it fails the same way. True when one was.
  bool Reduce(size_t count, const Edit& edit) {
    std::vector<bool> before(count, true);
    bool progress = false;
    Ddmin(
        count,
        [&](const std::vector<bool>& keep) {
          Candidate c;
          std::string line;
          if (!edit(keep, before, &c, &line)) return false;
          if (!Accept(std::move(c), line)) return false;
          before = keep;
          progress = true;
          return true;
        },
        [this] { return Stop(); });
    return progress;
  }

  // Reduce over `count` items each removed on its own: `remove(k, c)`
  // removes item k from `c` and names it. The line: "removed " and the
  // names of those `before` still had, "; " between.
  bool RemoveEach(
      size_t count,
      const std::function<std::string(size_t k, Candidate* c)>& remove) {
    const Candidate base = current_;
    return Reduce(count, [&](const std::vector<bool>& keep,
                             const std::vector<bool>& before, Candidate* c,
                             std::string* line) {
      *c = base;
      std::string gone;
      for (size_t k = 0; k < count; ++k) {
        if (keep[k]) continue;
        const std::string what = remove(k, c);
        if (before[k]) gone += (gone.empty() ? "" : "; ") + what;
      }
      *line = "removed " + gone;
      return true;
    });
  }

  // The candidate of `base` without the nodes `gone` (of `nodes`, its
  // nodes); a block goes with the steps inside it.
  static Candidate Without(const Candidate& base,
                           const std::vector<Node>& nodes,
                           const std::vector<size_t>& gone) {
    std::vector<bool> keep(nodes.size(), true);
    for (size_t i : gone) keep[i] = false;
    Candidate c;
    c.s = base.s;
    std::vector<size_t> leaves;
    c.s.steps = Keep(base.s.steps, keep, &leaves);
    for (size_t leaf : leaves) c.origin.push_back(base.origin[leaf]);
    return c;
  }

  // Steps after the failed one never run (in a branch after the failed
  // one's, or in no branch taken, they never run on this series either).
  void DropTail() {
    const std::vector<Node> nodes = Nodes(current_.s.steps, series_);
    const size_t failed = FailedNode(current_, nodes);
    std::vector<size_t> gone;
    for (size_t i = failed + 1; i < nodes.size(); ++i) gone.push_back(i);
    if (gone.empty()) return;
    (void)Accept(Without(current_, nodes, gone),
                 RemovedSteps(current_, nodes, gone, " after the failed one"));
  }

  // The steps under conditions that do not hold on this series never run
  // here: they go all at once. The conditions stay where a branch still
  // holds a step.
  void PruneOtherSeries() {
    const std::vector<Node> nodes = Nodes(current_.s.steps, series_);
    std::vector<size_t> gone;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].runs) gone.push_back(i);
    }
    if (gone.empty()) return;
    (void)Accept(
        Without(current_, nodes, gone),
        RemovedSteps(current_, nodes, gone,
                     fmt::format(" under conditions that do not hold on "
                                 "OpenSSL {}",
                                 proto::SeriesName(series_))));
  }

  // Every step and block before the failed step, but the blocks around
  // it: a block may go whole, or the steps inside it one by one.
  bool Steps() {
    const Candidate base = current_;
    const std::vector<Node> nodes = Nodes(base.s.steps, series_);
    const size_t failed = FailedNode(base, nodes);
    std::vector<size_t> items;
    for (size_t i = 0; i < failed && i < nodes.size(); ++i) {
      if (nodes[i].end <= failed) items.push_back(i);  // not around it
    }
    return Reduce(items.size(), [&](const std::vector<bool>& keep,
                                    const std::vector<bool>& before,
                                    Candidate* c, std::string* line) {
      std::vector<size_t> gone, reported;
      std::vector<bool> already(nodes.size(), false);
      for (size_t k = 0; k < items.size(); ++k) {
        if (!before[k]) already[items[k]] = true;
        if (keep[k]) continue;
        gone.push_back(items[k]);
        if (before[k]) reported.push_back(items[k]);
      }
      *c = Without(base, nodes, gone);
      *line = RemovedSteps(base, nodes, reported, "", already);
      return true;
    });
  }

  // Programs with no `run` step left to run them.
  bool WholePrograms() {
    if (current_.s.programs.empty()) return false;
    for (const Step* step : Leaves(current_.s)) {
      if (std::holds_alternative<scenario::RunStep>(*step)) return false;
    }
    Candidate c = current_;
    c.s.programs.clear();
    return Accept(std::move(c), "removed every program (no run step left)");
  }

  bool ProgramOperations() {
    bool progress = false;
    for (size_t p = 0; p < current_.s.programs.size(); ++p) {
      const Candidate base = current_;
      const scenario::ProgramDecl& program = base.s.programs[p];
      progress |= Reduce(
          program.operations.size(),
          [&](const std::vector<bool>& keep, const std::vector<bool>& before,
              Candidate* c, std::string* line) {
            if (std::none_of(keep.begin(), keep.end(),
                             [](bool k) { return k; })) {
              return false;  // a program has at least one operation
            }
            *c = base;
            auto& ops = c->s.programs[p].operations;
            ops.clear();
            std::string gone;
            for (size_t i = 0; i < program.operations.size(); ++i) {
              const Operation& op = program.operations[i];
              if (keep[i]) {
                ops.push_back(op);
              } else if (before[i]) {
                gone += fmt::format("{}L{} {}", gone.empty() ? "" : "; ",
                                    op.pos.line,
                                    scenario::ProgramOperationText(op));
              }
            }
            *line = fmt::format("removed from the {} program: {}",
                                scenario::SideName(program.side), gone);
            return true;
          });
    }
    return progress;
  }

  // `blocking`, a program's policy=, an operation's policy=.
  bool ProgramPolicies() {
    struct Item {
      size_t program;
      int op;  // -1: the block's own (blocking when `blocking`)
      bool blocking;
    };
    const Candidate base = current_;
    std::vector<Item> items;
    for (size_t p = 0; p < base.s.programs.size(); ++p) {
      const scenario::ProgramDecl& program = base.s.programs[p];
      if (program.blocking) items.push_back({p, -1, true});
      if (program.policy) items.push_back({p, -1, false});
      for (size_t i = 0; i < program.operations.size(); ++i) {
        if (program.operations[i].policy) {
          items.push_back({p, static_cast<int>(i), false});
        }
      }
    }
    return RemoveEach(items.size(), [&](size_t k, Candidate* c) {
      const Item& it = items[k];
      scenario::ProgramDecl& program = c->s.programs[it.program];
      std::string what;
      if (it.blocking) {
        program.blocking = false;
        what = fmt::format("blocking (L{})", program.pos.line);
      } else if (it.op < 0) {
        what = fmt::format("policy={} (L{})",
                           scenario::PolicyName(program.policy->value),
                           program.pos.line);
        program.policy.reset();
      } else {
        Operation& op = program.operations[static_cast<size_t>(it.op)];
        what = fmt::format("policy={} of L{} {}",
                           scenario::PolicyName(op.policy->value), op.pos.line,
                           scenario::ProgramOperationText(op));
        op.policy.reset();
      }
      return fmt::format("the {} program's {}",
                         scenario::SideName(program.side), what);
    });
  }

  bool Settings() {
    const Candidate base = current_;
    std::vector<SettingItem> items;
    for (size_t b = 0; b < 2 + base.s.contexts.size(); ++b) {
      const EndpointDecl& d = Block(base.s, b);
      for (const scenario::SettingRow& row : scenario::Settings()) {
        if (!IsSet(d, row)) continue;
        if (IsOptions(row)) {
          for (const std::string& name : d.options->value) {
            items.push_back({b, &row, name});
          }
        } else {
          items.push_back({b, &row, ""});
        }
      }
    }
    return RemoveEach(items.size(), [&](size_t k, Candidate* c) {
      const SettingItem& it = items[k];
      EndpointDecl& d = Block(c->s, it.block);
      const EndpointDecl& was = Block(base.s, it.block);
      std::optional<scenario::Pos> pos = scenario::SettingPos(was, *it.row);
      std::string what = fmt::format(
          "{} {} (L{})", BlockName(base.s, it.block),
          it.option.empty() ? SettingText(was, *it.row) : "option " + it.option,
          pos ? pos->line : 0);
      if (it.option.empty()) {
        Unset(&d, *it.row);
      } else if (d.options) {
        auto& names = d.options->value;
        names.erase(std::remove(names.begin(), names.end(), it.option),
                    names.end());
        if (names.empty()) d.options.reset();
      }
      return what;
    });
  }

  // pki certificates and server contexts that nothing names. Removing a
  // leaf can leave its issuer unreferenced: again until nothing goes.
  bool Unreferenced() {
    bool progress = false;
    while (true) {
      const Candidate base = current_;
      References refs = ReferencesOf(base.s);
      std::vector<size_t> certs, contexts;
      for (size_t i = 0; i < base.s.pki.size(); ++i) {
        if (!refs.certs.count(base.s.pki[i].name)) certs.push_back(i);
      }
      for (size_t i = 0; i < base.s.contexts.size(); ++i) {
        if (!refs.contexts.count(base.s.contexts[i].name)) {
          contexts.push_back(i);
        }
      }
      size_t count = certs.size() + contexts.size();
      if (count == 0) break;
      bool round = Reduce(count, [&](const std::vector<bool>& keep,
                                     const std::vector<bool>& before,
                                     Candidate* c, std::string* line) {
        *c = base;
        c->s.pki.clear();
        c->s.contexts.clear();
        std::string gone;
        auto removed = [&](size_t k, const std::string& what) {
          if (before[k]) gone += (gone.empty() ? "" : ", ") + what;
        };
        for (size_t i = 0, k = 0; i < base.s.pki.size(); ++i) {
          const scenario::CertDecl& cert = base.s.pki[i];
          bool candidate = k < certs.size() && certs[k] == i;
          if (candidate && !keep[k]) {
            removed(k, fmt::format("{} {} (L{})", cert.is_ca ? "ca" : "leaf",
                                   cert.name, cert.pos.line));
          } else {
            c->s.pki.push_back(cert);
          }
          if (candidate) ++k;
        }
        for (size_t i = 0, k = 0; i < base.s.contexts.size(); ++i) {
          const scenario::ContextDecl& context = base.s.contexts[i];
          bool candidate = k < contexts.size() && contexts[k] == i;
          size_t item = certs.size() + k;
          if (candidate && !keep[item]) {
            removed(item, fmt::format("server context {} (L{})", context.name,
                                      context.pos.line));
          } else {
            c->s.contexts.push_back(context);
          }
          if (candidate) ++k;
        }
        *line = "removed unreferenced " + gone;
        return true;
      });
      if (!round) break;
      progress = true;
    }
    return progress;
  }

  // Halves every long payload at once (a write and the read that expects
  // it shrink together), then each on its own, while the failure holds.
  bool Payloads() {
    bool progress = false;
    auto halvable = [](const Scenario& s, const Slot& slot) {
      return SizeOf(s, slot) > kShortPayload;
    };
    while (true) {
      std::vector<Slot> slots = Slots(current_.s);
      Candidate c = current_;
      std::string gone;
      size_t halved = 0;
      for (const Slot& slot : slots) {
        if (!halvable(current_.s, slot)) continue;
        size_t was = SizeOf(current_.s, slot);
        Halve(&c.s, slot);
        gone += fmt::format("{}{} {} -> {}", gone.empty() ? "" : ", ",
                            SlotName(current_.s, slot), was, SizeOf(c.s, slot));
        ++halved;
      }
      if (halved < 2) break;  // one at a time below
      if (!Accept(std::move(c),
                  fmt::format("halved {} payloads: {} bytes", halved, gone))) {
        break;
      }
      progress = true;
    }
    std::vector<Slot> slots = Slots(current_.s);
    for (const Slot& slot : slots) {
      while (halvable(current_.s, slot) && !Stop()) {
        Candidate c = current_;
        Halve(&c.s, slot);
        std::string line =
            fmt::format("halved {}: {} -> {} bytes", SlotName(current_.s, slot),
                        SizeOf(current_.s, slot), SizeOf(c.s, slot));
        if (!Accept(std::move(c), line)) break;
        progress = true;
      }
    }
    return progress;
  }

  const Options& options_;
  Result* result_;
  std::string file_;
  proto::OpensslSeries series_;  // the series the runs are on
  Candidate current_;
  size_t failed_origin_ = 0;
};

size_t SettingsIn(const EndpointDecl& d) {
  size_t n = 0;
  for (const scenario::SettingRow& row : scenario::Settings()) {
    if (IsSet(d, row)) ++n;
  }
  return n;
}

}  // namespace

Size Measure(const Scenario& s) {
  Size size;
  size.steps = Leaves(s).size();
  size.settings = SettingsIn(s.client) + SettingsIn(s.server);
  for (const scenario::ContextDecl& c : s.contexts) {
    size.settings += SettingsIn(c.settings);
  }
  size.pki = s.pki.size();
  size.contexts = s.contexts.size();
  for (const scenario::ProgramDecl& p : s.programs) {
    size.operations += p.operations.size();
  }
  for (const Slot& slot : Slots(s)) size.payload += SizeOf(s, slot);
  return size;
}

std::string SizeText(const Size& size) {
  auto n = [](size_t count, const char* one, const char* many) {
    return fmt::format("{} {}", count, count == 1 ? one : many);
  };
  return fmt::format(
      "{}, {}, {}, {}, {}, {}", n(size.steps, "step", "steps"),
      n(size.settings, "setting", "settings"),
      n(size.pki, "certificate", "certificates"),
      n(size.contexts, "server context", "server contexts"),
      n(size.operations, "program operation", "program operations"),
      n(size.payload, "payload byte", "payload bytes"));
}

Status Shrink(const Scenario& original, std::string_view source,
              const Options& options, Result* out,
              scenario::Diagnostic* out_error) {
  *out = Result{};
  // The runs are on this process's OpenSSL: the failure is this series'.
  proto::OpensslSeries series;
  if (!run::DecideHere(original, source, &series, &out->not_applicable,
                       out_error)) {
    return Status::kRefused;
  }
  if (!out->not_applicable.empty()) return Status::kNotApplicable;
  switch (RunScenario(original, source, &out->failure, out_error)) {
    case RunResult::kRefused:
      return Status::kRefused;
    case RunResult::kPassed:
      return Status::kPasses;
    case RunResult::kNotApplicable:  // decided above
      return Status::kNotApplicable;
    case RunResult::kFailed:
      break;
  }
  if (options.on_failure) options.on_failure(out->failure);
  out->before = Measure(original);
  if (scenario::HasBlocks(original)) out->series = series;
  Shrinker shrinker(options, out, original.file, series);
  shrinker.Start(original);
  shrinker.Run();
  out->smallest = shrinker.current().s;
  out->text = scenario::Print(out->smallest);
  if (out->series) {
    // What is left was run on this series only: say so in the file.
    out->text = fmt::format(
                    "# shrunk on OpenSSL {}: it fails there the way the "
                    "original did; steps under conditions that hold on other "
                    "series only were removed\n",
                    proto::SeriesName(series)) +
                out->text;
  }
  out->after = Measure(out->smallest);
  // The result as it will be read: its text parsed and run once more.
  scenario::Diagnostic bad;
  if (RunText(original.file, out->text, &out->shrunk, &bad) !=
          RunResult::kFailed ||
      out->shrunk.step != shrinker.FailedRunIndex(shrinker.current()) ||
      !out->shrunk.SameWay(out->failure)) {
    return Status::kNotRepeated;
  }
  return Status::kShrunk;
}

}  // namespace tlsim::shrink
