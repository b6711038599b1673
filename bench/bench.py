#!/usr/bin/env python3
"""Gleaner benchmark harness (Python standard library only).

Runs, on one corpus, the physical-floor baselines (find, stat walk, cat,
md5sum), Gleaner's full first index and no-change re-index, Recoll's full
first index, the index sizes on disk and search latency; prints a table and
writes JSON and Markdown results. See bench/README.md.

It only reports: no timing is ever asserted. It exits non-zero when a command
it runs fails (Gleaner crashing, a corpus that cannot be built), never because
something is slow.

Timings swing between runs on a shared machine, so the scenarios are
interleaved (run 1 of every scenario, then run 2 of every scenario, ...), the
page cache is warmed before every timed command, and every ratio is computed
pair by pair within one run before its median is taken.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = ("small", "medium", "large")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> "None":
    print(f"bench: error: {msg}", file=sys.stderr)
    sys.exit(2)


# --------------------------------------------------------------------------
# Running and timing one command
# --------------------------------------------------------------------------

@dataclass
class Sample:
    """One timed command."""
    wall_s: float
    cpu_s: float          # user + system of the command and its descendants
    maxrss_kib: int       # peak RSS of the largest process in the tree
    rc: int
    stdout: str = ""
    stderr_tail: str = ""


TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def timed(cmd, *, env=None, cwd=None, keep_stdout=False) -> Sample:
    """Runs cmd (argv list, or a string run by bash) and measures it.

    Peak RSS and CPU come from wait4()'s rusage, which covers the process and
    every descendant it waited for (xargs waits for its cats, bash for its
    pipeline), so no /usr/bin/time is needed.
    """
    if isinstance(cmd, str):
        cmd = ["bash", "-c", "set -o pipefail; " + cmd]
    rss_file = None
    if TIME_BIN:
        # A child forked from this Python process inherits its ~20 MiB high
        # water mark into ru_maxrss; /usr/bin/time's own child starts from
        # its ~2 MiB, so small commands get a true figure.
        fd, rss_file = tempfile.mkstemp(prefix="bench-rss-")
        os.close(fd)
        cmd = [TIME_BIN, "-f", "%M", "-o", rss_file] + list(cmd)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out if keep_stdout else subprocess.DEVNULL,
                                stderr=err, env=env, cwd=cwd)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout = ""
        if keep_stdout:
            out.seek(0)
            stdout = out.read().decode("utf-8", "replace")
        err.seek(0)
        tail = err.read()[-4000:].decode("utf-8", "replace")
    maxrss = ru.ru_maxrss
    if rss_file:
        try:
            with open(rss_file) as f:
                maxrss = int(f.read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rss_file)
    return Sample(wall, ru.ru_utime + ru.ru_stime, maxrss, proc.returncode, stdout, tail)


def sh(cmd, quiet_errors=False, **kw) -> str:
    """Runs a setup command (untimed) and returns its stdout; raises on failure."""
    if quiet_errors:
        kw["stderr"] = subprocess.DEVNULL
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, **kw).stdout


def quiet(cmd: str) -> None:
    subprocess.run(["bash", "-c", cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# --------------------------------------------------------------------------
# Setup: repository, corpus, binaries, machine
# --------------------------------------------------------------------------

def repo_root() -> Path:
    try:
        return Path(sh(["git", "rev-parse", "--show-toplevel"], quiet_errors=True, cwd=HERE).strip())
    except (subprocess.CalledProcessError, FileNotFoundError):
        return HERE.parent


def ensure_corpus(name: str, root: Path) -> Path:
    """The corpus directory, built with shared/corpora/build.sh when missing.

    build.sh wipes every corpus under its DEST before building, so it builds
    into a private folder that is renamed into place only when it succeeded:
    a corpus directory that exists is complete, and other corpora are kept.
    """
    base = Path(os.environ.get("GLEANER_CORPORA", Path.home() / ".cache" / "gleaner-corpora"))
    corpus = base / name
    if corpus.is_dir() and any(corpus.iterdir()):
        return corpus
    shared = (root / ".." / "shared" / "corpora").resolve()
    build = shared / "build.sh"
    if not build.is_file():
        die(f"corpus {corpus} is missing and the corpus recipes are not at {shared} "
            f"(expected build.sh there: the shared/ folder beside the repository). "
            f"Build one by hand with build.sh DIR {name} and set GLEANER_CORPORA=DIR.")
    base.mkdir(parents=True, exist_ok=True)
    staging = base / f".building-{name}-{os.getpid()}"
    log(f"building the {name} corpus with {build} (installs Debian doc packages; takes minutes)")
    try:
        subprocess.run(["bash", str(build), str(staging), name], check=True, stdout=sys.stderr)
        for c in CORPORA:
            if (staging / c).is_dir() and not (base / c).exists():
                (staging / c).rename(base / c)
    except subprocess.CalledProcessError as e:
        die(f"building the corpus failed ({e}); is apt usable (root, 'apt-get update')?")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return corpus


def build_gleaner(root: Path) -> Path:
    """$GLEANER_BIN, or a release build of the CLI (honours CARGO_TARGET_DIR)."""
    if os.environ.get("GLEANER_BIN"):
        binary = Path(os.environ["GLEANER_BIN"]).resolve()
        if not os.access(binary, os.X_OK):
            die(f"GLEANER_BIN={binary} is not an executable")
        return binary
    log("building gleaner (cargo build --release -p gleaner-cli)")
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["cargo", "build", "--release", "-p", "gleaner-cli", "--message-format=json-render-diagnostics"],
        cwd=root, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        die("cargo build --release -p gleaner-cli failed")
    binary = None
    for line in proc.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["target"]["name"] == "gleaner":
            binary = Path(msg["executable"])
    if binary is None:
        die("cargo built no 'gleaner' executable")
    log(f"built {binary} in {time.perf_counter() - t0:.0f} s")
    return binary


def read_first(path: str, key: str) -> str:
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def machine_info(corpus: Path) -> dict:
    mem_kib = read_first("/proc/meminfo", "MemTotal").split()[0]
    info = {
        "nproc": os.cpu_count(),
        "cpu": read_first("/proc/cpuinfo", "model name"),
        "memory_gib": round(int(mem_kib) / 1048576, 1) if mem_kib.isdigit() else None,
        "kernel": platform.release(),
    }
    try:
        dev, fstype, target = sh(["findmnt", "-n", "-o", "SOURCE,FSTYPE,TARGET", "--target", str(corpus)]).split()[:3]
        info["disk"] = f"{dev} ({fstype}, mounted on {target})"
        blk = Path(dev).name
        rot = Path(f"/sys/block/{blk}/queue/rotational")
        if rot.exists():
            info["disk"] += ", reports rotational" if rot.read_text().strip() == "1" else ", reports non-rotational"
    except (subprocess.CalledProcessError, FileNotFoundError, ValueError):
        info["disk"] = "?"
    return info


def corpus_stats(corpus: Path) -> dict:
    files = 0
    size = 0
    for dirpath, _, names in os.walk(corpus):
        for n in names:
            st = os.lstat(os.path.join(dirpath, n))
            if os.path.isfile(os.path.join(dirpath, n)) and not os.path.islink(os.path.join(dirpath, n)):
                files += 1
                size += st.st_size
    return {"path": str(corpus), "files": files, "bytes": size}


def tree_size(path: Path) -> dict:
    """Apparent bytes and allocated bytes of every file under path."""
    apparent = allocated = 0
    for dirpath, _, names in os.walk(path):
        for n in names:
            try:
                st = os.lstat(os.path.join(dirpath, n))
            except OSError:
                continue
            apparent += st.st_size
            allocated += st.st_blocks * 512
    return {"bytes": apparent, "allocated": allocated}


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------

def q(p) -> str:
    return shlex.quote(str(p))


def baseline_commands(corpus: Path) -> dict:
    c = q(corpus)
    return {
        "find": f"find {c} -type f > /dev/null",
        "stat-walk": f"find {c} -type f -printf '%s %T@ %i\\n' > /dev/null",
        "cat": f"find {c} -type f -print0 | xargs -0 -P2 -n 256 cat > /dev/null",
        "md5sum": f"find {c} -type f -print0 | xargs -0 -P2 -n 256 md5sum > /dev/null",
    }


RECOLL_NAME_ONLY = ["image/bmp", "image/gif", "image/jp2", "image/jpeg", "image/png", "image/tiff",
                    "image/x-nikon-nef", "image/x-xcf", "image/x-xpmi"]


class Recoll:
    """recollindex in a private configuration: never touches ~/.recoll."""

    def __init__(self, work: Path, corpus: Path):
        self.conf = work / "recoll-conf"
        self.db = work / "recoll-db"
        self.conf.mkdir(parents=True, exist_ok=True)
        # Both settings only make Recoll faster (a conservative comparison):
        # noaspell skips the spelling dictionary, which Gleaner has no
        # counterpart of; excludedmimetypes makes images name-only, as they are
        # in Gleaner (Recoll would otherwise start a Perl exiftool helper per
        # image, or fail one per image where exiftool is not installed).
        (self.conf / "recoll.conf").write_text(
            f"topdirs = {corpus}\n"
            f"dbdir = {self.db}\n"
            "noaspell = 1\n"
            "indexallfilenames = 1\n"
            f"excludedmimetypes = {' '.join(RECOLL_NAME_ONLY)}\n"
            "loglevel = 1\n")
        self.env = dict(os.environ, RECOLL_CONFDIR=str(self.conf), HOME=str(work / "recoll-home"),
                        XDG_CACHE_HOME=str(work / "recoll-home" / ".cache"))
        (work / "recoll-home").mkdir(exist_ok=True)

    @staticmethod
    def available() -> bool:
        return shutil.which("recollindex") is not None

    @staticmethod
    def version() -> str:
        try:
            return sh(["dpkg-query", "-W", "-f", "${Version}", "recoll"]).strip()
        except (subprocess.CalledProcessError, FileNotFoundError):
            return "?"

    def full_index(self) -> Sample:
        shutil.rmtree(self.db, ignore_errors=True)
        for stale in ("idxstatus.txt", "missing"):
            (self.conf / stale).unlink(missing_ok=True)
        return timed(["recollindex", "-c", str(self.conf)], env=self.env)

    def status(self) -> dict:
        out = {}
        try:
            for line in (self.conf / "idxstatus.txt").read_text().splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    out[k.strip()] = v.strip()
        except OSError:
            pass
        missing = self.conf / "missing"
        out["missing_helpers"] = missing.read_text().strip() if missing.exists() else ""
        return out


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100)."""
    s = sorted(values)
    if not s:
        return None
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def load_queries(path: Path) -> list[str]:
    out = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser(description="Gleaner benchmark harness (reports only).")
    ap.add_argument("--corpus", choices=CORPORA, default=None, help="corpus (default medium; small with --smoke)")
    ap.add_argument("--runs", type=int, default=None, help="interleaved runs of every scenario (default 5; 1 with --smoke)")
    ap.add_argument("--smoke", action="store_true", help="small corpus, 1 run, skip Recoll when absent: the CI run")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="results folder (default bench/results)")
    ap.add_argument("--workers", type=int, default=None, help="set index.workers (default: Gleaner's default)")
    ap.add_argument("--no-recoll", action="store_true", help="skip recollindex")
    ap.add_argument("--no-search", action="store_true", help="skip the search latency scenario")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder (data dirs) for inspection")
    ap.add_argument("--render", type=Path, metavar="JSON", help="only print the Markdown of an earlier results JSON")
    args = ap.parse_args()
    if args.render:
        r = json.loads(args.render.read_text())
        r["ratios"] = ratios(r["samples"])
        print(render_markdown(r), end="")
        return 0
    corpus_name = args.corpus or ("small" if args.smoke else "medium")
    runs = args.runs or (1 if args.smoke else 5)
    tag = corpus_name + ("-smoke" if args.smoke else "")

    root = repo_root()
    corpus = ensure_corpus(corpus_name, root)
    binary = build_gleaner(root)
    use_recoll = not args.no_recoll
    if use_recoll and not Recoll.available():
        if args.smoke:
            log("recollindex not installed: skipping Recoll (smoke run)")
            use_recoll = False
        else:
            die("recollindex is not installed (apt-get install recoll), or pass --no-recoll")
    queries = load_queries(HERE / "queries.txt")

    stats = corpus_stats(corpus)
    log(f"corpus {corpus}: {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB; gleaner {binary}; {runs} run(s)")
    work = Path(tempfile.mkdtemp(prefix="gleaner-bench-", dir=os.environ.get("GLEANER_BENCH_TMP")))
    failures: list[str] = []
    try:
        result = run_all(args, runs, corpus, stats, binary, use_recoll, queries, work, failures)
    finally:
        if args.keep:
            log(f"kept scratch folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    result["meta"].update({
        "corpus_name": corpus_name, "smoke": args.smoke, "runs": runs,
        "gleaner_bin": str(binary), "git": git_describe(root),
        "gleaner_bin_from": "GLEANER_BIN" if os.environ.get("GLEANER_BIN") else "cargo build of this tree",
    })
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{tag}.json").write_text(json.dumps(result, indent=2) + "\n")
    md = render_markdown(result)
    (args.out / f"{tag}.md").write_text(md)
    print(md)
    log(f"wrote {args.out / (tag + '.json')} and {args.out / (tag + '.md')}")
    if failures:
        print("bench: commands failed (these are errors, not slowness):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    return 0


def git_describe(root: Path) -> str:
    try:
        head = sh(["git", "rev-parse", "--short", "HEAD"], quiet_errors=True, cwd=root).strip()
        dirty = sh(["git", "status", "--porcelain", "--untracked-files=no"], quiet_errors=True, cwd=root).strip()
        return head + ("+dirty" if dirty else "")
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "?"


def run_all(args, runs, corpus, stats, binary, use_recoll, queries, work, failures) -> dict:
    started = time.time()
    baselines = baseline_commands(corpus)
    warm_corpus = baselines["cat"]
    gleaner = [str(binary)]
    recoll = Recoll(work, corpus) if use_recoll else None

    samples: dict[str, list[dict]] = {}

    def record(name: str, s: Sample, run: int, **extra):
        entry = {"run": run, "wall_s": s.wall_s, "cpu_s": s.cpu_s, "maxrss_kib": s.maxrss_kib, "rc": s.rc}
        entry.update(extra)
        samples.setdefault(name, []).append(entry)
        if s.rc != 0:
            failures.append(f"{name} run {run}: exit {s.rc}: {s.stderr_tail.strip()[-800:]}")
        log(f"  run {run} {name:<16} {s.wall_s:8.3f} s  cpu {s.cpu_s:7.2f} s  rss {s.maxrss_kib / 1024:7.1f} MiB"
            + ("" if s.rc == 0 else f"  EXIT {s.rc}"))

    gleaner_info = {"version": sh(gleaner + ["--version"]).strip()}
    sizes: dict[str, list[dict]] = {"gleaner": [], "recoll": []}
    last_data = None
    for run in range(1, runs + 1):
        for name, cmd in baselines.items():
            quiet(warm_corpus)
            record(name, timed(cmd), run)

        # Gleaner full first index: a fresh data dir every run.
        data = work / f"gleaner-data-{run}"
        if args.workers is not None:
            sh(gleaner + ["--data-dir", str(data), "config", "set", "index.workers", str(args.workers)])
        quiet(warm_corpus)
        s = timed(gleaner + ["--data-dir", str(data), "index", str(corpus), "--json"], keep_stdout=True)
        counts = parse_json(s.stdout)
        record("gleaner-full", s, run, counts=counts)
        sizes["gleaner"].append(tree_size(data))

        # No-change re-index on the same data dir: nothing should be read.
        quiet(warm_corpus)
        quiet(f"cat {q(data)}/* > /dev/null")
        s = timed(gleaner + ["--data-dir", str(data), "index", str(corpus), "--json"], keep_stdout=True)
        recounts = parse_json(s.stdout)
        record("gleaner-reindex", s, run, counts=recounts)
        if recounts and (recounts.get("bytes_read", 0) or recounts.get("new", 0) or recounts.get("modified", 0)):
            log(f"  WARNING: the no-change re-index read or changed files: {recounts}")

        if recoll:
            quiet(warm_corpus)
            s = recoll.full_index()
            record("recoll-full", s, run, status=recoll.status())
            sizes["recoll"].append(tree_size(recoll.db))

        if last_data is not None:
            shutil.rmtree(last_data, ignore_errors=True)
        last_data = data
    if recoll:
        shutil.rmtree(recoll.db, ignore_errors=True)

    gleaner_info["workers"] = sh(gleaner + ["--data-dir", str(last_data), "config", "get", "index.workers"]).strip()

    search = None
    if not args.no_search and last_data is not None:
        search = run_search(gleaner, last_data, queries, runs, failures)

    return {
        "meta": {
            "started": _dt.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
            "duration_s": round(time.time() - started, 1),
            "machine": machine_info(corpus),
            "corpus": stats,
            "gleaner": gleaner_info,
            "recoll": ({"version": Recoll.version(), "config": (recoll.conf / "recoll.conf").read_text()}
                       if recoll else None),
            "commands": dict(baselines, **{
                "gleaner-full": f"gleaner --data-dir FRESH index {corpus} --json",
                "gleaner-reindex": f"gleaner --data-dir SAME index {corpus} --json",
                "recoll-full": "recollindex -c CONF   (dbdir removed before each run)",
            }),
        },
        "samples": samples,
        "summary": summarize(samples, stats),
        "ratios": ratios(samples),
        "index_size": summarize_sizes(sizes, stats),
        "search": search,
    }


def parse_json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def run_search(gleaner, data: Path, queries, runs, failures) -> dict:
    base = gleaner + ["--data-dir", str(data)]
    log(f"search latency: {len(queries)} queries x {runs} run(s)")
    startup = [timed(gleaner + ["--version"]).wall_s for _ in range(30)]
    quiet(f"cat {q(data)}/* > /dev/null")
    for query in queries:  # warm-up pass, untimed
        timed(base + ["search", "--limit", "10", "--json", "--", query])
    per_query: dict[str, dict] = {query: {"wall_s": [], "hits": None} for query in queries}
    rss = []
    for run in range(1, runs + 1):
        for query in queries:
            s = timed(base + ["search", "--limit", "10", "--json", "--", query], keep_stdout=True)
            if s.rc != 0:
                failures.append(f"search {query!r}: exit {s.rc}: {s.stderr_tail.strip()[-400:]}")
                continue
            hits = parse_json(s.stdout)
            per_query[query]["wall_s"].append(s.wall_s)
            per_query[query]["hits"] = len(hits) if isinstance(hits, list) else None
            rss.append(s.maxrss_kib)
    walls = [w for v in per_query.values() for w in v["wall_s"]]
    slowest = sorted(((statistics.median(v["wall_s"]), k) for k, v in per_query.items() if v["wall_s"]), reverse=True)
    return {
        "queries": len(queries),
        "samples": len(walls),
        "p50_s": percentile(walls, 50),
        "p90_s": percentile(walls, 90),
        "p99_s": percentile(walls, 99),
        "max_s": max(walls) if walls else None,
        "startup_median_s": statistics.median(startup),
        "startup_min_s": min(startup),
        "peak_rss_kib": max(rss) if rss else None,
        "no_hits": [k for k, v in per_query.items() if v["hits"] == 0],
        "slowest": [{"query": k, "median_s": m} for m, k in slowest[:8]],
        "per_query": per_query,
    }


def summarize(samples, stats) -> dict:
    out = {}
    for name, entries in samples.items():
        walls = [e["wall_s"] for e in entries]
        med = statistics.median(walls)
        out[name] = {
            "median_s": med, "min_s": min(walls), "max_s": max(walls),
            "cpu_median_s": statistics.median(e["cpu_s"] for e in entries),
            "peak_rss_kib": max(e["maxrss_kib"] for e in entries),
            "files_per_s": stats["files"] / med if med > 0 else None,
            "mb_per_s": stats["bytes"] / 1e6 / med if med > 0 else None,
            "runs": len(walls),
        }
        counts = [e.get("counts") for e in entries if e.get("counts")]
        if counts:
            out[name]["counts"] = counts[-1]
        st = [e.get("status") for e in entries if e.get("status")]
        if st:
            out[name]["status"] = st[-1]
    return out


def paired(samples, a, b, key="wall_s"):
    """Per-run ratios a/b of wall (or CPU) time within one run, as median/min/max."""
    if a not in samples or b not in samples:
        return None
    bw = {e["run"]: e[key] for e in samples[b]}
    rs = [e[key] / bw[e["run"]] for e in samples[a] if e["run"] in bw and bw[e["run"]] > 0]
    if not rs:
        return None
    return {"median": statistics.median(rs), "min": min(rs), "max": max(rs), "pairs": len(rs)}


def ratios(samples) -> dict:
    """time(scenario) / time(baseline), pair by pair within a run."""
    out = {}
    for name in samples:
        out[name] = {b: paired(samples, name, b) for b in ("stat-walk", "cat", "md5sum")}
    out["recoll-full/gleaner-full"] = paired(samples, "recoll-full", "gleaner-full")
    out["recoll-full/gleaner-full cpu"] = paired(samples, "recoll-full", "gleaner-full", "cpu_s")
    return out


def summarize_sizes(sizes, stats) -> dict:
    out = {}
    for k, v in sizes.items():
        if v:
            last = v[-1]
            out[k] = dict(last, ratio_to_corpus=last["bytes"] / stats["bytes"] if stats["bytes"] else None)
    out["corpus_bytes"] = stats["bytes"]
    return out


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------

ORDER = ["find", "stat-walk", "cat", "md5sum", "gleaner-full", "gleaner-reindex", "recoll-full"]
LABELS = {
    "find": "find -type f",
    "stat-walk": "stat walk (find -printf)",
    "cat": "cat, 2 procs",
    "md5sum": "md5sum, 2 procs",
    "gleaner-full": "**gleaner full index**",
    "gleaner-reindex": "**gleaner no-change re-index**",
    "recoll-full": "recollindex full index",
}


def fmt_ratio(r):
    if not r:
        return "–"
    return f"{r['median']:.2f}×"


def fmt_n(x, digits=0):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}" if digits else f"{x:,.1f}"


def render_markdown(r) -> str:
    m = r["meta"]
    st = m["corpus"]
    lines = []
    lines.append(f"## {m['corpus_name']} corpus{' (smoke)' if m['smoke'] else ''}: "
                 f"{st['files']:,} files, {st['bytes'] / 1e6:,.0f} MB")
    mach = m["machine"]
    lines.append("")
    lines.append(f"{m['started']}, {m['runs']} interleaved run(s), {m['gleaner']['version']} "
                 f"({m.get('gleaner_bin_from', 'GLEANER_BIN')}; repository at {m['git']}; index.workers={m['gleaner'].get('workers')}); "
                 f"{mach['nproc']} × {mach['cpu']}, {mach['memory_gib']} GiB, {mach['disk']}. "
                 f"Whole run {m['duration_s']:.0f} s.")
    lines.append("")
    lines.append("| scenario | median s | min s | max s | files/s | MB/s | CPU s | peak RSS MiB | ÷ stat walk | ÷ cat | ÷ md5sum |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in ORDER:
        s = r["summary"].get(name)
        if not s:
            continue
        rt = r["ratios"].get(name, {})
        lines.append(
            f"| {LABELS[name]} | {s['median_s']:.3f} | {s['min_s']:.3f} | {s['max_s']:.3f} | "
            f"{fmt_n(s['files_per_s'])} | {fmt_n(s['mb_per_s'], 1)} | {s['cpu_median_s']:.2f} | "
            f"{s['peak_rss_kib'] / 1024:.0f} | {fmt_ratio(rt.get('stat-walk'))} | {fmt_ratio(rt.get('cat'))} | "
            f"{fmt_ratio(rt.get('md5sum'))} |")
    lines.append("")
    lines.append("Ratios are time ÷ baseline time, computed pair by pair within a run, median over runs "
                 "(files/s and MB/s use the corpus totals and the median time; MB = 10⁶ bytes).")
    lines.append("")
    ratios_ = r["ratios"]
    head = []
    rg = ratios_.get("recoll-full/gleaner-full")
    if rg:
        head.append(f"- **Full index vs recollindex: gleaner is {rg['median']:.2f}× faster** "
                    f"(per-run range {rg['min']:.2f}–{rg['max']:.2f}×).")
        rc = ratios_.get("recoll-full/gleaner-full cpu")
        if rc:
            head.append(f"- By CPU time (user + system, children included; less sensitive to other load "
                        f"on the machine): recollindex uses {rc['median']:.2f}× gleaner's "
                        f"(range {rc['min']:.2f}–{rc['max']:.2f}×).")
    ri = (ratios_.get("gleaner-reindex") or {}).get("stat-walk")
    if ri:
        head.append(f"- **No-change re-index = {ri['median']:.2f}× the stat walk** "
                    f"(range {ri['min']:.2f}–{ri['max']:.2f}×).")
    fm = (ratios_.get("gleaner-full") or {}).get("md5sum")
    if fm:
        head.append(f"- **Full index = {fm['median']:.2f}× the md5sum floor** "
                    f"(range {fm['min']:.2f}–{fm['max']:.2f}×).")
    gf = r["summary"].get("gleaner-full", {}).get("counts")
    if gf:
        head.append(f"- gleaner full index counts: new {gf.get('new')}, failed {gf.get('failed')}, "
                    f"chunks {gf.get('chunks')}, bytes_read {gf.get('bytes_read'):,}.")
    gr = r["summary"].get("gleaner-reindex", {}).get("counts")
    if gr:
        head.append(f"- re-index counts: unchanged {gr.get('unchanged')}, new {gr.get('new')}, "
                    f"modified {gr.get('modified')}, bytes_read {gr.get('bytes_read')}.")
    rs = r["summary"].get("recoll-full", {}).get("status")
    if rs:
        miss = rs.get("missing_helpers", "").replace("\n", "; ")
        head.append(f"- recollindex: files done {rs.get('filesdone', '?')}, docs done {rs.get('docsdone', '?')}, "
                    f"file errors {rs.get('fileerrors', '?')}"
                    + (f"; missing helpers: {miss}" if miss else "") + ".")
    lines += head
    lines.append("")
    sz = r["index_size"]
    if sz.get("gleaner") or sz.get("recoll"):
        lines.append("| index on disk | bytes | allocated | ÷ corpus |")
        lines.append("|---|---:|---:|---:|")
        for k in ("gleaner", "recoll"):
            if sz.get(k):
                lines.append(f"| {k} | {sz[k]['bytes'] / 1e6:,.1f} MB | {sz[k]['allocated'] / 1e6:,.1f} MB | "
                             f"{sz[k]['ratio_to_corpus']:.2f} |")
        lines.append(f"| corpus | {sz['corpus_bytes'] / 1e6:,.1f} MB | | 1.00 |")
        lines.append("")
    s = r.get("search")
    if s:
        lines.append(f"Search latency (`gleaner search Q --limit 10 --json`, one process per query, "
                     f"{s['queries']} queries × {m['runs']} run(s) = {s['samples']} samples): "
                     f"**p50 {s['p50_s'] * 1000:.1f} ms, p90 {s['p90_s'] * 1000:.1f} ms, "
                     f"p99 {s['p99_s'] * 1000:.1f} ms**, max {s['max_s'] * 1000:.1f} ms; "
                     f"process start (`gleaner --version`) median {s['startup_median_s'] * 1000:.1f} ms; "
                     f"peak RSS {s['peak_rss_kib'] / 1024:.0f} MiB.")
        lines.append("")
        lines.append("Slowest queries (median): " + ", ".join(
            f"`{x['query']}` {x['median_s'] * 1000:.0f} ms" for x in s["slowest"][:5]) + ".")
        if s["no_hits"]:
            lines.append("")
            lines.append("Queries with no hit: " + ", ".join(f"`{x}`" for x in s["no_hits"]) + ".")
        lines.append("")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
