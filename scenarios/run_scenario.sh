#!/bin/bash
# Runs one scenario as a Bazel test: tlsim's exit code is the verdict, and
# the trace is kept with the test's undeclared outputs.
set -euo pipefail
tlsim="$1"
scenario="$2"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-${TMPDIR:-/tmp}}"
mkdir -p "$out"
exec "$tlsim" run "$scenario" --trace --save-trace "$out/$(basename "$scenario" .tlsim).trace"
