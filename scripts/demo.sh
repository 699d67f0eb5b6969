#!/usr/bin/env bash
# The main job on the bundled fixtures: installs the system libraries, builds polyforge (release), describes every
# fixture and converts each into every writable format under out/, then reads the results back.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/install-deps.sh
swift build -c release --product polyforge
bin=.build/release/polyforge
out=out/demo
mkdir -p "$out"
shopt -s nullglob
inputs=(fixtures/*.glb fixtures/*.obj fixtures/*.stl fixtures/*.ply fixtures/*.off)
"$bin" info "${inputs[@]}"
for f in "${inputs[@]}"; do
    stem=$(basename "${f%.*}")
    for ext in glb gltf obj stl ply; do
        mkdir -p "$out/$ext"
        "$bin" convert "$f" "$out/$ext/$stem.$ext" >/dev/null
    done
done
echo
echo "converted ${#inputs[@]} fixtures into $out/{glb,gltf,obj,stl,ply}; reading them back:"
"$bin" info --json "$out"/*/*.{glb,gltf,obj,stl,ply} | python3 -c '
import json, sys
records = json.load(sys.stdin)
bad = [r for r in records if "error" in r]
print(f"  {len(records) - len(bad)} of {len(records)} outputs read back")
for r in bad: print("  FAILED", r["file"], r["error"])
sys.exit(1 if bad else 0)'
