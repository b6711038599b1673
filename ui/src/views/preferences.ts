// The Preferences tab: the engine settings people tune (preferences.ts
// says which) and start at login. Every field saves on its own when it
// changes; the engine validates the value, and its message is shown beside
// the field when it refuses one.
import * as api from "../api";
import { byId, el, fill } from "../dom";
import { isChanged, parseField, preferenceFields, rangeHint, secondsInWords, type PreferenceField } from "../preferences";

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
    fill(box, [
      section("Indexing", ["watch.debounce_ms", "scan.full_interval_s", "index.workers"]),
      section("Notifications", ["notify.desktop", "notify.dnd"]),
      el("fieldset", { class: "card" }, el("legend", { text: "App" }), startAtLoginRow(startAtLogin)),
      section("HTTP API", ["http.enabled"]),
    ]);
  } catch (error) {
    fill(box, [el("p", { class: "error", text: api.errorText(error) })]);
  }
}

/** Shows start at login as the status snapshot reports it (changed from the tray). */
export function showStartAtLogin(enabled: boolean): void {
  const input = document.getElementById("pref-start-at-login") as HTMLInputElement | null;
  if (input && !input.disabled) input.checked = enabled;
}
