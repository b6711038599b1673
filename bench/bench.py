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
# "linux": the Linux source tree inside the large corpus, a plain-text corpus.
CORPUS_CHOICES = CORPORA + ("linux",)


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


def corpora_base(option: Path | None = None) -> Path:
    """Where corpora live: --corpora, else $GLEANER_CORPORA, else ~/.cache/gleaner-corpora."""
    if option:
        return Path(option).expanduser().resolve()
    return Path(os.environ.get("GLEANER_CORPORA", Path.home() / ".cache" / "gleaner-corpora"))


def corpus_recipe(root: Path) -> Path:
    """build.sh of the corpus recipes: $GLEANER_CORPUS_RECIPE, else the copy
    kept in bench/corpora/ (so a fresh clone, CI's, can build the corpora)."""
    if os.environ.get("GLEANER_CORPUS_RECIPE"):
        return Path(os.environ["GLEANER_CORPUS_RECIPE"]).expanduser().resolve()
    return (root / "bench" / "corpora" / "build.sh").resolve()


def ensure_corpus(name: str, root: Path, base: Path | None = None) -> Path:
    """The corpus directory, built with bench/corpora/build.sh when missing.

    build.sh wipes every corpus under its DEST before building, so it builds
    into a private folder that is renamed into place only when it succeeded:
    a corpus directory that exists is complete, and other corpora are kept.

    "linux" is not built on its own: it is the Linux source tree inside the
    large corpus (plain text only: c, h, rst, ...).
    """
    if name == "linux":
        large = ensure_corpus("large", root, base)
        trees = sorted(p for p in large.glob("linux-source-*/linux-source-*") if p.is_dir())
        if not trees:
            die(f"no linux-source-*/linux-source-* folder in {large}")
        return trees[-1]
    base = base or corpora_base()
    corpus = base / name
    if corpus.is_dir() and any(corpus.iterdir()):
        return corpus
    build = corpus_recipe(root)
    if not build.is_file():
        die(f"corpus {corpus} is missing and the corpus recipe {build} does not exist "
            f"(expected bench/corpora/build.sh in the repository, or set GLEANER_CORPUS_RECIPE). "
            f"Build one by hand with build.sh DIR {name} and pass --corpora DIR.")
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


def build_gleaner(root: Path, option: Path | None = None) -> Path:
    """--binary, else $GLEANER_BIN, else a release build of the CLI (honours
    CARGO_TARGET_DIR). CI passes its debug binary: never a release build there."""
    given = option or os.environ.get("GLEANER_BIN")
    if given:
        binary = Path(given).expanduser().resolve()
        if not os.access(binary, os.X_OK):
            die(f"{binary} (--binary / GLEANER_BIN) is not an executable")
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
    ap.add_argument("--corpus", choices=CORPUS_CHOICES, default=None,
                    help="corpus (default medium; small with --smoke); linux = the Linux source tree of large")
    ap.add_argument("--corpora", type=Path, default=None,
                    help="where corpora live (default $GLEANER_CORPORA or ~/.cache/gleaner-corpora; built there when missing)")
    ap.add_argument("--binary", type=Path, default=None,
                    help="the gleaner binary to measure (default $GLEANER_BIN, else a release build of this tree)")
    ap.add_argument("--runs", type=int, default=None, help="interleaved runs of every scenario (default 5; 1 with --smoke)")
    ap.add_argument("--smoke", action="store_true", help="small corpus, 1 run, skip Recoll when absent: the CI run")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="results folder (default bench/results)")
    ap.add_argument("--workers", type=int, default=None, help="set index.workers (default: Gleaner's default)")
    ap.add_argument("--no-recoll", action="store_true", help="skip recollindex")
    ap.add_argument("--no-search", action="store_true", help="skip the search latency scenario")
    ap.add_argument("--no-change-one", action="store_true",
                    help="skip the one-file-changed re-index (it indexes a hard-link mirror of the corpus)")
    ap.add_argument("--idle", type=float, default=None, metavar="S",
                    help="after the runs, watch the corpus with gleaner daemon and measure its idle CPU and RSS "
                         "for S seconds after its start-up scan (default 60 on large, off otherwise)")
    ap.add_argument("--no-live", action="store_true", help="with --smoke: skip the change-to-searchable script")
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
    corpus = ensure_corpus(corpus_name, root, corpora_base(args.corpora))
    binary = build_gleaner(root, args.binary)
    if args.idle is None:
        args.idle = 60.0 if corpus_name == "large" else 0.0
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
        "gleaner_bin_from": binary_origin(args.binary),
    })
    md = render_markdown(result)
    write_results(args.out, tag, result, md, scrub_map(corpus=corpus, corpus_label=f"CORPORA/{corpus_name}",
                                                       binary=binary, work=work))
    print(md)
    log(f"wrote {args.out / (tag + '.json')} and {args.out / (tag + '.md')}")
    if args.smoke and not args.no_live:
        import live  # bench/live.py: change-to-searchable latency
        live_args = ["--smoke", "--binary", str(binary), "--out", str(args.out)]
        if args.corpora:
            live_args += ["--corpora", str(args.corpora)]
        if live.main(live_args) != 0:
            failures.append("live.py --smoke failed (see above)")
    if failures:
        print("bench: commands failed (these are errors, not slowness):", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    return 0


def scrub_map(*, corpus: Path | None = None, corpus_label: str = "CORPUS", binary: Path | None = None,
              work: Path | None = None) -> list[tuple[str, str]]:
    """Replacements that keep this machine's paths out of committed results."""
    pairs = []
    if work:
        pairs.append((str(work), "SCRATCH"))
    if corpus:
        pairs.append((str(corpus), corpus_label))
    if binary:
        pairs.append((str(binary), "gleaner"))
    pairs.append((str(Path.home()), "~"))
    pairs.append((tempfile.gettempdir() + "/", "TMP/"))
    return sorted(pairs, key=lambda p: -len(p[0]))


def write_results(out: Path, tag: str, result: dict, markdown: str, scrub: list[tuple[str, str]]) -> None:
    """Writes OUT/TAG.json and OUT/TAG.md with machine paths replaced."""
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2) + "\n"
    for old, new in scrub:
        text = text.replace(old, new)
        markdown = markdown.replace(old, new)
    (out / f"{tag}.json").write_text(text)
    (out / f"{tag}.md").write_text(markdown)


def binary_origin(option) -> str:
    if option:
        return "--binary"
    return "GLEANER_BIN" if os.environ.get("GLEANER_BIN") else "cargo build of this tree"


def git_describe(root: Path) -> str:
    try:
        head = sh(["git", "rev-parse", "--short", "HEAD"], quiet_errors=True, cwd=root).strip()
        dirty = sh(["git", "status", "--porcelain", "--untracked-files=no"], quiet_errors=True, cwd=root).strip()
        return head + ("+dirty" if dirty else "")
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "?"


def run_all(args, runs, corpus, stats, binary, use_recoll, queries, work, failures) -> dict:
    started = time.time()
    loadavg_start = " ".join(f"{x:.1f}" for x in os.getloadavg())
    # Every scenario runs on a hard-link mirror of the corpus, so that the
    # one-file-changed scenario can replace a file without touching the corpus
    # itself (same inodes and bytes, so the same work for every command).
    mirror = None if args.no_change_one else hardlink_mirror(corpus, work)
    if mirror:
        corpus = mirror
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

        # One file changed (replaced by an editor-style save): the re-index
        # must find and re-extract exactly that file.
        if mirror:
            changed = change_one_file(mirror, run)
            quiet(warm_corpus)
            s = timed(gleaner + ["--data-dir", str(data), "index", str(corpus), "--json"], keep_stdout=True)
            c1 = parse_json(s.stdout)
            record("gleaner-change1", s, run, counts=c1, changed=str(changed.relative_to(mirror)))
            if c1 and (c1.get("modified") != 1 or c1.get("new") or c1.get("deleted")):
                log(f"  WARNING: one file changed, but the re-index counted {c1}")

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

    idle = None
    if args.idle and last_data is not None:
        idle = measure_idle(gleaner, last_data, args.idle, work, failures)

    return {
        "meta": {
            "started": _dt.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
            "duration_s": round(time.time() - started, 1),
            "machine": machine_info(corpus),
            "loadavg_start": loadavg_start,
            "loadavg_end": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "corpus": stats,
            "gleaner": gleaner_info,
            "recoll": ({"version": Recoll.version(), "config": (recoll.conf / "recoll.conf").read_text()}
                       if recoll else None),
            "commands": dict(baselines, **{
                "gleaner-full": f"gleaner --data-dir FRESH index {corpus} --json",
                "gleaner-reindex": f"gleaner --data-dir SAME index {corpus} --json",
                "gleaner-change1": "one file replaced (write temp + rename), then gleaner --data-dir SAME index C --json",
                "recoll-full": "recollindex -c CONF   (dbdir removed before each run)",
            }),
        },
        "samples": samples,
        "summary": summarize(samples, stats),
        "ratios": ratios(samples),
        "index_size": summarize_sizes(sizes, stats),
        "search": search,
        "idle": idle,
    }


TEXT_EXTENSIONS = (".txt", ".rst", ".md", ".c", ".h", ".tex", ".py")


def hardlink_mirror(corpus: Path, work: Path) -> Path | None:
    """A hard-link copy of the corpus under work (cp -al), or None when the
    scratch folder is on another file system (the scenario is then skipped)."""
    mirror = work / "tree" / corpus.name
    mirror.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["cp", "-al", str(corpus), str(mirror)], stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        log(f"cannot hard-link the corpus into {work} ({proc.stderr.strip()[:200]}): "
            "skipping the one-file-changed scenario (set GLEANER_BENCH_TMP to a folder on the corpus's file system)")
        shutil.rmtree(mirror, ignore_errors=True)
        return None
    return mirror


def change_one_file(mirror: Path, run: int) -> Path:
    """Replaces one mid-sized text file of the mirror by a copy with one more
    line, the way an editor saves (temporary file + rename): the corpus's own
    file (the other hard link) is never written."""
    candidates = []
    for dirpath, dirnames, names in os.walk(mirror):
        dirnames.sort()
        for n in sorted(names):
            if n.endswith(TEXT_EXTENSIONS) and not n.startswith("."):
                path = Path(dirpath) / n
                if 4096 <= path.stat().st_size <= 65536:
                    candidates.append(path)
        if len(candidates) >= 200:
            break
    target = candidates[len(candidates) // 2]
    tmp = target.with_name(f".{target.name}.bench-tmp")
    tmp.write_bytes(target.read_bytes() + f"\nbench change {run} benchchangemarker{run}\n".encode())
    os.replace(tmp, target)
    return target


def proc_stat(pid: int) -> dict:
    """CPU ticks (utime + stime), RSS, peak RSS, threads and context switches
    (summed over threads) of a running process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    out = {"cpu_ticks": int(fields[11]) + int(fields[12])}
    status = Path(f"/proc/{pid}/status").read_text()
    for line in status.splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
            out[k] = int(v.split()[0])
        elif k == "Threads":
            out["threads"] = int(v)
    vol = nonvol = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches"):
                    vol += int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches"):
                    nonvol += int(line.split()[1])
        except OSError:
            pass
    out["ctxt_voluntary"] = vol
    out["ctxt_nonvoluntary"] = nonvol
    return out


def start_daemon(gleaner, data: Path, log_path: Path, extra: tuple = ()) -> subprocess.Popen:
    """gleaner daemon on data, in its own process group, stderr to log_path."""
    return subprocess.Popen(gleaner + ["--data-dir", str(data), "daemon", *extra], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=open(log_path, "ab"), start_new_session=True)


def stop_daemon(gleaner, data: Path, proc: subprocess.Popen) -> int:
    """Asks the engine to stop (gleaner stop), then SIGTERM, then SIGKILL."""
    if proc.poll() is None:
        subprocess.run(gleaner + ["--data-dir", str(data), "stop"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()


def jobs_json(gleaner, data: Path) -> list:
    out = subprocess.run(gleaner + ["--data-dir", str(data), "jobs", "--json", "--limit", "50"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    return parse_json(out) or []


def wait_startup_scan(gleaner, data: Path, proc: subprocess.Popen, since_ms: int, timeout_s: float) -> dict | None:
    """Waits until every job the daemon started after since_ms has ended, and
    at least one start-up job exists; returns the start-up job (None on timeout)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            return None
        jobs = [j for j in jobs_json(gleaner, data) if (j.get("created_at") or 0) >= since_ms - 1000]
        startup = [j for j in jobs if j.get("trigger") == "startup"]
        if startup and all(j.get("status") in ("completed", "failed", "cancelled") for j in jobs):
            return startup[0]
        time.sleep(0.5)
    return None


def measure_idle(gleaner, data: Path, seconds: float, work: Path, failures) -> dict:
    """Starts gleaner daemon on an indexed data dir, waits for its start-up
    scan (a no-change rescan), then samples its CPU, RSS and context switches
    for `seconds` while nothing changes on disk and no client talks to it."""
    log(f"idle: gleaner daemon on the indexed data dir, {seconds:.0f} s after its start-up scan")
    hz = os.sysconf("SC_CLK_TCK")
    t_start = time.time()
    proc = start_daemon(gleaner, data, work / "idle-daemon.log")
    job = wait_startup_scan(gleaner, data, proc, int(t_start * 1000), timeout_s=3600)
    if job is None:
        failures.append(f"idle: the daemon's start-up scan did not finish (exit {proc.poll()}); "
                        f"log: {(work / 'idle-daemon.log').read_text()[-800:]}")
        stop_daemon(gleaner, data, proc)
        return None
    ready_s = time.time() - t_start
    time.sleep(2)  # let the last job bookkeeping settle before the window opens
    before = proc_stat(proc.pid)
    t0 = time.perf_counter()
    series = []
    step = max(1.0, seconds / 12)
    while time.perf_counter() - t0 < seconds:
        time.sleep(min(step, seconds - (time.perf_counter() - t0)))
        st = proc_stat(proc.pid)
        series.append({"t_s": round(time.perf_counter() - t0, 2), "cpu_ticks": st["cpu_ticks"] - before["cpu_ticks"],
                       "rss_kib": st["VmRSS"]})
    wall = time.perf_counter() - t0
    after = proc_stat(proc.pid)
    rc = stop_daemon(gleaner, data, proc)
    if rc not in (0, None):
        failures.append(f"idle: the daemon exited {rc} on stop")
    cpu_s = (after["cpu_ticks"] - before["cpu_ticks"]) / hz
    out = {
        "window_s": wall,
        "startup_scan": {k: job.get(k) for k in ("status", "total_files", "unchanged", "new", "modified", "deleted",
                                                  "bytes_processed", "started_at", "completed_at")},
        "startup_scan_s": ((job.get("completed_at") or 0) - (job.get("started_at") or 0)) / 1000,
        "daemon_ready_s": ready_s,
        "cpu_s": cpu_s,
        "cpu_percent": 100 * cpu_s / wall,
        "rss_kib_start": before["VmRSS"],
        "rss_kib_end": after["VmRSS"],
        "rss_anon_kib_end": after.get("RssAnon"),
        "rss_file_kib_end": after.get("RssFile"),
        "hwm_kib": after["VmHWM"],
        "threads": after["threads"],
        "ctxt_voluntary": after["ctxt_voluntary"] - before["ctxt_voluntary"],
        "ctxt_nonvoluntary": after["ctxt_nonvoluntary"] - before["ctxt_nonvoluntary"],
        "series": series,
    }
    out["wakeups_per_s"] = (out["ctxt_voluntary"] + out["ctxt_nonvoluntary"]) / wall
    log(f"idle: {out['cpu_percent']:.3f} % CPU, RSS {out['rss_kib_end'] / 1024:.1f} MiB (peak {out['hwm_kib'] / 1024:.1f}), "
        f"{out['wakeups_per_s']:.1f} context switches/s, start-up scan {out['startup_scan_s']:.1f} s")
    return out


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

ORDER = ["find", "stat-walk", "cat", "md5sum", "gleaner-full", "gleaner-reindex", "gleaner-change1", "recoll-full"]
LABELS = {
    "find": "find -type f",
    "stat-walk": "stat walk (find -printf)",
    "cat": "cat, 2 procs",
    "md5sum": "md5sum, 2 procs",
    "gleaner-full": "**gleaner full index**",
    "gleaner-reindex": "**gleaner no-change re-index**",
    "gleaner-change1": "**gleaner re-index, one file changed**",
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
                 f"{mach['nproc']} × {mach['cpu']}, {mach['memory_gib']} GiB, {mach['disk']}"
                 + (f", Linux {mach['kernel']}" if mach.get("kernel") else "")
                 + (f"; load average {m['loadavg_start']} at the start, {m['loadavg_end']} at the end"
                    if m.get("loadavg_start") else "")
                 + f". Whole run {m['duration_s']:.0f} s.")
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
    c1 = (ratios_.get("gleaner-change1") or {}).get("stat-walk")
    if c1:
        cc = r["summary"]["gleaner-change1"].get("counts") or {}
        head.append(f"- **One file changed: re-index {r['summary']['gleaner-change1']['median_s']:.3f} s = "
                    f"{c1['median']:.2f}× the stat walk** (range {c1['min']:.2f}–{c1['max']:.2f}×; counts: "
                    f"modified {cc.get('modified')}, new {cc.get('new')}, bytes_read {cc.get('bytes_read')}).")
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
    idle = r.get("idle")
    if idle:
        ss = idle["startup_scan"]
        lines.append(f"Idle daemon (`gleaner daemon` watching the indexed corpus, nothing changing, "
                     f"{idle['window_s']:.0f} s window after its start-up scan): "
                     f"**{idle['cpu_percent']:.3f} % CPU** ({idle['cpu_s']:.2f} s of CPU), "
                     f"**RSS {idle['rss_kib_end'] / 1024:.1f} MiB** (peak VmHWM {idle['hwm_kib'] / 1024:.1f} MiB, "
                     f"{idle['rss_kib_start'] / 1024:.1f} MiB when the window opened"
                     + (f"; at the end {idle['rss_anon_kib_end'] / 1024:.1f} MiB anonymous, "
                        f"{idle['rss_file_kib_end'] / 1024:.1f} MiB file-backed" if idle.get("rss_anon_kib_end") else "")
                     + f"), {idle['threads']} threads, "
                     f"{idle['wakeups_per_s']:.2f} context switches/s ({idle['ctxt_voluntary']} voluntary, "
                     f"{idle['ctxt_nonvoluntary']} involuntary). Its start-up scan (no change) took "
                     f"{idle['startup_scan_s']:.1f} s ({ss.get('unchanged')} unchanged, {ss.get('modified')} modified, "
                     f"{ss.get('new')} new); ready {idle['daemon_ready_s']:.1f} s after launch.")
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
