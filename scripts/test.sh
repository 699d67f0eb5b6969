#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the system libraries, builds, tests,
# then a few seconds of fuzzing per parser as a smoke check.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
swift build --build-tests
# Every test is a Swift Testing test; skipping the empty XCTest pass keeps its "Executed 0 tests" out of the log.
swift test --skip-build --disable-xctest 2>&1 | tee .build/test-output.txt
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || exit "$status"
Fuzz/run.sh --smoke
# One plain closing line for whoever reads the log: the Swift Testing count, after the fuzz smoke.
passed=$(grep -oE 'Test run with [0-9]+ tests' .build/test-output.txt | grep -oE '[0-9]+' | tail -1)
echo "${passed:-0} passed, 0 failed"
