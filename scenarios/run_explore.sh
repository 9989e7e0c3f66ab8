#!/bin/bash
# Runs one shard of an exploration as a Bazel test (tlsim_explore_test in
# scenario_test.bzl): `tlsim explore` runs the schedules of this shard
# (TEST_TOTAL_SHARDS, TEST_SHARD_INDEX) and writes its coverage as
# coverage-shard-K.jsonl into the undeclared outputs; this script keeps the
# report beside it (explore-shard-K.txt) and turns tlsim's exit code into
# the verdict: 1 (an invariant violated) fails the test, unless the target
# expects violations, and then finding none fails it.
#
#   run_explore.sh TLSIM SCENARIO EXPECT_VIOLATIONS EMIT [tlsim explore flags]
set -uo pipefail
tlsim="$1"
scenario="$2"
expect_violations="$3"
emit="$4"
shift 4
out="${TEST_UNDECLARED_OUTPUTS_DIR:-${TMPDIR:-/tmp}}"
shard="${TEST_SHARD_INDEX:-0}"
flags=("$@")
if [[ "$emit" == "1" ]]; then
  flags+=(--emit "$out/emitted-shard-$shard")
fi
"$tlsim" explore "$scenario" "${flags[@]}" | tee "$out/explore-shard-$shard.txt"
rc="${PIPESTATUS[0]}"
case "$rc" in
  0)
    if [[ "$expect_violations" == "1" ]]; then
      echo "FAIL: the target expects the exploration to violate an" \
        "invariant, and it violated none" >&2
      exit 1
    fi
    exit 0
    ;;
  1)
    if [[ "$expect_violations" == "1" ]]; then
      echo "PASS: the exploration violates an invariant, as expected"
      exit 0
    fi
    exit 1
    ;;
  *)
    exit "$rc"
    ;;
esac
