// The main of every Catch2 test binary. Catch2 v2 has one reporter per run,
// and Bazel wants both a readable log and JUnit XML: the console reporter
// writes the log, and this listener writes the XML to $XML_OUTPUT_FILE when
// Bazel sets it, one <testcase> per TEST_CASE.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

class JUnitListener : public Catch::TestEventListenerBase {
 public:
  using TestEventListenerBase::TestEventListenerBase;

  bool assertionEnded(const Catch::AssertionStats& stats) override {
    const Catch::AssertionResult& r = stats.assertionResult;
    if (r.isOk()) return true;
    failure_ += r.getSourceInfo().file;
    failure_ += ":" + std::to_string(r.getSourceInfo().line) + ": ";
    if (r.hasExpression()) failure_ += r.getExpressionInMacro() + " ";
    if (r.hasExpandedExpression())
      failure_ += "with " + r.getExpandedExpression() + " ";
    failure_ += r.getMessage() + "\n";
    return true;
  }

  void testCaseEnded(const Catch::TestCaseStats& stats) override {
    cases_.push_back(
        {stats.testInfo.name, stats.totals.assertions.failed > 0, failure_});
    failure_.clear();
  }

  void testRunEnded(const Catch::TestRunStats&) override {
    const char* path = std::getenv("XML_OUTPUT_FILE");
    if (path == nullptr || *path == '\0') return;
    int failed = 0;
    for (const Case& c : cases_) failed += c.failed ? 1 : 0;
    std::ofstream out(path);
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
        << "<testsuite name=\"catch2\" tests=\"" << cases_.size()
        << "\" failures=\"" << failed << "\" errors=\"0\">\n";
    for (const Case& c : cases_) {
      out << "  <testcase name=\"" << XmlEscape(c.name) << "\"";
      if (!c.failed) {
        out << "/>\n";
        continue;
      }
      out << ">\n    <failure message=\"failed\">" << XmlEscape(c.failure)
          << "</failure>\n  </testcase>\n";
    }
    out << "</testsuite>\n</testsuites>\n";
  }

 private:
  struct Case {
    std::string name;
    bool failed;
    std::string failure;
  };
  std::vector<Case> cases_;
  std::string failure_;
};

}  // namespace

CATCH_REGISTER_LISTENER(JUnitListener)

int main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
