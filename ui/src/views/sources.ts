// The Sources tab: the list of folders with their counts, and the form that
// adds one, with a live preview of what its rules keep.
import * as api from "../api";
import { byId, el, fill } from "../dom";
import { formatAgo, formatCount, plural } from "../format";
import { parseGlobs, previewSummary } from "../preview";

/** Waits this long after the last keystroke before walking the folder. */
const PREVIEW_DELAY_MS = 400;

let previewTimer: ReturnType<typeof setTimeout> | undefined;
let previewSerial = 0;

function formRules(): api.Rules {
  return {
    path: byId<HTMLInputElement>("source-path").value.trim(),
    include: parseGlobs(byId<HTMLTextAreaElement>("source-include").value),
    exclude: parseGlobs(byId<HTMLTextAreaElement>("source-exclude").value),
    recursive: byId<HTMLInputElement>("source-recursive").checked,
  };
}

function schedulePreview(): void {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(() => void runPreview(), PREVIEW_DELAY_MS);
}

async function runPreview(): Promise<void> {
  const box = byId("preview");
  const rules = formRules();
  const serial = ++previewSerial;
  if (rules.path === "") {
    fill(box, []);
    return;
  }
  box.textContent = "Looking at the folder…";
  try {
    const preview = await api.previewRules(rules);
    if (serial !== previewSerial) return; // a newer preview is on its way
    const samples = el("ul", { class: "samples" }, ...preview.samples.map((path) => el("li", { text: path })));
    fill(box, [el("p", { class: "preview-summary", text: previewSummary(preview) }), samples]);
  } catch (error) {
    if (serial !== previewSerial) return;
    fill(box, [el("p", { class: "error", text: api.errorText(error) })]);
  }
}

async function addFromForm(event: Event): Promise<void> {
  event.preventDefault();
  const rules = formRules();
  const errorBox = byId("add-error");
  errorBox.textContent = "";
  if (rules.path === "") {
    errorBox.textContent = "Type a folder's path or choose one with Browse…";
    return;
  }
  const button = byId<HTMLButtonElement>("add-button");
  button.disabled = true;
  try {
    await api.addSource(rules);
    // The next folder starts from blank rules.
    byId<HTMLFormElement>("add-source").reset();
    fill(byId("preview"), []);
    await refreshSources();
  } catch (error) {
    errorBox.textContent = api.errorText(error);
  } finally {
    button.disabled = false;
  }
}

async function browse(): Promise<void> {
  try {
    const folder = await api.pickFolder();
    if (folder) {
      byId<HTMLInputElement>("source-path").value = folder;
      void runPreview();
    }
  } catch (error) {
    byId("add-error").textContent = api.errorText(error);
  }
}

function scanState(source: api.SourceStatus, now: number): string {
  if (!source.active) return "disabled";
  switch (source.last_scan_status) {
    case "pending":
      return "not scanned yet";
    case "running":
      return "scanning…";
    case "error":
      return "last scan failed";
    case "success":
      return `scanned ${formatAgo(source.last_full_scan, now)}`;
  }
}

function sourceRow(source: api.SourceStatus, now: number): HTMLElement {
  const rules = [
    source.include.length ? `include ${source.include.join(" ")}` : "",
    source.exclude.length ? `exclude ${source.exclude.join(" ")}` : "",
    source.recursive ? "" : "this folder only",
  ].filter(Boolean);
  const toggle = el("button", {
    type: "button",
    class: "secondary small",
    text: source.active ? "Disable" : "Enable",
  });
  toggle.addEventListener("click", () => {
    void act(() => api.setSourceActive(source.path, !source.active));
  });
  const remove = el("button", { type: "button", class: "danger small", text: "Remove" });
  remove.addEventListener("click", () => {
    if (remove.dataset.confirm === "1") {
      void act(() => api.removeSource(source.path));
    } else {
      remove.dataset.confirm = "1";
      remove.textContent = "Remove? Click again";
    }
  });
  return el(
    "article",
    { class: `card source${source.active ? "" : " inactive"}${source.last_scan_status === "error" ? " failed" : ""}` },
    el(
      "div",
      { class: "row spread" },
      el("h3", { class: "path", text: source.path, title: source.path }),
      el("div", { class: "actions" }, toggle, remove),
    ),
    el(
      "p",
      { class: "muted" },
      `${plural(source.documents, "document")} · ${scanState(source, now)}`,
      source.failed_documents > 0 ? ` · ${formatCount(source.failed_documents)} failed` : "",
    ),
    rules.length ? el("p", { class: "muted rules", text: rules.join(" · ") }) : null,
    source.last_error ? el("p", { class: "error", text: source.last_error }) : null,
  );
}

async function act(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    byId("add-error").textContent = api.errorText(error);
  }
  await refreshSources();
}

/** Draws the list of sources. */
export function renderSources(sources: api.SourceStatus[]): void {
  const now = Date.now();
  const list = byId("sources-list");
  if (sources.length === 0) {
    fill(list, [
      el(
        "div",
        { class: "empty" },
        el("p", { text: "No folders are indexed yet." }),
        el("p", { class: "muted", text: "Add one above: Gleaner indexes it and keeps it up to date as files change." }),
      ),
    ]);
    return;
  }
  fill(
    list,
    sources.map((source) => sourceRow(source, now)),
  );
}

export async function refreshSources(): Promise<void> {
  try {
    renderSources(await api.listSources());
  } catch (error) {
    byId("add-error").textContent = api.errorText(error);
  }
}

export function initSources(): void {
  byId("add-source").addEventListener("submit", (event) => void addFromForm(event));
  byId("browse").addEventListener("click", () => void browse());
  for (const id of ["source-path", "source-include", "source-exclude"]) {
    byId(id).addEventListener("input", schedulePreview);
  }
  byId("source-recursive").addEventListener("change", schedulePreview);
}
