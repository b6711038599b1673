// The "Rebuild index" banner's logic: when it shows, what it says, and what
// a click leads to. The engine refuses an index file that is damaged or not
// Gleaner's; the status then says `corrupt_index`, and the window offers the
// rebuild (src-tauri/rebuild.rs) until it is done.
import type { RebuildReport, Snapshot } from "./api";

export type Banner =
  | { kind: "hidden" }
  | { kind: "offer"; reason: string; error: string | null }
  | { kind: "working"; reason: string }
  | { kind: "done"; report: RebuildReport };

export const HIDDEN: Banner = { kind: "hidden" };

export const OFFER_TITLE = "Gleaner's index cannot be used";
export const DONE_TITLE = "Index rebuilt";

/** What the offer says, paragraph by paragraph. */
export const OFFER_TEXT: readonly string[] = [
  "The index file is damaged or is not a Gleaner index, so nothing is being indexed and search finds nothing.",
  "Rebuild index keeps the old file (renamed gleaner.db.corrupt-TIME, not deleted), starts a new index with " +
    "the folders that can still be read from it, and indexes them again.",
];

/** The banner after a status snapshot. A rebuild under way, and its result,
 * stay until the rebuild answers and the user closes the result. */
export function onStatus(current: Banner, snapshot: Snapshot): Banner {
  if (current.kind === "working") return current;
  if (!snapshot.corrupt_index) return current.kind === "done" ? current : HIDDEN;
  return {
    kind: "offer",
    reason: snapshot.engine_error ?? "",
    error: current.kind === "offer" ? current.error : null,
  };
}

/** The banner once "Rebuild index" is clicked; `null` if there is nothing to rebuild. */
export function onRebuildClicked(current: Banner): Banner | null {
  return current.kind === "offer" ? { kind: "working", reason: current.reason } : null;
}

/** The banner once the rebuild answered. */
export function onRebuilt(current: Banner, outcome: { report: RebuildReport } | { error: string }): Banner {
  if ("report" in outcome) return { kind: "done", report: outcome.report };
  const reason = current.kind === "offer" || current.kind === "working" ? current.reason : "";
  return { kind: "offer", reason, error: outcome.error };
}

/** What the result says, line by line. */
export function reportLines(report: RebuildReport): string[] {
  const lines = [
    report.kept_at
      ? `The old index was kept as ${report.kept_at}.`
      : "There was no index file; a new one was created.",
  ];
  const n = report.sources.length;
  if (report.sources_lost !== null) {
    lines.push(`Its folders could not be read (${report.sources_lost}): add them again under Sources.`);
  } else if (n === 0 && report.sources_missing.length === 0) {
    lines.push("It had no folders: add one under Sources.");
  } else if (n > 0) {
    lines.push(`${n === 1 ? "1 folder" : `${n} folders`} recovered and being indexed again: ${report.sources.join(", ")}.`);
  }
  for (const missing of report.sources_missing) {
    lines.push(`Not added again: ${missing.path} (${missing.reason}).`);
  }
  return lines;
}
