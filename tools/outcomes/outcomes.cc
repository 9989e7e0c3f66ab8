// Records the seeded outcome of every shipped scenario, or checks it.
//
//   bazel run //tools/outcomes               # compare with the record
//   bazel run //tools/outcomes -- --update   # rewrite it, on purpose
//   bazel run //tools/outcomes -- --table    # rewrite the versions table
//                                            # of scenarios/README.md
//
// Exit codes: 0 the record matches (or was rewritten), 1 it differs,
// 2 a scenario or the record could not be read.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tools/outcomes/recorder.h"
#include "tools/outcomes/table.h"

namespace {

namespace fs = std::filesystem;
using namespace tlsim;

int Usage() {
  std::cerr << "usage: outcomes [--update | --table] [--root DIR]\n"
               "  Runs every scenarios/**/*.tlsim under DIR (default: the "
               "workspace under\n  bazel run, else the current folder) and "
               "compares its outcome with\n  "
            << outcomes::RecordPath()
            << "; --update rewrites that file instead; --table rewrites "
               "the table of\n  scenarios/README.md from every version's "
               "record.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  bool update = false;
  bool table = false;
  const char* workspace = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  fs::path root =
      workspace != nullptr ? fs::path(workspace) : fs::current_path();
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--update") {
      update = true;
    } else if (arg == "--table") {
      table = true;
    } else if (arg == "--root" && i + 1 < argc) {
      root = argv[++i];
    } else {
      return Usage();
    }
  }
  std::string error;
  if (table) {
    std::vector<outcomes::VersionRecord> records;
    if (!outcomes::ReadRecords(root.string(), &records, &error)) {
      std::cerr << "error: " << error << "\n";
      return 2;
    }
    fs::path readme = root / "scenarios/README.md";
    std::ifstream in(readme, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string written;
    if (!in || !outcomes::ReplaceTable(
                   text.str(), outcomes::CatalogueTables(records), &written)) {
      std::cerr << "error: " << readme.string()
                << " has no versions table markers\n";
      return 2;
    }
    fs::path tmp = readme.string() + ".tmp";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << written;
    out.close();
    std::error_code ec;
    if (!out || (fs::rename(tmp, readme, ec), ec)) {
      std::cerr << "error: cannot write " << readme.string() << "\n";
      return 2;
    }
    std::cout << "wrote the table of " << records.size() << " versions to "
              << readme.string() << "\n";
    return 0;
  }
  outcomes::Outcomes now;
  if (!outcomes::RecordTree(root, &now, &error)) {
    std::cerr << "error: " << error << "\n";
    return 2;
  }
  fs::path record = root / outcomes::RecordPath();
  if (update) {
    fs::path tmp = record.string() + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << outcomes::Format(now);
      if (!out) {
        std::cerr << "error: cannot write " << tmp.string() << "\n";
        return 2;
      }
    }
    std::error_code ec;
    fs::rename(tmp, record, ec);
    if (ec) {
      std::cerr << "error: cannot write " << record.string() << ": "
                << ec.message() << "\n";
      return 2;
    }
    std::cout << "wrote " << now.size() << " scenarios' outcomes to "
              << record.string() << "\n";
    return 0;
  }
  std::ifstream in(record, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  outcomes::Outcomes kept;
  if (!in || !outcomes::ParseRecord(text.str(), &kept, &error)) {
    std::cerr << "error: " << record.string() << ": "
              << (error.empty() ? "cannot read the file" : error) << "\n";
    return 2;
  }
  auto diffs = outcomes::Compare(kept, now);
  for (const std::string& d : diffs) std::cerr << d << "\n";
  if (!diffs.empty()) {
    std::cerr << diffs.size() << " of " << now.size()
              << " scenarios differ from " << outcomes::RecordPath()
              << "; if the change is intended, run: "
              << outcomes::UpdateCommand() << "\n";
    return 1;
  }
  std::cout << now.size() << " scenarios match " << outcomes::RecordPath()
            << "\n";
  return 0;
}
