import { describe, expect, it } from "vitest";
import {
  formatAgo,
  formatBytes,
  formatCount,
  formatDuration,
  formatEta,
  formatRate,
  plural,
  progressFraction,
  searchSummary,
  windowStatusLine,
} from "./format";

describe("formatBytes", () => {
  it("keeps small counts in bytes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1)).toBe("1 B");
    expect(formatBytes(1023)).toBe("1023 B");
  });

  it("uses one decimal below ten units and none above", () => {
    expect(formatBytes(1024)).toBe("1.0 KB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(12.34 * 1024 * 1024)).toBe("12 MB");
    expect(formatBytes(120 * 1024 ** 3)).toBe("120 GB");
  });

  it("carries a rounded 1024 over to the next unit", () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe("1.0 MB");
  });

  it("stops at petabytes", () => {
    expect(formatBytes(2048 * 1024 ** 5)).toBe("2048 PB");
  });

  it("shows nonsense input as ?", () => {
    expect(formatBytes(-1)).toBe("?");
    expect(formatBytes(Number.NaN)).toBe("?");
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe("?");
  });
});

describe("formatDuration", () => {
  it("covers milliseconds to hours", () => {
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(350)).toBe("350 ms");
    expect(formatDuration(4_290)).toBe("4.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(2 * 3_600_000 + 7 * 60_000 + 59_000)).toBe("2 h 07 min");
  });

  it("shows nonsense input as ?", () => {
    expect(formatDuration(-5)).toBe("?");
  });
});

describe("plural", () => {
  it("agrees with the count", () => {
    expect(plural(0, "file")).toBe("0 files");
    expect(plural(1, "file")).toBe("1 file");
    expect(plural(12345, "file")).toBe("12,345 files");
    expect(plural(2, "index", "indexes")).toBe("2 indexes");
  });
});


describe("formatCount", () => {
  it("groups thousands", () => {
    expect(formatCount(12431)).toBe("12,431");
    expect(formatCount(0)).toBe("0");
  });
});

describe("formatEta", () => {
  it("says how long is left, or nothing when unknown", () => {
    expect(formatEta(null)).toBe("");
    expect(formatEta(Number.NaN)).toBe("");
    expect(formatEta(0.2)).toBe("almost done");
    expect(formatEta(42)).toBe("about 42 s left");
    expect(formatEta(185.2)).toBe("about 3 min 06 s left");
  });
});

describe("formatRate", () => {
  it("keeps one decimal for slow rates", () => {
    expect(formatRate(0)).toBe("");
    expect(formatRate(0.46)).toBe("0.5 files/s");
    expect(formatRate(1234.4)).toBe("1,234 files/s");
  });
});

describe("formatAgo", () => {
  const now = 1_700_000_000_000;
  it("reads like speech", () => {
    expect(formatAgo(null, now)).toBe("never");
    expect(formatAgo(now - 10_000, now)).toBe("just now");
    expect(formatAgo(now + 10_000, now)).toBe("just now");
    expect(formatAgo(now - 5 * 60_000, now)).toBe("5 min ago");
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe("3 h ago");
    expect(formatAgo(now - 26 * 3_600_000, now)).toBe("yesterday");
    expect(formatAgo(now - 5 * 86_400_000, now)).toBe("5 days ago");
  });
});

describe("progressFraction", () => {
  it("stays within 0..1", () => {
    expect(progressFraction(5, 10)).toBe(0.5);
    expect(progressFraction(5, 0)).toBe(0);
    expect(progressFraction(12, 10)).toBe(1);
  });
});

describe("windowStatusLine", () => {
  it("points at the part of the window, not at the window", () => {
    expect(windowStatusLine("No folders yet: add one in Settings")).toBe("No folders yet: add one under Sources");
    expect(windowStatusLine("Not indexing: the index is damaged; rebuild it in Settings")).toBe(
      "Not indexing: the index is damaged; rebuild it below",
    );
  });
  it("leaves every other line as the engine said it", () => {
    expect(windowStatusLine("Up to date · 4 documents")).toBe("Up to date · 4 documents");
    expect(windowStatusLine("Indexing 1 / 3")).toBe("Indexing 1 / 3");
  });
});

describe("searchSummary", () => {
  it("says all the results when fewer came back than were asked for", () => {
    expect(searchSummary(12, 50, 19)).toBe("12 results in 19 ms");
    expect(searchSummary(1, 50, 3)).toBe("1 result in 3 ms");
  });
  it("says the best ones, and that there are more, when the page is full", () => {
    expect(searchSummary(50, 50, 19)).toBe("The best 50 results in 19 ms; there are more");
    expect(searchSummary(1050, 1050, 40)).toBe("The best 1,050 results in 40 ms; there are more");
  });
  it("says no matches", () => {
    expect(searchSummary(0, 50, 2)).toBe("No matches");
  });
});
