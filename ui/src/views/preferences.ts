// The Preferences tab: the engine settings people tune (preferences.ts
// says which), start at login, and what AI assistants may do. Every field
// saves on its own when it changes; the engine validates the value, and its
// message is shown beside the field when it refuses one.
import * as api from "../api";
import { byId, el, fill } from "../dom";
import {
  ALLOWED_ROOTS_KEY,
  isChanged,
  parseField,
  pathList,
  preferenceFields,
  rangeHint,
  secondsInWords,
  withPath,
  type PreferenceField,
} from "../preferences";

/** The id of a setting's input: `pref-` and the key with dots as dashes. */
export function fieldId(key: string): string {
  return `pref-${key.replaceAll(".", "-")}`;
}

function setNote(note: HTMLElement, text: string, isError: boolean): void {
  note.textContent = text;
  note.className = isError ? "note error" : "note muted";
}

function fieldRow(field: PreferenceField): HTMLElement {
  const { row, spec } = field;
  const id = fieldId(row.key);
  const note = el("span", { class: "note muted", id: `${id}-note`, role: "status" });
  const input =
    row.kind === "boolean"
      ? el("input", { id, type: "checkbox", "data-key": row.key })
      : el("input", {
          id,
          type: row.kind === "integer" ? "number" : "text",
          inputmode: row.kind === "integer" ? "numeric" : false,
          min: row.min ?? false,
          max: row.max ?? false,
          step: row.kind === "integer" ? 1 : false,
          "data-key": row.key,
        });
  if (input.type === "checkbox") input.checked = row.value === "true";
  else input.value = row.value;
  const hint = el("span", { class: "hint muted", text: rangeHint(field) });
  const words = () => (row.key.endsWith("_s") ? secondsInWords(input.value) : "");
  const wordsBox = el("span", { class: "hint muted", text: words() });
  input.addEventListener("change", () => void save(field, input, note, wordsBox, words));
  // Enter commits the field (the browser then sends `change`).
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") input.blur();
  });
  input.setAttribute("aria-describedby", `${id}-note`);
  const label = el("label", { for: id, text: spec.label, title: row.description });
  return row.kind === "boolean"
    ? el("div", { class: "pref boolean" }, input, label, note)
    : el("div", { class: "pref" }, label, el("div", { class: "row" }, input, wordsBox), hint, note);
}

async function save(
  field: PreferenceField,
  input: HTMLInputElement,
  note: HTMLElement,
  wordsBox: HTMLElement,
  words: () => string,
): Promise<void> {
  const parsed = parseField(field.row, input.type === "checkbox" ? input.checked : input.value);
  if (!parsed.ok) {
    input.setAttribute("aria-invalid", "true");
    setNote(note, parsed.error, true);
    return;
  }
  if (!isChanged(field.row, parsed.value)) {
    input.removeAttribute("aria-invalid");
    setNote(note, "", false);
    return;
  }
  try {
    const stored = await api.setSetting(field.row.key, parsed.value);
    field.row.value = stored;
    if (input.type !== "checkbox") input.value = stored;
    wordsBox.textContent = words();
    input.removeAttribute("aria-invalid");
    setNote(note, "Saved", false);
  } catch (error) {
    input.setAttribute("aria-invalid", "true");
    setNote(note, api.errorText(error), true);
  }
}

function startAtLoginRow(enabled: boolean): HTMLElement {
  const note = el("span", { class: "note muted", id: "pref-start-at-login-note", role: "status" });
  const input = el("input", { id: "pref-start-at-login", type: "checkbox", "aria-describedby": note.id });
  input.checked = enabled;
  input.addEventListener("change", () => {
    const wanted = input.checked;
    input.disabled = true;
    api
      .setStartAtLogin(wanted)
      .then((now) => {
        input.checked = now;
        setNote(note, now ? "Gleaner starts when you log in" : "Gleaner does not start at login", false);
      })
      .catch((error) => {
        input.checked = !wanted;
        setNote(note, api.errorText(error), true);
      })
      .finally(() => (input.disabled = false));
  });
  return el("div", { class: "pref boolean" }, input, el("label", { for: input.id, text: "Start at login" }), note);
}

/**
 * The folders inside which AI assistants may add sources: a list with a
 * Remove button per folder and an Add button that opens the folder picker.
 * Each change saves the whole list through the engine, which checks it.
 */
function allowedRootsRow(row: api.SettingRow): HTMLElement {
  const note = el("span", { class: "note muted", id: "pref-mcp-allowed-roots-note", role: "status" });
  const list = el("ul", { class: "folder-list", id: "pref-mcp-allowed-roots" });
  const save = async (value: string): Promise<void> => {
    try {
      row.value = await api.setSetting(row.key, value);
      draw();
      setNote(note, "Saved", false);
    } catch (error) {
      setNote(note, api.errorText(error), true);
    }
  };
  const draw = (): void => {
    const paths = pathList(row.value);
    fill(
      list,
      paths.length === 0
        ? [el("li", { class: "muted", text: "None: only you add folders" })]
        : paths.map((path) => {
            const remove = el("button", {
              type: "button",
              class: "small secondary",
              text: "Remove",
              "aria-label": `Remove ${path}`,
            });
            remove.addEventListener("click", () => void save(withPath(row.value, path, false)));
            return el("li", {}, el("span", { class: "path", text: path }), remove);
          }),
    );
  };
  const add = el("button", { type: "button", class: "small", id: "pref-mcp-allowed-roots-add", text: "Add folder…" });
  add.addEventListener("click", () => {
    void api
      .pickFolder("Allow AI assistants to add folders inside")
      .then((folder) => (folder ? save(withPath(row.value, folder, true)) : undefined))
      .catch((error) => setNote(note, api.errorText(error), true));
  });
  draw();
  return el(
    "div",
    { class: "pref folders" },
    el("span", { class: "label", text: "Folders assistants may add", title: row.description }),
    list,
    add,
    el("span", {
      class: "hint muted",
      text: "Never ~/.ssh or another dot-folder of your home, /etc or system folders, unless you add that folder itself here.",
    }),
    note,
  );
}

/** Reads the settings and start at login, and draws the form. */
export async function refreshPreferences(): Promise<void> {
  const box = byId("preferences");
  try {
    const [rows, startAtLogin] = await Promise.all([api.getSettings(), api.getStartAtLogin()]);
    const fields = preferenceFields(rows);
    const section = (title: string, keys: string[]) =>
      el(
        "fieldset",
        { class: "card" },
        el("legend", { text: title }),
        ...fields.filter((field) => keys.includes(field.row.key)).map(fieldRow),
      );
    const assistants = assistantsSection(fields, rows);
    fill(box, [
      section("Indexing", ["watch.debounce_ms", "scan.full_interval_s", "index.workers"]),
      section("Notifications", ["notify.desktop", "notify.dnd"]),
      el("fieldset", { class: "card" }, el("legend", { text: "App" }), startAtLoginRow(startAtLogin)),
      section("HTTP API", ["http.enabled"]),
      ...(assistants ? [assistants] : []),
    ]);
  } catch (error) {
    fill(box, [el("p", { class: "error", text: api.errorText(error) })]);
  }
}

/**
 * "AI assistants (MCP)": whether `gleaner mcp` may change anything, and the
 * folders it may add. Left out when the engine is older than these settings.
 */
function assistantsSection(fields: PreferenceField[], rows: readonly api.SettingRow[]): HTMLElement | null {
  const allow = fields.find((field) => field.row.key === "mcp.allow_changes");
  const roots = rows.find((row) => row.key === ALLOWED_ROOTS_KEY);
  if (!allow || !roots) return null;
  return el(
    "fieldset",
    { class: "card", id: "pref-assistants" },
    el("legend", { text: "AI assistants (MCP)" }),
    el("p", {
      class: "hint muted",
      text: "Assistants can always search and read what is indexed. Anything they read can try to steer them, so changes are off until you allow them.",
    }),
    fieldRow(allow),
    allowedRootsRow(roots),
  );
}

/** Shows start at login as the status snapshot reports it (changed from the tray). */
export function showStartAtLogin(enabled: boolean): void {
  const input = document.getElementById("pref-start-at-login") as HTMLInputElement | null;
  if (input && !input.disabled) input.checked = enabled;
}
