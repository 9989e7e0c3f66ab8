#include "lib/explore/explorer.h"

#include <fmt/format.h>
#include <malloc.h>
#include <openssl/evp.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "lib/proto/names.h"
#include "lib/run/program.h"
#include "lib/run/series.h"
#include "lib/run/session.h"
#include "lib/scenario/printer.h"
#include "lib/trace/event.h"
#include "lib/trace/text.h"
#include "lib/wire/fault.h"
#include "lib/wire/wire.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TLSIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TLSIM_ASAN 1
#endif
#ifdef TLSIM_ASAN
#include <sanitizer/lsan_interface.h>
#endif

namespace tlsim::explore {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// The fault kinds of the sweep, in the table's order.
enum class FaultKind {
  kDrop,
  kDuplicate,
  kSwap,
  kTruncate,
  kCorrupt,
  kHeader,
  kAlert,
  kReset,
  kClose,
};
constexpr FaultKind kFaultKinds[] = {
    FaultKind::kDrop,     FaultKind::kDuplicate, FaultKind::kSwap,
    FaultKind::kTruncate, FaultKind::kCorrupt,   FaultKind::kHeader,
    FaultKind::kAlert,    FaultKind::kReset,     FaultKind::kClose};

const char* FaultKindName(FaultKind k) {
  switch (k) {
    case FaultKind::kDrop:
      return "drop";
    case FaultKind::kDuplicate:
      return "duplicate";
    case FaultKind::kSwap:
      return "swap with next";
    case FaultKind::kTruncate:
      return "truncate";
    case FaultKind::kCorrupt:
      return "corrupt last byte";
    case FaultKind::kHeader:
      return "header type";
    case FaultKind::kAlert:
      return "inject alert";
    case FaultKind::kReset:
      return "reset";
    case FaultKind::kClose:
      return "close";
  }
  return "?";
}

// The choices of one schedule.
struct Choice {
  int64_t chunk = 0;  // chunks: bytes per delivery; -1 record; 0 as the step
  size_t record_rest = 0;  // chunk -1: the rest of the record in flight
  int64_t split_at = -1;   // splits: this delivery moves `split_bytes`
  size_t split_bytes = 0;
  int64_t flip_after = -1;  // order: the turn after this many deliveries
  // faults: the kind, on record `record` (1-based, in order of sending)
  // of `direction`.
  std::optional<FaultKind> fault;
  wire::Side direction = wire::Side::kClient;
  size_t record = 0;
};

// What the baseline run showed: each delivery's direction and size, the
// records each way.
struct Shape {
  std::vector<std::pair<wire::Side, size_t>> deliveries;
  std::array<size_t, 2> records = {0, 0};
};

// Collects, in a child, what its run did.
class Collector : public trace::Observer {
 public:
  void OnHeader(const trace::Header&) override {}
  void OnFooter(const trace::Footer&) override {}
  void OnEvent(const trace::Event& event) override {
    if (!active) return;
    if (const auto* c = std::get_if<trace::CallEvent>(&event)) {
      const char* side = proto::SideName(c->side);
      std::string call = c->call.substr(0, c->call.find(' '));
      std::string alert = "-";
      for (const trace::Alert& a : c->alerts_sent) {
        alert = "sent " + proto::AlertDescriptionText(a.description);
      }
      for (const trace::Alert& a : c->alerts_received) {
        alert = "got " + proto::AlertDescriptionText(a.description);
      }
      std::string ret = c->returns ? std::to_string(c->ret) : "-";
      std::string error =
          c->returns ? std::string(proto::SslErrorText(c->error)) : "-";
      coverage.insert(fmt::format("{} | {} | {} | {} | {} | {} | {}", side,
                                  c->operation, call, c->state, ret, error,
                                  alert));
      path += fmt::format("{} {} {} {};", side, call, ret, error);
      std::string& end = ends[static_cast<size_t>(c->side)];
      end = fmt::format("{} -> {} {}", call, ret, error);
      if (c->reason != 0) end += " \"" + c->reason_text() + "\"";
      if (alert != "-") end += " (alert " + alert + ")";
    } else if (const auto* d = std::get_if<trace::DriveEvent>(&event)) {
      if (d->end) {
        verdict = d->result;
        detail = d->detail;
      }
    } else if (const auto* v = std::get_if<trace::DeliveryEvent>(&event)) {
      if (!v->delivery.ok) return;
      shape.deliveries.emplace_back(v->from, v->delivery.delivered);
      for (const wire::RecordNote& n : v->delivery.records) {
        if (n.complete) ++shape.records[static_cast<size_t>(v->from)];
      }
    }
  }

  void Reset() { *this = Collector(); }

  bool active = false;
  std::set<std::string> coverage;
  std::string path;
  std::array<std::string, 2> ends;
  std::string verdict, detail;
  Shape shape;
};

// The explorer's decisions in one process: in the parent it forks a child
// at each point of the families it fans out; in a child it makes that
// child's choice.
class Brancher : public run::Chooser {
 public:
  // Returns true in a child that took `choice`.
  std::function<bool(const Choice&, const std::string&)> fork;
  bool fan_splits = false;
  bool fan_order = false;
  bool fan_faults = false;
  int64_t split_delivery = 0;  // fan only this delivery's splits (1-based)
  Choice mine;                 // a child's (or the baseline's: nothing)
  int64_t last_order_fan_ = 0;
  std::array<size_t, 2> records_seen = {0, 0};

  wire::Side First(int64_t deliveries, wire::Side planned) override {
    if (fan_order && deliveries > last_order_fan_) {
      last_order_fan_ = deliveries;
      Choice c;
      c.flip_after = deliveries;
      if (fork(c,
               fmt::format("order: the {} runs first after delivery {}",
                           proto::SideName(wire::Peer(planned)), deliveries))) {
        return wire::Peer(planned);
      }
    }
    if (mine.flip_after == deliveries) return wire::Peer(planned);
    return planned;
  }

  size_t Delivery(int64_t index, wire::Side from, size_t in_flight) override {
    if (fan_splits && (split_delivery == 0 || split_delivery == index + 1)) {
      for (size_t k = 1; k < in_flight; ++k) {
        Choice c;
        c.split_at = index;
        c.split_bytes = k;
        if (fork(c, fmt::format("splits: delivery {} ({}) split at {} of {}",
                                index + 1, proto::DirectionName(from), k,
                                in_flight))) {
          return k;
        }
      }
    }
    if (mine.split_at == index) return mine.split_bytes;
    if (mine.chunk > 0) return static_cast<size_t>(mine.chunk);
    if (mine.chunk < 0) return mine.record_rest;
    return 0;
  }

  void BeforeDelivery(int64_t, wire::Side from, wire::Wire* w) override {
    const size_t d = static_cast<size_t>(from);
    std::vector<wire::RecordSpan> spans = w->FrameInFlight(from);
    if (mine.chunk < 0) {  // a record at a time: the first one in flight
      mine.record_rest = 0;
      for (const wire::RecordSpan& span : spans) {
        if (span.in_flight > 0) {
          mine.record_rest = span.in_flight;
          break;
        }
      }
    }
    size_t complete = 0;
    for (const wire::RecordSpan& s : spans) {
      if (s.index >= 1 && s.complete) ++complete;
    }
    if (fan_faults) {
      for (const wire::RecordSpan& s : spans) {
        if (s.index < 1 || !s.complete) continue;
        for (FaultKind k : kFaultKinds) {
          Choice c;
          c.fault = k;
          c.direction = from;
          c.record = records_seen[d] + s.index;
          if (fork(c,
                   fmt::format("faults: {} record {} of {}", FaultKindName(k),
                               c.record, proto::DirectionName(from)))) {
            Apply(w, from, s, spans);
            records_seen[d] += complete;
            return;
          }
        }
      }
    } else if (mine.fault && mine.direction == from) {
      for (const wire::RecordSpan& s : spans) {
        if (s.index >= 1 && records_seen[d] + s.index == mine.record) {
          Apply(w, from, s, spans);
          break;
        }
      }
    }
    records_seen[d] += complete;
  }

 private:
  void Apply(wire::Wire* w, wire::Side from, const wire::RecordSpan& s,
             const std::vector<wire::RecordSpan>& spans) {
    wire::RecordSelector r = wire::RecordSelector::Index(s.index);
    wire::FaultResult result;
    switch (*mine.fault) {
      case FaultKind::kDrop:
        (void)w->Apply(from, wire::fault::Drop{r}, &result);
        break;
      case FaultKind::kDuplicate:
        (void)w->Apply(from, wire::fault::Duplicate{r}, &result);
        break;
      case FaultKind::kSwap:
        if (s.index < spans.back().index) {
          (void)w->Apply(
              from,
              wire::fault::Swap{r, wire::RecordSelector::Index(s.index + 1)},
              &result);
        } else {
          (void)w->Apply(from, wire::fault::Drop{r}, &result);  // no next
        }
        break;
      case FaultKind::kTruncate:
        (void)w->Apply(from, wire::fault::Cut{r, 5 + (s.total - 5) / 2},
                       &result);
        break;
      case FaultKind::kCorrupt:
        (void)w->Apply(from, wire::fault::XorInRecord{r, s.total - 1, 0x01},
                       &result);
        break;
      case FaultKind::kHeader:
        (void)w->Apply(from,
                       wire::fault::SetField{r, wire::HeaderField::kType,
                                             s.content_type == 23 ? 22u : 23u},
                       &result);
        break;
      case FaultKind::kAlert:
        (void)w->Apply(from,
                       wire::fault::InjectAlert{wire::kAlertLevelFatal, 40},
                       &result);
        break;
      case FaultKind::kReset:
        (void)w->Reset(from);
        break;
      case FaultKind::kClose:
        (void)w->Close(from);
        break;
    }
  }
};

// A child process running one schedule, and the pipe it reports through.
struct Child {
  pid_t pid = 0;
  int fd = -1;
  int64_t number = 0;
  std::string schedule;
};

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string ReadAllFd(int fd) {
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex.substr(0, 16);
}

constexpr const char* kBaseline = "baseline: the run step's own options";

// A worker stops playing back the sender of a delivery's splits after this
// many of them diverged in a row.
constexpr int kDivergedInARow = 4;

// The buffer sizes the buffers family tries: around a record's size and
// the handshake flights', where a write starts or stops fitting.
constexpr int64_t kBufferSizes[] = {64, 128, 256, 512, 1024, 2048, 4096, 17408};

class Explorer {
 public:
  Explorer(const scenario::Scenario& scenario, std::string_view source,
           const Options& options, Report* report)
      : scenario_(scenario),
        source_(source),
        options_(options),
        report_(*report) {}

  bool Run(std::string* out_error) {
    auto start = std::chrono::steady_clock::now();
    report_.file = scenario_.file;
    run_index_ = -1;
    for (Family f : options_.families) fan_faults_ |= f == Family::kFaults;
    for (size_t i = 0; i < scenario_.steps.size(); ++i) {
      if (std::holds_alternative<scenario::RunStep>(scenario_.steps[i])) {
        run_index_ = static_cast<int64_t>(i);
        break;
      }
    }
    if (run_index_ < 0) {
      *out_error =
          "nothing to explore: the scenario has no `run` step "
          "(explore runs its programs under many schedules)";
      return false;
    }
    if (!options_.emit_dir.empty()) {
      std::error_code ec;
      if (fs::exists(options_.emit_dir, ec) &&
          !fs::is_empty(options_.emit_dir, ec)) {
        *out_error =
            "the emit folder " + options_.emit_dir + " exists and is not empty";
        return false;
      }
    }
    // The baseline, for the shape the families are made from: where
    // workers will rewind a World, here in the Session they take over
    // (taped); else in a child.
    Choice none;
    RunResult baseline;
    if (!(Rewindable() && !options_.fork_at_branch &&
          BaselineHere(&baseline)) &&
        !RunFresh(none, kBaseline, 0, &baseline, &shape_)) {
      *out_error = "the baseline run did not report: " + baseline.detail;
      return false;
    }
    const int64_t planned = Planned();
    report_.planned = planned + 1;
    if (planned > options_.max_runs) {
      *out_error = fmt::format(
          "the families asked for take {} runs, more than --max-runs {}; "
          "pass --max-runs {} to run them all",
          planned, options_.max_runs, planned);
      return false;
    }
    // Every shard runs the baseline (the invariants compare with it); only
    // shard 0 counts it, so that the shards' runs and coverage add up.
    if (Mine(0)) Record(baseline);
    baseline_ = std::move(baseline);
    next_number_ = 1;
    for (Family f : options_.families) {
      if (f == Family::kBuffers) ExploreBuffers();
    }
    for (Family f : options_.families) {
      if (f == Family::kChunks && !session_) {
        ExploreChunks();
      }
    }
    bool fan_splits = false, fan_order = false;
    const bool fan_faults = fan_faults_;
    for (Family f : options_.families) {
      fan_splits |= f == Family::kSplits;
      fan_order |= f == Family::kOrder;
    }
    if (session_) {  // workers rewind the baseline's World
      WaitAll();
      RunInWorkers(Enumerate(fan_splits, fan_order, fan_faults));
    } else {
      if (fan_splits || fan_order) FanOut(fan_splits, fan_order, false);
      if (fan_faults) FanOut(false, false, true);
      WaitAll();
    }
    CheckInvariants();
    std::sort(report_.runs.begin(), report_.runs.end(),
              [](const RunResult& a, const RunResult& b) {
                return a.number < b.number;
              });
    if (!options_.emit_dir.empty()) Emit();
    report_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    return true;
  }

 private:
  int64_t Planned() const {
    int64_t n = 0;
    for (Family f : options_.families) {
      switch (f) {
        case Family::kChunks:
          n += static_cast<int64_t>(ChunkSizes().size());
          break;
        case Family::kSplits:
          for (size_t i = 0; i < shape_.deliveries.size(); ++i) {
            const size_t bytes = shape_.deliveries[i].second;
            if (options_.split_delivery != 0 &&
                static_cast<int64_t>(i) + 1 != options_.split_delivery) {
              continue;
            }
            if (bytes > 1) n += static_cast<int64_t>(bytes) - 1;
          }
          break;
        case Family::kOrder:
          n += static_cast<int64_t>(shape_.deliveries.size());
          break;
        case Family::kBuffers:
          n += static_cast<int64_t>(std::size(kBufferSizes)) * 3;
          break;
        case Family::kFaults:
          n += static_cast<int64_t>((shape_.records[0] + shape_.records[1]) *
                                    std::size(kFaultKinds));
          break;
      }
    }
    return n;
  }

  std::vector<int64_t> ChunkSizes() const {
    size_t largest = 1;
    for (const auto& [side, bytes] : shape_.deliveries) {
      largest = std::max(largest, bytes);
    }
    std::vector<int64_t> sizes;
    for (int64_t n = 1; n <= 16; ++n) sizes.push_back(n);
    for (int64_t n = 32; n < static_cast<int64_t>(largest); n *= 2) {
      sizes.push_back(n);
    }
    sizes.push_back(-1);  // a record at a time
    return sizes;
  }

  bool Mine(int64_t number) const {
    return number % options_.shard_count == options_.shard_index;
  }

  // Forks a child for schedule `number` (when this shard runs it). In the
  // child returns true, with the child set up to report; in the parent
  // false.
  bool Fork(const std::string& schedule, const std::string& fault) {
    const int64_t number = next_number_++;
    if (!Mine(number)) return false;
    while (static_cast<int>(children_.size()) >= options_.workers) Reap();
    int fds[2];
    if (pipe(fds) != 0) return false;
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
      return false;
    }
    if (pid == 0) {
      close(fds[0]);
      for (const Child& c : children_) close(c.fd);
      children_.clear();
      child_fd_ = fds[1];
      child_number_ = number;
      child_schedule_ = schedule;
      child_fault_ = fault;
      return true;
    }
    close(fds[1]);
    children_.push_back({pid, fds[0], number, schedule});
    return false;
  }

  // In a child: reports what its run did and exits.
  [[noreturn]] void SendReport(run::Session& session, Collector& collector) {
    std::string text = ReportJson(session, collector);
    if (Leaked()) {
      Json j = Json::parse(text);
      j["leak"] = true;
      text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    bool ok = WriteAll(child_fd_, text);
    close(child_fd_);
    std::fflush(nullptr);
    _exit(ok ? 0 : 3);
  }

  // What a run did, as the JSON object a child or a worker sends.
  std::string ReportJson(run::Session& session, Collector& collector) {
    (void)session.Finish();
    Json j;
    std::string digest;
    for (const trace::WireDigest& w : session.footer().digests) {
      digest += fmt::format("{} c>s {} s>c {}; ", w.connection, w.sha256[0],
                            w.sha256[1]);
    }
    j["digest"] = digest;
    j["number"] = child_number_;
    j["schedule"] = child_schedule_;
    j["fault"] = child_fault_;
    j["verdict"] = collector.verdict;
    j["detail"] = collector.detail;
    j["client_read"] = session.program_read(wire::Side::kClient);
    j["server_read"] = session.program_read(wire::Side::kServer);
    j["client_end"] = collector.ends[0];
    j["server_end"] = collector.ends[1];
    j["path"] = Sha256Hex(collector.path);
    if (!aggregate_coverage_) j["coverage"] = collector.coverage;
    Json shape = Json::array();
    for (const auto& [side, bytes] : collector.shape.deliveries) {
      shape.push_back({static_cast<int>(side), bytes});
    }
    j["deliveries"] = shape;
    j["records"] = collector.shape.records;
    if (!options_.emit_dir.empty()) {
      scenario::Scenario plain = session.PlainScenario();
      plain.title = scenario_.title + " (" + child_schedule_ + ")";
      if (collector.verdict == "deadlock") {
        // Where every byte waits, as the run ended: the state a replay
        // must reach.
        for (wire::Side side : {wire::Side::kClient, wire::Side::kServer}) {
          for (scenario::Property p :
               {scenario::Property::kHeld, scenario::Property::kInFlight,
                scenario::Property::kUnread}) {
            scenario::ExpectStep e;
            e.property = p;
            e.side = side;
            const wire::Wire& w = session.wire();
            e.value = static_cast<int64_t>(
                p == scenario::Property::kHeld       ? w.Held(side)
                : p == scenario::Property::kInFlight ? w.InFlight(side)
                                                     : w.Unread(side));
            plain.steps.push_back(e);
          }
        }
      }
      j["plain"] = scenario::Print(plain);
    }
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
  }

  // Reads the oldest child's report.
  void Reap() {
    Child c = children_.front();
    children_.pop_front();
    std::string text = ReadAllFd(c.fd);
    close(c.fd);
    int status = 0;
    while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
    RunResult r;
    r.number = c.number;
    r.schedule = c.schedule;
    if (!Parse(text, &r) || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      r.crashed = true;
      r.verdict = "crashed";
      r.detail =
          WIFSIGNALED(status)
              ? fmt::format("the run died of signal {}", WTERMSIG(status))
              : fmt::format("the run exited {} without a report",
                            WEXITSTATUS(status));
    }
    Record(std::move(r));
  }

  void WaitAll() {
    while (!children_.empty()) Reap();
  }

  bool Parse(const std::string& text, RunResult* r, Shape* shape = nullptr) {
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return false;
    return ParseJson(j, r, shape);
  }

  // Counts one run toward a coverage entry.
  void Count(const std::string& key, int64_t runs, int64_t number,
             const std::string& schedule) {
    CoverageEntry& e = report_.coverage[key];
    e.runs += runs;
    if (e.first_number < 0 || number < e.first_number) {
      e.first_number = number;
      e.first_schedule = schedule;
    }
  }

  bool ParseJson(const Json& j, RunResult* r, Shape* shape = nullptr) {
    r->fault = j.value("fault", "");
    r->verdict = j.value("verdict", "");
    r->detail = j.value("detail", "");
    r->client_read = j.value("client_read", "");
    r->server_read = j.value("server_read", "");
    r->client_end = j.value("client_end", "");
    r->server_end = j.value("server_end", "");
    r->path = j.value("path", "");
    r->plain = j.value("plain", "");
    r->digest = j.value("digest", "");
    if (j.value("leak", false)) {
      report_.violations.push_back(
          fmt::format("{}: LeakSanitizer found a leak", r->schedule));
    }
    if (j.contains("coverage") && Mine(r->number)) {
      for (const auto& entry : j["coverage"]) {
        Count(entry.get<std::string>(), 1, r->number, r->schedule);
      }
    }
    if (shape != nullptr) {
      for (const auto& d : j["deliveries"]) {
        shape->deliveries.emplace_back(static_cast<wire::Side>(d[0].get<int>()),
                                       d[1].get<size_t>());
      }
      shape->records = j["records"].get<std::array<size_t, 2>>();
    }
    return true;
  }

  void Record(RunResult r) { report_.runs.push_back(std::move(r)); }

  // `session` prepared and run to just before the run step, observed by
  // `collector`. False when Prepare fails.
  bool Prefix(run::Session* session, Collector* collector,
              run::Chooser* chooser) {
    session->AddObserver(collector);
    session->RecordKeyLog(false);
    session->UseSocketBios(fan_faults_);
    session->RecordPlainSteps(!options_.emit_dir.empty());
    scenario::Diagnostic d;
    if (!session->Prepare(&d)) return false;
    while (!session->done() &&
           session->next_step() < static_cast<size_t>(run_index_)) {
      session->Step();
    }
    session->SetChooser(chooser);
    collector->active = true;
    return true;
  }

  // A whole run of `choice` in a child of its own (the baseline, a buffer
  // size), on `scenario` or the explorer's; reports into `out`.
  bool RunFresh(const Choice& choice, const std::string& schedule,
                int64_t number, RunResult* out, Shape* shape,
                const scenario::Scenario* changed = nullptr) {
    int fds[2];
    if (pipe(fds) != 0) return false;
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      child_fd_ = fds[1];
      child_number_ = number;
      child_schedule_ = schedule;
      const scenario::Scenario& s = changed ? *changed : scenario_;
      run::Session session(s, source_);
      Collector collector;
      Brancher brancher;
      brancher.mine = choice;
      if (Prefix(&session, &collector, &brancher)) {
        if (!session.done()) session.Step();
      } else {
        collector.verdict = "bad settings";
      }
      SendReport(session, collector);
    }
    close(fds[1]);
    std::string text = ReadAllFd(fds[0]);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    out->number = number;
    out->schedule = schedule;
    if (!Parse(text, out, shape)) {
      out->crashed = true;
      out->detail = "no report";
      return false;
    }
    return true;
  }

  void ExploreBuffers() {
    for (int dimension = 0; dimension < 3; ++dimension) {
      for (int64_t size : kBufferSizes) {
        const char* names[] = {"send_buffer", "recv_buffer",
                               "network_capacity"};
        std::string schedule = fmt::format(
            "buffers: {} = {} on both sides (the others at "
            "their defaults)",
            names[dimension], size);
        scenario::Scenario changed = scenario_;
        for (scenario::EndpointDecl* e : {&changed.client, &changed.server}) {
          scenario::Located<int64_t> v{size, {}};
          if (dimension == 0) e->send_buffer = v;
          if (dimension == 1) e->recv_buffer = v;
          if (dimension == 2) e->network_capacity = v;
        }
        if (dimension == 2) {
          // The capacity alone, with the buffers as small: every buffer
          // this size, the transport of a loaded or slow network.
          for (scenario::EndpointDecl* e : {&changed.client, &changed.server}) {
            scenario::Located<int64_t> v{size, {}};
            e->send_buffer = v;
            e->recv_buffer = v;
          }
          schedule = fmt::format(
              "buffers: send_buffer, recv_buffer and network_capacity = {} "
              "on both sides",
              size);
        }
        if (!Fork(schedule, "")) continue;
        // In the child: a World of its own with these buffers.
        run::Session session(changed, source_);
        Collector collector;
        Brancher brancher;
        if (Prefix(&session, &collector, &brancher)) {
          if (!session.done()) session.Step();
        } else {
          collector.verdict = "bad settings";
        }
        SendReport(session, collector);
      }
    }
  }

  void ExploreChunks() {
    // Fork from a session at the run step: the World and the prefix once.
    run::Session session(scenario_, source_);
    Collector collector;
    Brancher brancher;
    RecordChooser records;
    if (!Prefix(&session, &collector, &brancher)) return;
    for (int64_t size : ChunkSizes()) {
      std::string schedule =
          size < 0 ? std::string("chunks: a record at a time")
                   : fmt::format("chunks: {} bytes at a time", size);
      if (!Fork(schedule, "")) continue;
      if (size < 0) {
        session.SetChooser(&records);
      } else {
        brancher.mine.chunk = size;
      }
      if (!session.done()) session.Step();
      SendReport(session, collector);
    }
  }

  // Delivers one whole record (or what is in flight of it) each time.
  class RecordChooser : public run::Chooser {
   public:
    size_t Delivery(int64_t, wire::Side from, size_t in_flight) override {
      (void)in_flight;
      return next_[static_cast<size_t>(from)];
    }
    void BeforeDelivery(int64_t, wire::Side from, wire::Wire* w) override {
      size_t n = 0;
      for (const wire::RecordSpan& s : w->FrameInFlight(from)) {
        n = s.in_flight;
        if (n > 0) break;
      }
      next_[static_cast<size_t>(from)] = n;
    }

   private:
    std::array<size_t, 2> next_ = {0, 0};
  };

  void FanOut(bool splits, bool order, bool faults) {
    run::Session session(scenario_, source_);
    Collector collector;
    Brancher brancher;
    if (!Prefix(&session, &collector, &brancher)) return;
    brancher.fan_splits = splits;
    brancher.fan_order = order;
    brancher.fan_faults = faults;
    brancher.split_delivery = options_.split_delivery;
    brancher.fork = [&](const Choice& c, const std::string& schedule) {
      if (!Fork(schedule, c.fault ? FaultKindName(*c.fault) : "")) {
        return false;
      }
      brancher.fan_splits = brancher.fan_order = brancher.fan_faults = false;
      brancher.mine = c;
      return true;
    };
    if (!session.done()) session.Step();
    if (child_fd_ >= 0) SendReport(session, collector);
    // The parent's own run is the baseline's again: nothing to report.
  }

  // Whether a worker may run schedule after schedule on one Session
  // (Session::Rewind): a seeded scenario without `connection` steps.
  bool Rewindable() const {
    return scenario_.seed.has_value() &&
           std::none_of(
               scenario_.steps.begin(), scenario_.steps.end(),
               [](const scenario::Step& step) {
                 return std::holds_alternative<scenario::ConnectionStep>(step);
               });
  }

  struct PlannedRun {
    int64_t number = 0;
    Choice choice;
    std::string schedule;
    std::string fault;
  };

  // Every schedule of the families a worker runs, numbered in order, this
  // shard's only.
  std::vector<PlannedRun> Enumerate(bool splits, bool order, bool faults) {
    std::vector<PlannedRun> out;
    auto add = [&](const Choice& c, std::string schedule, std::string fault) {
      const int64_t number = next_number_++;
      if (Mine(number)) {
        out.push_back({number, c, std::move(schedule), std::move(fault)});
      }
    };
    for (Family f : options_.families) {
      if (f != Family::kChunks) continue;
      for (int64_t size : ChunkSizes()) {
        Choice c;
        c.chunk = size;
        add(c,
            size < 0 ? std::string("chunks: a record at a time")
                     : fmt::format("chunks: {} bytes at a time", size),
            "");
      }
    }
    if (splits) {
      for (size_t i = 0; i < shape_.deliveries.size(); ++i) {
        const auto& [from, bytes] = shape_.deliveries[i];
        if (options_.split_delivery != 0 &&
            static_cast<int64_t>(i) + 1 != options_.split_delivery) {
          continue;
        }
        for (size_t k = 1; k < bytes; ++k) {
          Choice c;
          c.split_at = static_cast<int64_t>(i);
          c.split_bytes = k;
          add(c,
              fmt::format("splits: delivery {} ({}) split at {} of {}", i + 1,
                          proto::DirectionName(from), k, bytes),
              "");
        }
      }
    }
    if (order) {
      for (size_t d = 1; d <= shape_.deliveries.size(); ++d) {
        Choice c;
        c.flip_after = static_cast<int64_t>(d);
        add(c,
            fmt::format("order: the other side runs first after delivery {}",
                        d),
            "");
      }
    }
    if (faults) {
      for (wire::Side from : {wire::Side::kClient, wire::Side::kServer}) {
        for (size_t r = 1; r <= shape_.records[static_cast<size_t>(from)];
             ++r) {
          for (FaultKind k : kFaultKinds) {
            Choice c;
            c.fault = k;
            c.direction = from;
            c.record = r;
            add(c,
                fmt::format("faults: {} record {} of {}", FaultKindName(k), r,
                            proto::DirectionName(from)),
                FaultKindName(k));
          }
        }
      }
    }
    return out;
  }

  // Runs `planned` in `options_.workers` worker processes, each with one
  // World: schedule after schedule, rewound in between. Each sends one JSON
  // line per run.
  void RunInWorkers(const std::vector<PlannedRun>& planned) {
    const int workers = std::max(
        1, std::min<int>(options_.workers, static_cast<int>(planned.size())));
    if (planned.empty()) return;
    std::vector<std::pair<pid_t, int>> started;
    for (int w = 0; w < workers; ++w) {
      int fds[2];
      if (pipe(fds) != 0) break;
      std::fflush(nullptr);
      pid_t pid = fork();
      if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        break;
      }
      if (pid == 0) {
        close(fds[0]);
        for (const auto& [p, fd] : started) close(fd);
        Work(planned, w, workers, fds[1]);
      }
      close(fds[1]);
      started.emplace_back(pid, fds[0]);
    }
    // Read every worker's lines as they come.
    std::vector<std::string> pending(started.size());
    std::vector<bool> open(started.size(), true);
    size_t open_count = started.size();
    std::set<int64_t> reported;
    while (open_count > 0) {
      std::vector<pollfd> fds;
      std::vector<size_t> which;
      for (size_t i = 0; i < started.size(); ++i) {
        if (!open[i]) continue;
        fds.push_back({started[i].second, POLLIN, 0});
        which.push_back(i);
      }
      if (poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      for (size_t f = 0; f < fds.size(); ++f) {
        if (fds[f].revents == 0) continue;
        const size_t i = which[f];
        char buf[65536];
        ssize_t n = ::read(started[i].second, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          open[i] = false;
          --open_count;
          close(started[i].second);
          continue;
        }
        pending[i].append(buf, static_cast<size_t>(n));
        size_t line_end;
        while ((line_end = pending[i].find('\n')) != std::string::npos) {
          std::string line = pending[i].substr(0, line_end);
          pending[i].erase(0, line_end + 1);
          Json j = Json::parse(line, nullptr, false);
          if (!j.is_object()) continue;
          if (j.contains("leak")) {
            report_.violations.push_back(fmt::format(
                "LeakSanitizer found a leak in the runs of a worker ({})",
                j["leak"].get<std::string>()));
          }
          if (j.contains("totals")) {  // a worker's coverage, at its end
            report_.played += j.value("played", int64_t{0});
            report_.diverged += j.value("diverged", int64_t{0});
            for (const auto& t : j["totals"]) {
              Count(t[0].get<std::string>(), t[1].get<int64_t>(),
                    t[2].get<int64_t>(), t[3].get<std::string>());
            }
            continue;
          }
          RunResult r;
          r.number = j.value("number", int64_t{-1});
          r.schedule = j.value("schedule", "");
          if (!ParseJson(j, &r)) continue;
          reported.insert(r.number);
          Record(std::move(r));
        }
      }
    }
    for (const auto& [pid, fd] : started) {
      int status = 0;
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    // A schedule no worker reported: its worker died during it.
    for (const PlannedRun& p : planned) {
      if (reported.count(p.number) != 0) continue;
      RunResult r;
      r.number = p.number;
      r.schedule = p.schedule;
      r.fault = p.fault;
      r.crashed = true;
      r.verdict = "crashed";
      r.detail = "the worker running it died";
      Record(std::move(r));
    }
  }

  // A worker: runs every `workers`-th schedule from `first` and exits.
  [[noreturn]] void Work(const std::vector<PlannedRun>& planned, int first,
                         int workers, int fd) {
    run::Session& session = *session_;
    Collector& collector = collector_;
    // Memory freed between runs stays with the process: giving it back
    // and faulting it in again costs more than the runs.
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    std::string out;
    aggregate_coverage_ = true;
    struct Seen {
      int64_t runs = 0;
      int64_t first = 0;
      std::string schedule;
    };
    std::map<std::string, Seen> seen;
    int64_t played_runs = 0, diverged_runs = 0;
    std::map<int64_t, int> diverged_in_a_row;  // by split delivery
    for (size_t i = static_cast<size_t>(first); i < planned.size();
         i += static_cast<size_t>(workers)) {
      const PlannedRun& p = planned[i];
      // A delivery whose splits kept diverging is split with both sides
      // real from then on: its splits reach the sender (the receiver
      // answers sooner), and each diverged run is a run made twice.
      std::optional<wire::Side> played = Played(p.choice);
      int* in_a_row = played ? &diverged_in_a_row[p.choice.split_at] : nullptr;
      if (in_a_row != nullptr && *in_a_row >= kDivergedInARow) played.reset();
      if (!RunOnce(p.choice, played)) _exit(5);
      if (played) {
        ++played_runs;
        if (session.tape_diverged()) {
          ++diverged_runs;
          ++*in_a_row;
          if (!RunOnce(p.choice, std::nullopt)) _exit(5);
        } else {
          *in_a_row = 0;
        }
      }
      child_number_ = p.number;
      child_schedule_ = p.schedule;
      child_fault_ = p.fault;
      // Lines go out in batches: one wake-up of the parent per batch.
      out += ReportJson(session, collector);
      out += '\n';
      if (out.size() >= 32768) {
        if (!WriteAll(fd, out)) _exit(3);
        out.clear();
      }
      for (const std::string& key : collector.coverage) {
        Seen& e = seen[key];
        if (e.runs++ == 0) {
          e.first = p.number;
          e.schedule = p.schedule;
        }
      }
    }
    if (!out.empty() && !WriteAll(fd, out)) _exit(3);
    Json totals = Json::array();
    for (const auto& [key, e] : seen) {
      totals.push_back({key, e.runs, e.first, e.schedule});
    }
    Json end;
    end["totals"] = totals;
    end["played"] = played_runs;
    end["diverged"] = diverged_runs;
    if (Leaked()) {
      end["leak"] = fmt::format("schedules {} to {}, every {}th",
                                planned[static_cast<size_t>(first)].number,
                                planned.back().number, workers);
    }
    if (!WriteAll(fd, end.dump(-1, ' ', false, Json::error_handler_t::replace) +
                          "\n")) {
      _exit(3);
    }
    close(fd);
    std::fflush(nullptr);
    _exit(0);
  }

  // Prepares the Session the workers take over and runs the baseline in
  // it, taping both sides when a schedule may play one back. False when
  // the World cannot be built (a child then reports that).
  bool BaselineHere(RunResult* out) {
    session_ = std::make_unique<run::Session>(scenario_, source_);
    run::Session& session = *session_;
    session.AddObserver(&collector_);
    session.RecordKeyLog(false);
    session.UseSocketBios(fan_faults_);
    session.RecordPlainSteps(!options_.emit_dir.empty());
    scenario::Diagnostic d;
    if (!session.Prepare(&d) ||
        !RunOnce(Choice(), std::nullopt, options_.tape && !fan_faults_)) {
      session_.reset();
      return false;
    }
    child_number_ = 0;
    child_schedule_ = kBaseline;
    child_fault_.clear();
    out->number = 0;
    out->schedule = kBaseline;
    return Parse(ReportJson(session, collector_), out, &shape_);
  }

  // One run in the workers' Session: rewound, `played` (if any) played
  // back from its tape, the steps up to and with the run step under
  // `choice`; with `tape`, both sides taped into tapes_. False, having run
  // nothing, when the World cannot be rewound or the tape not played.
  [[nodiscard]] bool RunOnce(const Choice& choice,
                             std::optional<wire::Side> played,
                             bool tape = false) {
    run::Session& session = *session_;
    if (!session.Rewind()) return false;
    if (played && !session.PlaySide(*played, &tapes_[Index(*played)])) {
      return false;
    }
    if (tape) {
      session.TapeSide(wire::Side::kClient, &tapes_[0]);
      session.TapeSide(wire::Side::kServer, &tapes_[1]);
    }
    collector_.Reset();
    Brancher brancher;
    brancher.mine = choice;
    session.SetChooser(&brancher);
    while (!session.done() &&
           session.next_step() < static_cast<size_t>(run_index_)) {
      session.Step();
    }
    collector_.active = true;
    if (!session.done()) session.Step();
    session.SetChooser(nullptr);
    if (tape) session.FinishTape();
    return true;
  }

  // The side a run of `choice` plays back from the baseline's tape: the
  // sender of a split delivery, whose calls the split does not touch (the
  // receiver's reads do change); none for other choices, which may change
  // both sides' calls from the first delivery on.
  std::optional<wire::Side> Played(const Choice& choice) const {
    if (choice.split_at < 0 || choice.chunk != 0 || choice.flip_after >= 0 ||
        choice.fault ||
        static_cast<size_t>(choice.split_at) >= shape_.deliveries.size()) {
      return std::nullopt;
    }
    const wire::Side sender =
        shape_.deliveries[static_cast<size_t>(choice.split_at)].first;
    if (!tapes_[Index(sender)].usable) return std::nullopt;
    return sender;
  }

  static size_t Index(wire::Side side) { return static_cast<size_t>(side); }

  // Under ASan: whether memory allocated so far is no longer reachable.
  static bool Leaked() {
#ifdef TLSIM_ASAN
    return __lsan_do_recoverable_leak_check() != 0;
#else
    return false;
#endif
  }

  void CheckInvariants() {
    if (report_.runs.empty()) return;
    const RunResult* base = &baseline_;
    for (const RunResult& r : report_.runs) {
      if (r.crashed) {
        report_.violations.push_back(
            fmt::format("{}: {}", r.schedule, r.detail));
        continue;
      }
      if (!r.fault.empty()) {
        // What a fault may do: fail the run, or (when it removes bytes the
        // peer waits for) leave both sides waiting; never pass altered
        // data off as sent, never spin or run on.
        const bool removes = r.fault == "drop" || r.fault == "truncate" ||
                             r.fault == "reset" || r.fault == "close" ||
                             r.fault == "swap with next";
        if (r.verdict == "done" && (r.client_read != base->client_read ||
                                    r.server_read != base->server_read)) {
          report_.violations.push_back(fmt::format(
              "{}: the programs finished with data that was not sent",
              r.schedule));
        } else if (r.verdict == "spinning" || r.verdict == "unfinished" ||
                   (r.verdict == "deadlock" && !removes)) {
          report_.violations.push_back(
              fmt::format("{}: {} is outside what this fault may cause: {}",
                          r.schedule, r.verdict, r.detail));
        }
        continue;
      }
      if (r.verdict == "deadlock" || r.verdict == "spinning" ||
          r.verdict == "unfinished") {
        report_.violations.push_back(
            fmt::format("{}: {}: {}", r.schedule, r.verdict, r.detail));
        continue;
      }
      if (r.verdict != base->verdict || r.client_read != base->client_read ||
          r.server_read != base->server_read) {
        report_.violations.push_back(fmt::format(
            "{}: {} where the baseline is {}, the programs read {} and {} "
            "(baseline {} and {})",
            r.schedule, r.verdict, base->verdict,
            trace::DataText(r.client_read), trace::DataText(r.server_read),
            trace::DataText(base->client_read),
            trace::DataText(base->server_read)));
      }
    }
  }

  void Emit() {
    std::error_code ec;
    fs::create_directories(options_.emit_dir, ec);
    std::set<std::string> seen;
    const std::string stem = fs::path(scenario_.file).stem().string();
    int n = 0;
    for (const RunResult& r : report_.runs) {
      if (r.plain.empty() || !seen.insert(r.path).second) continue;
      ++n;
      fs::path out =
          fs::path(options_.emit_dir) / fmt::format("{}_{:03}.tlsim", stem, n);
      std::ofstream f(out, std::ios::binary);
      f << "# Emitted by tlsim explore from "
        << fs::path(scenario_.file).filename().string()
        << ": one distinct path.\n# Schedule: " << r.schedule
        << "\n# Run verdict: " << r.verdict << "\n# Wire: " << r.digest << "\n"
        << r.plain;
      report_.emitted.push_back(out.string());
    }
  }

  const scenario::Scenario& scenario_;
  std::string_view source_;
  const Options& options_;
  Report& report_;
  int64_t run_index_ = -1;
  // The faults family runs: every session gets socket BIOs, so that a reset
  // fails reads with ECONNRESET (the bytes do not change).
  bool fan_faults_ = false;
  Shape shape_;
  RunResult baseline_;  // run 0, in every shard
  // Where workers rewind one World: the Session they take over (prepared
  // here, before they are forked), its observer, the baseline's tapes.
  std::unique_ptr<run::Session> session_;
  Collector collector_;
  std::array<run::Tape, 2> tapes_;
  int64_t next_number_ = 1;
  std::deque<Child> children_;
  // In a child: where and what to report.
  int child_fd_ = -1;
  int64_t child_number_ = 0;
  std::string child_schedule_;
  std::string child_fault_;
  // A worker sums its runs' coverage and sends it once, at its end.
  bool aggregate_coverage_ = false;
};

}  // namespace

const char* FamilyName(Family family) {
  switch (family) {
    case Family::kChunks:
      return "chunks";
    case Family::kSplits:
      return "splits";
    case Family::kOrder:
      return "order";
    case Family::kBuffers:
      return "buffers";
    case Family::kFaults:
      return "faults";
  }
  return "?";
}

std::optional<Family> FamilyNamed(std::string_view name) {
  for (Family f : {Family::kChunks, Family::kSplits, Family::kOrder,
                   Family::kBuffers, Family::kFaults}) {
    if (name == FamilyName(f)) return f;
  }
  return std::nullopt;
}

bool Explore(const scenario::Scenario& scenario, std::string_view source,
             const Options& options, Report* out, std::string* out_error) {
  // The explorer reads the steps itself (the run step, the prefix) and
  // changes them: it works on the steps that run on this series.
  scenario::Scenario here;
  std::string not_applicable;
  scenario::Diagnostic undecided;
  if (!run::ResolveHere(scenario, source, &here, &not_applicable, &undecided)) {
    *out_error = undecided.message;
    return false;
  }
  if (!not_applicable.empty()) {
    *out_error = "not applicable: " + not_applicable;
    return false;
  }
  Explorer explorer(here, source, options, out);
  return explorer.Run(out_error);
}

std::string ReportText(const Report& report) {
  std::string out;
  std::set<std::string> paths;
  std::map<std::string, int> verdicts;
  for (const RunResult& r : report.runs) {
    paths.insert(r.path);
    ++verdicts[r.verdict];
  }
  out += fmt::format(
      "# tlsim explore of {}: {} runs here ({} in all "
      "shards), {} distinct paths, {:.1f} s\n",
      report.file, report.runs.size(), report.planned, paths.size(),
      report.seconds);
  for (const auto& [verdict, n] : verdicts) {
    out += fmt::format("# verdict {}: {} runs\n", verdict, n);
  }
  if (report.played > 0) {
    out += fmt::format(
        "# {} runs played the sender of their split delivery back from the "
        "baseline's tape; {} diverged and ran again with both sides real\n",
        report.played, report.diverged);
  }
  out +=
      "## coverage: side | operation | call | state | ret | error | "
      "alert -> runs, first schedule\n";
  for (const auto& [key, e] : report.coverage) {
    out +=
        fmt::format("{} -> {} runs, first {}\n", key, e.runs, e.first_schedule);
  }
  if (report.violations.empty()) {
    out += "## invariants: none violated\n";
  } else {
    out +=
        fmt::format("## invariants: {} violated\n", report.violations.size());
    for (const std::string& v : report.violations) out += v + "\n";
  }
  for (const std::string& f : report.emitted) out += "emitted " + f + "\n";
  return out;
}

std::string CoverageJsonLines(const Report& report) {
  std::string out;
  for (const auto& [key, e] : report.coverage) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      size_t bar = key.find(" | ", start);
      parts.push_back(key.substr(start, bar - start));
      if (bar == std::string::npos) break;
      start = bar + 3;
    }
    Json j;
    static const char* kKeys[] = {"side", "operation", "call", "state",
                                  "ret",  "error",     "alert"};
    for (size_t i = 0; i < parts.size() && i < 7; ++i) j[kKeys[i]] = parts[i];
    j["runs"] = e.runs;
    j["first_schedule"] = e.first_schedule;
    if (e.first_number >= 0) j["first_run"] = e.first_number;
    out += j.dump() + "\n";
  }
  return out;
}

std::string FaultTable(const Report& report) {
  std::string out =
      "| fault | client ends with | server ends with | run |\n"
      "|---|---|---|---|\n";
  for (const RunResult& r : report.runs) {
    if (r.fault.empty()) continue;
    std::string name = r.schedule;
    if (name.rfind("faults: ", 0) == 0) name = name.substr(8);
    out += fmt::format("| {} | {} | {} | {} |\n", name, r.client_end,
                       r.server_end, r.verdict);
  }
  return out;
}

}  // namespace tlsim::explore
