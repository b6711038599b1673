// The command wrappers must send exactly the argument names the Rust
// commands take (src-tauri/commands.rs), or tauri rejects the call.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as api from "./api";

beforeAll(() => {
  // The mocks live on `window`; vitest runs these tests in Node.
  (globalThis as unknown as { window: typeof globalThis }).window = globalThis;
});

afterEach(() => clearMocks());

function record(answer: unknown = null) {
  const calls: Array<{ cmd: string; args: unknown }> = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    return answer;
  });
  return calls;
}

describe("commands", () => {
  it("adds a source with its rules", async () => {
    const calls = record({ id: 1 });
    await api.addSource({ path: "/notes", include: ["*.md"], exclude: [], recursive: true });
    expect(calls).toEqual([
      { cmd: "add_source", args: { path: "/notes", include: ["*.md"], exclude: [], recursive: true } },
    ]);
  });

  it("controls jobs by id and all indexing by flag", async () => {
    const calls = record();
    await api.pauseJob("j1");
    await api.resumeJob("j1");
    await api.cancelJob("j1");
    await api.setIndexingPaused(true);
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ["pause_job", { id: "j1" }],
      ["resume_job", { id: "j1" }],
      ["cancel_job", { id: "j1" }],
      ["set_indexing_paused", { paused: true }],
    ]);
  });

  it("searches with a limit and opens paths", async () => {
    const calls = record([]);
    await api.search("borrow checker");
    await api.openPath("/notes/a.md");
    expect(calls).toEqual([
      { cmd: "search", args: { query: "borrow checker", limit: 50 } },
      { cmd: "open_path", args: { path: "/notes/a.md" } },
    ]);
  });

  it("edits a source's rules, lists failed files, changes start at login", async () => {
    const calls = record(true);
    await api.updateSource({ path: "/notes", include: [], exclude: ["drafts/"], recursive: false });
    await api.failedFiles(3);
    await api.setStartAtLogin(true);
    await api.getStartAtLogin();
    await api.getSettings();
    expect(calls.map((c) => [c.cmd, c.args])).toEqual([
      ["update_source", { path: "/notes", include: [], exclude: ["drafts/"], recursive: false }],
      // Tauri maps camelCase arguments to the command's snake_case `source_id`.
      ["failed_files", { sourceId: 3 }],
      ["set_start_at_login", { enabled: true }],
      ["get_start_at_login", {}],
      ["get_settings", {}],
    ]);
  });

  it("passes command errors on as text", async () => {
    mockIPC(() => {
      throw "/x is not inside any source";
    });
    const error = await api.openPath("/x").catch((e: unknown) => e);
    expect(api.errorText(error)).toBe("/x is not inside any source");
  });
});
