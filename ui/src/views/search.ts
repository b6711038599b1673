// The Search tab: ranked hits with the matched words highlighted; a click
// opens the file with the system's default application.
import * as api from "../api";
import { byId, el, fill } from "../dom";
import { formatAgo, formatBytes, searchSummary } from "../format";
import { renderSnippet } from "../snippet";

/** "notes/a.md:12-14" style place of a hit. */
export function hitPlace(hit: api.SearchHit): string {
  const { line_start: a, line_end: b } = hit;
  if (a == null) return hit.path;
  return b == null || a === b ? `${hit.path}:${a}` : `${hit.path}:${a}-${b}`;
}

function hitRow(hit: api.SearchHit, now: number): HTMLElement {
  const open = el("button", { type: "button", class: "link", text: hit.name, title: `Open ${hit.path}` });
  open.addEventListener("click", () => {
    api.openPath(hit.path).catch((error) => {
      byId("search-summary").textContent = api.errorText(error);
    });
  });
  const snippet = el("p", { class: "snippet" });
  renderSnippet(snippet, hit.snippet);
  return el(
    "li",
    { class: "card hit" },
    el("div", { class: "row spread" }, open, el("span", { class: "muted small-text", text: hit.format })),
    el("p", { class: "muted place", text: hitPlace(hit), title: hit.path }),
    hit.snippet ? snippet : null,
    el("p", { class: "muted small-text", text: `${formatBytes(hit.size)} · modified ${formatAgo(hit.modified_ms, now)}` }),
  );
}

/** Hits asked for at first, and added by each "Show more". */
const PAGE = 50;

/** How many hits the current query asks for. */
let asked = PAGE;

async function runSearch(): Promise<void> {
  const query = byId<HTMLInputElement>("search-query").value;
  const summary = byId("search-summary");
  const results = byId("search-results");
  const more = byId<HTMLButtonElement>("search-more");
  more.hidden = true;
  if (query.trim() === "") {
    summary.textContent = "";
    fill(results, []);
    return;
  }
  summary.textContent = "Searching…";
  try {
    const started = performance.now();
    const hits = await api.search(query, asked);
    const ms = Math.round(performance.now() - started);
    summary.textContent = searchSummary(hits.length, asked, ms);
    // A full page may have more behind it: the search is asked again for
    // a longer list (it takes milliseconds), so the ranking stays one list.
    more.hidden = hits.length < asked;
    const now = Date.now();
    fill(
      results,
      hits.map((hit) => hitRow(hit, now)),
    );
  } catch (error) {
    summary.textContent = api.errorText(error);
    fill(results, []);
  }
}

export function initSearch(): void {
  byId("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    asked = PAGE;
    void runSearch();
  });
  byId("search-more").addEventListener("click", () => {
    asked += PAGE;
    void runSearch();
  });
}
