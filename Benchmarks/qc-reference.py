#!/usr/bin/env python3
"""QC reference: the checks qc-bench times, done with trimesh in one Python process over the same library.

Per file: trimesh.load(path, force='mesh', process=False); triangle and vertex counts; UV bounds (fraction of UV
coordinates outside [0,1]) when the mesh has UVs; texture sizes (PIL, the images trimesh already decoded) and
power-of-two; then positions welded (merge_vertices with UVs and normals ignored, as polyforge welds for
topology) and watertight, winding consistency, non-manifold edges (edges shared by three or more faces, from
edges_sorted) and boundary edges, and degenerate faces (nondegenerate_faces). A file trimesh cannot read counts
as failed with its exception, and the run goes on.

    python3 qc-reference.py [LIBRARY] [--runs N] [--every K] [--json] [--ours qc-bench.json] [--records FILE]

--every K checks every K-th file of the sorted list (a deterministic, size-representative subset, since the
library's sizes are random in file order) and also prints the rates scaled to the whole library. --ours reads
`qc-bench --json` output and prints the speed-up.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

try:
    import trimesh
    from PIL import Image  # noqa: F401  (trimesh decodes textures with PIL)
except ImportError:
    sys.exit("qc-reference.py needs trimesh and pillow: pip install trimesh pillow")

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_EXTENSIONS = (".glb", ".gltf", ".obj", ".stl", ".ply", ".off")


def discover(root):
    out = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(MODEL_EXTENSIONS):
                out.append(os.path.join(folder, name))
    return sorted(out)


def side_files(path):
    """Model file plus what it names (.mtl and textures for OBJ, .bin for glTF), in bytes — as polyforge counts."""
    total = os.path.getsize(path)
    folder = os.path.dirname(path)
    stem = os.path.splitext(os.path.basename(path))[0]
    if path.endswith((".obj", ".gltf")):
        for name in os.listdir(folder):
            if name.startswith(stem + ".") or name.startswith(stem + "_tex"):
                if name != os.path.basename(path) and not name.endswith(MODEL_EXTENSIONS):
                    total += os.path.getsize(os.path.join(folder, name))
    return total


def is_pow2(n):
    return n > 0 and (n & (n - 1)) == 0


def check(path):
    r = {"path": path}
    try:
        mesh = trimesh.load(path, force="mesh", process=False)
    except Exception as e:  # noqa: BLE001 — any reader failure is a failed asset
        r["error"] = f"{type(e).__name__}: {e}"[:200]
        return r
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        r["error"] = "no triangles"
        return r
    r["triangles"] = int(len(mesh.faces))
    r["vertices"] = int(len(mesh.vertices))
    # UV bounds and textures.
    visual = mesh.visual
    uv = getattr(visual, "uv", None)
    if uv is not None and len(uv):
        outside = np.any((uv < 0) | (uv > 1), axis=1)
        r["uv_outside_fraction"] = float(outside.mean())
    textures = []
    material = getattr(visual, "material", None)
    if material is not None:
        for attr in ("image", "baseColorTexture"):
            img = getattr(material, attr, None)
            if img is not None and hasattr(img, "size"):
                w, h = img.size
                textures.append({"width": w, "height": h, "power_of_two": is_pow2(w) and is_pow2(h)})
                break
    r["textures"] = textures
    # Topology on welded positions.
    mesh.merge_vertices(merge_tex=True, merge_norm=True)
    r["welded_vertices"] = int(len(mesh.vertices))
    r["watertight"] = bool(mesh.is_watertight)
    r["winding_consistent"] = bool(mesh.is_winding_consistent)
    edges = mesh.edges_sorted
    _, counts = np.unique(edges, axis=0, return_counts=True)
    r["boundary_edges"] = int((counts == 1).sum())
    r["non_manifold_edges"] = int((counts > 2).sum())
    r["degenerate_faces"] = int(len(mesh.faces) - mesh.nondegenerate_faces().sum())
    return r


def run_once(files):
    start = time.perf_counter()
    results = [check(f) for f in files]
    return time.perf_counter() - start, results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("library", nargs="?", default=os.path.join(HERE, ".cache", "qc-library"))
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--every", type=int, default=1, help="check every K-th file only (then scale)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--ours", help="qc-bench --json output, to print the speed-up")
    ap.add_argument("--records", help="write the per-file results of the last run to this JSON file")
    args = ap.parse_args()

    all_files = discover(args.library)
    if not all_files:
        sys.exit(f"no model files under {args.library}; run qc-bench first to generate the library")
    files = all_files[:: args.every]
    all_bytes = sum(side_files(f) for f in all_files)
    sub_bytes = sum(side_files(f) for f in files)

    times, results = [], None
    for i in range(args.runs):
        t, results = run_once(files)
        times.append(t)
        print(f"  trimesh run {i + 1}/{args.runs}: {t:.2f} s over {len(files)} files "
              f"(load {' '.join(f'{x:.2f}' for x in os.getloadavg())})", file=sys.stderr)
    med = statistics.median(times)
    failed = [r for r in results if "error" in r]
    tris = sum(r.get("triangles", 0) for r in results)
    out = {
        "tool": f"trimesh {trimesh.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}",
        "library": args.library,
        "files": len(all_files), "checked": len(files), "every": args.every,
        "bytes": sub_bytes, "triangles": tris,
        "runs": times, "median": med,
        "assetsPerSecond": len(files) / med, "megabytesPerSecond": sub_bytes / 1e6 / med,
        "scaledSecondsForLibrary": med * all_bytes / sub_bytes if sub_bytes else None,
        "failed": [{"path": os.path.relpath(r["path"], args.library), "error": r["error"]} for r in failed],
        "notWatertight": sum(1 for r in results if "error" not in r and not r["watertight"]),
        "nonManifold": sum(1 for r in results if "error" not in r and r["non_manifold_edges"] > 0),
        "withDegenerate": sum(1 for r in results if "error" not in r and r["degenerate_faces"] > 0),
    }
    if args.records:
        with open(args.records, "w") as fh:
            json.dump([dict(r, path=os.path.relpath(r["path"], args.library)) for r in results], fh)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"trimesh reference: {len(files)} of {len(all_files)} files (every {args.every}), "
              f"{sub_bytes / 1e6:.1f} MB, {tris} triangles")
        print(f"  runs (s): {', '.join(f'{t:.2f}' for t in times)}; median {med:.2f} s: "
              f"{out['assetsPerSecond']:.2f} assets/s, {out['megabytesPerSecond']:.2f} MB/s")
        if args.every > 1:
            print(f"  scaled to the whole library by bytes: {out['scaledSecondsForLibrary']:.1f} s")
        print(f"  {len(failed)} unreadable; {out['notWatertight']} not watertight, {out['nonManifold']} with non-manifold "
              f"edges, {out['withDegenerate']} with degenerate faces")
        for f in failed:
            print(f"    unreadable: {f['path']}: {f['error']}")
    if args.ours:
        with open(args.ours) as fh:
            ours = json.load(fh)["library"]
        print(f"  polyforge qc: {ours['assetsPerSecond']:.1f} assets/s, {ours['megabytesPerSecond']:.1f} MB/s → "
              f"{ours['assetsPerSecond'] / out['assetsPerSecond']:.1f}× trimesh by assets/s, "
              f"{ours['megabytesPerSecond'] / out['megabytesPerSecond']:.1f}× by MB/s")


if __name__ == "__main__":
    main()
