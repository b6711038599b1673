// The include/exclude editor's logic: globs from the text areas and the
// sentence that sums up what the rules keep.
import type { RulesPreview } from "./api";
import { formatCount } from "./format";

/**
 * Globs typed one per line; blanks dropped. Commas do not separate: they
 * belong to alternations such as `*.{md,txt}`.
 */
export function parseGlobs(text: string): string[] {
  return text
    .split("\n")
    .map((glob) => glob.trim())
    .filter((glob) => glob !== "");
}

/** "1,284 files match, 37 excluded", or why nothing matches. */
export function previewSummary(preview: RulesPreview): string {
  const files = `${formatCount(preview.n_matching)} ${preview.n_matching === 1 ? "file matches" : "files match"}`;
  const excluded = preview.n_excluded > 0 ? `, ${formatCount(preview.n_excluded)} excluded` : "";
  const problems =
    preview.problems.length > 0
      ? ` (${formatCount(preview.problems.length)} ${preview.problems.length === 1 ? "folder" : "folders"} could not be read)`
      : "";
  return `${files}${excluded}${problems}`;
}
