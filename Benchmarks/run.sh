#!/usr/bin/env bash
# Parse-speed comparison: polyforge (parse-bench) against assimp and trimesh on the same files.
#   Benchmarks/run.sh [FILE...]        RUNS=5 by default; results land in Benchmarks/.cache/results-*.json
set -euo pipefail
cd "$(dirname "$0")"
RUNS="${RUNS:-5}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v assimp >/dev/null; then
    echo "== installing assimp-utils" >&2
    as_root apt-get install -y assimp-utils >&2
fi
if ! python3 -c 'import trimesh' 2>/dev/null; then
    echo "== installing trimesh" >&2
    python3 -m pip install --quiet trimesh >&2
fi

echo "== building parse-bench (release)" >&2
swift build -c release --product parse-bench >&2
BENCH=.build/release/parse-bench

mkdir -p .cache
if [ "$#" -gt 0 ]; then
    FILES=("$@")
else
    # Also writes the 1M/4M scan meshes into .cache on first use.
    mapfile -t FILES < <("$BENCH" --list)
fi

echo "== polyforge: ${#FILES[@]} files, $RUNS runs each" >&2
"$BENCH" --runs "$RUNS" --json "${FILES[@]}" > .cache/results-polyforge.json
echo "== assimp and trimesh: ${#FILES[@]} files, $RUNS runs each" >&2
python3 reference.py --runs "$RUNS" --json "${FILES[@]}" > .cache/results-reference.json

echo
python3 reference.py --compare .cache/results-polyforge.json .cache/results-reference.json

echo
echo "== fixture generation (ScanSurface, release)"
"$BENCH" --runs 3 --generator
