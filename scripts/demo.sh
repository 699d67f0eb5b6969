#!/usr/bin/env bash
# The main job on the bundled fixtures: installs the system libraries, builds polyforge (release), then runs the
# pipeline on every fixture — describe, convert to every writable format (read back), repair, LOD chain, QC report
# with thumbnails, contact sheet — and leaves everything under out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
swift build -c release --product polyforge
bin=.build/release/polyforge
out=out/demo
rm -rf "$out"
mkdir -p "$out"
shopt -s nullglob
inputs=(fixtures/*.glb fixtures/*.obj fixtures/*.stl fixtures/*.ply fixtures/*.off)

echo "== info"
"$bin" info "${inputs[@]}"

echo "== convert to glb, gltf, obj, stl, ply and read back"
for f in "${inputs[@]}"; do
    stem=$(basename "${f%.*}")_$(echo "${f##*.}")
    for ext in glb gltf obj stl ply; do
        mkdir -p "$out/convert/$ext"
        "$bin" convert "$f" "$out/convert/$ext/$stem.$ext" >/dev/null
    done
done
"$bin" info --json "$out"/convert/*/*.{glb,gltf,obj,stl,ply} | python3 -c '
import json, sys
records = json.load(sys.stdin)
bad = [r for r in records if "error" in r]
print(f"  {len(records) - len(bad)} of {len(records)} outputs read back")
for r in bad: print("  FAILED", r["file"], r["error"])
sys.exit(1 if bad else 0)'

echo "== repair (weld, clean up, make manifold, orient, fill holes)"
mkdir -p "$out/repaired"
for f in "${inputs[@]}"; do
    stem=$(basename "${f%.*}")_$(echo "${f##*.}")
    "$bin" repair "$f" "$out/repaired/$stem.glb" | sed "s|^|  |"
done

echo "== LOD chains of the repaired meshes"
"$bin" lod "$out/repaired" --out "$out/lod" --levels 1,0.5,0.25

echo "== QC report (game-prop profile) with thumbnails"
# Exit code 2 means some fixtures fail the profile, which several are built to do; the report is the output.
status=0
"$bin" qc fixtures --profile game-prop --report "$out/qc" >/dev/null || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 2 ] || exit "$status"
echo "  $out/qc/index.html"

echo "== thumbnails and contact sheet"
"$bin" thumb fixtures --out "$out/thumbs" --sheet

echo "== generate → repair → LOD → QC, against the local provider emulator (no network, no credits)"
"$bin" emulator --port 0 --port-file "$out/emulator.port" --time-scale 20 >/dev/null &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$out/emulator.port" ] && break; sleep 0.1; done
base="http://127.0.0.1:$(cat "$out/emulator.port")"
printf 'a wooden crate\na glass orb\na stone donut\na ceramic vase\n' > "$out/prompts.txt"
TRIPO_API_KEY=tsk_demo_key "$bin" generate --provider tripo --prompts "$out/prompts.txt" --out "$out/generated" \
    --base-url "$base" --poll-interval 0.2 --max-poll-interval 1
mkdir -p "$out/generated/repaired"
"$bin" repair "$out/generated/a-wooden-crate.glb" "$out/generated/repaired/a-wooden-crate.glb" | sed "s|^|  |"
"$bin" lod "$out/generated" --out "$out/generated/lod" --levels 1,0.5,0.25 >/dev/null
status=0
"$bin" qc "$out/generated" --profile web --report "$out/generated/qc" >/dev/null || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 2 ] || exit "$status"
echo "  models, previews and NAME.task.json lineage in $out/generated/, QC report in $out/generated/qc/index.html"
echo
echo "done: everything is under $out/"
