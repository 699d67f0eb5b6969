#!/usr/bin/env python3
"""Checks `polyforge repair --watertight` on the shared assets the repair issue names, with trimesh as the judge.

    python3 scripts/check-repair.py [POLYFORGE_BINARY] [--fair-holes]

For each file: repair it to PLY, load the result in trimesh (vertices merged by position, so kept UV seams are not holes) and
print what trimesh finds: degenerate faces, non-manifold edges (more than two faces), winding consistency and
watertightness; then `polyforge compare` gives the distance from input to output (mean and max, as a share of the
input's bounding-box diagonal) and from output to input (how far hole fills stray from the surface they close).
Exit 1 when trimesh finds a defect or the input-to-output mean is 0.2% of the diagonal or more. Not part of CI
(it needs trimesh): run it by hand after touching repair.
"""
import json, os, subprocess, sys, tempfile

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
extra = [a for a in sys.argv[1:] if a.startswith("--")]
positional = [a for a in sys.argv[1:] if not a.startswith("--")]
binary = positional[0] if positional else os.path.join(root, ".build/release/polyforge")
assets = os.path.join(root, "..", "shared", "assets")
files = ["mesh/soup.stl", "mesh/wallhole.obj", "mesh/chair_model.obj", "mesh/capsule.obj", "mesh/busted.STL",
         "ai/trellis_AlexHe1234_sample.glb", "ai/trellis_chedinhtrung_sample.glb"]

try:
    import numpy as np
    import trimesh
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "trimesh", "numpy"], check=True)
    import numpy as np
    import trimesh

failed = False
print(f"{'file':38} {'exit':>4} {'tris in→out':>15} {'degen':>5} {'nonmf':>5} {'wind':>5} {'watertight':>10}"
      f" {'mean in→out':>12} {'max in→out':>11} {'max out→in':>11}")
with tempfile.TemporaryDirectory() as tmp:
    for name in files:
        source = os.path.join(assets, name)
        out = os.path.join(tmp, os.path.basename(name) + ".ply")
        r = subprocess.run([binary, "repair", "--watertight", *extra, source, out, "--json"], capture_output=True, text=True)
        if r.returncode not in (0, 2) or not os.path.exists(out):
            print(f"{name:38} repair failed ({r.returncode}): {r.stderr.strip()[:200]}")
            failed = True
            continue
        report = json.loads(r.stdout)
        m = trimesh.load(out, force="mesh")
        # By position only: UV and normal seams are kept apart on purpose and are not holes.
        m.merge_vertices(merge_tex=True, merge_norm=True)
        edges = m.edges_sorted
        _, counts = np.unique(edges, axis=0, return_counts=True)
        nonmanifold = int((counts > 2).sum())
        degenerate = int((~m.nondegenerate_faces(height=1e-8)).sum()) if hasattr(m, "nondegenerate_faces") else \
            int((m.area_faces < 1e-12).sum())
        c = subprocess.run([binary, "compare", source, out, "--json"], capture_output=True, text=True)
        d = json.loads(c.stdout)
        diag = d["diagonal"] or 1
        mean_ab, max_ab, max_ba = d["meanAToB"] / diag, d["maxAToB"] / diag, d["maxBToA"] / diag
        tris_in = report.get("before", {}).get("triangles", "?")
        bad = degenerate > 0 or nonmanifold > 0 or not m.is_winding_consistent or mean_ab >= 0.002
        failed |= bad
        print(f"{name:38} {r.returncode:>4} {str(tris_in) + '→' + str(len(m.faces)):>15} {degenerate:>5} {nonmanifold:>5}"
              f" {str(m.is_winding_consistent):>5} {str(m.is_watertight):>10} {100 * mean_ab:>11.4f}% {100 * max_ab:>10.4f}%"
              f" {100 * max_ba:>10.4f}%{'  FAIL' if bad else ''}")
sys.exit(1 if failed else 0)
