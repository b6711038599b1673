// The rules editor's state: loading a source, what counts as a change, and
// which preview may still be shown.
import { describe, expect, it } from "vitest";
import { draftChanged, draftFromSource, draftRules, PreviewSerial } from "./rules-editor";

const source = { path: "/notes", include: ["*.md", "docs/**"], exclude: ["drafts/"], recursive: true };

describe("rules editor", () => {
  it("opens on the saved rules, one glob per line", () => {
    expect(draftFromSource(source)).toEqual({
      path: "/notes",
      includeText: "*.md\ndocs/**",
      excludeText: "drafts/",
      recursive: true,
    });
    expect(draftRules(draftFromSource(source))).toEqual(source);
  });

  it("is unchanged until a rule really changes", () => {
    const draft = draftFromSource(source);
    expect(draftChanged(draft, source)).toBe(false);
    // Blank lines and spaces are not changes.
    expect(draftChanged({ ...draft, includeText: " *.md \n\ndocs/**\n" }, source)).toBe(false);
    expect(draftChanged({ ...draft, excludeText: "drafts/\n*.log" }, source)).toBe(true);
    expect(draftChanged({ ...draft, includeText: "docs/**\n*.md" }, source)).toBe(true);
    expect(draftChanged({ ...draft, recursive: false }, source)).toBe(true);
  });

  it("sends the typed globs, trimmed, for preview and save", () => {
    const draft = { ...draftFromSource(source), excludeText: "drafts/\n  *.log  \n", includeText: "" };
    expect(draftRules(draft)).toEqual({ path: "/notes", include: [], exclude: ["drafts/", "*.log"], recursive: true });
  });

  it("shows only the newest preview", () => {
    const serial = new PreviewSerial();
    const first = serial.next();
    expect(serial.isCurrent(first)).toBe(true);
    const second = serial.next();
    expect(serial.isCurrent(first)).toBe(false);
    expect(serial.isCurrent(second)).toBe(true);
  });
});
