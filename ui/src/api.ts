// Typed wrappers over the app's Tauri commands (src-tauri/commands.rs) and
// its `status` event. The shapes mirror the engine's serialized types.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type ScanStatus = "pending" | "running" | "success" | "error";
export type JobStatus = "queued" | "running" | "paused" | "completed" | "failed" | "cancelled";

export interface Source {
  id: number;
  path: string;
  recursive: boolean;
  include: string[];
  exclude: string[];
  active: boolean;
  scan_interval_s: number | null;
  created_at: number;
  last_full_scan: number | null;
  last_scan_status: ScanStatus;
  last_error: string | null;
}

export interface SourceStatus extends Source {
  documents: number;
  failed_documents: number;
}

export interface Job {
  id: string;
  source_id: number | null;
  directory: string;
  recursive: boolean;
  trigger: string;
  status: JobStatus;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  total_files: number;
  indexed_files: number;
  failed_files: number;
  total_chunks: number;
  bytes_processed: number;
  new: number;
  modified: number;
  moved: number;
  deleted: number;
  unchanged: number;
  /** Symbolic links the scan met and did not follow. */
  links_not_followed: number;
  last_indexed_file: string | null;
  error: string | null;
  pause_reason: string | null;
  files_per_s: number;
  bytes_per_s: number;
  eta_s: number | null;
  elapsed_s: number;
}

export interface Snapshot {
  line: string;
  state: "idle" | "indexing" | "paused" | "error";
  paused: boolean;
  engine: "hosted" | "attached" | "failed" | "stopped";
  engine_error: string | null;
  /** The engine refused the index file as damaged or not Gleaner's: the window offers a rebuild. */
  corrupt_index: boolean;
  documents: number;
  sources: SourceStatus[];
  jobs: Job[];
  start_at_login: boolean;
}

/** One setting of the engine's registry, as `gleaner config list --json` shows it. */
export interface SettingRow {
  key: string;
  value: string;
  default: string;
  kind: "integer" | "boolean" | "text";
  min: number | null;
  max: number | null;
  description: string;
}

export interface FailedFile {
  path: string;
  error: string;
  error_count: number;
  retry_at: number | null;
}

export interface FailedFiles {
  total: number;
  files: FailedFile[];
}

export interface RulesPreview {
  n_matching: number;
  n_excluded: number;
  samples: string[];
  problems: string[];
}

export interface SearchHit {
  path: string;
  score: number;
  snippet: string;
  line_start: number | null;
  line_end: number | null;
  name: string;
  format: string;
  size: number;
  modified_ms: number;
  name_matched: boolean;
  source_id: number;
}

export interface HealthIssue {
  severity: "info" | "warning" | "error";
  message: string;
  fix: string | null;
}

export interface HealthReport {
  healthy: boolean;
  engine: {
    pid: number;
    started_at: number;
    watches_in_use: number;
    watch_limit: number | null;
    live_paths_indexed: number;
    issues: HealthIssue[];
  } | null;
  last_successful_scan: { job_id: string; directory: string; finished_at: number; duration_ms: number } | null;
  documents: number;
  documents_failed: number;
  sources_in_error: string[];
  issues: HealthIssue[];
}

/** What "Rebuild index" did (src-tauri/rebuild.rs). */
export interface RebuildReport {
  kept_at: string | null;
  sources: string[];
  sources_missing: Array<{ path: string; reason: string }>;
  sources_lost: string | null;
}

/** A folder's rules as the editor holds them. */
export interface Rules {
  path: string;
  include: string[];
  exclude: string[];
  recursive: boolean;
}

export const getStatus = () => invoke<Snapshot | null>("get_status");
export const listSources = () => invoke<SourceStatus[]>("list_sources");
export const addSource = (rules: Rules) => invoke<Source>("add_source", { ...rules });
export const updateSource = (rules: Rules) => invoke<Source>("update_source", { ...rules });
export const removeSource = (path: string) => invoke<Source>("remove_source", { path });
export const setSourceActive = (path: string, active: boolean) =>
  invoke<Source>("set_source_active", { path, active });
export const previewRules = (rules: Rules) => invoke<RulesPreview>("preview_rules", { ...rules });
/** The native folder picker, titled `title` (or for adding a source); null when cancelled. */
export const pickFolder = (title?: string) =>
  invoke<string | null>("pick_folder", title === undefined ? {} : { title });
export const listJobs = () => invoke<Job[]>("list_jobs");
export const pauseJob = (id: string) => invoke<void>("pause_job", { id });
export const resumeJob = (id: string) => invoke<void>("resume_job", { id });
export const cancelJob = (id: string) => invoke<void>("cancel_job", { id });
export const setIndexingPaused = (paused: boolean) => invoke<void>("set_indexing_paused", { paused });
export const scanNow = () => invoke<string[]>("scan_now");
export const search = (query: string, limit = 50) => invoke<SearchHit[]>("search", { query, limit });

/** Whether the desktop shows tray icons (a StatusNotifierItem host runs). */
export const trayAvailable = () => invoke<boolean>("tray_available");
export const health = () => invoke<HealthReport>("health");
export const openPath = (path: string) => invoke<void>("open_path", { path });
export const getSettings = () => invoke<SettingRow[]>("get_settings");
/** Stores one setting; resolves to the stored (canonical) value, or rejects with the engine's message. */
export const setSetting = (key: string, value: string) => invoke<string>("set_setting", { key, value });
export const getStartAtLogin = () => invoke<boolean>("get_start_at_login");
/** Resolves to the state read back from the platform. */
export const setStartAtLogin = (enabled: boolean) => invoke<boolean>("set_start_at_login", { enabled });
export const failedFiles = (sourceId: number) => invoke<FailedFiles>("failed_files", { sourceId });
/** Sets the damaged index aside and starts a new one; rejects while an engine uses the index. */
export const rebuildIndex = () => invoke<RebuildReport>("rebuild_index");

/** Calls `handler` with the tab the tray asks the window to show ("Search…"). */
export function onShowTab(handler: (tab: string) => void): Promise<UnlistenFn> {
  return listen<string>("show-tab", (event) => handler(event.payload));
}

/** Calls `handler` with every status snapshot the Rust side emits. */
export function onStatus(handler: (snapshot: Snapshot) => void): Promise<UnlistenFn> {
  return listen<Snapshot>("status", (event) => handler(event.payload));
}

/** A command's error as text: the Rust side sends the message as a string. */
export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error instanceof Error) return error.message;
  return String(error);
}
