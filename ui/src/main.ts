// Entry point of the settings window's page: tabs, and the live status that
// the Rust side pushes as `status` events (the page never polls).
import { getName } from "@tauri-apps/api/app";
import { isTauri } from "@tauri-apps/api/core";
// The app icon itself (icons/ at the repository root), so the page never
// carries a copy of its own; vite fingerprints it into ui/dist/assets.
import iconUrl from "../../icons/128x128.png";
import * as api from "./api";
import { byId } from "./dom";
import { windowStatusLine } from "./format";
import { refreshHealth } from "./views/health";
import { initJobs, renderJobs } from "./views/jobs";
import { refreshPreferences, showStartAtLogin } from "./views/preferences";
import { initRebuildBanner, showRebuildBanner } from "./views/rebuild-banner";
import { initSearch } from "./views/search";
import { initSources, loadSourceSettings, refreshSources, renderSources } from "./views/sources";

type Tab = "sources" | "jobs" | "search" | "health" | "preferences";
const TABS: readonly string[] = ["sources", "jobs", "search", "health", "preferences"];

function showTab(tab: Tab): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
    const selected = button.dataset.tab === tab;
    button.setAttribute("aria-selected", String(selected));
    byId(`tab-${button.dataset.tab}`).hidden = !selected;
  }
  if (tab === "health") void refreshHealth();
  if (tab === "preferences") void refreshPreferences();
  if (tab === "search") byId<HTMLInputElement>("search-query").focus();
}

// What each list last showed: a list is redrawn only when its data changed,
// so buttons are not replaced under the pointer every second.
const drawn = { sources: "", jobs: "" };

function applyStatus(snapshot: api.Snapshot): void {
  byId("status-line").textContent = windowStatusLine(snapshot.line);
  byId("status-line").dataset.state = snapshot.state;
  showRebuildBanner(snapshot);
  const pause = byId<HTMLButtonElement>("pause-toggle");
  pause.hidden = snapshot.sources.length === 0;
  pause.textContent = snapshot.paused ? "Resume indexing" : "Pause indexing";
  pause.dataset.paused = String(snapshot.paused);
  const sources = JSON.stringify(snapshot.sources);
  if (sources !== drawn.sources) {
    drawn.sources = sources;
    renderSources(snapshot.sources);
  }
  const jobs = JSON.stringify(snapshot.jobs);
  if (jobs !== drawn.jobs) {
    drawn.jobs = jobs;
    renderJobs(snapshot.jobs);
  }
  showStartAtLogin(snapshot.start_at_login);
}

async function start(): Promise<void> {
  const icon = byId<HTMLImageElement>("app-icon");
  icon.src = iconUrl;
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) {
    button.addEventListener("click", () => showTab(button.dataset.tab as Tab));
  }
  initSources();
  initJobs();
  initSearch();
  // Outside Tauri (e.g. `npm run ui:dev` in a browser) there is no IPC.
  if (!isTauri()) return;
  byId("pause-toggle").addEventListener("click", () => {
    const paused = byId("pause-toggle").dataset.paused === "true";
    api.setIndexingPaused(!paused).catch((error) => {
      byId("status-line").textContent = api.errorText(error);
    });
  });
  initRebuildBanner(() => void loadSourceSettings());
  // Without a tray the window is the app's only way back: say so, and how
  // to get a tray.
  api
    .trayAvailable()
    .then((tray) => (byId("no-tray").hidden = tray))
    .catch(() => undefined);
  await api.onStatus(applyStatus);
  // The tray's "Search…" item.
  await api.onShowTab((tab) => {
    if (TABS.includes(tab)) showTab(tab as Tab);
  });
  void loadSourceSettings();
  getName()
    .then((name) => (byId("app-name").textContent = name))
    .catch(() => undefined);
  const snapshot = await api.getStatus().catch(() => null);
  if (snapshot) applyStatus(snapshot);
  else await refreshSources();
}

void start();
