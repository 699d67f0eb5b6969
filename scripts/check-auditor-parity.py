#!/usr/bin/env python3
"""Cross-checks `polyforge qc --profile SCHEMA.json` (a Khronos glTF Asset Auditor schema) against a second,
independent implementation of the auditor's documented semantics, written here in Python (numpy, Pillow), on every
glTF/GLB of the shared assets. The auditor itself cannot run here (it needs npm packages this machine cannot reach).

    python3 scripts/check-auditor-parity.py [POLYFORGE_BINARY]

The schema turns every check on. For each asset and check, the verdicts (pass/fail) of both implementations are
compared; the exit code is 1 when any differs. Checks the reference does not implement (UV overlaps, gutters)
and Draco-compressed files (Python has no Draco decoder) are listed as not compared.

Semantics followed (the auditor's README and source, choices listed in the issue's closing note):
  file size in KB (model + side files, / 1024, rounded); counts of materials, nodes, meshes, primitives; triangles
  drawn (per node instance); clean root transform (every root node without matrix or TRS other than identity);
  manifold and beveled edges per primitive in its own coordinates, vertices matched after rounding to 1e-5 as the
  auditor's VertexXyz does (edges with 3+ faces; edges whose two faces meet at 90 degrees or more); dimensions of the world bounding box (length X, height Y, width Z); texture width/height
  ranges, powers of two, square; PBR-safe colour as the HSV value (max of R, G, B) of every base-colour pixel;
  UVs in [0, 1]; inverted UVs as UV triangles counter-clockwise in raw (u, v); texel density in pixels per metre,
  sqrt(UV area x texture pixels / surface area) per triangle, lowest and highest.
"""
import io, json, math, os, struct, subprocess, sys, tempfile

import numpy as np
from PIL import Image

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/release/polyforge")
assets = os.path.join(root, "..", "shared", "assets")

SCHEMA = {
    "version": "1.0.0", "fileSizeInKb": {"maximum": 5120, "minimum": 1}, "materials": {"maximum": 5, "minimum": 1},
    "model": {"objectCount": {"nodes": {"maximum": 10, "minimum": 1}, "meshes": {"maximum": 10, "minimum": 1},
                              "primitives": {"maximum": 10, "minimum": 1}},
              "requireBeveledEdges": True, "requireCleanRootNodeTransform": True, "requireManifoldEdges": True,
              "triangles": {"maximum": 100000, "minimum": 12}},
    "product": {"dimensions": {d: {"maximum": 10, "minimum": 0.005} for d in ("height", "length", "width")}},
    "textures": {"height": {"maximum": 2048, "minimum": 512}, "width": {"maximum": 2048, "minimum": 512},
                 "pbrColorRange": {"maximum": 243, "minimum": 30},
                 "requireDimensionsBePowersOfTwo": True, "requireDimensionsBeQuadratic": True},
    "uvs": {"gutterWidth": {"resolution1024": 4}, "pixelsPerMeter": {"maximum": 10000, "minimum": 50},
            "requireNotInverted": True, "requireNotOverlapping": True, "requireRangeZeroToOne": True},
}
NOT_COMPARED = {"uv.overlap", "uv.gutter", "geometry.present"}

COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}
DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}


def load_gltf(path):
    data = open(path, "rb").read()
    base = os.path.dirname(path)
    side = 0
    if data[:4] == b"glTF":
        length = struct.unpack_from("<I", data, 12)[0]
        doc = json.loads(data[20:20 + length])
        off = 20 + length
        bin_chunk = data[off + 8: off + 8 + struct.unpack_from("<I", data, off)[0]] if off < len(data) else b""
    else:
        doc, bin_chunk = json.loads(data), b""
    buffers = []
    for b in doc.get("buffers", []):
        if "uri" not in b:
            buffers.append(bin_chunk)
        elif b["uri"].startswith("data:"):
            import base64
            buffers.append(base64.b64decode(b["uri"].split(",", 1)[1]))
        else:
            raw = open(os.path.join(base, b["uri"]), "rb").read()
            side += len(raw)
            buffers.append(raw)
    images = []
    for im in doc.get("images", []):
        if "uri" in im and not im["uri"].startswith("data:"):
            raw = open(os.path.join(base, im["uri"]), "rb").read()
            side += len(raw)
        elif "bufferView" in im:
            v = doc["bufferViews"][im["bufferView"]]
            raw = buffers[v["buffer"]][v.get("byteOffset", 0): v.get("byteOffset", 0) + v["byteLength"]]
        else:
            import base64
            raw = base64.b64decode(im["uri"].split(",", 1)[1])
        images.append(Image.open(io.BytesIO(raw)))
    return doc, buffers, images, len(data) + side


def accessor(doc, buffers, index):
    a = doc["accessors"][index]
    n, comps, dtype = a["count"], COMPONENTS[a["type"]], DTYPES[a["componentType"]]
    out = np.zeros((n, comps), dtype=np.float64)
    if "bufferView" in a:
        v = doc["bufferViews"][a["bufferView"]]
        item = np.dtype(dtype).itemsize * comps
        stride = v.get("byteStride", item)
        raw = buffers[v["buffer"]]
        start = v.get("byteOffset", 0) + a.get("byteOffset", 0)
        for i in range(comps):
            col = np.ndarray((n,), dtype=dtype, buffer=raw, offset=start + i * np.dtype(dtype).itemsize, strides=(stride,))
            out[:, i] = col
        if a.get("normalized"):
            out /= np.iinfo(dtype).max
    if "sparse" in a:
        s = a["sparse"]
        iv = doc["bufferViews"][s["indices"]["bufferView"]]
        idx = np.frombuffer(buffers[iv["buffer"]], dtype=DTYPES[s["indices"]["componentType"]], count=s["count"],
                            offset=iv.get("byteOffset", 0) + s["indices"].get("byteOffset", 0))
        vv = doc["bufferViews"][s["values"]["bufferView"]]
        vals = np.frombuffer(buffers[vv["buffer"]], dtype=dtype, count=s["count"] * comps,
                             offset=vv.get("byteOffset", 0) + s["values"].get("byteOffset", 0)).reshape(-1, comps)
        out[idx.astype(int)] = vals
    return out


def node_matrix(node):
    if "matrix" in node:
        return np.array(node["matrix"], dtype=np.float64).reshape(4, 4).T
    t = node.get("translation", [0, 0, 0]); r = node.get("rotation", [0, 0, 0, 1]); s = node.get("scale", [1, 1, 1])
    x, y, z, w = r
    rot = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                    [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                    [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
    m = np.eye(4); m[:3, :3] = rot * np.array(s); m[:3, 3] = t
    return m


def instances(doc):
    scene = doc.get("scenes", [{}])[doc.get("scene", 0)] if doc.get("scenes") else {"nodes": list(range(len(doc.get("nodes", []))))}
    out = []
    def walk(i, parent):
        n = doc["nodes"][i]; m = parent @ node_matrix(n)
        if "mesh" in n: out.append((n["mesh"], m))
        for c in n.get("children", []): walk(c, m)
    for r in scene.get("nodes", []): walk(r, np.eye(4))
    return out, scene.get("nodes", [])


def reference(path):
    doc, buffers, images, size = load_gltf(path)
    if any("KHR_draco_mesh_compression" in p.get("extensions", {}) for m in doc.get("meshes", []) for p in m["primitives"]):
        return None
    v = {}
    v["file.size"] = 1 <= round(size / 1024) <= 5120
    v["budget.materials"] = 1 <= len(doc.get("materials", [])) <= 5
    v["budget.nodes"] = 1 <= len(doc.get("nodes", [])) <= 10
    v["budget.meshes"] = 1 <= len(doc.get("meshes", [])) <= 10
    v["budget.primitives"] = 1 <= sum(len(m["primitives"]) for m in doc.get("meshes", [])) <= 10
    inst, roots = instances(doc)
    clean = True
    for r in roots:
        n = doc["nodes"][r]
        if not np.allclose(node_matrix(n), np.eye(4), atol=1e-6): clean = False
    v["placement.root-transform"] = clean
    tris_world, uv_tris, tex_sizes_for_tri = [], [], []
    tri_count = 0
    for mesh_index, m in inst:
        for p in doc["meshes"][mesh_index]["primitives"]:
            mode = p.get("mode", 4)
            pos = accessor(doc, buffers, p["attributes"]["POSITION"])
            idx = accessor(doc, buffers, p["indices"])[:, 0].astype(np.int64) if "indices" in p else np.arange(len(pos))
            if mode == 5: idx = np.array([[idx[i], idx[i + 1], idx[i + 2]] if i % 2 == 0 else [idx[i + 1], idx[i], idx[i + 2]] for i in range(len(idx) - 2)]).reshape(-1)
            elif mode == 6: idx = np.array([[idx[0], idx[i], idx[i + 1]] for i in range(1, len(idx) - 1)]).reshape(-1)
            elif mode != 4: continue
            idx = idx[: len(idx) // 3 * 3]
            tri_count += len(idx) // 3
            world = (np.c_[pos, np.ones(len(pos))] @ m.T)[:, :3]
            tris_world.append(world[idx].reshape(-1, 3, 3))
            if "TEXCOORD_0" in p["attributes"]:
                uv = accessor(doc, buffers, p["attributes"]["TEXCOORD_0"])
                uv_tris.append((uv[idx].reshape(-1, 3, 2), world[idx].reshape(-1, 3, 3), p.get("material")))
    v["budget.triangles"] = 12 <= tri_count <= 100000
    allw = np.concatenate(tris_world).reshape(-1, 3) if tris_world else np.zeros((0, 3))
    ext = allw.max(0) - allw.min(0) if len(allw) else np.zeros(3)
    v["scale.dimensions"] = bool(all(0.005 <= e <= 10 for e in ext))
    # Edges as the auditor builds them: per primitive, local coordinates, vertices matched after rounding to 1e-5.
    hard = nonmanifold = 0
    for mesh in doc.get("meshes", []):
        for p in mesh["primitives"]:
            if p.get("mode", 4) != 4:
                continue
            pos = accessor(doc, buffers, p["attributes"]["POSITION"])
            idx = accessor(doc, buffers, p["indices"])[:, 0].astype(np.int64) if "indices" in p else np.arange(len(pos))
            idx = idx[: len(idx) // 3 * 3]
            _, vid = np.unique(np.floor(pos * 1e5 + 0.5).astype(np.int64), axis=0, return_inverse=True)
            faces = vid.reshape(-1)[idx].reshape(-1, 3)
            tri = pos[idx].reshape(-1, 3, 3)
            normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
            lens = np.linalg.norm(normals, axis=1)
            proper = (faces[:, 0] != faces[:, 1]) & (faces[:, 1] != faces[:, 2]) & (faces[:, 0] != faces[:, 2])
            edges = {}
            for f in np.nonzero(proper)[0]:
                a, b, c = faces[f]
                for e in ((a, b), (b, c), (c, a)):
                    edges.setdefault((min(e), max(e)), []).append(f)
            nonmanifold += sum(len(fs) >= 3 for fs in edges.values())
            for fs in edges.values():
                if len(fs) == 2 and lens[fs[0]] > 0 and lens[fs[1]] > 0:
                    cos = np.dot(normals[fs[0]], normals[fs[1]]) / (lens[fs[0]] * lens[fs[1]])
                    if cos <= 1e-6: hard += 1
    if tris_world:
        v["topology.manifold-edges"] = nonmanifold == 0
        v["geometry.beveled-edges"] = hard == 0
    if images:
        ws = [im.size[0] for im in images]; hs = [im.size[1] for im in images]
        v["texture.max-width"] = max(ws) <= 2048; v["texture.min-width"] = min(ws) >= 512
        v["texture.max-height"] = max(hs) <= 2048; v["texture.min-height"] = min(hs) >= 512
        v["texture.power-of-two"] = all(x & (x - 1) == 0 for x in ws + hs)
        v["texture.square"] = all(w == h for w, h in zip(ws, hs))
        base = set()
        for mat in doc.get("materials", []):
            t = mat.get("pbrMetallicRoughness", {}).get("baseColorTexture")
            if t is not None: base.add(doc["textures"][t["index"]].get("source"))
        values = [np.asarray(images[s].convert("RGB")).max(axis=2) for s in base if s is not None]
        if values:
            lo = min(int(x.min()) for x in values); hi = max(int(x.max()) for x in values)
            v["texture.pbr-color-max"] = hi <= 243; v["texture.pbr-color-min"] = lo >= 30
    if uv_tris:
        uvs = np.concatenate([u for u, _, _ in uv_tris])
        v["uv.range-0-1"] = bool(uvs.min() >= 0 and uvs.max() <= 1)
        signed = ((uvs[:, 1, 0] - uvs[:, 0, 0]) * (uvs[:, 2, 1] - uvs[:, 0, 1]) - (uvs[:, 2, 0] - uvs[:, 0, 0]) * (uvs[:, 1, 1] - uvs[:, 0, 1]))
        v["uv.inverted"] = not bool((signed > 0).any())
        dens = []
        for u, w, mat in uv_tris:
            size = None
            if mat is not None:
                t = doc["materials"][mat].get("pbrMetallicRoughness", {}).get("baseColorTexture")
                if t is not None and doc["textures"][t["index"]].get("source") is not None:
                    size = images[doc["textures"][t["index"]]["source"]].size
            if size is None: continue
            ua = 0.5 * np.abs((u[:, 1, 0] - u[:, 0, 0]) * (u[:, 2, 1] - u[:, 0, 1]) - (u[:, 2, 0] - u[:, 0, 0]) * (u[:, 1, 1] - u[:, 0, 1]))
            wa = 0.5 * np.linalg.norm(np.cross(w[:, 1] - w[:, 0], w[:, 2] - w[:, 0]), axis=1)
            ok = (wa > 0) & (ua > 0)
            dens.append(np.sqrt(ua[ok] * size[0] * size[1] / wa[ok]))
        if dens and sum(len(d) for d in dens):
            d = np.concatenate(dens)
            v["uv.texel-density-max"] = float(d.max()) <= 10000
            v["uv.texel-density-min"] = float(d.min()) >= 50
    return v


def ours(path, schema_path):
    r = subprocess.run([binary, "qc", path, "--profile", schema_path, "--json", "--no-thumbnails"], capture_output=True, text=True)
    doc = json.loads(r.stdout)
    return {c["id"]: c for c in doc["assets"][0]["checks"]}


files = sorted(os.path.join(d, f) for d, _, fs in os.walk(assets) for f in fs if f.lower().endswith((".glb", ".gltf")))
differences = 0
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as s:
    json.dump(SCHEMA, s)
schema_path = s.name
print(f"{'asset':44} {'compared':>8} {'agree':>5}  differences / not compared")
for path in files:
    name = os.path.relpath(path, assets)
    try:
        ref = reference(path)
    except Exception as e:  # a file the reference cannot read is reported, not hidden
        print(f"{name:44} reference could not read it: {e}")
        continue
    mine = ours(path, schema_path)
    if ref is None:
        print(f"{name:44} {'-':>8} {'-':>5}  Draco: not compared")
        continue
    compared = agree = 0
    notes = []
    for check_id, expected in sorted(ref.items()):
        c = mine.get(check_id)
        if c is None or c["status"] == "skipped":
            notes.append(f"{check_id}: ours skipped, reference {'pass' if expected else 'fail'}")
            differences += 1
            continue
        compared += 1
        got = c["status"] == "pass"
        if got == expected: agree += 1
        else:
            differences += 1
            notes.append(f"{check_id}: ours {c['status']} ({c.get('message', '')[:60]}), reference {'pass' if expected else 'fail'}")
    extra = sorted(k for k, c in mine.items() if c["status"] != "skipped" and k not in ref and k not in NOT_COMPARED)
    if extra: notes.append("not in the reference: " + ", ".join(extra))
    print(f"{name:44} {compared:>8} {agree:>5}  " + ("; ".join(notes) if notes else ""))
os.unlink(schema_path)
print(f"\n{differences} differing verdicts")
sys.exit(1 if differences else 0)
