#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the system libraries, builds, tests,
# then a few seconds of fuzzing per parser as a smoke check.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
swift build --build-tests
swift test --skip-build 2>&1 | tee .build/test-output.txt
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || exit "$status"
if [ -x Fuzz/run.sh ]; then Fuzz/run.sh --smoke; fi
