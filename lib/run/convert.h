// Conversions from the scenario's types to the wire's: sides, amounts,
// record selectors and faults as the runner hands them to wire::Wire.
// Internal to lib/run.
//
//   wire.Deliver(ToWire(step.from), ToWire(step.amount));
#pragma once

#include "lib/scenario/ast.h"
#include "lib/wire/fault.h"
#include "lib/wire/wire.h"

namespace tlsim::run {

wire::Amount ToWire(const scenario::Amount& a);
wire::RecordSelector ToWire(const scenario::RecordSelector& s);
wire::Fault ToWire(const scenario::FaultStep& f);

}  // namespace tlsim::run
