#include "lib/run/series.h"

#include <variant>

#include "lib/scenario/parser.h"
#include "lib/scenario/versions.h"
#include "lib/tls/version.h"

namespace tlsim::run {
namespace {

// Where the scenario's first condition is: its `requires`, or its first
// `if`; line 0 when it has none.
scenario::Pos FirstCondition(const scenario::Scenario& s) {
  if (s.requirement) return s.requirement->pos;
  for (const scenario::Step& step : s.steps) {
    if (const auto* block = std::get_if<scenario::IfStep>(&step)) {
      return block->pos;
    }
  }
  return {};
}

}  // namespace

bool DecideHere(const scenario::Scenario& scenario, std::string_view source,
                proto::OpensslSeries* out_series,
                std::string* out_not_applicable,
                scenario::Diagnostic* out_error) {
  out_not_applicable->clear();
  *out_series = proto::kDefaultSeries;
  const scenario::Pos at = FirstCondition(scenario);
  if (at.line == 0) return true;  // nothing to decide
  if (!tls::RunningSeries(out_series)) {
    *out_error = scenario::Diagnostic{
        scenario.file, at.line, at.col,
        "cannot decide the version conditions: this is " +
            tls::RunningVersionText() +
            ", a release of none of the series tlsim knows (" +
            std::string(proto::SeriesList()) + ")",
        scenario::SourceLine(source, at.line)};
    return false;
  }
  *out_not_applicable = scenario::NotApplicable(scenario, *out_series);
  return true;
}

bool ResolveHere(const scenario::Scenario& scenario, std::string_view source,
                 scenario::Scenario* out, std::string* out_not_applicable,
                 scenario::Diagnostic* out_error) {
  proto::OpensslSeries series;
  if (!DecideHere(scenario, source, &series, out_not_applicable, out_error)) {
    return false;
  }
  *out = scenario::ForSeries(scenario, series);
  return true;
}

}  // namespace tlsim::run
