#!/usr/bin/env python3
"""Repair-speed comparison: polyforge (repair-bench) against trimesh and, when installed, PyMeshFix, on the same
1M-triangle scan with injected defects (repair-bench --write makes it).

    python3 Benchmarks/repair-compare.py [--runs N] [--triangles N]

trimesh: `merge_vertices()` then `process(validate=True)` (merges, drops degenerate/duplicate/unreferenced,
fixes winding and normals), as the issue's reference. trimesh and PyMeshFix run --reference-runs times (1 by
default: trimesh alone takes tens of seconds on this mesh). PyMeshFix: `MeshFix(v, f).repair()` (it also fills holes
and keeps only the largest component, so it does more and destroys more). Times are medians of --runs.
"""
import argparse, json, os, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--triangles", type=int, default=1_000_000)
parser.add_argument("--reference-runs", type=int, default=1, help="runs of trimesh and PyMeshFix (slow)")
args = parser.parse_args()

subprocess.run(["swift", "build", "-c", "release", "--product", "repair-bench"], cwd=here, check=True, stdout=sys.stderr)
os.makedirs(os.path.join(here, ".cache"), exist_ok=True)
mesh_path = os.path.join(here, ".cache", f"repair-defects-{args.triangles}.ply")
bench = subprocess.run([os.path.join(here, ".build/release/repair-bench"), "--triangles", str(args.triangles),
                        "--runs", str(args.runs), "--write", mesh_path, "--json"],
                       cwd=here, check=True, capture_output=True, text=True)
rows = json.loads(bench.stdout)
results = {}
for r in rows:
    results[f"polyforge {r['path']} ({r['threads']} thread{'s' if r['threads'] > 1 else ''})"] = (r["medianMs"], r["inputTriangles"], r["outputTriangles"])

import numpy as np
import trimesh

loaded = trimesh.load(mesh_path, process=False, force="mesh")
vertices = np.asarray(loaded.vertices).copy()
faces = np.asarray(loaded.faces).copy()
times = []
for _ in range(args.reference_runs):
    mesh = trimesh.Trimesh(vertices=vertices, faces=faces, process=False)
    start = time.perf_counter()
    mesh.merge_vertices()
    mesh.process(validate=True)
    times.append((time.perf_counter() - start) * 1000)
    out_faces = len(mesh.faces)
times.sort()
results["trimesh merge_vertices + process(validate)"] = (times[len(times) // 2], len(faces), out_faces)

try:
    import pymeshfix
    times = []
    for _ in range(args.reference_runs):
        start = time.perf_counter()
        fix = pymeshfix.MeshFix(vertices, faces)
        fix.repair()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    out_faces = fix.faces if hasattr(fix, "faces") else fix.f
    results["PyMeshFix repair"] = (times[len(times) // 2], len(faces), len(out_faces))
except ImportError:
    print("(PyMeshFix not installed: pip install pymeshfix to include it)", file=sys.stderr)

reference = results["trimesh merge_vertices + process(validate)"][0]
print(f"{'tool':50s} {'median ms':>10s} {'M tris/s':>9s} {'vs trimesh':>10s} {'tris in':>9s} {'tris out':>9s}")
for name, (ms, tin, tout) in results.items():
    print(f"{name:50s} {ms:10.1f} {tin / ms / 1000:9.2f} {reference / ms:9.1f}x {tin:9d} {tout:9d}")
