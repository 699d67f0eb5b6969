#!/usr/bin/env python3
"""Client overhead of `polyforge generate`: N emulated tasks with zero virtual latency.

Starts `polyforge emulator` (zero-latency scenario, separate process so its CPU is not counted), runs
`polyforge generate --prompts` with N prompts against it, and reads the client's CPU time and peak RSS from
wait4(). Repeats RUNS times and prints medians: CPU ms per task, wall ms per task, peak RSS.

Reference, in the same run against the same emulator: the bare request sequence a pipeline script would send
(Python http.client with keep-alive: POST the task, GET its status until success, GET the model and the preview),
with no journal, checks, retries or metadata. It runs as its own child process so wait4() gives its CPU alone.

    python3 Benchmarks/generate-bench.py [--tasks 1000] [--runs 3] [--provider tripo] [--binary .build/release/polyforge]
"""
import argparse, json, os, resource, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

REFERENCE = r"""
import http.client, json, sys, os
port, n, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
conn = http.client.HTTPConnection("127.0.0.1", port)
files = http.client.HTTPConnection("127.0.0.1", port)
auth = {"Authorization": "Bearer tsk_bench", "Content-Type": "application/json"}
def call(c, method, path, body=None):
    c.request(method, path, body=body, headers=auth)
    r = c.getresponse(); data = r.read(); return r.status, data
for i in range(n):
    _, data = call(conn, "POST", "/v2/openapi/task", json.dumps({"type": "text_to_model", "prompt": f"benchmark crate number {i}"}))
    task = json.loads(data)["data"]["task_id"]
    while True:
        _, data = call(conn, "GET", f"/v2/openapi/task/{task}")
        t = json.loads(data)["data"]
        if t["status"] == "success": break
    for key in ("model", "rendered_image"):
        url = t["output"][key]; path = url[url.index("/_files"):]
        _, body = call(files, "GET", path)
        with open(os.path.join(out, f"{i}-{key}"), "wb") as f: f.write(body)
"""

def measure(cmd, env=None):
    start = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    stdout = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    return stdout, status, usage, time.monotonic() - start

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--provider", default="tripo", choices=["tripo", "meshy", "3daistudio"])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/polyforge"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--out-root", default=None,
                    help="where the client writes its outputs (default: a temp dir on disk; /dev/shm shows the cost without fsync)")
    args = ap.parse_args()
    if not os.path.exists(args.binary):
        print("building polyforge (release)", file=sys.stderr)
        subprocess.run(["swift", "build", "-c", "release", "--product", "polyforge"], cwd=ROOT, check=True)

    work = tempfile.mkdtemp(prefix="polyforge-genbench-")
    scenario = os.path.join(work, "scenario.json")
    with open(scenario, "w") as f:
        json.dump({"queue_seconds": 0, "run_seconds": 0, "aistudio_requests_per_minute": 1000000,
                   "meshy_queue_limit": 1000000}, f)
    port_file = os.path.join(work, "port")
    emu = subprocess.Popen([args.binary, "emulator", "--port", "0", "--port-file", port_file, "--scenario", scenario],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(port_file): break
            time.sleep(0.05)
        port = open(port_file).read().strip()
        prompts = os.path.join(work, "prompts.txt")
        with open(prompts, "w") as f:
            for i in range(args.tasks):
                f.write(f"benchmark crate number {i}\n")
        key_var = {"tripo": "TRIPO_API_KEY", "meshy": "MESHY_API_KEY", "3daistudio": "THREEDAISTUDIO_API_KEY"}[args.provider]
        env = dict(os.environ, **{key_var: {"tripo": "tsk_bench", "meshy": "msy_bench"}.get(args.provider, "bench")})
        rows = []
        def reset_emulator():
            # Every run starts against an empty emulator, so runs are alike (its task table would otherwise grow).
            import http.client
            c = http.client.HTTPConnection("127.0.0.1", int(port)); c.request("POST", "/_emu/reset"); c.getresponse().read(); c.close()
        for run in range(args.runs):
            reset_emulator()
            out = os.path.join(args.out_root or work, f"polyforge-genbench-out{run}")
            cmd = [args.binary, "generate", "--provider", args.provider, "--prompts", prompts, "--out", out,
                   "--base-url", f"http://127.0.0.1:{port}", "--requests-per-second", "100000", "--concurrency", "10",
                   "--jobs", "32", "--poll-interval", "0.001", "--max-poll-interval", "0.01", "--no-stream", "--json"]
            stdout, status, usage, wall = measure(cmd, env)
            summary = json.loads(stdout)["summary"]
            if summary["succeeded"] != args.tasks:
                sys.exit(f"run {run}: only {summary['succeeded']} of {args.tasks} succeeded: {summary}")
            cpu = usage.ru_utime + usage.ru_stime
            rows.append({"cpu_ms_per_task": cpu * 1000 / args.tasks, "wall_ms_per_task": wall * 1000 / args.tasks,
                         "peak_rss_mb": usage.ru_maxrss / 1024, "user_s": usage.ru_utime, "sys_s": usage.ru_stime})
            shutil.rmtree(out, ignore_errors=True)
            if args.provider == "tripo":
                reset_emulator()
                ref_out = os.path.join(work, f"ref{run}")
                _, status, usage, wall = measure([sys.executable, "-c", REFERENCE, port, str(args.tasks), ref_out])
                if status != 0: sys.exit("reference script failed")
                rows[-1].update({"ref_cpu_ms_per_task": (usage.ru_utime + usage.ru_stime) * 1000 / args.tasks,
                                 "ref_wall_ms_per_task": wall * 1000 / args.tasks, "ref_peak_rss_mb": usage.ru_maxrss / 1024})
                shutil.rmtree(ref_out, ignore_errors=True)
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        if args.json:
            print(json.dumps({"tasks": args.tasks, "runs": rows, "median": med}, indent=2))
        else:
            print(f"{args.provider}: {args.tasks} tasks x {args.runs} runs (zero virtual latency, emulator in its own process, "
                  f"outputs under {args.out_root or tempfile.gettempdir()})")
            for i, r in enumerate(rows):
                print(f"  run {i+1}: CPU {r['cpu_ms_per_task']:.3f} ms/task (user {r['user_s']:.2f} s, sys {r['sys_s']:.2f} s), "
                      f"wall {r['wall_ms_per_task']:.2f} ms/task, peak RSS {r['peak_rss_mb']:.1f} MB")
            print(f"  median: CPU {med['cpu_ms_per_task']:.3f} ms/task, wall {med['wall_ms_per_task']:.2f} ms/task, peak RSS {med['peak_rss_mb']:.1f} MB")
            if "ref_cpu_ms_per_task" in med:
                print(f"  reference (bare http.client sequence, no journal/checks): CPU {med['ref_cpu_ms_per_task']:.3f} ms/task, "
                      f"wall {med['ref_wall_ms_per_task']:.2f} ms/task, peak RSS {med['ref_peak_rss_mb']:.1f} MB")
                print(f"  polyforge / reference: CPU {med['cpu_ms_per_task'] / med['ref_cpu_ms_per_task']:.2f}x, "
                      f"wall {med['wall_ms_per_task'] / med['ref_wall_ms_per_task']:.2f}x")
    finally:
        emu.terminate()
        emu.wait()
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
