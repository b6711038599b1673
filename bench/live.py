#!/usr/bin/env python3
"""Change-to-searchable latency of a live `gleaner daemon` (standard library only).

A real daemon watches a scratch copy of the small corpus (never the corpus
itself: edits are made to the copy). After its start-up scan has finished, the
script makes edits of four kinds, round robin:

- append:  a line with a unique token appended to an existing text file;
- create:  a new text file in an existing folder;
- atomic:  an editor-style save of an existing text file: the new content is
           written to a hidden temporary file in the same folder, which is
           renamed over the file;
- newdir:  a new folder with a file in it.

Each edit is timed from just before the write until the token is found by a
search through the daemon's loopback HTTP API (`GET /v1/search`, the engine's
own searcher, polled every 10 ms; `--probe cli` polls `gleaner search TOKEN
--json` instead; after each session every token is checked once with
`gleaner search`). Edits are spaced about one
second apart and never overlap. It reports p50/p95/max per session:
`watch.debounce_ms` at its default (500) and at 200.

Baseline in the same run: Recoll's real-time monitor (`recollindex -m`) on
the same tree, polled with `recollq`, fewer edits and a per-edit timeout
(its monitor processes its queue every `monixinterval`, 30 s by default;
an edit not found in time is recorded as a timeout, not as a latency).

Reports only: nothing is asserted about timings. Exits non-zero only when a
command fails (the daemon crashes, a search errors).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import bench
from bench import log, percentile

KINDS = ("append", "create", "atomic", "newdir")
TEXT_SUFFIXES = (".txt", ".md", ".rst", ".tex")



def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# Edits
# --------------------------------------------------------------------------

SMOKE_LEFT_OUT = (".pdf", ".docx", ".odt", ".gz")


def copy_tree(src: Path, dst: Path, left_out: tuple = ()) -> None:
    """Copies src to dst (regular files, timestamps kept), leaving out files
    whose names end with one of left_out."""
    for dirpath, dirnames, names in os.walk(src):
        target = dst / Path(dirpath).relative_to(src)
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            if left_out and name.endswith(left_out):
                continue
            s = Path(dirpath) / name
            if s.is_file() and not s.is_symlink():
                shutil.copy2(s, target / name)

class Editor:
    """Makes the edits in a scratch tree; every edit carries a unique token."""

    def __init__(self, tree: Path, prefix: str):
        self.tree = tree
        self.prefix = prefix
        self.n = 0
        files = []
        for dirpath, dirnames, names in os.walk(tree):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(names):
                if name.endswith(TEXT_SUFFIXES) and not name.startswith("."):
                    p = Path(dirpath) / name
                    if 1024 <= p.stat().st_size <= 256 * 1024:
                        files.append(p)
        if not files:
            raise SystemExit(f"live: no text file between 1 KiB and 256 KiB in {tree}")
        # Spread over the tree, deterministic.
        step = max(1, len(files) // 64)
        self.existing = files[::step]
        self.new_files_dir = tree / "bench-live-new"
        self.new_files_dir.mkdir(exist_ok=True)

    def token(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:04d}z"

    def pick_existing(self) -> Path:
        return self.existing[self.n % len(self.existing)]

    def apply(self, kind: str, token: str) -> Path:
        """Performs one edit; returns the path that now holds the token."""
        line = f"\nlive benchmark edit {token}\n"
        if kind == "append":
            path = self.pick_existing()
            with open(path, "a") as f:
                f.write(line)
        elif kind == "create":
            path = self.new_files_dir / f"note-{token}.txt"
            path.write_text(f"A new note.{line}")
        elif kind == "atomic":
            path = self.pick_existing()
            data = path.read_bytes() + line.encode()
            tmp = path.with_name(f".{path.name}.{token}.tmp")
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        elif kind == "newdir":
            folder = self.tree / f"bench-live-dir-{token}"
            folder.mkdir()
            path = folder / "first.txt"
            path.write_text(f"The first file of a new folder.{line}")
        else:
            raise ValueError(kind)
        return path


def time_edits(editor: Editor, n_edits: int, found, *, interval_s: float, timeout_s: float,
               poll_s: float, alive=lambda: True) -> list[dict]:
    """Makes n_edits edits and times each until found(token) is true."""
    edits = []
    next_start = time.perf_counter()
    for i in range(n_edits):
        kind = KINDS[i % len(KINDS)]
        token = editor.token()
        now = time.perf_counter()
        if now < next_start:
            time.sleep(next_start - now)
        t0 = time.perf_counter()
        path = editor.apply(kind, token)
        latency = None
        polls = 0
        while time.perf_counter() - t0 < timeout_s:
            polls += 1
            if found(token):
                latency = time.perf_counter() - t0
                break
            if not alive():
                raise RuntimeError("the indexer exited during the edits")
            time.sleep(poll_s)
        edits.append({"i": i, "kind": kind, "token": token, "path": str(path.relative_to(editor.tree)),
                      "latency_s": latency, "timeout": latency is None, "polls": polls})
        log(f"  edit {i + 1:3d}/{n_edits} {kind:<6} "
            + (f"{latency * 1000:8.1f} ms" if latency is not None else f"TIMEOUT after {timeout_s:.0f} s"))
        # About one second apart, start to start; never while one is pending.
        next_start = max(t0 + interval_s, time.perf_counter() + 0.2)
    return edits


def summarize(edits: list[dict]) -> dict:
    lat = [e["latency_s"] for e in edits if e["latency_s"] is not None]
    out = {
        "edits": len(edits),
        "found": len(lat),
        "timeouts": sum(1 for e in edits if e["timeout"]),
        "p50_s": percentile(lat, 50),
        "p95_s": percentile(lat, 95),
        "max_s": max(lat) if lat else None,
        "mean_s": statistics.mean(lat) if lat else None,
        "by_kind": {},
    }
    for kind in KINDS:
        k = [e["latency_s"] for e in edits if e["kind"] == kind and e["latency_s"] is not None]
        out["by_kind"][kind] = {
            "edits": sum(1 for e in edits if e["kind"] == kind),
            "found": len(k),
            "p50_s": percentile(k, 50),
            "max_s": max(k) if k else None,
        }
    return out


# --------------------------------------------------------------------------
# Gleaner
# --------------------------------------------------------------------------

def gleaner_session(gleaner, data: Path, tree: Path, editor: Editor, debounce_ms: int | None, n_edits: int,
                    args, work: Path, failures: list) -> dict:
    """One daemon run: set the debounce, start, wait for the start-up scan, edit."""
    label = f"debounce {debounce_ms} ms" if debounce_ms is not None else "defaults"
    if debounce_ms is None:
        subprocess.run(gleaner + ["--data-dir", str(data), "config", "set", "watch.debounce_ms", "500"],
                       check=True, stdout=subprocess.DEVNULL)
    else:
        subprocess.run(gleaner + ["--data-dir", str(data), "config", "set", "watch.debounce_ms", str(debounce_ms)],
                       check=True, stdout=subprocess.DEVNULL)
    debounce = subprocess.run(gleaner + ["--data-dir", str(data), "config", "get", "watch.debounce_ms"],
                              check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    log(f"gleaner session ({label}; watch.debounce_ms = {debounce}): starting the daemon")
    t_launch = time.time()
    port = free_port()
    proc = bench.start_daemon(gleaner, data, work / "daemon.log", ("--http", f"127.0.0.1:{port}"))
    job = bench.wait_startup_scan(gleaner, data, proc, int(t_launch * 1000), timeout_s=args.startup_timeout)
    if job is None:
        failures.append(f"gleaner daemon: no finished start-up scan (exit {proc.poll()}); log tail: "
                        + (work / "daemon.log").read_text(errors="replace")[-600:])
        bench.stop_daemon(gleaner, data, proc)
        return {"label": label, "debounce_ms": int(debounce), "error": "start-up scan did not finish"}
    ready_s = time.time() - t_launch
    log(f"  start-up scan done ({job.get('new')} new, {job.get('unchanged')} unchanged) {ready_s:.1f} s after launch")
    time.sleep(1.0)

    http_token = (data / "http.token").read_text().strip()

    def found_http(token: str) -> bool:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v1/search?" + urllib.parse.urlencode({"q": token, "limit": 1}),
            headers={"Authorization": f"Bearer {http_token}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return bool(json.loads(answer.read()).get("hits"))
        except OSError:
            return False  # the server is busy for a moment: poll again

    def found_cli(token: str) -> bool:
        out = subprocess.run(gleaner + ["--data-dir", str(data), "search", "--json", "--limit", "1", "--", token],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        hits = bench.parse_json(out.stdout)
        return bool(hits)

    probe = found_cli if args.probe == "cli" else found_http
    try:
        edits = time_edits(editor, n_edits, probe, interval_s=args.interval, timeout_s=args.timeout,
                           poll_s=args.poll if args.probe == "http" else 0.0, alive=lambda: proc.poll() is None)
    except RuntimeError as e:
        failures.append(f"gleaner daemon exited during the edits (exit {proc.poll()}): {e}; log tail: "
                        + (work / "daemon.log").read_text(errors="replace")[-600:])
        return {"label": label, "debounce_ms": int(debounce), "error": str(e)}

    # Every token once through the real command line.
    cli_missing = []
    for e in edits:
        out = subprocess.run(gleaner + ["--data-dir", str(data), "search", "--json", "--", e["token"]],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            failures.append(f"gleaner search {e['token']}: exit {out.returncode}: {out.stderr[-300:]}")
            continue
        hits = bench.parse_json(out.stdout) or []
        if not any(h.get("path", "").endswith(e["path"]) for h in hits):
            cli_missing.append(e["token"])
    if cli_missing:
        log(f"  WARNING: gleaner search does not find {len(cli_missing)} token(s): {cli_missing[:5]}")
    rss = bench.proc_stat(proc.pid) if proc.poll() is None else {}
    rc = bench.stop_daemon(gleaner, data, proc)
    if rc not in (0, None):
        failures.append(f"gleaner daemon ({label}) exited {rc} when stopped")
    out = {"label": label, "debounce_ms": int(debounce), "ready_s": ready_s,
           "startup_job": {k: job.get(k) for k in ("new", "unchanged", "modified", "deleted", "failed_files")},
           "probe": args.probe, "edits": edits, "summary": summarize(edits),
           "cli_search_missing": cli_missing, "daemon_rss_kib": rss.get("VmRSS"), "daemon_hwm_kib": rss.get("VmHWM")}
    s = out["summary"]
    log(f"  {label}: p50 {fmt_ms(s['p50_s'])}, p95 {fmt_ms(s['p95_s'])}, max {fmt_ms(s['max_s'])}, "
        f"{s['timeouts']} timeout(s)")
    return out


# --------------------------------------------------------------------------
# Recoll
# --------------------------------------------------------------------------

def recoll_session(tree: Path, editor: Editor, work: Path, args, failures: list) -> dict:
    """recollindex full index of the tree, then recollindex -m, polled with recollq."""
    recoll = bench.Recoll(work / "recoll", tree)
    if args.recoll_monixinterval is not None:
        with open(recoll.conf / "recoll.conf", "a") as f:
            f.write(f"monixinterval = {args.recoll_monixinterval}\n")
    log("recoll: full index of the tree (recollindex)")
    s = recoll.full_index()
    if s.rc != 0:
        failures.append(f"recollindex: exit {s.rc}: {s.stderr_tail[-400:]}")
        return {"error": "recollindex failed"}
    log(f"  recollindex full index {s.wall_s:.1f} s; starting the monitor (recollindex -m -D -x -C -n)")
    mon_log = open(work / "recoll-monitor.log", "wb")
    mon = subprocess.Popen(["recollindex", "-c", str(recoll.conf), "-m", "-D", "-x", "-C", "-n"],
                           env=recoll.env, stdin=subprocess.DEVNULL, stdout=mon_log, stderr=mon_log,
                           start_new_session=True)
    # The monitor walks the tree to add its inotify watches: wait until its
    # CPU time stops growing (at least 3 s).
    time.sleep(3)
    last = -1
    for _ in range(120):
        if mon.poll() is not None:
            break
        ticks = bench.proc_stat(mon.pid)["cpu_ticks"]
        if ticks == last:
            break
        last = ticks
        time.sleep(1)
    if mon.poll() is not None:
        failures.append(f"recollindex -m exited {mon.returncode}: "
                        + (work / "recoll-monitor.log").read_text(errors="replace")[-400:])
        return {"error": "monitor exited"}

    def found(token: str) -> bool:
        out = subprocess.run(["recollq", "-c", str(recoll.conf), "-b", token], env=recoll.env,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return any(line.startswith("file://") for line in out.stdout.splitlines())

    try:
        edits = time_edits(editor, args.recoll_edits, found, interval_s=args.interval,
                           timeout_s=args.recoll_timeout, poll_s=0.25, alive=lambda: mon.poll() is None)
    except RuntimeError as e:
        failures.append(f"recollindex -m exited during the edits: {e}")
        edits = []
    finally:
        if mon.poll() is None:
            os.killpg(mon.pid, signal.SIGTERM)
            try:
                mon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(mon.pid, signal.SIGKILL)
                mon.wait()
        mon_log.close()
    monix = args.recoll_monixinterval
    out = {"label": "recollindex -m" + (f" (monixinterval {monix})" if monix is not None else " (defaults)"),
           "monixinterval": monix if monix is not None else "default (30)",
           "full_index_s": s.wall_s, "timeout_s": args.recoll_timeout,
           "edits": edits, "summary": summarize(edits), "version": bench.Recoll.version()}
    sm = out["summary"]
    log(f"  recoll: p50 {fmt_ms(sm['p50_s'])}, p95 {fmt_ms(sm['p95_s'])}, max {fmt_ms(sm['max_s'])}, "
        f"{sm['timeouts']} timeout(s) of {sm['edits']}")
    return out


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------

def fmt_ms(x) -> str:
    return "–" if x is None else f"{x * 1000:.0f} ms"


def render_markdown(r: dict) -> str:
    m = r["meta"]
    mach = m["machine"]
    lines = [f"## Change → searchable latency{' (smoke)' if m['smoke'] else ''}", ""]
    lines.append(f"{m['started']}, {m['gleaner_version']} ({m['gleaner_bin_from']}; repository at {m['git']}); "
                 f"{mach['nproc']} × {mach['cpu']}, {mach['memory_gib']} GiB, Linux {mach['kernel']}, "
                 f"load average {m['loadavg_start']} at the start, {m['loadavg_end']} at the end. "
                 f"Tree: a scratch copy of the {m['corpus_name']} corpus"
                 + (" without its PDF, DOCX, ODT and .gz files" if m["smoke"] else "")
                 + f" ({m['tree_files']:,} files, "
                 f"{m['tree_bytes'] / 1e6:,.0f} MB). Edits {m['interval_s']:.1f} s apart (start to start), "
                 f"kinds round robin: {', '.join(KINDS)}. Probe: "
                 + {"http": f"the daemon's HTTP API (GET /v1/search, the engine's searcher), polled every "
                            f"{m['poll_s'] * 1000:.0f} ms",
                    # Results from before the search index moved to tantivy.
                    "sql": f"read-only SQLite FTS5 MATCH, polled every {m['poll_s'] * 1000:.0f} ms",
                    }.get(m["probe"], "`gleaner search TOKEN --json` in a loop")
                 + f". Whole run {m['duration_s']:.0f} s.")
    lines.append("")
    lines.append("| indexer | edits | found | timeouts | p50 | p95 | max | append p50 | create p50 | atomic p50 | newdir p50 |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for sess in r["sessions"]:
        if "summary" not in sess:
            lines.append(f"| {sess.get('label')} | – | – | – | error: {sess.get('error')} | | | | | | |")
            continue
        s = sess["summary"]
        name = f"gleaner daemon, {sess['label']}" if "debounce_ms" in sess else sess["label"]
        bk = s["by_kind"]
        lines.append(f"| {name} | {s['edits']} | {s['found']} | {s['timeouts']} | **{fmt_ms(s['p50_s'])}** | "
                     f"**{fmt_ms(s['p95_s'])}** | {fmt_ms(s['max_s'])} | "
                     + " | ".join(fmt_ms(bk[k]['p50_s']) for k in KINDS) + " |")
    lines.append("")
    for sess in r["sessions"]:
        if sess.get("debounce_ms") and sess.get("edits"):
            slow = [e for e in sess["edits"] if e["latency_s"] is not None
                    and e["latency_s"] >= 0.8 * sess["debounce_ms"] / 1000]
            kinds = sorted({e["kind"] for e in slow})
            lines.append(f"- gleaner {sess['label']}: {len(slow)} of {len(sess['edits'])} edits took about the "
                         f"debounce ({sess['debounce_ms']} ms) or more"
                         + (f" (kinds: {', '.join(kinds)}); the others took "
                            f"{fmt_ms(percentile([e['latency_s'] for e in sess['edits'] if e not in slow and e['latency_s'] is not None], 50))} "
                            f"at the median" if slow else "") + ".")
        if sess.get("cli_search_missing"):
            lines.append(f"- {sess['label']}: `gleaner search` did not find {len(sess['cli_search_missing'])} "
                         f"token(s) the SQLite probe found: {', '.join(sess['cli_search_missing'][:5])}.")
        if sess.get("full_index_s") is not None:
            lines.append(f"- Recoll: full index of the tree {sess['full_index_s']:.1f} s before the monitor started; "
                         f"monixinterval {sess['monixinterval']}; per-edit timeout {sess['timeout_s']:.0f} s "
                         f"(an edit not found by then counts as a timeout, not in the percentiles).")
        if sess.get("daemon_rss_kib"):
            lines.append(f"- gleaner {sess['label']}: daemon RSS after the edits {sess['daemon_rss_kib'] / 1024:.0f} MiB "
                         f"(peak {sess['daemon_hwm_kib'] / 1024:.0f} MiB, start-up scan included).")
    lines.append("")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Change-to-searchable latency of gleaner daemon (reports only).")
    ap.add_argument("--corpus", choices=bench.CORPORA, default="small", help="corpus copied as the scratch tree (default small)")
    ap.add_argument("--corpora", type=Path, default=None, help="where corpora live (as bench.py)")
    ap.add_argument("--binary", type=Path, default=None, help="gleaner binary (default $GLEANER_BIN, else a release build)")
    ap.add_argument("--edits", type=int, default=None, help="edits per gleaner session (default 60; 8 with --smoke)")
    ap.add_argument("--debounce", default="default,200",
                    help="comma-separated sessions: 'default' (500) or a watch.debounce_ms value (default: default,200)")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between edits, start to start (default 1)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-edit timeout for gleaner, seconds (default 30)")
    ap.add_argument("--poll", type=float, default=0.01, help="HTTP probe interval, seconds (default 0.01)")
    ap.add_argument("--probe", choices=("http", "cli"), default="http",
                    help="http: GET /v1/search of the daemon's loopback API (default); cli: gleaner search --json")
    ap.add_argument("--no-recoll", action="store_true", help="skip the recollindex -m baseline")
    ap.add_argument("--recoll-edits", type=int, default=10, help="edits for Recoll (default 10)")
    ap.add_argument("--recoll-timeout", type=float, default=60.0, help="per-edit timeout for Recoll, seconds (default 60)")
    ap.add_argument("--recoll-monixinterval", type=int, default=None,
                    help="set Recoll's monixinterval (default: Recoll's own, 30 s)")
    ap.add_argument("--startup-timeout", type=float, default=1800, help="seconds to wait for the start-up scan")
    ap.add_argument("--smoke", action="store_true", help="few edits, Recoll skipped: the CI run")
    ap.add_argument("--out", type=Path, default=bench.HERE / "results", help="results folder (default bench/results)")
    ap.add_argument("--tag", default=None, help="result file name (default live, live-smoke with --smoke)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--render", type=Path, metavar="JSON", help="only print the Markdown of an earlier result")
    args = ap.parse_args(argv)
    if args.render:
        print(render_markdown(json.loads(args.render.read_text())), end="")
        return 0
    n_edits = args.edits or (8 if args.smoke else 60)
    use_recoll = not args.no_recoll and not args.smoke
    if use_recoll and not bench.Recoll.available():
        log("recollindex is not installed: skipping the Recoll baseline (apt-get install recoll)")
        use_recoll = False
    sessions_spec = [None if x.strip() == "default" else int(x) for x in args.debounce.split(",") if x.strip()]

    root = bench.repo_root()
    corpus = bench.ensure_corpus(args.corpus, root, bench.corpora_base(args.corpora))
    binary = bench.build_gleaner(root, args.binary)
    gleaner = [str(binary)]
    started = time.time()
    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="gleaner-live-", dir=os.environ.get("GLEANER_BENCH_TMP")))
    failures: list[str] = []
    tree = work / "tree"
    try:
        # A real copy, not hard links: the edits append to files in place.
        # The smoke run leaves out the binary documents, whose extraction
        # makes a debug build's start-up scan slow; the edits are text anyway.
        copy_tree(corpus, tree, SMOKE_LEFT_OUT if args.smoke else ())
        stats = bench.corpus_stats(tree)
        data = work / "data"
        subprocess.run(gleaner + ["--data-dir", str(data), "source", "add", str(tree)], check=True,
                       stdout=subprocess.DEVNULL)
        sessions = []
        prefix = "glv" + format(int(started) % 46656, "x")
        for i, debounce in enumerate(sessions_spec):
            editor = Editor(tree, f"{prefix}s{i}t")
            sessions.append(gleaner_session(gleaner, data, tree, editor, debounce, n_edits, args, work, failures))
        if use_recoll:
            editor = Editor(tree, f"{prefix}rt")
            sessions.append(recoll_session(tree, editor, work, args, failures))
        result = {
            "meta": {
                "started": _dt.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
                "duration_s": round(time.time() - started, 1),
                "machine": bench.machine_info(tree),
                "loadavg_start": " ".join(f"{x:.1f}" for x in load_start),
                "loadavg_end": " ".join(f"{x:.1f}" for x in os.getloadavg()),
                "smoke": args.smoke, "corpus_name": args.corpus,
                "tree_files": stats["files"], "tree_bytes": stats["bytes"],
                "interval_s": args.interval, "poll_s": args.poll, "probe": args.probe,
                "timeout_s": args.timeout,
                "gleaner_version": subprocess.run(gleaner + ["--version"], stdout=subprocess.PIPE,
                                                  text=True).stdout.strip(),
                "gleaner_bin_from": bench.binary_origin(args.binary), "git": bench.git_describe(root),
            },
            "sessions": sessions,
        }
    finally:
        if args.keep:
            log(f"kept scratch folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    tag = args.tag or ("live-smoke" if args.smoke else "live")
    md = render_markdown(result)
    bench.write_results(args.out, tag, result, md, bench.scrub_map(corpus=corpus, binary=binary, work=work))
    print(md)
    log(f"wrote {args.out / (tag + '.json')} and {args.out / (tag + '.md')}")
    if failures:
        print("live: commands failed (these are errors, not slowness):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
