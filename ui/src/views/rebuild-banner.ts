// The banner above the tabs that offers to rebuild a damaged or foreign
// index (its logic is in ../rebuild.ts).
import * as api from "../api";
import { byId, el, fill } from "../dom";
import * as rebuild from "../rebuild";

let banner: rebuild.Banner = rebuild.HIDDEN;
// What else the window reloads from a new index (settings it read at start).
let afterRebuild: () => void = () => undefined;
// Redrawn only when the banner changed, so the button is not replaced
// under the pointer by every status snapshot.
let drawn = "";

function render(): void {
  const drawing = JSON.stringify(banner);
  if (drawing === drawn) return;
  drawn = drawing;
  const box = byId("rebuild-banner");
  box.hidden = banner.kind === "hidden";
  box.dataset.kind = banner.kind;
  switch (banner.kind) {
    case "hidden":
      fill(box, []);
      return;
    case "offer":
    case "working": {
      const working = banner.kind === "working";
      const error = banner.kind === "offer" ? banner.error : null;
      const reason = banner.reason ? [el("p", { class: "muted reason", text: banner.reason })] : [];
      fill(box, [
        el("h2", { text: rebuild.OFFER_TITLE }),
        ...rebuild.OFFER_TEXT.map((text) => el("p", { text })),
        ...reason,
        el(
          "div",
          { class: "row end" },
          el("p", { id: "rebuild-error", class: "error", role: "alert", text: error ?? "" }),
          el("button", {
            id: "rebuild-button",
            type: "button",
            disabled: working,
            text: working ? "Rebuilding…" : "Rebuild index",
          }),
        ),
      ]);
      byId("rebuild-button").addEventListener("click", () => void startRebuild());
      return;
    }
    case "done":
      fill(box, [
        el("h2", { text: rebuild.DONE_TITLE }),
        ...rebuild.reportLines(banner.report).map((text) => el("p", { text })),
        el(
          "div",
          { class: "row end" },
          el("button", { id: "rebuild-close", type: "button", class: "secondary", text: "Close" }),
        ),
      ]);
      byId("rebuild-close").addEventListener("click", () => {
        banner = rebuild.HIDDEN;
        render();
      });
      return;
  }
}

async function startRebuild(): Promise<void> {
  const working = rebuild.onRebuildClicked(banner);
  if (!working) return;
  banner = working;
  render();
  const outcome = await api
    .rebuildIndex()
    .then((report) => ({ report }))
    .catch((error: unknown) => ({ error: api.errorText(error) }));
  banner = rebuild.onRebuilt(banner, outcome);
  render();
  if ("report" in outcome) afterRebuild();
}

/** `reload` runs after each successful rebuild. */
export function initRebuildBanner(reload: () => void): void {
  afterRebuild = reload;
}

/** Follows each status snapshot. */
export function showRebuildBanner(snapshot: api.Snapshot): void {
  banner = rebuild.onStatus(banner, snapshot);
  render();
}
