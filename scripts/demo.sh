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
echo
echo "done: everything is under $out/"
