#!/usr/bin/env python3
"""Search latency inside the serving process, and from the command line.

Starts `gleaner daemon --http` on an existing index (DATA_DIR), waits until
its search index is complete, then runs every query of bench/queries.txt
through the HTTP API for several rounds and reports the search time the
engine measured itself (`took_ms` in the answer: parsing, ranking, reading
the hits and snippets; no process start, no HTTP) as p50/p90/p99/max, and
the slowest queries. The first round only warms the caches. With --cli it
also times `gleaner search` as a whole process per query (what a user
typing in a terminal waits for).

Reports only; it fails only when a command fails.

Usage: bench/search_latency.py --data DATA_DIR --binary GLEANER [--rounds 5] [--cli]
"""
import argparse
import json
import socket
import statistics
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent


def queries() -> list:
    return [
        line.rstrip("\n")
        for line in (HERE / "queries.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list, p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def summary(name: str, times: dict) -> dict:
    walls = [t for ts in times.values() for t in ts]
    slowest = sorted(((statistics.median(ts), q) for q, ts in times.items()), reverse=True)[:8]
    out = {
        "what": name,
        "n": len(walls),
        "p50_ms": pct(walls, 50),
        "p90_ms": pct(walls, 90),
        "p99_ms": pct(walls, 99),
        "max_ms": max(walls),
        "slowest": [(q, round(m, 2)) for m, q in slowest],
    }
    print(f"{name}: {len(times)} queries, {out['n']} timed: p50 {out['p50_ms']:.2f} ms, "
          f"p90 {out['p90_ms']:.2f} ms, p99 {out['p99_ms']:.2f} ms, max {out['max_ms']:.2f} ms")
    print("  slowest: " + ", ".join(f"{q} {m:.2f}" for q, m in out["slowest"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--cli", action="store_true", help="also time `gleaner search` processes")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    qs = queries()
    port = free_port()
    daemon = subprocess.Popen(
        [args.binary, "--data-dir", args.data, "daemon", "--http", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = {"queries": len(qs)}
    try:
        token_file = Path(args.data) / "http.token"
        deadline = time.time() + 600
        while not token_file.exists() and time.time() < deadline:
            time.sleep(0.2)
        token = token_file.read_text().strip()

        def get(path: str) -> dict:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                headers={"Authorization": f"Bearer {token}", "Host": f"127.0.0.1:{port}"},
            )
            with urllib.request.urlopen(request, timeout=120) as answer:
                return json.loads(answer.read())

        # Wait for the engine and a complete search index (a first start
        # builds it from the store).
        while time.time() < deadline:
            try:
                health = get("/v1/health")
                search = (health.get("engine") or {}).get("search") or {}
                if health.get("engine") and not search.get("building", True):
                    break
            except Exception:
                pass
            time.sleep(0.5)
        times = {q: [] for q in qs}
        for round_ in range(args.rounds):
            for q in qs:
                answer = get("/v1/search?" + urllib.parse.urlencode({"q": q, "limit": args.limit}))
                if round_ > 0:
                    times[q].append(answer["took_ms"])
        results["in_process"] = summary("in the engine (took_ms)", times)
    finally:
        daemon.terminate()
        daemon.wait()
    if args.cli:
        times = {q: [] for q in qs}
        for round_ in range(max(2, args.rounds // 2)):
            for q in qs:
                started = time.perf_counter()
                subprocess.run(
                    [args.binary, "--data-dir", args.data, "search", "--limit", str(args.limit), "--json", "--", q],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                )
                if round_ > 0:
                    times[q].append((time.perf_counter() - started) * 1e3)
        results["cli"] = summary("gleaner search (whole process)", times)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
