// The Preferences form's logic, apart from the page so it can be tested:
// which engine settings the form shows, how a field's input becomes the
// value sent to the engine, and the lists of folders (notifications muted,
// roots allowed to AI assistants).
//
// Ranges are the engine's business: the registry (gleaner_core settings)
// checks every value and its message ("expected an integer from 50 to
// 60000") is what the form shows. Here only what cannot be a value at all
// (an empty or non-numeric field) is refused before it is sent.
import type { SettingRow } from "./api";
import { formatCount, formatDuration } from "./format";

/** A setting the form shows, with the words it shows it with. */
export interface PreferenceSpec {
  key: string;
  label: string;
  /** The unit after an integer field. */
  unit?: string;
}

/**
 * The settings in the Preferences section, in order. Keys missing from the
 * engine's registry (an older engine) are left out of the form.
 */
export const PREFERENCES: readonly PreferenceSpec[] = [
  { key: "watch.debounce_ms", label: "Wait after a change", unit: "ms" },
  { key: "scan.full_interval_s", label: "Full rescan every", unit: "s" },
  { key: "index.workers", label: "Worker threads", unit: "threads" },
  { key: "notify.desktop", label: "Desktop notifications" },
  { key: "notify.dnd", label: "Do not disturb" },
  { key: "http.enabled", label: "HTTP API on 127.0.0.1" },
  { key: "mcp.allow_changes", label: "Let AI assistants start and control indexing" },
];

/** The setting that lists the folders whose notifications are muted. */
export const MUTED_KEY = "notify.muted";

/** The setting that lists the folders inside which AI assistants may add sources. */
export const ALLOWED_ROOTS_KEY = "mcp.allowed_roots";

/** A preference and the engine's row for it. */
export interface PreferenceField {
  spec: PreferenceSpec;
  row: SettingRow;
}

/** The preferences the engine knows, in the form's order. */
export function preferenceFields(rows: readonly SettingRow[]): PreferenceField[] {
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return PREFERENCES.flatMap((spec) => {
    const row = byKey.get(spec.key);
    return row ? [{ spec, row }] : [];
  });
}

export type Parsed = { ok: true; value: string } | { ok: false; error: string };

/**
 * A field's input as the value to store: a checkbox gives "true"/"false",
 * a number field its digits. Out-of-range numbers pass: the engine refuses
 * them with its own message.
 */
export function parseField(row: SettingRow, input: string | boolean): Parsed {
  if (row.kind === "boolean") {
    if (typeof input !== "boolean") return { ok: false, error: "Expected on or off" };
    return { ok: true, value: String(input) };
  }
  const text = String(input).trim();
  if (row.kind === "text") return { ok: true, value: text };
  if (text === "") return { ok: false, error: "Enter a number" };
  if (!/^[+-]?\d+$/.test(text)) return { ok: false, error: "Enter a whole number" };
  return { ok: true, value: String(Number.parseInt(text, 10)) };
}

/** Whether `value` differs from what the engine holds. */
export function isChanged(row: SettingRow, value: string): boolean {
  return value !== row.value;
}

/** "50 – 60,000 ms · default 500", under an integer field. */
export function rangeHint(field: PreferenceField): string {
  const { row, spec } = field;
  if (row.kind !== "integer" || row.min === null || row.max === null) return "";
  const unit = spec.unit ? ` ${spec.unit}` : "";
  return `${formatCount(row.min)} – ${formatCount(row.max)}${unit} · default ${formatCount(Number(row.default))}`;
}

/** "24 h 00 min" beside a number of seconds; empty when not a positive number. */
export function secondsInWords(value: string): string {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) return "";
  return formatDuration(seconds * 1000);
}

/** The folders of a list setting's JSON value; none when unreadable. */
export function pathList(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const list: unknown = JSON.parse(value);
    return Array.isArray(list) ? list.filter((item): item is string => typeof item === "string") : [];
  } catch {
    return [];
  }
}

/** A list setting's value with `path` in it or not: a sorted JSON list without duplicates. */
export function withPath(value: string | undefined, path: string, present: boolean): string {
  const paths = new Set(pathList(value));
  if (present) paths.add(path);
  else paths.delete(path);
  return JSON.stringify([...paths].sort());
}

/** The muted folders from the setting's JSON list; none when unreadable. */
export const mutedPaths = pathList;

/** The setting's value with `path` muted or not. */
export const withMuted = withPath;
