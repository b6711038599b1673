import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, plural } from "./format";

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
