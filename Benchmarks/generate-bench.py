#!/usr/bin/env python3
"""Client overhead of `polyforge generate`: N emulated tasks with zero virtual latency.

Starts `polyforge emulator` (zero-latency scenario, separate process so its CPU is not counted), runs
`polyforge generate --prompts` with N prompts against it, and reads the client's CPU time and peak RSS from
wait4(). Repeats RUNS times and prints medians: CPU ms per task, wall ms per task, peak RSS.

    python3 Benchmarks/generate-bench.py [--tasks 1000] [--runs 3] [--provider tripo] [--binary .build/release/polyforge]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--provider", default="tripo", choices=["tripo", "meshy", "3daistudio"])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build/release/polyforge"))
    ap.add_argument("--json", action="store_true")
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
        for run in range(args.runs):
            out = os.path.join(work, f"out{run}")
            cmd = [args.binary, "generate", "--provider", args.provider, "--prompts", prompts, "--out", out,
                   "--base-url", f"http://127.0.0.1:{port}", "--requests-per-second", "100000", "--concurrency", "10",
                   "--jobs", "32", "--poll-interval", "0.001", "--max-poll-interval", "0.01", "--no-stream", "--json"]
            start = time.monotonic()
            p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            stdout = p.stdout.read()
            _, status, usage = os.wait4(p.pid, 0)
            wall = time.monotonic() - start
            summary = json.loads(stdout)["summary"]
            if summary["succeeded"] != args.tasks:
                sys.exit(f"run {run}: only {summary['succeeded']} of {args.tasks} succeeded: {summary}")
            cpu = usage.ru_utime + usage.ru_stime
            rows.append({"cpu_ms_per_task": cpu * 1000 / args.tasks, "wall_ms_per_task": wall * 1000 / args.tasks,
                         "peak_rss_mb": usage.ru_maxrss / 1024, "user_s": usage.ru_utime, "sys_s": usage.ru_stime})
            shutil.rmtree(out, ignore_errors=True)
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        if args.json:
            print(json.dumps({"tasks": args.tasks, "runs": rows, "median": med}, indent=2))
        else:
            print(f"{args.provider}: {args.tasks} tasks x {args.runs} runs (zero virtual latency, emulator in its own process)")
            for i, r in enumerate(rows):
                print(f"  run {i+1}: CPU {r['cpu_ms_per_task']:.3f} ms/task (user {r['user_s']:.2f} s, sys {r['sys_s']:.2f} s), "
                      f"wall {r['wall_ms_per_task']:.2f} ms/task, peak RSS {r['peak_rss_mb']:.1f} MB")
            print(f"  median: CPU {med['cpu_ms_per_task']:.3f} ms/task, wall {med['wall_ms_per_task']:.2f} ms/task, peak RSS {med['peak_rss_mb']:.1f} MB")
    finally:
        emu.terminate()
        emu.wait()
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
