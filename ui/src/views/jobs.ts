// The Jobs tab: recent indexing jobs, live from the `status` event, with
// progress, rate and ETA, and pause / resume / cancel.
import * as api from "../api";
import { byId, el, fill } from "../dom";
import { formatAgo, formatBytes, formatCount, formatEta, formatRate, progressFraction } from "../format";
import { showFailedFiles } from "./failed-files";

function jobActions(job: api.Job): HTMLElement[] {
  const button = (label: string, className: string, action: (id: string) => Promise<void>) => {
    const b = el("button", { type: "button", class: `${className} small`, text: label });
    b.addEventListener("click", () => {
      b.disabled = true;
      action(job.id).catch((error) => {
        byId("jobs-summary").textContent = api.errorText(error);
        b.disabled = false;
      });
    });
    return b;
  };
  const failed: HTMLElement[] = [];
  const sourceId = job.source_id;
  if (job.failed_files > 0 && sourceId !== null) {
    const b = el("button", { type: "button", class: "secondary small", text: "Failed files" });
    b.addEventListener("click", () => void showFailedFiles(byId("jobs-failed"), sourceId, job.directory));
    failed.push(b);
  }
  switch (job.status) {
    case "running":
    case "queued":
      return [button("Pause", "secondary", api.pauseJob), button("Cancel", "danger", api.cancelJob), ...failed];
    case "paused":
      return [button("Resume", "secondary", api.resumeJob), button("Cancel", "danger", api.cancelJob), ...failed];
    default:
      return failed;
  }
}

/** The line under a job's progress bar. */
export function jobDetail(job: api.Job, now: number): string {
  const parts: string[] = [];
  if (job.total_files > 0 || job.status === "running") {
    parts.push(`${formatCount(job.indexed_files)} / ${formatCount(job.total_files)} files`);
  }
  if (job.status === "running") {
    const rate = formatRate(job.files_per_s);
    if (rate) parts.push(rate);
    const eta = formatEta(job.eta_s);
    if (eta) parts.push(eta);
  } else if (job.completed_at != null) {
    const changed = job.new + job.modified + job.moved + job.deleted;
    parts.push(`${formatCount(changed)} changed, ${formatCount(job.unchanged)} unchanged`);
    if (job.bytes_processed > 0) parts.push(`${formatBytes(job.bytes_processed)} read`);
    parts.push(`finished ${formatAgo(job.completed_at, now)}`);
  } else {
    parts.push(`queued ${formatAgo(job.created_at, now)}`);
  }
  if (job.failed_files > 0) parts.push(`${formatCount(job.failed_files)} failed`);
  return parts.join(" · ");
}

/**
 * What a finished scan that found no file at all must say, rather than
 * passing for a success of 0 files; null otherwise.
 */
export function nothingToIndex(job: api.Job): string | null {
  if (job.status !== "completed" || job.total_files + job.unchanged + job.moved > 0) return null;
  const links = job.links_not_followed;
  if (links === 0) return "No file to index in this folder (empty, or its rules leave every file out).";
  return links === 1
    ? "No file to index: the folder holds a symbolic link, and links are not followed. Add the folder it points to instead."
    : `No file to index: the folder holds ${formatCount(links)} symbolic links, and links are not followed. Add the folders they point to instead.`;
}

function jobRow(job: api.Job, now: number): HTMLElement {
  const bar = el("progress", {
    max: 1,
    value: job.status === "completed" ? 1 : progressFraction(job.indexed_files, job.total_files),
    "aria-label": `Progress of ${job.directory}`,
  });
  const note = job.error ?? (job.status === "paused" ? job.pause_reason : nothingToIndex(job));
  return el(
    "article",
    { class: `card job ${job.status}` },
    el(
      "div",
      { class: "row spread" },
      el("h3", { class: "path", text: job.directory, title: job.directory }),
      el("span", { class: `badge ${job.status}`, text: job.status }),
    ),
    job.status === "completed" ? null : bar,
    el("p", { class: "muted", text: jobDetail(job, now) }),
    note ? el("p", { class: job.error ? "error" : "muted", text: note }) : null,
    el("div", { class: "actions" }, ...jobActions(job)),
  );
}

export function renderJobs(jobs: api.Job[]): void {
  const now = Date.now();
  const active = jobs.filter((job) => ["running", "queued", "paused"].includes(job.status)).length;
  byId("jobs-summary").textContent =
    active > 0 ? `${active} active ${active === 1 ? "job" : "jobs"}` : "No job is running: the index is kept fresh by watching your folders.";
  fill(
    byId("jobs-list"),
    jobs.length ? jobs.map((job) => jobRow(job, now)) : [el("div", { class: "empty", text: "No indexing jobs yet." })],
  );
}

export function initJobs(): void {
  byId("scan-now").addEventListener("click", () => {
    api
      .scanNow()
      .then((warnings) => {
        if (warnings.length) byId("jobs-summary").textContent = warnings.join(" ");
      })
      .catch((error) => {
        byId("jobs-summary").textContent = api.errorText(error);
      });
  });
}
