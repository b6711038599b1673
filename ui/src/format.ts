// Pure formatters for the UI: no DOM, no Tauri, so vitest runs them in Node.

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/**
 * A byte count for people, in powers of 1024 with the customary short names:
 * 0 B, 999 B, 1.0 KB, 12.3 MB, 120 GB. One decimal below 10 units, none above.
 * Negative or non-finite input is a bug upstream and shows as "?".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "?";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // Round first, so 1023.96 KB becomes "1.0 MB" rather than "1024 KB".
  let rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  if (rounded >= 1024 && unit < BYTE_UNITS.length - 1) {
    unit += 1;
    rounded = 1;
  }
  const text = rounded < 10 ? rounded.toFixed(1) : String(rounded);
  return `${text} ${BYTE_UNITS[unit]}`;
}

/**
 * A duration for people, from milliseconds: "350 ms", "4.2 s", "3 min 05 s",
 * "2 h 07 min". Seconds are dropped from an hour up.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes} min ${pad2(totalSeconds % 60)} s`;
  return `${Math.floor(totalMinutes / 60)} h ${pad2(totalMinutes % 60)} min`;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}

/** "1 file", "2 files": a count with the noun in the right number. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/** 12431 → "12,431". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Time left, from seconds: "about 3 min left"; nothing when unknown. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 1) return "almost done";
  return `about ${formatDuration(Math.ceil(seconds) * 1000)} left`;
}

/** A rate of files per second: "42 files/s", "0.5 files/s". */
export function formatRate(filesPerSecond: number): string {
  if (!Number.isFinite(filesPerSecond) || filesPerSecond <= 0) return "";
  const value = filesPerSecond < 10 ? Math.round(filesPerSecond * 10) / 10 : Math.round(filesPerSecond);
  return `${value.toLocaleString("en-US")} files/s`;
}

/** How long ago `thenMs` was, at `nowMs`: "just now", "5 min ago", "3 h ago", "2 days ago". */
export function formatAgo(thenMs: number | null | undefined, nowMs: number): string {
  if (thenMs == null) return "never";
  const seconds = Math.max(0, Math.floor((nowMs - thenMs) / 1000));
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** Done / total as a fraction 0..1 for a progress bar; 0 when the total is unknown. */
export function progressFraction(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(1, Math.max(0, done / total));
}

/**
 * The status line as the settings window shows it. The engine words it for
 * the tray menu, where "in Settings" points at this window; inside the
 * window it points at the part of the window instead.
 */
export function windowStatusLine(line: string): string {
  return line
    .replace(/add one in Settings$/, "add one under Sources")
    .replace(/rebuild it in Settings$/, "rebuild it below");
}

/**
 * The line above search results. When as many hits came back as were asked
 * for, there may be more, and the line says it shows the best ones rather
 * than passing them off as all.
 */
export function searchSummary(count: number, asked: number, ms: number): string {
  if (count === 0) return "No matches";
  if (count < asked) return `${plural(count, "result")} in ${ms} ms`;
  return `The best ${formatCount(count)} results in ${ms} ms; there are more`;
}
