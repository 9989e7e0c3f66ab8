#include "lib/scenario/versions.h"

#include <string>
#include <utility>
#include <variant>

namespace tlsim::scenario {

const char* ComparisonName(Comparison op) {
  switch (op) {
    case Comparison::kEq:
      return "==";
    case Comparison::kNe:
      return "!=";
    case Comparison::kLt:
      return "<";
    case Comparison::kLe:
      return "<=";
    case Comparison::kGt:
      return ">";
    case Comparison::kGe:
      return ">=";
  }
  return "?";
}

bool Holds(const VersionTest& test, proto::OpensslSeries series) {
  switch (test.op) {
    case Comparison::kEq:
      return series == test.series;
    case Comparison::kNe:
      return series != test.series;
    case Comparison::kLt:
      return series < test.series;
    case Comparison::kLe:
      return series <= test.series;
    case Comparison::kGt:
      return series > test.series;
    case Comparison::kGe:
      return series >= test.series;
  }
  return false;
}

bool Holds(const VersionCondition& condition, proto::OpensslSeries series) {
  for (const VersionTest& test : condition.tests) {
    if (!Holds(test, series)) return false;
  }
  return true;
}

std::string ConditionText(const VersionCondition& condition) {
  std::string out;
  for (const VersionTest& test : condition.tests) {
    if (!out.empty()) out += " and ";
    out += std::string("openssl ") + ComparisonName(test.op) + " " +
           std::string(proto::SeriesName(test.series));
  }
  return out;
}

bool Applies(const Scenario& scenario, proto::OpensslSeries series) {
  return !scenario.requirement || Holds(*scenario.requirement, series);
}

std::string NotApplicable(const Scenario& scenario,
                          proto::OpensslSeries series) {
  if (Applies(scenario, series)) return "";
  return "requires " + ConditionText(*scenario.requirement) +
         "; this is OpenSSL " + std::string(proto::SeriesName(series));
}

bool HasBlocks(const Scenario& scenario) {
  for (const Step& step : scenario.steps) {
    if (std::holds_alternative<IfStep>(step)) return true;
  }
  return false;
}

const Branch* TakenBranch(const IfStep& block, proto::OpensslSeries series) {
  for (const Branch& branch : block.branches) {
    if (!branch.condition || Holds(*branch.condition, series)) return &branch;
  }
  return nullptr;
}

void AppendForSeries(const std::vector<Step>& steps,
                     proto::OpensslSeries series, std::vector<Step>* out) {
  for (const Step& step : steps) {
    const auto* block = std::get_if<IfStep>(&step);
    if (block == nullptr) {
      out->push_back(step);
      continue;
    }
    if (const Branch* taken = TakenBranch(*block, series)) {
      AppendForSeries(taken->steps, series, out);
    }
  }
}

Scenario ForSeries(const Scenario& scenario, proto::OpensslSeries series) {
  if (!HasBlocks(scenario)) return scenario;
  std::vector<Step> steps;
  AppendForSeries(scenario.steps, series, &steps);
  // Everything but the steps as it is (whatever Scenario holds).
  Scenario out = scenario;
  out.steps = std::move(steps);
  return out;
}

}  // namespace tlsim::scenario
