#!/usr/bin/env python3
"""Indexing through the daemon's jobs (standard library only).

(a) Background vs foreground: the same corpus indexed by the one-shot
    `gleaner index C` and by a background job in a running daemon
    (`gleaner index C --background`, then `gleaner status JOB --json` polled
    until the job ends), each into a fresh data dir, as a ratio.
(b) Resume: a background job SIGKILLed with its daemon at ~50 % (by the job's
    indexed_files / total_files), `gleaner daemon` restarted at once; measured:
    restart → first newly indexed file (the documents table, read-only),
    restart → job completed, and the total (before the kill + after the
    restart) against the uninterrupted background run of (a), plus how many
    bytes were read twice.

Reports only. Exits non-zero only when a command fails (a crash other than the
SIGKILL it sends, a job that fails).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench
from bench import log

TERMINAL = ("completed", "failed", "cancelled")


class Daemon:
    """A gleaner daemon on one data dir, and its clients."""

    def __init__(self, gleaner, data: Path, work: Path, name: str):
        self.gleaner = gleaner
        self.data = data
        self.log_path = work / f"{name}.log"
        self.proc = None

    def cli(self, *args, check=True) -> str:
        out = subprocess.run(self.gleaner + ["--data-dir", str(self.data), *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        if check and out.returncode != 0:
            raise RuntimeError(f"gleaner {' '.join(args)}: exit {out.returncode}: {out.stderr[-400:]}")
        return out.stdout

    def start(self, timeout_s: float = 60) -> float:
        """Starts the daemon and waits until it answers (gleaner health shows its pid)."""
        t0 = time.perf_counter()
        self.proc = bench.start_daemon(self.gleaner, self.data, self.log_path)
        while time.perf_counter() - t0 < timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gleaner daemon exited {self.proc.returncode}: {self.log_tail()}")
            health = bench.parse_json(self.cli("health", "--json", check=False)) or {}
            if (health.get("engine") or {}).get("pid") == self.proc.pid:
                return time.perf_counter() - t0
            time.sleep(0.05)
        raise RuntimeError("gleaner daemon did not answer within {timeout_s:.0f} s")

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> int:
        return bench.stop_daemon(self.gleaner, self.data, self.proc)

    def cpu_s(self) -> float:
        return bench.proc_stat(self.proc.pid)["cpu_ticks"] / os.sysconf("SC_CLK_TCK")

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-600:]
        except OSError:
            return ""

    def status(self, job_id: str) -> dict:
        return bench.parse_json(self.cli("status", job_id, "--json")) or {}


def submit(daemon: Daemon, corpus: Path) -> str:
    job = bench.parse_json(daemon.cli("index", str(corpus), "--background", "--json"))
    if not job or not job.get("id"):
        raise RuntimeError(f"gleaner index --background printed no job id: {job}")
    return job["id"]


def wait_job(daemon: Daemon, job_id: str, poll_s: float, until=None) -> dict:
    """Polls gleaner status JOB --json until the job ends (or until(job) is true)."""
    while True:
        st = daemon.status(job_id)
        if st.get("status") in TERMINAL or (until and until(st)):
            return st
        if daemon.proc.poll() is not None:
            raise RuntimeError(f"gleaner daemon exited {daemon.proc.returncode}: {daemon.log_tail()}")
        time.sleep(poll_s)


def job_fields(st: dict) -> dict:
    keys = ("id", "status", "trigger", "total_files", "indexed_files", "failed_files", "total_chunks",
            "bytes_processed", "new", "modified", "unchanged", "created_at", "started_at", "completed_at", "error")
    return {k: st.get(k) for k in keys}


def foreground(gleaner, corpus: Path, data: Path) -> dict:
    s = bench.timed(gleaner + ["--data-dir", str(data), "index", str(corpus), "--json"], keep_stdout=True)
    if s.rc != 0:
        raise RuntimeError(f"gleaner index: exit {s.rc}: {s.stderr_tail[-400:]}")
    return {"wall_s": s.wall_s, "cpu_s": s.cpu_s, "maxrss_kib": s.maxrss_kib, "counts": bench.parse_json(s.stdout)}


def background(gleaner, corpus: Path, data: Path, work: Path, poll_s: float) -> dict:
    d = Daemon(gleaner, data, work, "background")
    ready = d.start()
    cpu0 = d.cpu_s()
    t0 = time.perf_counter()
    job_id = submit(d, corpus)
    st = wait_job(d, job_id, poll_s)
    wall = time.perf_counter() - t0
    cpu = d.cpu_s() - cpu0
    hwm = bench.proc_stat(d.proc.pid)["VmHWM"]
    rc = d.stop()
    out = {"wall_s": wall, "cpu_s": cpu, "maxrss_kib": hwm, "daemon_ready_s": ready, "job": job_fields(st),
           "engine_s": ((st.get("completed_at") or 0) - (st.get("created_at") or 0)) / 1000, "stop_rc": rc}
    if st.get("status") != "completed":
        raise RuntimeError(f"background job ended {st.get('status')}: {st.get('error')}")
    return out


def resume(gleaner, corpus: Path, data: Path, work: Path, kill_at: float, poll_s: float) -> dict:
    d = Daemon(gleaner, data, work, "resume")
    d.start()
    t0 = time.perf_counter()
    job_id = submit(d, corpus)
    before = wait_job(d, job_id, poll_s, until=lambda st: (st.get("total_files") or 0) > 0
                      and (st.get("indexed_files") or 0) >= kill_at * st["total_files"])
    if before.get("status") in TERMINAL:
        raise RuntimeError(f"the job ended ({before.get('status')}) before {kill_at:.0%}: corpus too small?")
    d.kill()
    t_kill = time.perf_counter()
    log(f"  SIGKILL at {before['indexed_files']}/{before['total_files']} files, {t_kill - t0:.1f} s in")

    conn = sqlite3.connect(f"file:{data / 'gleaner.db'}?mode=ro", uri=True, timeout=5)

    def db_state():
        try:
            n_docs = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            rows = conn.execute("SELECT id, status, indexed_files, total_files FROM indexing_jobs").fetchall()
            return n_docs, rows
        except sqlite3.OperationalError:
            return None, []

    docs_at_kill, jobs_at_kill = db_state()
    t_restart = time.perf_counter()
    ready = d.start()
    first_new = None
    running_again = None
    jobs_seen = {}
    while True:
        n_docs, rows = db_state()
        now = time.perf_counter() - t_restart
        if first_new is None and n_docs is not None and n_docs > docs_at_kill:
            first_new = now
        for jid, status, indexed, total in rows:
            jobs_seen[jid] = status
            if jid == job_id and status == "running" and running_again is None:
                running_again = now
        if rows and all(status in TERMINAL for _, status, _, _ in rows) and first_new is not None:
            break
        if d.proc.poll() is not None:
            raise RuntimeError(f"restarted daemon exited {d.proc.returncode}: {d.log_tail()}")
        if now > 3600:
            raise RuntimeError("the resumed job did not finish within an hour")
        time.sleep(0.05)
    t_done = time.perf_counter()
    conn.close()
    after = d.status(job_id)
    others = [job_fields(d.status(j)) for j in jobs_seen if j != job_id]
    d.stop()
    return {
        "kill_at_fraction": kill_at,
        "before_kill_s": t_kill - t0,
        "job_at_kill": job_fields(before),
        "documents_at_kill": docs_at_kill,
        "daemon_ready_s": ready,
        "restart_to_first_new_file_s": first_new,
        "restart_to_job_running_s": running_again,
        "restart_to_done_s": t_done - t_restart,
        "total_s": (t_kill - t0) + (t_done - t_restart),
        "job_after": job_fields(after),
        "other_jobs": others,
    }


def fmt_s(x) -> str:
    return "–" if x is None else f"{x:.2f} s"


def render_markdown(r: dict) -> str:
    m = r["meta"]
    mach = m["machine"]
    fg, bg, rs = r["foreground"], r["background"], r["resume"]
    lines = ["## Jobs: background vs foreground, resume after a crash", ""]
    lines.append(f"{m['started']}, {m['gleaner_version']} ({m['gleaner_bin_from']}; repository at {m['git']}); "
                 f"{mach['nproc']} × {mach['cpu']}, {mach['memory_gib']} GiB, Linux {mach['kernel']}; load average "
                 f"{m['loadavg_start']} at the start, {m['loadavg_end']} at the end. Corpus {m['corpus_name']}: "
                 f"{m['corpus_files']:,} files, {m['corpus_bytes'] / 1e6:,.0f} MB. Job progress polled every "
                 f"{m['poll_s']:.2f} s with `gleaner status JOB --json`. Whole run {m['duration_s']:.0f} s.")
    lines.append("")
    lines.append("| run | wall s | CPU s | peak RSS MiB | files | bytes read |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    fc = fg.get("counts") or {}
    lines.append(f"| foreground `gleaner index C` | {fg['wall_s']:.1f} | {fg['cpu_s']:.1f} | "
                 f"{fg['maxrss_kib'] / 1024:.0f} | {fc.get('new')} | {fc.get('bytes_read', 0):,} |")
    bj = bg["job"]
    lines.append(f"| background job (`index --background`, daemon) | {bg['wall_s']:.1f} | {bg['cpu_s']:.1f} | "
                 f"{bg['maxrss_kib'] / 1024:.0f} | {bj.get('indexed_files')} | {bj.get('bytes_processed') or 0:,} |")
    if rs:
        ja = rs["job_after"]
        lines.append(f"| background job killed at {rs['kill_at_fraction']:.0%} and resumed (total) | "
                     f"{rs['total_s']:.1f} | | | {ja.get('indexed_files')} | {ja.get('bytes_processed') or 0:,} |")
    lines.append("")
    lines.append(f"- **Background ÷ foreground (wall): {r['ratios']['background/foreground']:.2f}×**; by CPU "
                 f"{r['ratios']['background/foreground cpu']:.2f}× (the daemon's own CPU while the job ran, "
                 f"vs the one-shot command's). The engine's own job duration (created → completed) "
                 f"{bg['engine_s']:.1f} s.")
    if rs:
        ka = rs["job_at_kill"]
        lines.append(f"- **Resume: restart → first newly indexed file {fmt_s(rs['restart_to_first_new_file_s'])}** "
                     f"(daemon answering after {rs['daemon_ready_s']:.2f} s; the job row running again after "
                     f"{fmt_s(rs['restart_to_job_running_s'])}); killed at {ka.get('indexed_files')}/{ka.get('total_files')} "
                     f"files after {rs['before_kill_s']:.1f} s ({rs['documents_at_kill']} documents committed); "
                     f"restart → completed {rs['restart_to_done_s']:.1f} s.")
        lines.append(f"- **Interrupted total ÷ uninterrupted: {r['ratios']['resumed/uninterrupted']:.2f}×** "
                     f"({rs['total_s']:.1f} s vs {bg['wall_s']:.1f} s). The resumed job row after completion: "
                     f"status {ja.get('status')}, indexed {ja.get('indexed_files')}, new {ja.get('new')}, "
                     f"unchanged {ja.get('unchanged')}, bytes {ja.get('bytes_processed') or 0:,}.")
        for o in rs["other_jobs"]:
            lines.append(f"- Another job after the restart: {o.get('trigger')} → {o.get('status')}, "
                         f"new {o.get('new')}, unchanged {o.get('unchanged')}, bytes {o.get('bytes_processed') or 0:,}.")
    lines.append("")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Background jobs and resume after a crash (reports only).")
    ap.add_argument("--corpus", choices=bench.CORPUS_CHOICES, default="medium", help="corpus (default medium)")
    ap.add_argument("--corpora", type=Path, default=None, help="where corpora live (as bench.py)")
    ap.add_argument("--binary", type=Path, default=None, help="gleaner binary (default $GLEANER_BIN, else a release build)")
    ap.add_argument("--kill-at", type=float, default=0.5, help="fraction of the files indexed when the daemon is killed")
    ap.add_argument("--poll", type=float, default=0.25, help="seconds between gleaner status polls (default 0.25)")
    ap.add_argument("--no-resume", action="store_true", help="skip the kill-and-resume run")
    ap.add_argument("--out", type=Path, default=bench.HERE / "results", help="results folder (default bench/results)")
    ap.add_argument("--tag", default="jobs", help="result file name (default jobs)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = ap.parse_args(argv)

    root = bench.repo_root()
    corpus = bench.ensure_corpus(args.corpus, root, bench.corpora_base(args.corpora))
    binary = bench.build_gleaner(root, args.binary)
    gleaner = [str(binary)]
    stats = bench.corpus_stats(corpus)
    started = time.time()
    load_start = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="gleaner-jobs-", dir=os.environ.get("GLEANER_BENCH_TMP")))
    warm = bench.baseline_commands(corpus)["cat"]
    failures = []
    fg = bg = rs = None
    try:
        bench.quiet(warm)
        log(f"foreground: gleaner index {corpus.name}")
        fg = foreground(gleaner, corpus, work / "data-foreground")
        log(f"  {fg['wall_s']:.1f} s wall, {fg['cpu_s']:.1f} s CPU")
        shutil.rmtree(work / "data-foreground", ignore_errors=True)
        bench.quiet(warm)
        log("background: a job in gleaner daemon")
        bg = background(gleaner, corpus, work / "data-background", work, args.poll)
        log(f"  {bg['wall_s']:.1f} s wall, {bg['cpu_s']:.1f} s CPU (daemon)")
        shutil.rmtree(work / "data-background", ignore_errors=True)
        if not args.no_resume:
            bench.quiet(warm)
            log(f"resume: SIGKILL the daemon at {args.kill_at:.0%}, restart it")
            rs = resume(gleaner, corpus, work / "data-resume", work, args.kill_at, args.poll)
            log(f"  first new file {fmt_s(rs['restart_to_first_new_file_s'])} after the restart; "
                f"total {rs['total_s']:.1f} s")
    except RuntimeError as e:
        failures.append(str(e))
    finally:
        if args.keep:
            log(f"kept scratch folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if fg is None or bg is None:
        for f in failures:
            print("jobs: " + f, file=sys.stderr)
        return 1
    result = {
        "meta": {
            "started": _dt.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
            "duration_s": round(time.time() - started, 1),
            "machine": bench.machine_info(corpus),
            "loadavg_start": " ".join(f"{x:.1f}" for x in load_start),
            "loadavg_end": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "corpus_name": args.corpus, "corpus_files": stats["files"], "corpus_bytes": stats["bytes"],
            "poll_s": args.poll,
            "gleaner_version": subprocess.run(gleaner + ["--version"], stdout=subprocess.PIPE, text=True).stdout.strip(),
            "gleaner_bin_from": bench.binary_origin(args.binary), "git": bench.git_describe(root),
        },
        "foreground": fg,
        "background": bg,
        "resume": rs,
        "ratios": {
            "background/foreground": bg["wall_s"] / fg["wall_s"],
            "background/foreground cpu": bg["cpu_s"] / fg["cpu_s"] if fg["cpu_s"] else None,
            "resumed/uninterrupted": rs["total_s"] / bg["wall_s"] if rs else None,
        },
    }
    md = render_markdown(result)
    bench.write_results(args.out, args.tag, result, md,
                        bench.scrub_map(corpus=corpus, corpus_label=f"CORPORA/{args.corpus}", binary=binary, work=work))
    print(md)
    log(f"wrote {args.out / (args.tag + '.json')} and {args.out / (args.tag + '.md')}")
    if failures:
        print("jobs: commands failed (these are errors, not slowness):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
