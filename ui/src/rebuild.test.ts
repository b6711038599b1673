// The "Rebuild index" banner: shown when the engine refused the index file,
// the click going to the `rebuild_index` command, and what the result says.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as api from "./api";
import type { RebuildReport, Snapshot } from "./api";
import { HIDDEN, onRebuildClicked, onRebuilt, onStatus, reportLines, type Banner } from "./rebuild";

const REASON = "/data/gleaner.db is not a usable Gleaner index: file is not a database";

function snapshot(corrupt: boolean): Snapshot {
  return {
    line: corrupt ? "Not indexing: the index is damaged; rebuild it in Settings" : "Up to date · 4 documents",
    state: corrupt ? "error" : "idle",
    paused: false,
    engine: corrupt ? "failed" : "hosted",
    engine_error: corrupt ? REASON : null,
    corrupt_index: corrupt,
    documents: 0,
    sources: [],
    jobs: [],
    start_at_login: false,
  };
}

const report = (over: Partial<RebuildReport> = {}): RebuildReport => ({
  kept_at: "/data/gleaner.db.corrupt-20260514T101500Z",
  sources: [],
  sources_missing: [],
  sources_lost: null,
  ...over,
});

beforeAll(() => {
  (globalThis as unknown as { window: typeof globalThis }).window = globalThis;
});
afterEach(() => clearMocks());

describe("when the banner shows", () => {
  it("offers the rebuild only for a damaged index, with the engine's reason", () => {
    expect(onStatus(HIDDEN, snapshot(false))).toEqual(HIDDEN);
    expect(onStatus(HIDDEN, snapshot(true))).toEqual({ kind: "offer", reason: REASON, error: null });
    // Another engine failure is not a damaged index: no rebuild offered.
    const failed = { ...snapshot(false), engine: "failed" as const, engine_error: "disk on fire" };
    expect(onStatus(HIDDEN, failed)).toEqual(HIDDEN);
  });

  it("keeps a rebuild under way and its result while statuses arrive", () => {
    const working = onRebuildClicked(onStatus(HIDDEN, snapshot(true)));
    expect(working).toEqual({ kind: "working", reason: REASON });
    expect(onStatus(working!, snapshot(true))).toEqual(working);
    expect(onStatus(working!, snapshot(false))).toEqual(working);
    const done = onRebuilt(working!, { report: report() });
    expect(onStatus(done, snapshot(false))).toEqual(done);
    // Damaged again later: offered again.
    expect(onStatus(done, snapshot(true)).kind).toBe("offer");
  });

  it("hides once the index is sound again without a rebuild from here", () => {
    const offer = onStatus(HIDDEN, snapshot(true));
    expect(onStatus(offer, snapshot(false))).toEqual(HIDDEN);
  });

  it("shows a refusal beside the button and lets the user try again", () => {
    const working = onRebuildClicked(onStatus(HIDDEN, snapshot(true)))!;
    const refused = onRebuilt(working, { error: "an engine is using the index" });
    expect(refused).toEqual({ kind: "offer", reason: REASON, error: "an engine is using the index" });
    expect(onStatus(refused, snapshot(true))).toEqual(refused);
    expect(onRebuildClicked(refused)).toEqual(working);
    expect(onRebuildClicked(HIDDEN)).toBeNull();
    expect(onRebuildClicked(working)).toBeNull();
  });
});

describe("what the result says", () => {
  it("names where the old file was kept and the folders recovered", () => {
    expect(reportLines(report({ sources: ["/home/me/notes"] }))).toEqual([
      "The old index was kept as /data/gleaner.db.corrupt-20260514T101500Z.",
      "1 folder recovered and being indexed again: /home/me/notes.",
    ]);
    expect(reportLines(report({ sources: ["/a", "/b"] }))[1]).toBe("2 folders recovered and being indexed again: /a, /b.");
  });

  it("says when the folders must be added again, and which are gone", () => {
    const lost = reportLines(report({ sources_lost: "file is not a database" }));
    expect(lost[1]).toBe("Its folders could not be read (file is not a database): add them again under Sources.");
    const missing = reportLines(
      report({ sources: ["/a"], sources_missing: [{ path: "/mnt/usb", reason: "no such folder" }] }),
    );
    expect(missing.slice(1)).toEqual([
      "1 folder recovered and being indexed again: /a.",
      "Not added again: /mnt/usb (no such folder).",
    ]);
    expect(reportLines(report({ kept_at: null }))).toEqual([
      "There was no index file; a new one was created.",
      "It had no folders: add one under Sources.",
    ]);
  });
});

describe("the command", () => {
  it("calls rebuild_index with no arguments and passes its report or refusal on", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return report({ sources: ["/a"] });
    });
    const banner: Banner = onRebuildClicked(onStatus(HIDDEN, snapshot(true)))!;
    const done = onRebuilt(banner, { report: await api.rebuildIndex() });
    expect(calls).toEqual([["rebuild_index", {}]]);
    expect(done).toEqual({ kind: "done", report: report({ sources: ["/a"] }) });
    clearMocks();
    mockIPC(() => {
      throw "the index is not damaged: there is nothing to rebuild";
    });
    const error = await api.rebuildIndex().catch((e: unknown) => api.errorText(e));
    expect(onRebuilt(banner, { error: String(error) })).toEqual({
      kind: "offer",
      reason: REASON,
      error: "the index is not damaged: there is nothing to rebuild",
    });
  });
});
