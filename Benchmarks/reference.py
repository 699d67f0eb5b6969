#!/usr/bin/env python3
"""Times reference loaders on the files parse-bench times, and compares the two.

  reference.py [FILE...] [--runs N] [--json] [--tools assimp,trimesh]
      assimp:  `assimp info FILE` as a whole process (start-up and its post-processing included), median of N.
      trimesh: trimesh.load(FILE, force='mesh', process=False) in this process, median of N after a warm-up.
      Without FILEs: every model under ../shared/assets plus Benchmarks/.cache/scan_* (what parse-bench uses).

  reference.py --compare OURS.json REFERENCE.json
      Side-by-side table from `parse-bench --json` and `reference.py --json`.

MB counts the model file plus the side files it names (glTF buffers and images, OBJ .mtl files and maps),
so MB/s is comparable with parse-bench's.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "assets"))
CACHE = os.path.join(HERE, ".cache")
MODEL_EXTENSIONS = (".glb", ".gltf", ".obj", ".stl", ".ply", ".off")


def default_files():
    files = []
    for root, dirs, names in os.walk(ASSETS):
        dirs.sort()
        files += [os.path.join(root, n) for n in sorted(names)
                  if n.lower().endswith(MODEL_EXTENSIONS) and not n.startswith(".")]
    files.sort()
    if os.path.isdir(CACHE):
        files += sorted(os.path.join(CACHE, n) for n in os.listdir(CACHE)
                        if n.startswith("scan_") and n.lower().endswith(MODEL_EXTENSIONS))
    return files


def side_files(path):
    """Files a model names beside itself, as a reader would open them."""
    base = os.path.dirname(path)
    found = []
    lower = path.lower()
    try:
        if lower.endswith(".gltf"):
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            for item in doc.get("buffers", []) + doc.get("images", []):
                uri = item.get("uri")
                if uri and not uri.startswith("data:"):
                    found.append(os.path.join(base, uri))
        elif lower.endswith(".obj"):
            with open(path, encoding="utf-8", errors="replace") as f:
                libs = [line.split(None, 1)[1].strip() for line in f if line.startswith("mtllib ")]
            for lib in libs:
                mtl = os.path.join(base, lib)
                found.append(mtl)
                if os.path.exists(mtl):
                    with open(mtl, encoding="utf-8", errors="replace") as f:
                        for line in f:
                            parts = line.split()
                            if parts and parts[0].lower().startswith(("map_", "bump", "disp", "norm")):
                                found.append(os.path.join(base, parts[-1]))
    except (OSError, ValueError, IndexError):
        pass
    return [p for p in dict.fromkeys(found) if os.path.isfile(p)]


def total_bytes(path):
    return os.path.getsize(path) + sum(os.path.getsize(p) for p in side_files(path))


def time_assimp(path, runs):
    times, triangles = [], None
    for _ in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run(["assimp", "info", path], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if proc.returncode != 0:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            return None, None, (lines[-1] if lines else f"exit {proc.returncode}")
        times.append(elapsed)
        for line in proc.stdout.splitlines():
            # "Faces:   12" (all faces, triangulated by assimp's default import flags).
            if line.strip().startswith("Faces:"):
                triangles = int(line.split(":")[1].split()[0])
    return times[1:], triangles, None


def time_trimesh(path, runs):
    import trimesh  # imported late so assimp-only runs work without it
    times, triangles = [], None
    try:
        for _ in range(runs + 1):
            start = time.perf_counter()
            mesh = trimesh.load(path, force="mesh", process=False)
            elapsed = time.perf_counter() - start
            times.append(elapsed)
            triangles = len(mesh.faces)
            del mesh
    except Exception as e:  # noqa: BLE001 — any loader failure is a table entry, not a crash
        return None, None, f"{type(e).__name__}: {e}".splitlines()[0][:120]
    return times[1:], triangles, None


TOOLS = {"assimp": time_assimp, "trimesh": time_trimesh}


def measure(files, runs, tools):
    rows = []
    for path in files:
        size = total_bytes(path)
        for tool in tools:
            times, triangles, error = TOOLS[tool](path, runs)
            row = {"file": os.path.abspath(path), "tool": tool, "format": os.path.splitext(path)[1][1:].lower(),
                   "bytes": size}
            if error:
                row["error"] = error
            else:
                median_s = statistics.median(times)
                row.update({"triangles": triangles, "runs": len(times), "median_ms": median_s * 1000,
                            "min_ms": min(times) * 1000, "mb_per_s": size / 1e6 / median_s,
                            "mtris_per_s": (triangles or 0) / 1e6 / median_s})
            rows.append(row)
            print(f"{tool:8} {display(path)}: " + (row.get("error") or f"{row['median_ms']:.2f} ms"), file=sys.stderr)
    return rows


def display(path):
    path = os.path.abspath(path)
    for base in (ASSETS, HERE):
        if path.startswith(base + os.sep):
            return path[len(base) + 1:]
    return path


def print_table(rows):
    width = max([4] + [len(display(r["file"])) for r in rows])
    print(f"{'file':<{width}}  {'tool':<8} format        MB    triangles   median ms      MB/s  M tris/s")
    for r in rows:
        head = f"{display(r['file']):<{width}}  {r['tool']:<8} {r['format']:<6}"
        if "error" in r:
            print(f"{head}  error: {r['error']}")
            continue
        tris = f"{r['triangles']:,}" if r["triangles"] is not None else "?"
        print(f"{head}{r['bytes'] / 1e6:10.2f}{tris:>13}{r['median_ms']:12.2f}{r['mb_per_s']:10.1f}{r['mtris_per_s']:10.2f}")


def compare(ours_path, reference_path):
    with open(ours_path) as f:
        ours = {os.path.abspath(r["file"]): r for r in json.load(f)}
    with open(reference_path) as f:
        reference = json.load(f)
    tools = list(dict.fromkeys(r["tool"] for r in reference))
    theirs = {(os.path.abspath(r["file"]), r["tool"]): r for r in reference}
    files = list(ours) + [p for p in dict.fromkeys(os.path.abspath(r["file"]) for r in reference) if p not in ours]
    width = max([4] + [len(display(p)) for p in files])

    def speed(row):
        return None if row is None or "error" in row else row["mb_per_s"]

    header = f"{'file':<{width}}        MB  polyforge MB/s"
    for tool in tools:
        header += f"  {tool + ' MB/s':>13}  {'× ' + tool:>10}"
    print(header)
    print("(× tool: how many times faster polyforge parses than the tool; MB from parse-bench)")
    for path in files:
        mine = ours.get(path)
        ours_speed = speed(mine)
        size = mine["bytes"] if mine and "bytes" in mine else None
        line = f"{display(path):<{width}}"
        line += f"{size / 1e6:10.2f}" if size is not None else f"{'?':>10}"
        line += f"{ours_speed:16.1f}" if ours_speed is not None else f"{'error':>16}"
        for tool in tools:
            other = theirs.get((path, tool))
            other_speed = speed(other)
            if other_speed is None:
                line += f"  {'error' if other else '–':>13}  {'–':>10}"
                continue
            # Rate each on the same bytes: parse-bench's count of what the file pulls in.
            if size is not None and other.get("median_ms"):
                other_speed = size / 1e6 / (other["median_ms"] / 1000)
            ratio = f"{ours_speed / other_speed:.1f}×" if ours_speed is not None else "–"
            line += f"  {other_speed:13.1f}  {ratio:>10}"
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="model files (default: shared assets + generated scans)")
    parser.add_argument("--runs", type=int, default=5, help="timed loads per file and tool (default 5)")
    parser.add_argument("--json", action="store_true", help="print a JSON array instead of the table")
    parser.add_argument("--tools", default="assimp,trimesh", help="comma-separated: assimp, trimesh")
    parser.add_argument("--compare", nargs=2, metavar=("OURS.json", "REFERENCE.json"),
                        help="print the side-by-side comparison of two --json outputs and exit")
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
        return
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        parser.error(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    if "assimp" in tools and shutil.which("assimp") is None:
        parser.error("assimp is not installed: apt-get install -y assimp-utils (or pass --tools trimesh)")
    if "trimesh" in tools:
        try:
            import trimesh  # noqa: F401
        except ImportError:
            parser.error("trimesh is not installed: pip install trimesh (or pass --tools assimp)")
    files = args.files or default_files()
    if not files:
        parser.error(f"no files given and none found under {ASSETS} or {CACHE}")
    rows = measure(files, args.runs, tools)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
