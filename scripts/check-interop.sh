#!/usr/bin/env bash
# Converts every shared asset to GLB (and OBJ/STL/PLY) with polyforge, then loads each output in Blender headless
# and in `assimp info`, and prints one line per file. Exit 1 if any output fails to load.
#   scripts/check-interop.sh [--repair | --simplify] [POLYFORGE_BINARY]
# --repair: run `polyforge repair --watertight` instead of `convert` (GLB and STL outputs), and also check every
# STL with `admesh -e`: no disconnected facets, unless repair itself said the shape cannot be closed (exit 2).
# --simplify: `polyforge simplify --ratio 0.25` to GLB and OBJ, and `polyforge lod --levels 1,0.5,0.25,0.125`
# (separate files and --single-file); every output must load, and each LOD file must hold as many triangles
# (assimp's face count) as its manifest says.
# Needs Debian's blender, assimp-utils and admesh (installed here when missing). Not part of CI: Blender is a large
# install.
set -uo pipefail
cd "$(dirname "$0")/.."
mode=convert
if [ "${1:-}" = "--repair" ]; then mode=repair; shift; fi
if [ "${1:-}" = "--simplify" ]; then mode=simplify; shift; fi
bin=${1:-.build/release/polyforge}
[ -x "$bin" ] || { swift build -c release --product polyforge >/dev/null && bin=.build/release/polyforge; }
dpkg -s python3-numpy >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy >/dev/null  # Blender's glTF importer needs it
for tool in blender assimp admesh; do
    command -v $tool >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq blender python3-numpy assimp-utils admesh >/dev/null
done
out=out/interop-$mode
rm -rf "$out"; mkdir -p "$out"
assets=../shared/assets
failed=0
mapfile -t inputs < <(find "$assets" -type f \( -iname '*.glb' -o -iname '*.gltf' -o -iname '*.obj' -o -iname '*.stl' -o -iname '*.ply' \) | sort)
inputs+=(fixtures/*.glb fixtures/*.obj fixtures/*.stl fixtures/*.ply fixtures/*.off)

blender_check() { # file -> "ok tris=N actions=N armatures=N" or "FAIL ..."
    local f=$1 ext=${1##*.}
    local importer="bpy.ops.import_scene.gltf(filepath=f)"
    case "$ext" in obj) importer="bpy.ops.import_scene.obj(filepath=f)";; stl) importer="bpy.ops.import_mesh.stl(filepath=f)";; ply) importer="bpy.ops.import_mesh.ply(filepath=f)";; esac
    blender -b --factory-startup --python-exit-code 3 --python-expr "
import bpy, sys, numpy
# Debian's Blender 3.4 glTF importer still uses numpy.bool, which Debian's numpy 1.24 removed; it fails on
# Khronos' own Box.glb without this alias.
if not hasattr(numpy, 'bool'): numpy.bool = bool
f = sys.argv[-1]
bpy.ops.wm.read_factory_settings(use_empty=True)
r = $importer
assert 'FINISHED' in r, r
dg = bpy.context.evaluated_depsgraph_get()
tris = 0
for o in bpy.data.objects:
    if o.type == 'MESH':
        m = o.evaluated_get(dg).to_mesh(); m.calc_loop_triangles(); tris += len(m.loop_triangles)
stored = 0  # each mesh datablock once, however many objects draw it
for m in bpy.data.meshes:
    m.calc_loop_triangles(); stored += len(m.loop_triangles)
print('RESULT ok tris=%d stored=%d actions=%d armatures=%d images=%d' % (tris, stored, len(bpy.data.actions), len(bpy.data.armatures), len(bpy.data.images)))
" -- "$f" 2>&1 | grep -E '^RESULT|Error|error' | head -1 | sed 's/^RESULT //'
}

if [ "$mode" = simplify ]; then
    printf '%-46s %-16s %-48s %-7s %s\n' output kind blender assimp manifest
    for src in "${inputs[@]}"; do
        stem=$(basename "${src%.*}")
        dir=$(basename "$(dirname "$src")")
        name="${dir}_$stem"
        for ext in glb obj; do
            dst="$out/simplify/$name.$ext"
            mkdir -p "$out/simplify"
            if ! "$bin" simplify --ratio 0.25 "$src" "$dst" >/dev/null 2>"$dst.err" || [ ! -s "$dst" ]; then
                printf '%-46s %-16s FAILED: %s\n' "$name" "simplify $ext" "$(head -1 "$dst.err")"; failed=1; continue
            fi
            rm -f "$dst.err"
            b=$(blender_check "$dst"); a=$(assimp info "$dst" >/dev/null 2>&1 && echo ok || echo FAIL)
            [[ "$b" == ok* && "$a" == ok ]] || failed=1
            printf '%-46s %-16s %-48s %-7s\n' "$name" "simplify $ext" "$b" "$a"
        done
        for variant in files single; do
            lod="$out/lod-$variant/$name"
            mkdir -p "$lod"
            extra=(); [ "$variant" = single ] && extra=(--single-file)
            if ! "$bin" lod "$src" --out "$lod" --levels 1,0.5,0.25,0.125 "${extra[@]}" >/dev/null 2>"$lod.err"; then
                printf '%-46s %-16s FAILED: %s\n' "$name" "lod $variant" "$(head -1 "$lod.err")"; failed=1; continue
            fi
            rm -f "$lod.err"
            manifest="$lod/$stem.lod.json"
            mapfile -t levels < <(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); [print(l['file'], l['triangles'], l['drawnTriangles']) for l in m['levels']]" "$manifest")
            seen=""
            for entry in "${levels[@]}"; do
                read -r file tris drawn <<< "$entry"
                [[ " $seen " == *" $file "* ]] && continue
                seen="$seen $file"
                b=$(blender_check "$lod/$file")
                # triangles over assimp's triangle meshes ("[vertices / bones / faces | triangle]"), points and lines left out
                faces=$(assimp info "$lod/$file" 2>/dev/null | awk -F'[][/|]' '/\| triangle\]/ { n += $4 } /^Faces:/ { seen = 1 } END { if (seen) print n + 0 }')
                a=$([ -n "$faces" ] && echo ok || echo FAIL)
                m="-"
                if [ "$variant" = files ]; then
                    # The manifest's `triangles` count each mesh once. Each reader has a blind spot: Blender's import
                    # merges back-to-back twin faces (chair_model), assimp's merges identical meshes into instances
                    # (MeshPrimitiveModes' strip and fan); the count must match at least one of them.
                    if [ "$faces" = "$tris" ]; then m="ok ($tris stored = assimp, $drawn drawn)"
                    elif [[ "$b" == *"stored=$tris "* ]]; then m="ok ($tris stored = blender, $drawn drawn)"
                    else m="MISMATCH: manifest $tris, assimp $faces, $b"; failed=1; fi
                fi
                [[ "$b" == ok* && "$a" == ok ]] || failed=1
                printf '%-46s %-16s %-48s %-7s %s\n' "$name" "lod $file" "$b" "$a" "$m"
            done
        done
    done
    exit $failed
fi

formats=(glb obj stl ply)
[ "$mode" = repair ] && formats=(glb stl)
printf '%-58s %-5s %-48s %-7s %s\n' output fmt blender assimp "$([ "$mode" = repair ] && echo "admesh -e")"
for src in "${inputs[@]}"; do
    stem=$(basename "${src%.*}")
    dir=$(basename "$(dirname "$src")")
    for ext in "${formats[@]}"; do
        dst="$out/$ext/${dir}_$stem.$ext"
        mkdir -p "$out/$ext"
        closed=yes
        if [ "$mode" = repair ]; then
            "$bin" repair --watertight "$src" "$dst" >/dev/null 2>"$dst.err"
            status=$?
            [ $status -eq 2 ] && closed=no && status=0   # reported as not closable; the file is still written
        else
            "$bin" convert "$src" "$dst" >/dev/null 2>"$dst.err"
            status=$?
        fi
        if [ $status -ne 0 ] || [ ! -s "$dst" ]; then
            printf '%-58s %-5s %s FAILED: %s\n' "$src" "$ext" "$mode" "$(head -1 "$dst.err")"; failed=1; continue
        fi
        rm -f "$dst.err"
        b=$(blender_check "$dst")
        a=$(assimp info "$dst" >/dev/null 2>&1 && echo "ok" || echo "FAIL")
        [[ "$b" == ok* && "$a" == ok ]] || failed=1
        e=""
        if [ "$mode" = repair ] && [ "$ext" = stl ]; then
            loose=$(admesh -e "$dst" 2>&1 | awk -F: '/Total disconnected facets/ { split($2, v, " "); print v[2] }')
            if [ "$closed" = no ]; then e="not closable (repair exit 2), $loose disconnected"
            elif [ "$loose" = 0 ]; then e="ok"
            else e="FAIL: $loose disconnected facets"; failed=1; fi
        fi
        printf '%-58s %-5s %-48s %-7s %s\n' "${dir}_$stem" "$ext" "$b" "$a" "$e"
    done
done
exit $failed
