#!/usr/bin/env bash
# Fuzzes Polyforge's parsers with libFuzzer + AddressSanitizer.
#   Fuzz/run.sh FORMAT SECONDS   one parser (glb, gltf, obj, stl, ply, off) for SECONDS
#   Fuzz/run.sh --all SECONDS    every parser in turn
#   Fuzz/run.sh --smoke          every parser for a few seconds (CI)
#   Fuzz/run.sh --minimize FORMAT  fold what a campaign found into the committed seeds (coverage-preserving merge)
# Seeds: Fuzz/corpus/FORMAT (committed; new finds are added there) plus matching small files from ../shared/assets.
# Crashes are written to Fuzz/artifacts/FORMAT/ and make the script fail.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
formats=(glb gltf obj stl ply off)

build() {
    swift build --package-path "$here" --scratch-path "$root/.build-fuzz" -c debug --product fuzz-parsers \
        -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address -Xcxx -fsanitize=fuzzer-no-link,address \
        2>&1 | grep -Ev "Cannot export local symbol|^\[" || true
    bin="$root/.build-fuzz/debug/fuzz-parsers"
    [ -x "$bin" ] || { echo "fuzz build failed" >&2; exit 1; }
}

run_one() {
    local fmt=$1 seconds=$2
    # New finds go to a working corpus outside the repo; the committed seeds stay small (see --minimize).
    local corpus="$root/.build-fuzz/corpus/$fmt" artifacts="$here/artifacts/$fmt"
    mkdir -p "$corpus" "$artifacts"
    local seeds="$(mktemp -d)"
    find "$root/../shared/assets" -type f -size -300k \( -iname "*.$fmt" $( [ "$fmt" = gltf ] && echo "-o -iname *.json" ) \) \
        -exec cp {} "$seeds/" \; 2>/dev/null || true
    echo "== fuzzing $fmt for ${seconds}s"
    # Swift's own backtracer would catch a trap first, hang for minutes and trip ASan itself: leave crashes to libFuzzer.
    SWIFT_BACKTRACE=enable=no POLYFORGE_FUZZ_FORMAT=$fmt ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
        "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -max_len=65536 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" "$here/corpus/$fmt" "$seeds" 2>&1 \
        | grep -E "^#[0-9]+.*DONE|^Done|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Fatal error|crash-|timeout-|oom-" || true
    rm -rf "$seeds"
    if ls "$artifacts" | grep -qE '^(crash|timeout|oom|leak)-'; then
        echo "fuzzing $fmt found failures in $artifacts" >&2
        return 1
    fi
}

case "${1:-}" in
    --minimize)
        # Merges the working corpus of FORMAT into the committed seeds, keeping only inputs that add coverage.
        build; POLYFORGE_FUZZ_FORMAT=$2 "$bin" -merge=1 -max_len=8192 "$here/corpus/$2" "$root/.build-fuzz/corpus/$2" 2>&1 | tail -2 ;;
    --smoke) build; for f in "${formats[@]}"; do run_one "$f" 4; done ;;
    --all) build; for f in "${formats[@]}"; do run_one "$f" "${2:-600}"; done ;;
    glb|gltf|obj|stl|ply|off) build; run_one "$1" "${2:-600}" ;;
    *) sed -n '2,7p' "$0"; exit 64 ;;
esac
