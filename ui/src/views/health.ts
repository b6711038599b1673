// The Health tab: is the index keeping up, and if not, what to do.
import * as api from "../api";
import { byId, el, fill } from "../dom";
import { formatAgo, formatCount, formatDuration } from "../format";

export function renderHealth(report: api.HealthReport): void {
  const now = Date.now();
  const engine = report.engine
    ? `Engine running (pid ${report.engine.pid}) since ${formatAgo(report.engine.started_at, now)} · ${formatCount(
        report.engine.watches_in_use,
      )} folders watched${report.engine.watch_limit != null ? ` of ${formatCount(report.engine.watch_limit)} allowed` : ""}`
    : "No engine is running";
  const last = report.last_successful_scan
    ? `Last successful scan ${formatAgo(report.last_successful_scan.finished_at, now)} (${
        report.last_successful_scan.directory
      }, ${formatDuration(report.last_successful_scan.duration_ms)})`
    : "No scan has completed yet";
  fill(byId("health"), [
    el(
      "article",
      { class: `card ${report.healthy ? "healthy" : "failed"}` },
      el("h3", { text: report.healthy ? "Healthy" : "Needs attention" }),
      el("p", { class: "muted", text: engine }),
      el(
        "p",
        { class: "muted" },
        `${formatCount(report.documents)} documents`,
        report.documents_failed ? ` · ${formatCount(report.documents_failed)} could not be read` : "",
      ),
      el("p", { class: "muted", text: last }),
    ),
    ...report.issues.map((issue) =>
      el(
        "article",
        { class: `card issue ${issue.severity}` },
        el("p", {}, el("span", { class: `badge ${issue.severity}`, text: issue.severity }), " ", issue.message),
        issue.fix ? el("p", { class: "muted fix", text: `Fix: ${issue.fix}` }) : null,
      ),
    ),
  ]);
}

export async function refreshHealth(): Promise<void> {
  try {
    renderHealth(await api.health());
  } catch (error) {
    fill(byId("health"), [el("p", { class: "error", text: api.errorText(error) })]);
  }
}
