import { describe, expect, it } from "vitest";
import { parseSnippet, renderSnippet } from "./snippet";

describe("parseSnippet", () => {
  it("marks the words between ** as matches", () => {
    expect(parseSnippet("the **borrow** **checker** says no")).toEqual([
      { text: "the ", match: false },
      { text: "borrow", match: true },
      { text: " ", match: false },
      { text: "checker", match: true },
      { text: " says no", match: false },
    ]);
  });

  it("handles matches at both ends and empty snippets", () => {
    expect(parseSnippet("**a** b **c**")).toEqual([
      { text: "a", match: true },
      { text: " b ", match: false },
      { text: "c", match: true },
    ]);
    expect(parseSnippet("")).toEqual([]);
  });

  it("shows an unclosed ** as text", () => {
    expect(parseSnippet("x **y** 2**3")).toEqual([
      { text: "x ", match: false },
      { text: "y", match: true },
      { text: " 2**3", match: false },
    ]);
  });

  it("keeps markup as plain text", () => {
    const parts = parseSnippet('<script>alert(1)</script> **<b>&amp;</b>** "q"');
    expect(parts.map((p) => p.text).join("")).toBe('<script>alert(1)</script> <b>&amp;</b> "q"');
    expect(parts[1]).toEqual({ text: "<b>&amp;</b>", match: true });
  });
});

describe("renderSnippet", () => {
  // A stand-in for a DOM element: enough to see what renderSnippet appends.
  function fakeParent() {
    const appended: Array<string | { tag: string; textContent: string }> = [];
    const ownerDocument = {
      createElement: (tag: string) => ({ tag, textContent: "" }),
    };
    return { appended, parent: { ownerDocument, append: (node: never) => appended.push(node) } };
  }

  it("appends text nodes and <mark> elements, never HTML", () => {
    const { appended, parent } = fakeParent();
    renderSnippet(parent as unknown as HTMLElement, "a <i>b</i> **<img src=x onerror=alert(1)>**");
    expect(appended).toEqual(["a <i>b</i> ", { tag: "mark", textContent: "<img src=x onerror=alert(1)>" }]);
  });
});
