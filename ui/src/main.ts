// Entry point of the settings window's page. For now it shows the app's name
// and version and an empty "Sources" section; the real settings UI (sources,
// status, pause) comes with a later issue.
import { getName, getVersion } from "@tauri-apps/api/app";
import { isTauri } from "@tauri-apps/api/core";
// The app icon itself (icons/ at the repository root), so the page never
// carries a copy of its own; vite fingerprints it into ui/dist/assets.
import iconUrl from "../../icons/128x128.png";
import { formatBytes, plural } from "./format";

function setText(id: string, text: string): void {
  const element = document.getElementById(id);
  if (element) element.textContent = text;
}

async function showAppInfo(): Promise<void> {
  // Outside Tauri (e.g. `npm run ui:dev` in a browser) there is no IPC.
  if (!isTauri()) return;
  try {
    const [name, version] = await Promise.all([getName(), getVersion()]);
    setText("app-name", name);
    setText("app-version", `Version ${version}`);
  } catch (error) {
    console.warn("cannot read the app's name and version", error);
  }
}

function showSourcesSummary(files: number, bytes: number): void {
  setText("sources-summary", `${plural(files, "file")} indexed · ${formatBytes(bytes)}`);
}

const icon = document.getElementById("app-icon");
if (icon instanceof HTMLImageElement) icon.src = iconUrl;
showSourcesSummary(0, 0);
void showAppInfo();
