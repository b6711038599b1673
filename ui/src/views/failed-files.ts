// The list of a source's failed files (path and error), shown in a panel of
// the Sources or the Jobs tab. The store keeps each file's last error, so a
// job's failed files are those of its source now, as `gleaner status JOB_ID`
// shows them.
import * as api from "../api";
import { el, fill } from "../dom";
import { formatCount, plural } from "../format";

/** Fills `panel` with the failed files of source `sourceId` and shows it. */
export async function showFailedFiles(panel: HTMLElement, sourceId: number, folder: string): Promise<void> {
  const close = el("button", { type: "button", class: "secondary small", text: "Close" });
  close.addEventListener("click", () => {
    panel.hidden = true;
    fill(panel, []);
  });
  const header = (text: string) =>
    el("div", { class: "row spread" }, el("h3", { class: "path", text, title: folder }), close);
  panel.hidden = false;
  fill(panel, [header(`Failed files in ${folder}`), el("p", { class: "muted", text: "Loading…" })]);
  try {
    const failed = await api.failedFiles(sourceId);
    const shown = failed.files.length;
    const summary =
      failed.total === 0
        ? "No file failed in this folder now: they were fixed or removed since."
        : shown < failed.total
          ? `The first ${formatCount(shown)} of ${plural(failed.total, "failed file")}.`
          : `${plural(failed.total, "file")} could not be read or extracted.`;
    const items = failed.files.map((file) =>
      el(
        "li",
        {},
        el("span", { class: "path", text: file.path, title: file.path }),
        el("span", { class: "error", text: file.error }),
      ),
    );
    fill(panel, [header(`Failed files in ${folder}`), el("p", { class: "muted", text: summary }), el("ul", { class: "failed-list" }, ...items)]);
  } catch (error) {
    fill(panel, [header(`Failed files in ${folder}`), el("p", { class: "error", text: api.errorText(error) })]);
  }
  panel.scrollIntoView({ block: "nearest" });
}
