// The Sources tab: the list of folders with their counts, the form that
// adds one, with a live preview of what its rules keep, and per folder: edit
// its rules (source-editor.ts), its failed files, mute its notifications.
import * as api from "../api";
import { byId, el, fill } from "../dom";
import { formatAgo, formatCount, plural } from "../format";
import { MUTED_KEY, mutedPaths, withMuted } from "../preferences";
import { parseGlobs } from "../preview";
import { showFailedFiles } from "./failed-files";
import { RulesPreviewBox } from "./rules-preview";
import { editSource, initSourceEditor } from "./source-editor";

let addPreview: RulesPreviewBox | undefined;
/** The muted folders' setting, or null when the engine has no such setting. */
let muted: string | null = null;
let lastSources: api.SourceStatus[] = [];

function formRules(): api.Rules {
  return {
    path: byId<HTMLInputElement>("source-path").value.trim(),
    include: parseGlobs(byId<HTMLTextAreaElement>("source-include").value),
    exclude: parseGlobs(byId<HTMLTextAreaElement>("source-exclude").value),
    recursive: byId<HTMLInputElement>("source-recursive").checked,
  };
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
    addPreview?.clear();
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
      void addPreview?.run();
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
  const edit = el("button", { type: "button", class: "secondary small", text: "Edit rules" });
  edit.addEventListener("click", () => editSource(source));
  const failed =
    source.failed_documents > 0
      ? el("button", { type: "button", class: "secondary small", text: "Failed files" })
      : null;
  failed?.addEventListener("click", () => void showFailedFiles(byId("sources-failed"), source.id, source.path));
  const isMuted = muted !== null && mutedPaths(muted).includes(source.path);
  const mute =
    muted !== null
      ? el("button", {
          type: "button",
          class: "secondary small",
          text: isMuted ? "Unmute" : "Mute",
          title: isMuted ? "Notifications about this folder are muted" : "Mute notifications about this folder",
        })
      : null;
  mute?.addEventListener("click", () => void setMuted(source.path, !isMuted));
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
      el("div", { class: "actions" }, edit, failed, mute, toggle, remove),
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

async function setMuted(path: string, mute: boolean): Promise<void> {
  try {
    muted = await api.setSetting(MUTED_KEY, withMuted(muted ?? "[]", path, mute));
  } catch (error) {
    byId("add-error").textContent = api.errorText(error);
  }
  renderSources(lastSources);
}

/** Reads whether the engine has per-folder mute, and which folders are muted. */
async function loadMuted(): Promise<void> {
  try {
    const row = (await api.getSettings()).find((setting) => setting.key === MUTED_KEY);
    muted = row ? row.value : null;
    renderSources(lastSources);
  } catch {
    muted = null;
  }
}

/** Draws the list of sources. */
export function renderSources(sources: api.SourceStatus[]): void {
  lastSources = sources;
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
  addPreview = new RulesPreviewBox(byId("preview"), formRules);
  const schedule = () => addPreview?.schedule();
  byId("add-source").addEventListener("submit", (event) => void addFromForm(event));
  byId("browse").addEventListener("click", () => void browse());
  for (const id of ["source-path", "source-include", "source-exclude"]) {
    byId(id).addEventListener("input", schedule);
  }
  byId("source-recursive").addEventListener("change", schedule);
  initSourceEditor(refreshSources);
}

/** Loads what the list needs besides the sources (the mute list); call once IPC is up. */
export function loadSourceSettings(): Promise<void> {
  return loadMuted();
}
