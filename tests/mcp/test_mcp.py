"""End-to-end tests of `gleaner mcp`, driven by the official MCP Python SDK.

Each test gets a fresh data directory and a folder of files, starts the real
`gleaner mcp` over stdio with the SDK's own client (which fails on anything
on stdout that is not the protocol), and stops the engine the server started
when it ends. Run with tests/mcp/run.sh, which sets up the SDK.

The server is read-only by default: a test that indexes or controls jobs
first allows changes (`gleaner config set mcp.allow_changes true`) and the
test's temp folder as a root (`mcp.allowed_roots`), as a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

GLEANER = os.environ.get("GLEANER_BIN") or str(
    Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/gleaner-target"))
    / "debug"
    / "gleaner"
)

READ_TOOLS = {
    "get_indexing_status",
    "list_indexing_jobs",
    "search_documents",
    "get_document",
    "list_sources",
    "get_health",
}
CHANGE_TOOLS = {
    "start_background_indexing",
    "pause_indexing",
    "resume_indexing",
    "cancel_indexing",
}
TOOLS = READ_TOOLS | CHANGE_TOOLS

UNKNOWN_JOB = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def anyio_backend():
    return "asyncio"


class World:
    """A temp data directory and docs folder, and the gleaner CLI on them."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.docs = root / "docs"
        self.docs.mkdir()
        self.env = environment()

    def allow_changes(self, *roots: Path) -> None:
        """What the user does to let an assistant index: allow changes, and
        (by default) the test's temp folder as the one allowed root."""
        roots = roots or (self.root,)
        self.cli("config", "set", "mcp.allow_changes", "true")
        self.cli("config", "set", "mcp.allowed_roots", json.dumps([str(r) for r in roots]))

    def fake_home(self) -> Path:
        """A home folder in the temp dir, with an SSH key in it, that the
        server (and the engine it starts) take as $HOME."""
        home = self.root / "home"
        (home / ".ssh").mkdir(parents=True)
        (home / ".ssh" / "id_ed25519").write_text(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nsecretkeymaterial\n"
        )
        (home / "notes").mkdir()
        (home / "notes" / "plan.md").write_text("The garden plan: plant tomatoes.\n")
        self.env["HOME"] = str(home)
        return home

    def write(self, rel: str, text: str) -> Path:
        path = self.docs / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def cli(self, *args: str) -> str:
        out = subprocess.run(
            [GLEANER, "--data-dir", str(self.data), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env,
        )
        assert out.returncode == 0, f"gleaner {args}: {out.stderr}"
        return out.stdout

    def server(self, *extra: str) -> StdioServerParameters:
        return StdioServerParameters(
            command=GLEANER,
            args=["--data-dir", str(self.data), *extra, "mcp"],
            env=self.env,
        )


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "GLEANER_DATA_DIR"}
    env.setdefault("GLEANER_LOG", "info")
    return env


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    # Stop the engine the server started (a no-op when none runs).
    subprocess.run(
        [GLEANER, "--data-dir", str(w.data), "stop"],
        capture_output=True,
        timeout=60,
        env=w.env,
    )


@asynccontextmanager
async def connect(world: World):
    with open(world.data.parent / "mcp-stderr.log", "a") as errlog:
        async with stdio_client(world.server(), errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


async def call(session: ClientSession, tool: str, **arguments):
    """Calls a tool that must succeed; returns its structured result."""
    result = await session.call_tool(tool, arguments)
    text = " ".join(getattr(c, "text", "") for c in result.content)
    assert not result.is_error, f"{tool}({arguments}) failed: {text}"
    data = result.structured_content
    assert isinstance(data, dict), f"{tool}: no structured content: {text}"
    assert json.loads(text) == data, "the text content is the same JSON"
    return data


async def call_error(session: ClientSession, tool: str, **arguments) -> str:
    """Calls a tool that must fail as a tool result; returns its message."""
    result = await session.call_tool(tool, arguments)
    text = " ".join(getattr(c, "text", "") for c in result.content)
    assert result.is_error, f"{tool}({arguments}) should have failed, got {text}"
    assert text.strip(), "an error says why"
    return text


async def wait_for_status(session, job_id: str, wanted: str, limit: float = 60.0):
    deadline = time.monotonic() + limit
    while True:
        status = await call(session, "get_indexing_status", job_id=job_id)
        if status["status"] == wanted:
            return status
        assert status["status"] not in {"failed", "cancelled"} or wanted in {
            "failed",
            "cancelled",
        }, status
        assert time.monotonic() < deadline, f"job never became {wanted}: {status}"
        await anyio.sleep(0.1)


def sample_docs(world: World):
    world.write(
        "notes/narwhal.md",
        "# Sea creatures\n\nSome intro line.\n\nThe narwhal has a long tusk.\nIt lives in arctic waters.\n",
    )
    world.write("b.txt", "A plain text file about otters and beavers.\n")
    world.write("skip.log", "narwhal in a log file that the rules exclude\n")
    line = "walrus " * 14 + "\n"  # 99 characters a line
    world.write("big.txt", line * 2000)


@pytest.mark.anyio
async def test_lists_all_tools_with_schemas(world):
    world.allow_changes()
    async with connect(world) as session:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 30, tool.name
        assert tool.input_schema["type"] == "object", tool.name
    required = lambda name: set(tools[name].input_schema.get("required", []))  # noqa: E731
    assert required("start_background_indexing") == {"directory"}
    assert set(tools["start_background_indexing"].input_schema["properties"]) == {
        "directory",
        "recursive",
        "include",
        "exclude",
    }
    assert required("search_documents") == {"query"}
    assert {"query", "limit", "source"} <= set(
        tools["search_documents"].input_schema["properties"]
    )
    assert required("get_document") == {"path"}
    for name in ("pause_indexing", "resume_indexing", "cancel_indexing"):
        assert required(name) == {"job_id"}, name
    assert required("get_indexing_status") == set()
    assert "status" in tools["list_indexing_jobs"].input_schema["properties"]


@pytest.mark.anyio
async def test_index_in_background_then_search_and_read(world):
    sample_docs(world)
    world.allow_changes()
    async with connect(world) as session:
        started = await call(
            session,
            "start_background_indexing",
            directory=str(world.docs),
            exclude=["*.log"],
        )
        job_id = started["job_id"]
        assert started["source_added"] is True
        assert started["directory"] == str(world.docs.resolve())

        done = await wait_for_status(session, job_id, "completed")
        # Three files (skip.log is excluded), read by this job, or found
        # unchanged when the engine's start-up scan of the new source ran first.
        assert done["indexed_files"] + done["unchanged"] == 3, json.dumps(done)
        assert done["indexed_files"] == done["total_files"]
        assert done["failed_files"] == 0 and done["failed"] == []
        assert done["error"] is None

        found = await call(session, "search_documents", query="narwhal")
        assert found["count"] == 1, found
        hit = found["hits"][0]
        assert hit["path"] == str((world.docs / "notes/narwhal.md").resolve())
        assert "**narwhal**" in hit["snippet"]
        assert isinstance(hit["line_start"], int) and isinstance(hit["line_end"], int)
        assert 1 <= hit["line_start"] <= 5 <= hit["line_end"]
        assert hit["score"] > 0
        fresh = found["freshness"]
        assert fresh["engine_running"] is True
        assert fresh["jobs_unfinished"] == []
        assert fresh["last_successful_scan"]["job_id"] == job_id
        assert fresh["sources"][0]["last_full_scan"].endswith("Z")
        assert fresh["up_to_date"] is True
        assert fresh["note"]

        limited = await call(session, "search_documents", query="walrus OR otters", limit=1)
        assert limited["count"] == 1
        only = await call(
            session, "search_documents", query="otters", source=str(world.docs)
        )
        assert only["hits"][0]["path"].endswith("b.txt")

        doc = await call(session, "get_document", path=hit["path"])
        assert "The narwhal has a long tusk." in doc["text"]
        assert doc["truncated"] is False and doc["next_offset"] is None

        big = str(world.docs / "big.txt")
        part = await call(session, "get_document", path=big, max_chars=1000)
        assert part["returned_chars"] == 1000 == len(part["text"])
        assert part["total_chars"] > 100_000
        assert part["truncated"] is True and part["next_offset"] == 1000
        default = await call(session, "get_document", path=big)
        assert len(default["text"]) == 20_000, "bounded by default"
        rest = await call(
            session, "get_document", path=big, offset=part["total_chars"] - 10
        )
        assert rest["returned_chars"] == 10 and rest["truncated"] is False

        sources = await call(session, "list_sources")
        assert sources["count"] == 1
        source = sources["sources"][0]
        assert source["path"] == str(world.docs.resolve())
        assert source["documents"] == 3
        assert source["exclude"] == ["*.log"]
        assert source["indexing_now"] is False

        health = await call(session, "get_health")
        assert health["engine"] is not None and health["engine"]["pid"] > 0
        assert health["documents"] == 3
        assert health["last_successful_scan"]["job_id"] == job_id

        listed = await call(session, "list_indexing_jobs", status="completed")
        assert job_id in [job["id"] for job in listed["jobs"]]
        overview = await call(session, "get_indexing_status")
        assert job_id in [job["id"] for job in overview["jobs"]]
        assert "healthy" in overview["health"]

        # New rules for an existing source: the next job applies them.
        again = await call(
            session, "start_background_indexing", directory=str(world.docs), exclude=[]
        )
        assert again["source_added"] is False and again["rules_changed"] is True
        await wait_for_status(session, again["job_id"], "completed")
        logs = await call(session, "search_documents", query="narwhal")
        assert logs["count"] == 2, "skip.log is indexed once not excluded"


@pytest.mark.anyio
async def test_a_name_that_is_not_utf8_is_read_by_what_search_returned(world):
    docs = os.fsencode(world.docs)
    # Latin-1 names, differing in one byte that is not UTF-8.
    with open(docs + b"/caf\xe9.txt", "wb") as f:
        f.write(b"The quokka smiles at tourists.\n")
    with open(docs + b"/caf\xe8.txt", "wb") as f:
        f.write(b"The wombat digs a burrow.\n")
    world.allow_changes()
    async with connect(world) as session:
        started = await call(
            session, "start_background_indexing", directory=str(world.docs), exclude=["*.log"]
        )
        await wait_for_status(session, started["job_id"], "completed")
        found = await call(session, "search_documents", query="quokka")
        hit = found["hits"][0]["path"]
        assert hit == str(world.docs.resolve()) + "/caf\ufffdE9.txt", hit
        doc = await call(session, "get_document", path=hit)
        assert doc["text"].strip() == "The quokka smiles at tourists."
        assert doc["path"] == hit
        # One byte apart is the other file; the lossy spelling is none.
        other = await call(session, "get_document", path=hit.replace("E9", "E8"))
        assert "wombat" in other["text"]
        lossy = str(world.docs.resolve()) + "/caf\ufffd.txt"
        message = await call_error(session, "get_document", path=lossy)
        assert "is not in the index" in message
        # The name is decoded to its bytes before the disk is asked: through a
        # link it is the same file; a file not indexed is answered as none is.
        link = world.data.parent / "link"
        link.symlink_to(world.docs, target_is_directory=True)
        linked = await call(session, "get_document", path=str(link) + "/caf\ufffdE9.txt")
        assert linked["path"] == hit
        with open(docs + b"/excluded\xe9.log", "wb") as f:
            f.write(b"The quokka, excluded by the rules.\n")
        excluded = str(world.docs.resolve()) + "/excluded\ufffdE9.log"
        message = await call_error(session, "get_document", path=excluded)
        assert "is not in the index" in message, message


@pytest.mark.anyio
async def test_pause_resume_and_cancel(world):
    world.write("a.txt", "narwhal")
    world.allow_changes()
    # Pause all indexing first, so jobs wait in the queue and each state can
    # be observed without racing the indexer (as tests/jobs.rs does).
    world.cli("pause")
    async with connect(world) as session:
        started = await call(session, "start_background_indexing", directory=str(world.docs))
        job_id = started["job_id"]
        assert any("paused" in w for w in started["warnings"]), started
        assert (await call(session, "get_indexing_status", job_id=job_id))["status"] == "queued"

        paused = await call(session, "pause_indexing", job_id=job_id)
        assert paused["status"] == "paused"
        status = await call(session, "get_indexing_status", job_id=job_id)
        assert status["status"] == "paused"
        assert status["pause_reason"] == "paused by user"
        assert (await call(session, "list_indexing_jobs", status="paused"))["count"] == 1

        resumed = await call(session, "resume_indexing", job_id=job_id)
        assert resumed["status"] == "queued"
        assert resumed["indexing_paused"] is True
        assert "gleaner resume" in resumed["note"]

        world.cli("resume")
        await wait_for_status(session, job_id, "completed")
        assert (await call(session, "search_documents", query="narwhal"))["count"] == 1

        # A finished job cannot be paused: a clear tool error, not a crash.
        message = await call_error(session, "pause_indexing", job_id=job_id)
        assert "completed" in message

        world.cli("pause")
        doomed = (await call(session, "start_background_indexing", directory=str(world.docs)))[
            "job_id"
        ]
        cancelled = await call(session, "cancel_indexing", job_id=doomed)
        assert cancelled["status"] == "cancelled"
        message = await call_error(session, "resume_indexing", job_id=doomed)
        assert "cancelled" in message
        world.cli("resume")


@pytest.mark.anyio
async def test_bad_arguments_are_tool_errors(world):
    world.write("a.txt", "narwhal")
    world.allow_changes()
    async with connect(world) as session:
        missing = str(world.docs / "no-such-folder")
        message = await call_error(session, "start_background_indexing", directory=missing)
        assert "no such directory" in message and "no-such-folder" in message
        message = await call_error(session, "start_background_indexing")
        assert "directory" in message
        message = await call_error(session, "start_background_indexing", directory="docs")
        assert "absolute" in message
        message = await call_error(
            session,
            "start_background_indexing",
            directory=str(world.docs),
            include=["[unclosed"],
        )
        assert "glob" in message

        for tool in ("get_indexing_status", "pause_indexing", "resume_indexing", "cancel_indexing"):
            message = await call_error(session, tool, job_id=UNKNOWN_JOB)
            assert f"no indexing job {UNKNOWN_JOB}" in message, (tool, message)
        message = await call_error(session, "pause_indexing", job_id="  ")
        assert "job_id is empty" in message
        message = await call_error(session, "list_indexing_jobs", status="sleeping")
        assert "sleeping" in message

        for query in ("", "   ", "-onlyexcluded"):
            message = await call_error(session, "search_documents", query=query)
            assert "query" in message, message
        message = await call_error(
            session, "search_documents", query="narwhal", source=str(world.docs)
        )
        assert "not a source" in message
        message = await call_error(session, "get_document", path=str(world.docs / "a.txt"))
        assert "is not in the index" in message
        message = await call_error(session, "get_document", path=str(world.docs / "gone.txt"))
        assert "is not in the index" in message

        # The server is still there, and no error started an engine.
        health = await call(session, "get_health")
        assert health["engine"] is None
        assert (await call(session, "list_sources"))["count"] == 0


def test_stdout_carries_only_the_protocol(world):
    """Raw pipes, debug logging on: every stdout line is a JSON-RPC message."""
    world.write("a.txt", "narwhal")
    world.allow_changes()
    requests = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "start_background_indexing", "arguments": {"directory": str(world.docs)}},
        },
        {
            "jsonrpc": "2.0",
            "id": 4,
            "method": "tools/call",
            "params": {"name": "search_documents", "arguments": {"query": ""}},
        },
        {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "get_health"}},
    ]
    env = dict(world.env)
    env["GLEANER_LOG"] = "debug"
    server = subprocess.Popen(
        [GLEANER, "--data-dir", str(world.data), "-vv", "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    answers = []
    for request in requests:
        server.stdin.write(json.dumps(request) + "\n")
        server.stdin.flush()
        if "id" in request:
            answers.append(json.loads(server.stdout.readline()))
    # communicate() closes stdin: the end of the session.
    rest, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    assert rest == "", f"stray output on stdout: {rest!r}"
    assert [a["id"] for a in answers] == [1, 2, 3, 4, 5]
    assert all(a["jsonrpc"] == "2.0" and "result" in a for a in answers), answers
    assert answers[3]["result"]["isError"] is True
    assert stderr.strip(), "the logs went to stderr"


# --- What an assistant may do: read-only by default, folders only inside
# --- the roots the user allowed, never a protected folder.

ALLOW_HINT = "gleaner config set mcp.allow_changes true"


def same_answer(first: str, first_path: str, second: str, second_path: str) -> None:
    """Two refusals are the same sentence once the paths they name are set aside."""
    assert first.replace(first_path, "PATH") == second.replace(second_path, "PATH"), (
        first,
        second,
    )


async def assert_nothing_indexed(session, *secrets: str) -> None:
    assert (await call(session, "list_sources"))["count"] == 0
    for word in secrets:
        assert (await call(session, "search_documents", query=word))["count"] == 0, word


@pytest.mark.anyio
async def test_by_default_the_server_is_read_only(world):
    world.write("a.txt", "narwhal")
    async with connect(world) as session:
        tools = {tool.name for tool in (await session.list_tools()).tools}
        assert tools == READ_TOOLS, "no tool that changes anything is listed"

        # Called anyway: a tool error saying how the user allows it.
        message = await call_error(
            session, "start_background_indexing", directory=str(world.docs)
        )
        assert ALLOW_HINT in message, message
        assert "gleaner source add" in message, message
        for tool in ("pause_indexing", "resume_indexing", "cancel_indexing"):
            message = await call_error(session, tool, job_id=UNKNOWN_JOB)
            assert ALLOW_HINT in message, (tool, message)
        await assert_nothing_indexed(session, "narwhal")
        assert (await call(session, "get_health"))["engine"] is None, "no engine started"

        # The setting is read on every call: the user's `config set` applies
        # to a server already running.
        world.cli("config", "set", "mcp.allow_changes", "true")
        tools = {tool.name for tool in (await session.list_tools()).tools}
        assert tools == TOOLS
        world.cli("config", "set", "mcp.allow_changes", "false")
        tools = {tool.name for tool in (await session.list_tools()).tools}
        assert tools == READ_TOOLS


@pytest.mark.anyio
async def test_without_allowed_roots_no_folder_is_added(world):
    home = world.fake_home()
    world.write("a.txt", "narwhal")
    world.cli("config", "set", "mcp.allow_changes", "true")
    async with connect(world) as session:
        ssh = await call_error(session, "start_background_indexing", directory="~/.ssh")
        assert "protected" in ssh and "gleaner source add" in ssh, ssh
        # The same answer for a dot-folder that does not exist: a refusal
        # never tells what is on disk.
        gnupg = await call_error(session, "start_background_indexing", directory="~/.gnupg")
        same_answer(ssh, str(home / ".ssh"), gnupg, str(home / ".gnupg"))
        for directory in ("/", "/etc", "/proc/self", str(home / "notes/../.ssh/")):
            message = await call_error(session, "start_background_indexing", directory=directory)
            assert "protected" in message, (directory, message)

        docs = await call_error(session, "start_background_indexing", directory=str(world.docs))
        assert f"gleaner source add {world.docs}" in docs, docs
        assert "Settings → Sources" in docs, docs
        missing = str(world.root / "no-such-folder")
        none = await call_error(session, "start_background_indexing", directory=missing)
        same_answer(docs, str(world.docs), none, missing)
        await assert_nothing_indexed(session, "secretkeymaterial", "narwhal", "tomatoes")

        # Once the user adds the folder, the assistant may index it again,
        # but not change its rules outside an allowed root.
        world.cli("source", "add", str(world.docs))
        started = await call(session, "start_background_indexing", directory=str(world.docs))
        assert started["source_added"] is False
        await wait_for_status(session, started["job_id"], "completed")
        assert (await call(session, "search_documents", query="narwhal"))["count"] == 1
        message = await call_error(
            session, "start_background_indexing", directory=str(world.docs), exclude=["*.txt"]
        )
        assert "gleaner source add" in message, message
        source = (await call(session, "list_sources"))["sources"][0]
        assert source["exclude"] == [], "the rules did not change"
        assert (await call(session, "search_documents", query="secretkeymaterial"))["count"] == 0


@pytest.mark.anyio
async def test_an_allowed_home_still_keeps_its_dot_folders(world):
    home = world.fake_home()
    (home / "keys").symlink_to(home / ".ssh", target_is_directory=True)
    world.allow_changes(home)
    async with connect(world) as session:
        notes = await call(session, "start_background_indexing", directory="~/notes")
        assert notes["source_added"] is True
        assert notes["directory"] == str((home / "notes").resolve())
        await wait_for_status(session, notes["job_id"], "completed")
        assert (await call(session, "search_documents", query="tomatoes"))["count"] == 1

        for directory in (
            str(home / ".ssh"),
            "~/.ssh",
            str(home / "notes" / ".." / ".ssh"),
            str(home / "keys"),  # a link to ~/.ssh, resolved before deciding
            "~/.config/gleaner",
        ):
            message = await call_error(session, "start_background_indexing", directory=directory)
            assert "gleaner source add" in message, (directory, message)
        sources = await call(session, "list_sources")
        assert [s["path"] for s in sources["sources"]] == [notes["directory"]]
        assert (await call(session, "search_documents", query="secretkeymaterial"))["count"] == 0
        message = await call_error(
            session, "get_document", path=str(home / ".ssh" / "id_ed25519")
        )
        assert "secretkeymaterial" not in message and "is not in the index" in message

    # Naming the dot-folder itself as a root is the user's explicit choice.
    world.allow_changes(home, home / ".ssh")
    async with connect(world) as session:
        ssh = await call(session, "start_background_indexing", directory="~/.ssh")
        assert ssh["source_added"] is True


@pytest.mark.anyio
async def test_get_document_answers_alike_for_any_file_outside_the_index(world):
    world.write("a.txt", "narwhal")
    outside = world.root / "outside.txt"
    outside.write_text("confidential outside the sources\n")
    with open(os.fsencode(world.root) + b"/caf\xe9.txt", "wb") as f:
        f.write(b"confidential latin-1 name\n")
    world.allow_changes(world.docs)
    async with connect(world) as session:
        started = await call(session, "start_background_indexing", directory=str(world.docs))
        await wait_for_status(session, started["job_id"], "completed")
        docs = str(world.docs.resolve())
        assert "narwhal" in (await call(session, "get_document", path=docs + "/a.txt"))["text"]
        asked = {
            "existing": str(outside),
            "missing": str(world.root / "missing.txt"),
            "dot-dot, existing": docs + "/../outside.txt",
            "dot-dot, missing": docs + "/../missing.txt",
            "not UTF-8, existing": str(world.root) + "/caf\ufffdE9.txt",
            "not UTF-8, missing": str(world.root) + "/caf\ufffdE8.txt",
        }
        answers = {}
        for what, path in asked.items():
            message = await call_error(session, "get_document", path=path)
            assert "confidential" not in message, (what, message)
            answers[what] = message.replace(path, "PATH")
        assert len(set(answers.values())) == 1, answers


def raw_server(world: World) -> subprocess.Popen:
    return subprocess.Popen(
        [GLEANER, "--data-dir", str(world.data), "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=world.env,
    )


def exchange(server: subprocess.Popen, line: str) -> dict:
    """Writes one line and reads the one line of answer (with a ceiling)."""
    server.stdin.write(line + "\n")
    server.stdin.flush()
    ready: list[str] = []

    def read() -> None:
        ready.append(server.stdout.readline())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert ready and ready[0], f"no answer to {line!r}"
    return json.loads(ready[0])


def test_a_line_that_is_not_json_gets_a_parse_error(world):
    """JSON-RPC 2.0: -32700 for a line that is not JSON, and the session goes on."""
    server = raw_server(world)
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"},
        },
    }
    assert "result" in exchange(server, json.dumps(initialize))
    server.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    for garbage in ("this is not json", '{"jsonrpc": "2.0", "id": 2, "method": '):
        answer = exchange(server, garbage)
        assert answer["jsonrpc"] == "2.0"
        assert answer["error"]["code"] == -32700, answer
        assert answer.get("id") is None, "no id could be read"
    # Well-formed JSON that is no message is an invalid request (rmcp's own answer).
    assert exchange(server, "[1, 2, 3]")["error"]["code"] == -32600
    listed = exchange(server, json.dumps({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}))
    assert listed["id"] == 3 and {t["name"] for t in listed["result"]["tools"]} == READ_TOOLS
    rest, stderr = server.communicate(timeout=30)
    assert server.returncode == 0, stderr
    assert rest == "", f"stray output on stdout: {rest!r}"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
