// The Preferences form's logic: which settings it shows, what it sends to
// the engine for each input, and the engine's refusal reaching the form.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as api from "./api";
import type { SettingRow } from "./api";
import {
  ALLOWED_ROOTS_KEY,
  isChanged,
  mutedPaths,
  parseField,
  pathList,
  preferenceFields,
  rangeHint,
  secondsInWords,
  withMuted,
  withPath,
} from "./preferences";

const integer = (key: string, value: string, min: number, max: number, fallback = value): SettingRow => ({
  key,
  value,
  default: fallback,
  kind: "integer",
  min,
  max,
  description: "",
});
const boolean = (key: string, value: string): SettingRow => ({
  key,
  value,
  default: "false",
  kind: "boolean",
  min: null,
  max: null,
  description: "",
});

const debounce = integer("watch.debounce_ms", "500", 50, 60_000);

beforeAll(() => {
  (globalThis as unknown as { window: typeof globalThis }).window = globalThis;
});
afterEach(() => clearMocks());

describe("which settings the form shows", () => {
  it("keeps the form's order and leaves out keys the engine lacks", () => {
    const rows = [
      boolean("http.enabled", "false"),
      integer("index.workers", "2", 1, 8),
      integer("retention.days", "30", 1, 3650),
      debounce,
      boolean("notify.desktop", "true"),
    ];
    expect(preferenceFields(rows).map((field) => field.row.key)).toEqual([
      "watch.debounce_ms",
      "index.workers",
      "notify.desktop",
      "http.enabled",
    ]);
  });

  it("shows do-not-disturb once the engine has it", () => {
    const rows = [boolean("notify.desktop", "true"), boolean("notify.dnd", "false")];
    expect(preferenceFields(rows).map((field) => field.spec.label)).toEqual([
      "Desktop notifications",
      "Do not disturb",
    ]);
  });
});

describe("a field's input as the value sent", () => {
  it("sends integers in canonical form", () => {
    expect(parseField(debounce, " 750 ")).toEqual({ ok: true, value: "750" });
    expect(parseField(debounce, "+0750")).toEqual({ ok: true, value: "750" });
  });

  it("refuses what is not a number, before sending", () => {
    expect(parseField(debounce, "")).toEqual({ ok: false, error: "Enter a number" });
    expect(parseField(debounce, "1.5")).toEqual({ ok: false, error: "Enter a whole number" });
    expect(parseField(debounce, "fast")).toEqual({ ok: false, error: "Enter a whole number" });
  });

  it("leaves the range to the engine", () => {
    expect(parseField(debounce, "10")).toEqual({ ok: true, value: "10" });
  });

  it("sends checkboxes as true or false", () => {
    const row = boolean("http.enabled", "false");
    expect(parseField(row, true)).toEqual({ ok: true, value: "true" });
    expect(parseField(row, false)).toEqual({ ok: true, value: "false" });
    expect(parseField(row, "yes").ok).toBe(false);
  });

  it("sends only changes", () => {
    expect(isChanged(debounce, "500")).toBe(false);
    expect(isChanged(debounce, "750")).toBe(true);
  });

  it("describes the range and long intervals", () => {
    expect(rangeHint({ spec: { key: debounce.key, label: "", unit: "ms" }, row: debounce })).toBe(
      "50 – 60,000 ms · default 500",
    );
    expect(rangeHint({ spec: { key: "x", label: "" }, row: boolean("x", "true") })).toBe("");
    expect(secondsInWords("86400")).toBe("24 h 00 min");
    expect(secondsInWords("nope")).toBe("");
  });
});

describe("saving through the engine", () => {
  it("sends the key and the parsed value, and gets the stored value back", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return "750";
    });
    const parsed = parseField(debounce, "750");
    if (!parsed.ok) throw new Error("should parse");
    expect(await api.setSetting(debounce.key, parsed.value)).toBe("750");
    expect(calls).toEqual([["set_setting", { key: "watch.debounce_ms", value: "750" }]]);
  });

  it("passes the engine's range message on as it is", async () => {
    const message = 'invalid value "10" for watch.debounce_ms: expected an integer from 50 to 60000';
    mockIPC(() => {
      throw message;
    });
    const error = await api.setSetting(debounce.key, "10").catch((e: unknown) => e);
    expect(api.errorText(error)).toBe(message);
  });
});

describe("muted folders", () => {
  it("reads the JSON list and tolerates anything else", () => {
    expect(mutedPaths('["/a","/b"]')).toEqual(["/a", "/b"]);
    expect(mutedPaths("[]")).toEqual([]);
    expect(mutedPaths(undefined)).toEqual([]);
    expect(mutedPaths("not json")).toEqual([]);
    expect(mutedPaths('{"a":1}')).toEqual([]);
  });

  it("adds and removes one folder, sorted, without duplicates", () => {
    expect(withMuted('["/b"]', "/a", true)).toBe('["/a","/b"]');
    expect(withMuted('["/a","/b"]', "/a", true)).toBe('["/a","/b"]');
    expect(withMuted('["/a","/b"]', "/a", false)).toBe('["/b"]');
    expect(withMuted(undefined, "/a", false)).toBe("[]");
  });
});

describe("what AI assistants may do", () => {
  it("shows allow-changes once the engine has it, last", () => {
    const rows = [boolean("mcp.allow_changes", "false"), boolean("http.enabled", "false")];
    expect(preferenceFields(rows).map((field) => field.row.key)).toEqual(["http.enabled", "mcp.allow_changes"]);
  });

  it("edits the allowed folders as a sorted JSON list", () => {
    expect(ALLOWED_ROOTS_KEY).toBe("mcp.allowed_roots");
    expect(pathList("[]")).toEqual([]);
    expect(withPath("[]", "/home/ada/notes", true)).toBe('["/home/ada/notes"]');
    expect(withPath('["/srv"]', "/home/ada", true)).toBe('["/home/ada","/srv"]');
    expect(withPath('["/home/ada","/srv"]', "/srv", false)).toBe('["/home/ada"]');
  });

  it("saves the list through the engine and asks the picker with its own title", async () => {
    const calls: unknown[] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return cmd === "pick_folder" ? "/home/ada/notes" : '["/home/ada/notes"]';
    });
    const folder = await api.pickFolder("Allow AI assistants to add folders inside");
    expect(folder).toBe("/home/ada/notes");
    const stored = await api.setSetting(ALLOWED_ROOTS_KEY, withPath("[]", folder ?? "", true));
    expect(stored).toBe('["/home/ada/notes"]');
    expect(calls).toEqual([
      ["pick_folder", { title: "Allow AI assistants to add folders inside" }],
      ["set_setting", { key: "mcp.allowed_roots", value: '["/home/ada/notes"]' }],
    ]);
  });
});
