#!/usr/bin/env bash
# Whole-process thumbnail time: `polyforge thumb` against `f3d --output` under Xvfb, on the same textured
# 1M-triangle GLB, one 512x512 view each, median of RUNS (default 7) runs. Both include process start-up and
# file reading; f3d's Xvfb server is started once beforehand so its start-up is not charged to f3d. Rounds are
# interleaved (one run of each command per round) and the ratio is the median of the per-round ratios.
#   Benchmarks/thumb-vs-f3d.sh [GLB]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-7}
for p in f3d xvfb xauth; do dpkg -s $p >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq f3d xvfb xauth >/dev/null; done
swift build -c release --product polyforge >/dev/null
bin=.build/release/polyforge
mesh=${1:-Benchmarks/.cache/scan_1000000_textured.glb}
[ -f "$mesh" ] || { mkdir -p "$(dirname "$mesh")"; "$bin" fixtures --out /tmp/pf-thumbbench --size 1000000 >/dev/null; mv /tmp/pf-thumbbench/scan_1000000.glb "$mesh"; }
out=$(mktemp -d)
Xvfb :97 -screen 0 1280x1024x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$out"' EXIT
sleep 1

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
time_ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

"$bin" thumb "$mesh" "$out/warm.png" --views three-quarter >/dev/null
DISPLAY=:97 f3d "$mesh" --output "$out/f3d.png" --resolution 512,512 >/dev/null 2>&1 || true
[ -s "$out/f3d.png" ] || echo "warning: f3d wrote no image" >&2
# Interleaved, one of each per round, so drift in the machine's speed (a shared VM) hits every command alike;
# the ratio is taken per round and its median reported.
: > "$out/rounds"
for i in $(seq $RUNS); do
    a=$(OMP_NUM_THREADS=1 time_ms "$bin" thumb "$mesh" "$out/pf.png" --views three-quarter)
    b=$(OMP_NUM_THREADS=2 time_ms "$bin" thumb "$mesh" "$out/pf.png" --views three-quarter)
    c=$(OMP_NUM_THREADS=2 time_ms "$bin" thumb "$mesh" "$out/sheet.png" --sheet)
    d=$(DISPLAY=:97 time_ms f3d "$mesh" --output "$out/f3d.png" --resolution 512,512)
    echo "$a $b $c $d" >> "$out/rounds"
done
column() { awk -v k="$1" '{print $k}' "$out/rounds" | median; }
echo "mesh: $mesh ($(du -h "$mesh" | cut -f1)), $RUNS interleaved rounds, medians"
echo "polyforge thumb, 1 view, 1 thread:  $(column 1) ms"
echo "polyforge thumb, 1 view, 2 threads: $(column 2) ms"
echo "polyforge thumb --sheet (3 views), 2 threads: $(column 3) ms"
echo "f3d --output, 1 view (Xvfb running): $(column 4) ms"
awk '{print $4 / $2}' "$out/rounds" | median | awk '{ printf "f3d / polyforge (1 view, 2 threads), median of per-round ratios: %.1fx\n", $1 }'
