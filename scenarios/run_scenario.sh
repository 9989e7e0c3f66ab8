#!/bin/bash
# Runs one scenario as a Bazel test: tlsim's exit code is the verdict (a
# golden trace beside the scenario is compared too), and the trace, JSON
# trace, pcap capture and key log are kept with the test's undeclared
# outputs, so a failing CI run hands over everything needed to look at it.
set -euo pipefail
tlsim="$1"
scenario="$2"
out="${TEST_UNDECLARED_OUTPUTS_DIR:-${TMPDIR:-/tmp}}"
exec "$tlsim" run "$scenario" --trace --outputs "$out"
