"""End-to-end tests of the loopback HTTP API, with a real HTTP client.

Each test gets a fresh data directory and a folder of files (a configured
source), starts the real `gleaner daemon --http 127.0.0.1:PORT` on a free
port, talks to it with `requests`, and stops the engine at the end. The
served OpenAPI document is checked with openapi-spec-validator, and answers
are checked against its schemas. Run with tests/http/run.sh.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest
import requests
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate as validate_spec

GLEANER = os.environ.get("GLEANER_BIN") or str(
    Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/gleaner-target"))
    / "debug"
    / "gleaner"
)

UNKNOWN_JOB = "00000000-0000-4000-8000-000000000000"

# Every route, with a request that needs no particular state.
ROUTES = [
    ("POST", "/v1/ingest"),
    ("POST", "/v1/documents"),
    ("GET", "/v1/status"),
    ("GET", "/v1/health"),
    ("GET", "/v1/jobs"),
    ("GET", f"/v1/jobs/{UNKNOWN_JOB}"),
    ("POST", f"/v1/jobs/{UNKNOWN_JOB}/pause"),
    ("POST", f"/v1/jobs/{UNKNOWN_JOB}/resume"),
    ("POST", f"/v1/jobs/{UNKNOWN_JOB}/cancel"),
    ("GET", "/v1/search?q=x"),
    ("GET", "/v1/openapi.json"),
]

# The ceiling of every wait for a state, and of every request. Generous: the
# engine behind the API once took more than a minute to come up on a loaded
# machine, and a ceiling is only reached when something is really stuck.
DEADLINE_S = 180.0


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GLEANER_DATA_DIR"}
    env.setdefault("GLEANER_LOG", "info")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(check, what: str, limit: float = DEADLINE_S):
    """Polls `check` until it returns something truthy; returns that."""
    deadline = time.monotonic() + limit
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class World:
    """A temp data directory, a source folder, and a daemon serving HTTP."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.docs = root / "docs"
        self.outside = root / "outside"
        self.docs.mkdir()
        self.outside.mkdir()
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.daemon: subprocess.Popen | None = None
        self.stderr_path = root / "daemon-stderr.log"

    def write(self, rel: str, text: str, base: Path | None = None) -> Path:
        path = (base or self.docs) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [GLEANER, "--data-dir", str(self.data), *args],
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            env=environment(),
        )
        assert out.returncode == 0, f"gleaner {args}: {out.stderr}"
        return out.stdout

    def start(self):
        with open(self.stderr_path, "ab") as stderr:
            self.daemon = subprocess.Popen(
                [GLEANER, "--data-dir", str(self.data), "daemon", "--http", f"127.0.0.1:{self.port}"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=environment(),
            )
        token_file = self.data / "http.token"
        eventually(lambda: token_file.exists() or self.daemon.poll() is not None, "the token")
        assert self.daemon.poll() is None, self.stderr()
        self.token = token_file.read_text().strip()

        def engine_up():
            try:
                health = self.get("/v1/health")
            except requests.ConnectionError:
                return None
            return health.status_code == 200 and health.json()["engine"] is not None

        eventually(engine_up, "the engine behind the HTTP API")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def get(self, path: str, **kw) -> requests.Response:
        headers = {**self.auth(), **kw.pop("headers", {})}
        return requests.get(self.base + path, headers=headers, timeout=DEADLINE_S, **kw)

    def post(self, path: str, body=None, **kw) -> requests.Response:
        headers = {**self.auth(), **kw.pop("headers", {})}
        return requests.post(self.base + path, json=body, headers=headers, timeout=DEADLINE_S, **kw)

    def wait_idle(self):
        """Until no job is queued or running (the start-up scan included)."""

        def idle():
            jobs = self.get("/v1/jobs?limit=200").json()["jobs"]
            return all(job["status"] not in ("queued", "running") for job in jobs)

        eventually(idle, "the jobs to finish")

    def wait_job(self, job_id: str, wanted: str) -> dict:
        def reached():
            job = self.get(f"/v1/jobs/{job_id}").json()
            assert job["status"] not in {"failed", "cancelled"} or job["status"] == wanted, job
            return job if job["status"] == wanted else None

        return eventually(reached, f"job {job_id} to become {wanted}")

    def stop(self):
        if self.daemon is None:
            return
        if self.daemon.poll() is None:
            subprocess.run(
                [GLEANER, "--data-dir", str(self.data), "stop"],
                capture_output=True,
                timeout=DEADLINE_S,
                env=environment(),
            )
            try:
                self.daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    w.write("notes/narwhal.md", "# Sea creatures\n\nThe narwhal has a long tusk.\n")
    w.write("otters.txt", "A plain text file about otters and beavers.\n")
    w.write("secret.txt", "quetzalcoatl lives outside every source\n", base=w.outside)
    w.cli("source", "add", str(w.docs))
    w.start()
    yield w
    w.stop()


@pytest.fixture
def spec(world) -> dict:
    return world.get("/v1/openapi.json").json()


def check_schema(spec: dict, name: str, value):
    """`value` matches the OpenAPI document's schema `name`."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    OAS30Validator(schema).validate(value)


def assert_error(response: requests.Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/json"
    message = response.json()["error"]
    assert isinstance(message, str) and message
    return message


# --- the guard: token and Host ---------------------------------------------


def test_every_route_needs_the_token(world):
    for method, path in ROUTES:
        response = requests.request(method, world.base + path, timeout=30)
        assert_error(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_wrong_token_is_401(world):
    wrong = "0" * 64
    for method, path in ROUTES:
        for header in (f"Bearer {wrong}", f"Bearer {world.token[:-1]}", world.token, "Basic abc"):
            response = requests.request(
                method, world.base + path, headers={"Authorization": header}, timeout=30
            )
            assert_error(response, 401)


def test_a_foreign_host_header_is_refused_even_with_the_token(world):
    for host in ("attacker.example", f"attacker.example:{world.port}", f"192.168.1.20:{world.port}"):
        message = assert_error(world.get("/v1/status", headers={"Host": host}), 421)
        assert "loopback" in message
    # The loopback names are all fine.
    for host in ("localhost", f"localhost:{world.port}", f"127.0.0.1:{world.port}", "[::1]"):
        assert world.get("/v1/status", headers={"Host": host}).status_code == 200, host


def test_non_loopback_binds_are_refused(tmp_path):
    for addr in (f"0.0.0.0:{free_port()}", f"[::]:{free_port()}", "192.0.2.1:80"):
        out = subprocess.run(
            [GLEANER, "--data-dir", str(tmp_path / "data"), "daemon", "--http", addr],
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            env=environment(),
        )
        assert out.returncode == 1, out
        assert "refusing to serve the HTTP API" in out.stderr and "loopback" in out.stderr, out.stderr
    # No engine was left running.
    status = subprocess.run(
        [GLEANER, "--data-dir", str(tmp_path / "data"), "stop"],
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        env=environment(),
    )
    assert "no Gleaner engine is running" in status.stdout


def test_token_file_is_0600_and_data_dir_0700(world):
    token_mode = stat.S_IMODE((world.data / "http.token").stat().st_mode)
    assert token_mode == 0o600, oct(token_mode)
    dir_mode = stat.S_IMODE(world.data.stat().st_mode)
    assert dir_mode == 0o700, oct(dir_mode)
    assert len(world.token) == 64 and all(c in "0123456789abcdef" for c in world.token)


# --- paths outside the sources ----------------------------------------------


def test_paths_outside_the_sources_are_refused(world):
    secret = world.outside / "secret.txt"
    link = world.docs / "link-to-secret.txt"
    link.symlink_to(secret)
    for path in (
        secret,
        world.docs / ".." / "outside" / "secret.txt",
        link,
        world.outside / "missing.txt",
        Path("/etc/hostname"),
    ):
        message = assert_error(world.post("/v1/documents", {"path": str(path)}), 403)
        assert "outside every active source" in message
    assert_error(world.post("/v1/ingest", {"source": str(world.outside)}), 403)
    assert_error(world.post("/v1/documents", {"path": "docs/otters.txt"}), 400)
    assert_error(world.post("/v1/documents", {"path": str(world.docs)}), 422)
    assert_error(world.post("/v1/documents", {"path": str(world.docs / "missing.md")}), 404)
    # None of it reached the index.
    world.wait_idle()
    assert world.get("/v1/search", params={"q": "quetzalcoatl"}).json()["count"] == 0


# --- the happy paths --------------------------------------------------------


def test_ingest_a_source_then_search(world, spec):
    world.wait_idle()
    world.write("later/penguin.md", "Emperor penguins huddle in the antarctic winter.\n")
    response = world.post("/v1/ingest", {"source": str(world.docs)})
    assert response.status_code == 202, response.text
    ingest = response.json()
    check_schema(spec, "IngestResult", ingest)
    assert len(ingest["job_ids"]) == 1
    job = world.wait_job(ingest["job_ids"][0], "completed")
    check_schema(spec, "Job", job)
    assert job["directory"] == str(world.docs.resolve())

    jobs = world.get("/v1/jobs", params={"status": "completed"}).json()
    check_schema(spec, "JobList", jobs)
    assert ingest["job_ids"][0] in {j["id"] for j in jobs["jobs"]}

    found = world.get("/v1/search", params={"q": "penguin", "limit": 5})
    assert found.status_code == 200, found.text
    result = found.json()
    check_schema(spec, "SearchResult", result)
    assert [hit["path"] for hit in result["hits"]] == [str((world.docs / "later/penguin.md").resolve())]
    assert "**" in result["hits"][0]["snippet"]

    # An empty body scans every active source.
    everything = world.post("/v1/ingest")
    assert everything.status_code == 202, everything.text
    for job_id in everything.json()["job_ids"]:
        world.wait_job(job_id, "completed")


def test_post_a_document_then_search_finds_it_at_once(world, spec):
    world.wait_idle()
    path = world.write("fresh/axolotl.md", "The axolotl regrows its limbs.\n")
    response = world.post("/v1/documents", {"path": str(path)})
    assert response.status_code == 200, response.text
    result = response.json()
    check_schema(spec, "DocumentResult", result)
    assert result == {
        "path": str(path.resolve()),
        "indexed": True,
        "deferred": False,
        "has_text": True,
    }
    # Indexed before the answer: no waiting for the watcher.
    hits = world.get("/v1/search", params={"q": "axolotl"}).json()["hits"]
    assert [hit["path"] for hit in hits] == [str(path.resolve())]


def test_a_name_that_is_not_utf8_is_named_by_what_search_returned(world, spec):
    world.wait_idle()
    docs = os.fsencode(world.docs.resolve())
    # Latin-1 names, differing in one byte that is not UTF-8.
    with open(docs + b"/caf\xe9.txt", "wb") as f:
        f.write(b"The quokka smiles at tourists.\n")
    with open(docs + b"/caf\xe8.txt", "wb") as f:
        f.write(b"The wombat digs a burrow.\n")
    found = eventually(
        lambda: (world.get("/v1/search", params={"q": "quokka"}).json()["hits"] or None),
        "the watcher to index the Latin-1 name",
    )
    hit = found[0]["path"]
    assert hit == str(world.docs.resolve()) + "/caf\ufffdE9.txt", hit
    within = world.get("/v1/search", params={"q": "quokka", "source": str(world.docs.resolve())})
    assert [h["path"] for h in within.json()["hits"]] == [hit], within.text
    # Sent back as it is, it names that file (its neighbour or the lossy
    # spelling would be another file or none), and the engine indexes it.
    with open(docs + b"/caf\xe9.txt", "ab") as f:
        f.write(b"Also a pademelon.\n")
    response = world.post("/v1/documents", {"path": hit})
    assert response.status_code == 200, response.text
    found = world.get("/v1/search", params={"q": "pademelon"}).json()["hits"]
    assert [h["path"] for h in found] == [hit], found
    lossy = str(world.docs.resolve()) + "/caf\ufffd.txt"
    assert_error(world.post("/v1/documents", {"path": lossy}), 404)
    assert world.get("/v1/status").status_code == 200, "the engine is still there"


def test_a_document_posted_while_paused_is_indexed_on_resume(world, spec):
    world.wait_idle()
    world.cli("pause")
    path = world.write("later/okapi.md", "The okapi is a forest giraffe.\n")
    response = world.post("/v1/documents", {"path": str(path)})
    assert response.status_code == 202, response.text
    check_schema(spec, "DocumentResult", response.json())
    assert response.json()["deferred"] is True
    assert response.json()["indexed"] is False
    world.cli("resume")

    def found():
        hits = world.get("/v1/search", params={"q": "okapi"}).json()["hits"]
        return [hit["path"] for hit in hits] == [str(path.resolve())]

    eventually(found, "the deferred document to be indexed")


def test_pause_resume_and_cancel_a_job(world, spec):
    world.wait_idle()
    # With all indexing paused, a queued job stays queued for as long as the
    # test needs it.
    world.cli("pause")
    response = world.post("/v1/ingest", {"source": str(world.docs)})
    assert response.status_code == 202, response.text
    assert any("paused" in w for w in response.json()["warnings"])
    job_id = response.json()["job_ids"][0]
    assert world.get(f"/v1/jobs/{job_id}").json()["status"] == "queued"

    paused = world.post(f"/v1/jobs/{job_id}/pause")
    assert paused.status_code == 200, paused.text
    check_schema(spec, "JobControlResult", paused.json())
    assert paused.json()["status"] == "paused"
    assert_error(world.post(f"/v1/jobs/{job_id}/pause"), 409)

    resumed = world.post(f"/v1/jobs/{job_id}/resume")
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "queued"
    assert resumed.json()["indexing_paused"] is True

    cancelled = world.post(f"/v1/jobs/{job_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert_error(world.post(f"/v1/jobs/{job_id}/resume"), 409)
    assert_error(world.post(f"/v1/jobs/{job_id}/cancel"), 409)
    for action in ("pause", "resume", "cancel"):
        assert_error(world.post(f"/v1/jobs/{UNKNOWN_JOB}/{action}"), 404)

    # A paused and resumed job runs to the end once indexing resumes.
    second = world.post("/v1/ingest", {"source": str(world.docs)}).json()["job_ids"][0]
    assert world.post(f"/v1/jobs/{second}/pause").json()["status"] == "paused"
    assert world.post(f"/v1/jobs/{second}/resume").json()["status"] == "queued"
    world.cli("resume")
    world.wait_job(second, "completed")


def test_status_and_health(world, spec):
    world.wait_idle()
    status = world.get("/v1/status")
    assert status.status_code == 200, status.text
    body = status.json()
    check_schema(spec, "Status", body)
    assert body["engine_running"] is True
    assert body["indexing_paused"] is False
    [source] = body["sources"]
    assert source["path"] == str(world.docs.resolve())
    assert source["documents"] == 2
    assert source["last_scan_status"] == "success"

    health = world.get("/v1/health")
    assert health.status_code == 200, health.text
    report = health.json()
    check_schema(spec, "Health", report)
    assert report["engine"]["pid"] == world.daemon.pid
    assert report["documents"] == 2
    assert report["jobs_unfinished"] == 0


def test_errors_are_json(world, spec):
    for response, status in (
        (world.get("/v1/search"), 400),
        (world.get("/v1/search", params={"q": "x", "limit": "lots"}), 400),
        (world.get("/v1/jobs", params={"status": "sleeping"}), 400),
        (world.get(f"/v1/jobs/{UNKNOWN_JOB}"), 404),
        (world.get("/v1/nope"), 404),
        (world.post("/v1/status"), 405),
        (world.post("/v1/documents", data=b"{not json"), 400),
    ):
        assert_error(response, status)
        check_schema(spec, "Error", response.json())


def test_openapi_document_validates_and_matches_the_routes(world, spec):
    validate_spec(spec)  # raises on an invalid OpenAPI 3.0 document
    documented = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    served = {(method, path.split("?")[0].replace(UNKNOWN_JOB, "{id}")) for method, path in ROUTES}
    assert documented == served


def test_the_api_stops_with_the_engine(world):
    assert world.get("/v1/status").status_code == 200
    world.cli("stop")
    assert world.daemon.wait(timeout=30) == 0, world.stderr()
    with pytest.raises(requests.ConnectionError):
        world.get("/v1/status")
