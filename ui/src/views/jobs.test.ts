import { describe, expect, it } from "vitest";
import type { Job } from "../api";
import { hitPlace } from "./search";
import { jobDetail, nothingToIndex } from "./jobs";

const base: Job = {
  id: "j",
  source_id: 1,
  directory: "/notes",
  recursive: true,
  trigger: "manual",
  status: "running",
  created_at: 0,
  started_at: 0,
  completed_at: null,
  total_files: 5000,
  indexed_files: 1204,
  failed_files: 0,
  total_chunks: 0,
  bytes_processed: 0,
  new: 0,
  modified: 0,
  moved: 0,
  deleted: 0,
  unchanged: 0,
  links_not_followed: 0,
  last_indexed_file: null,
  error: null,
  pause_reason: null,
  files_per_s: 40.2,
  bytes_per_s: 0,
  eta_s: 94.5,
  elapsed_s: 30,
};

describe("jobDetail", () => {
  it("shows progress, rate and ETA while running", () => {
    expect(jobDetail(base, 0)).toBe("1,204 / 5,000 files · 40 files/s · about 1 min 35 s left");
  });

  it("sums up a finished job", () => {
    const done: Job = {
      ...base,
      status: "completed",
      completed_at: 1_000,
      indexed_files: 5000,
      new: 10,
      modified: 2,
      unchanged: 4988,
      failed_files: 3,
      bytes_processed: 2048,
    };
    expect(jobDetail(done, 2_000)).toBe(
      "5,000 / 5,000 files · 12 changed, 4,988 unchanged · 2.0 KB read · finished just now · 3 failed",
    );
  });
});

describe("nothingToIndex", () => {
  const empty: Job = { ...base, status: "completed", completed_at: 1, total_files: 0, indexed_files: 0, unchanged: 0 };
  it("says a folder of links only holds nothing to index", () => {
    expect(nothingToIndex({ ...empty, links_not_followed: 1 })).toContain("holds a symbolic link, and links are not followed");
    expect(nothingToIndex({ ...empty, links_not_followed: 3 })).toContain("holds 3 symbolic links");
    expect(nothingToIndex(empty)).toContain("No file to index in this folder");
  });
  it("says nothing of a scan that found files, or one still running", () => {
    expect(nothingToIndex({ ...empty, unchanged: 4 })).toBeNull();
    expect(nothingToIndex({ ...empty, status: "running" })).toBeNull();
  });
});

describe("hitPlace", () => {
  const hit = {
    path: "/n/a.md",
    score: 1,
    snippet: "",
    line_start: 12,
    line_end: 14,
    name: "a.md",
    format: "markdown",
    size: 1,
    modified_ms: 0,
    name_matched: false,
    source_id: 1,
  };
  it("adds the line range", () => {
    expect(hitPlace(hit)).toBe("/n/a.md:12-14");
    expect(hitPlace({ ...hit, line_end: 12 })).toBe("/n/a.md:12");
    expect(hitPlace({ ...hit, line_start: null, line_end: null })).toBe("/n/a.md");
  });
});
