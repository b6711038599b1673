#!/usr/bin/env python3
"""Search latency of two (or more) gleaner builds on one index, paired.

Every query of bench/queries.txt is run by each binary in turn, alternating
the order every round, one process per query (as `gleaner search` is used);
the first round only warms the caches. Prints p50/p90/p99/max per binary
and its slowest queries (median of the timed rounds).

Usage: bench/search_ab.py --data DATA_DIR [--rounds 4] BINARY [BINARY ...]

A binary given as BINARY=DATA_DIR searches that data directory instead
(a copy of the same index migrated to a newer schema, say).
"""
import argparse
import statistics
import subprocess
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, help="data directory holding gleaner.db")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    queries = [
        line.rstrip("\n")
        for line in (HERE / "queries.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    times = {b: {q: [] for q in queries} for b in args.binaries}
    data_of = {b: (b.split("=", 1) + [args.data])[1] for b in args.binaries}
    for data in set(data_of.values()):
        subprocess.run(f"cat '{data}'/* > /dev/null", shell=True, check=False)
    for round_ in range(args.rounds):
        order = args.binaries if round_ % 2 == 0 else args.binaries[::-1]
        for query in queries:
            for binary in order:
                started = time.perf_counter()
                subprocess.run(
                    [binary.split("=", 1)[0], "--data-dir", data_of[binary], "search", "--limit", "10", "--json", "--", query],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=True,
                )
                if round_ > 0:
                    times[binary][query].append((time.perf_counter() - started) * 1e3)
    for binary in args.binaries:
        walls = sorted(t for ts in times[binary].values() for t in ts)
        def pct(p: float) -> float:
            return walls[min(len(walls) - 1, int(len(walls) * p / 100))]
        print(f"{binary}: {len(queries)} queries x {args.rounds - 1} timed rounds: "
              f"p50 {pct(50):.1f} ms, p90 {pct(90):.1f} ms, p99 {pct(99):.1f} ms, max {walls[-1]:.1f} ms")
        slowest = sorted(((statistics.median(ts), q) for q, ts in times[binary].items()), reverse=True)[:8]
        print("  slowest: " + ", ".join(f"{q} {m:.1f}" for m, q in slowest))


if __name__ == "__main__":
    main()
