#!/bin/bash
# Runs each OpenSSL version's handshake benchmark (tools/bench/BUILD passes
# their paths first, then "--" is not needed: the user's arguments follow
# the binaries) one after the other, each under a heading, so that the
# ratios against the bare loop can be read per version.
set -euo pipefail
binaries=()
while [ $# -gt 0 ] && [[ "$1" == */handshakes* ]]; do
  binaries+=("$1")
  shift
done
for b in "${binaries[@]}"; do
  echo "== $(basename "$b")"
  "$b" "$@"
  echo
done
