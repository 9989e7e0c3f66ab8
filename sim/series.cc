#include "sim/series.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lib/tls/version.h"
#include "sim/files.h"

namespace tlsim::sim {
namespace {

namespace fs = std::filesystem;

// The folder this tlsim's sibling binaries are in: where it was started
// from (a symlink's folder: bazel-bin/sim), or where it really is.
fs::path BinaryFolder(const std::string& argv0) {
  if (argv0.find('/') != std::string::npos) {
    return fs::path(argv0).parent_path();
  }
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path(".") : self.parent_path();
}

std::string SiblingName(proto::OpensslSeries series) {
  std::string name = "tlsim_openssl_" + std::string(proto::SeriesName(series));
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

// Whether this build put the tlsim of `series` next to this one (sim/BUILD).
bool BuiltBeside(proto::OpensslSeries series) {
  std::stringstream names(TLSIM_SIBLING_SERIES);
  for (std::string name; std::getline(names, name, ',');) {
    if (name == proto::SeriesName(series)) return true;
  }
  return false;
}

// The file's bytes, or "" when it cannot be read (a child that wrote none).
std::string ReadWhole(const std::string& path) {
  std::string text;
  return ReadFile(path, &text) ? text : "";
}

}  // namespace

std::string BuildCommand(proto::OpensslSeries series) {
  return "tools/setup --openssl " + std::string(proto::SeriesName(series)) +
         ", then build tlsim again (bazel build //sim:tlsim)";
}

bool FindBinaries(const std::string& argv0, const std::string& wanted,
                  std::vector<SeriesBinary>* out, std::string* out_error) {
  std::vector<proto::OpensslSeries> series;
  const bool all = wanted == "all";
  if (all) {
    series.assign(proto::AllSeries().begin(), proto::AllSeries().end());
  } else {
    std::stringstream names(wanted);
    for (std::string name; std::getline(names, name, ',');) {
      proto::OpensslSeries s;
      if (!proto::ParseSeries(name, &s)) {
        *out_error = "--openssl " + wanted + ": '" + name +
                     "' is not an OpenSSL version tlsim runs on; known: " +
                     std::string(proto::SeriesList()) + ", or all";
        return false;
      }
      if (std::find(series.begin(), series.end(), s) != series.end()) {
        *out_error = "--openssl " + wanted + ": " + name + " is named twice";
        return false;
      }
      series.push_back(s);
    }
    std::sort(series.begin(), series.end());
  }
  proto::OpensslSeries own = proto::kDefaultSeries;
  if (!tls::RunningSeries(&own)) {
    *out_error = "this tlsim runs on " + tls::RunningVersionText() +
                 ", which is not a series tlsim knows";
    return false;
  }
  const fs::path folder = BinaryFolder(argv0);
  out->clear();
  for (proto::OpensslSeries s : series) {
    SeriesBinary b{s, ""};
    std::error_code ec;
    if (s == own) {
      b.path = argv0.find('/') != std::string::npos
                   ? argv0
                   : fs::read_symlink("/proc/self/exe", ec).string();
    } else if (BuiltBeside(s)) {
      fs::path sibling = folder / SiblingName(s);
      if (access(sibling.c_str(), X_OK) == 0) b.path = sibling.string();
    }
    if (!b.built() && !all) {
      *out_error = "--openssl " + std::string(proto::SeriesName(s)) +
                   ": tlsim is not built for OpenSSL " +
                   std::string(proto::SeriesName(s)) +
                   " on this machine; to build it: " + BuildCommand(s);
      return false;
    }
    out->push_back(b);
  }
  return true;
}

ChildResult RunChild(const std::vector<std::string>& argv) {
  ChildResult result;
  char out_path[] = "/tmp/tlsim-child-out-XXXXXX";
  char err_path[] = "/tmp/tlsim-child-err-XXXXXX";
  int out_fd = mkstemp(out_path);
  int err_fd = mkstemp(err_path);
  if (out_fd < 0 || err_fd < 0) {
    if (out_fd >= 0) close(out_fd), unlink(out_path);
    if (err_fd >= 0) close(err_fd), unlink(err_path);
    return result;
  }
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  if (pid > 0) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  }
  result.out = ReadWhole(out_path);
  result.err = ReadWhole(err_path);
  unlink(out_path);
  unlink(err_path);
  return result;
}

}  // namespace tlsim::sim

namespace tlsim::sim {
namespace {

// The steps of a saved text trace: its lines less the header ("# tlsim
// trace of ...", "# OpenSSL ...").
std::vector<std::string> TraceSteps(const std::string& trace) {
  std::vector<std::string> lines;
  std::istringstream in(trace);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# tlsim trace of ", 0) == 0 ||
        line.rfind("# OpenSSL ", 0) == 0) {
      continue;
    }
    lines.push_back(line);
  }
  return lines;
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line;
}

std::string Shorten(std::string line, size_t most = 200) {
  if (line.size() > most) line = line.substr(0, most - 3) + "...";
  return line;
}

struct Cell {
  std::string status;  // pass, fail, not applicable, not built, bad input
  std::string detail;
  std::vector<std::string> steps;
  bool ran = false;
};

Cell RunCell(const SeriesBinary& b, const std::string& file,
             const std::string& seed) {
  Cell c;
  if (!b.built()) {
    c.status = "not built";
    c.detail = BuildCommand(b.series);
    return c;
  }
  char trace_path[] = "/tmp/tlsim-matrix-trace-XXXXXX";
  int fd = mkstemp(trace_path);
  if (fd >= 0) close(fd);
  std::vector<std::string> argv = {b.path, "run", file, "--save-trace",
                                   trace_path};
  if (!seed.empty()) {
    argv.push_back("--seed");
    argv.push_back(seed);
  }
  ChildResult r = RunChild(argv);
  std::string trace = ReadWhole(trace_path);
  unlink(trace_path);
  const std::string said = r.out + r.err;
  const size_t na = said.find("not applicable");
  if (r.exit_code == 0 && na != std::string::npos) {
    c.status = "not applicable";
    c.detail =
        FirstLine(said.substr(na + std::string("not applicable").size()));
    if (!c.detail.empty() && c.detail[0] == ':') c.detail.erase(0, 1);
    while (!c.detail.empty() && c.detail[0] == ' ') c.detail.erase(0, 1);
    return c;
  }
  c.ran = true;
  c.steps = TraceSteps(trace);
  switch (r.exit_code) {
    case 0:
      c.status = "pass";
      break;
    case 1:
      c.status = "fail";
      c.detail = FirstLine(r.err);
      break;
    case 2:
      c.status = "bad input";
      c.detail = FirstLine(r.err);
      c.ran = false;
      break;
    default:
      c.status = "crashed";
      c.detail =
          "exit " + std::to_string(r.exit_code) + ": " + FirstLine(r.err);
      c.ran = false;
  }
  return c;
}

}  // namespace

int RunMatrix(const std::vector<SeriesBinary>& binaries,
              const SeriesBinary& default_binary,
              const std::vector<std::string>& files, const std::string& seed,
              std::ostream& out) {
  int code = 0;
  const std::string default_name(proto::SeriesName(proto::kDefaultSeries));
  for (const std::string& file : files) {
    out << file << "\n";
    std::vector<Cell> cells;
    const Cell* reference = nullptr;
    for (const SeriesBinary& b : binaries) {
      cells.push_back(RunCell(b, file, seed));
    }
    for (size_t i = 0; i < binaries.size(); ++i) {
      if (binaries[i].series == proto::kDefaultSeries) reference = &cells[i];
    }
    Cell default_cell;
    if (reference == nullptr && default_binary.built()) {
      // The departures are measured from the default series, asked for or
      // not.
      default_cell = RunCell(default_binary, file, seed);
      reference = &default_cell;
    }
    for (size_t i = 0; i < binaries.size(); ++i) {
      const Cell& c = cells[i];
      std::string line =
          "  " + std::string(proto::SeriesName(binaries[i].series));
      line.resize(9, ' ');
      line += c.status;
      if (!c.detail.empty()) line += ": " + c.detail;
      out << Shorten(line, 400) << "\n";
      if (c.ran && reference != nullptr && reference->ran &&
          binaries[i].series != proto::kDefaultSeries) {
        const auto& a = reference->steps;
        const auto& s = c.steps;
        size_t k = 0;
        while (k < a.size() && k < s.size() && a[k] == s[k]) ++k;
        if (k == a.size() && k == s.size()) {
          out << "         same trace as " << default_name << "\n";
        } else {
          out << "         departs from " << default_name << " at: "
              << Shorten(k < s.size() ? s[k] : "(its trace ends here)") << "\n";
        }
      }
      if (c.status == "bad input" || c.status == "crashed") {
        code = 2;
      } else if (c.status == "fail" && code == 0) {
        code = 1;
      }
    }
  }
  return code;
}

int RunEach(const std::vector<SeriesBinary>& binaries,
            const std::vector<std::string>& args, std::ostream& out) {
  int code = 0;
  for (const SeriesBinary& b : binaries) {
    out << "== OpenSSL " << proto::SeriesName(b.series);
    if (!b.built()) {
      out << ": not built (" << BuildCommand(b.series) << ")\n";
      continue;
    }
    out << "\n";
    std::vector<std::string> argv = {b.path};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildResult r = RunChild(argv);
    out << r.out << r.err;
    if (!r.out.empty() && r.out.back() != '\n') out << "\n";
    out << "== OpenSSL " << proto::SeriesName(b.series) << ": exit "
        << r.exit_code << "\n";
    code = std::max(code, r.exit_code < 0 ? 2 : r.exit_code);
  }
  return code;
}

}  // namespace tlsim::sim
