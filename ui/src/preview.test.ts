import { describe, expect, it } from "vitest";
import { parseGlobs, previewSummary } from "./preview";

describe("parseGlobs", () => {
  it("takes one glob per line and drops blanks", () => {
    expect(parseGlobs(" *.md \n\n  drafts/\r\n")).toEqual(["*.md", "drafts/"]);
    expect(parseGlobs("")).toEqual([]);
  });

  it("keeps commas inside alternations", () => {
    expect(parseGlobs("*.{md,txt}")).toEqual(["*.{md,txt}"]);
  });
});

describe("previewSummary", () => {
  const preview = { n_matching: 1284, n_excluded: 37, samples: [], problems: [] };

  it("counts matching and excluded files", () => {
    expect(previewSummary(preview)).toBe("1,284 files match, 37 excluded");
  });

  it("agrees in number and leaves out zero exclusions", () => {
    expect(previewSummary({ ...preview, n_matching: 1, n_excluded: 0 })).toBe("1 file matches");
    expect(previewSummary({ ...preview, n_matching: 0, n_excluded: 0 })).toBe("0 files match");
  });

  it("mentions unreadable folders", () => {
    expect(previewSummary({ ...preview, problems: ["a: denied"] })).toBe(
      "1,284 files match, 37 excluded (1 folder could not be read)",
    );
  });
});
