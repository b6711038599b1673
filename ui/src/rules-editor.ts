// The state of the rules editor that changes an existing source: what the
// text areas hold, whether that differs from the saved rules, and the rules
// sent for the preview and on save.
import type { Rules, Source } from "./api";
import { parseGlobs } from "./preview";

/** The editor's fields, as typed. */
export interface RulesDraft {
  path: string;
  includeText: string;
  excludeText: string;
  recursive: boolean;
}

/** The editor's fields for a saved source: one glob per line. */
export function draftFromSource(source: Pick<Source, "path" | "include" | "exclude" | "recursive">): RulesDraft {
  return {
    path: source.path,
    includeText: source.include.join("\n"),
    excludeText: source.exclude.join("\n"),
    recursive: source.recursive,
  };
}

/** The rules a draft stands for (blank lines and spaces dropped). */
export function draftRules(draft: RulesDraft): Rules {
  return {
    path: draft.path,
    include: parseGlobs(draft.includeText),
    exclude: parseGlobs(draft.excludeText),
    recursive: draft.recursive,
  };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** Whether saving the draft would change the source's rules. */
export function draftChanged(draft: RulesDraft, source: Pick<Source, "include" | "exclude" | "recursive">): boolean {
  const rules = draftRules(draft);
  return (
    rules.recursive !== source.recursive ||
    !sameList(rules.include, source.include) ||
    !sameList(rules.exclude, source.exclude)
  );
}

/**
 * Numbers previews so that only the newest one is shown: a walk started
 * for older rules may answer after a newer one.
 */
export class PreviewSerial {
  private latest = 0;

  /** A new preview starts; returns its number. */
  next(): number {
    this.latest += 1;
    return this.latest;
  }

  /** Whether preview `serial` is still the newest. */
  isCurrent(serial: number): boolean {
    return serial === this.latest;
  }
}
