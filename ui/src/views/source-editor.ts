// The rules editor of an existing source: include and exclude globs and the
// subfolders flag, with the same live preview as the "Add a folder" form.
// It is a form of its own above the list, not part of a card, so the list
// can be redrawn by status updates while the user types.
import * as api from "../api";
import { byId } from "../dom";
import { draftChanged, draftFromSource, draftRules, type RulesDraft } from "../rules-editor";
import { RulesPreviewBox } from "./rules-preview";

let editing: api.Source | null = null;
let preview: RulesPreviewBox | undefined;
let onSaved: () => Promise<void> = async () => undefined;

function formDraft(): RulesDraft {
  return {
    path: editing?.path ?? "",
    includeText: byId<HTMLTextAreaElement>("edit-include").value,
    excludeText: byId<HTMLTextAreaElement>("edit-exclude").value,
    recursive: byId<HTMLInputElement>("edit-recursive").checked,
  };
}

function updateSaveButton(): void {
  byId<HTMLButtonElement>("edit-save").disabled = editing === null || !draftChanged(formDraft(), editing);
}

function onInput(): void {
  updateSaveButton();
  preview?.schedule();
}

/** Opens the editor on `source`'s saved rules and previews them. */
export function editSource(source: api.Source): void {
  editing = source;
  const draft = draftFromSource(source);
  byId("edit-path").textContent = source.path;
  byId<HTMLTextAreaElement>("edit-include").value = draft.includeText;
  byId<HTMLTextAreaElement>("edit-exclude").value = draft.excludeText;
  byId<HTMLInputElement>("edit-recursive").checked = draft.recursive;
  byId("edit-error").textContent = "";
  const form = byId<HTMLFormElement>("edit-source");
  form.hidden = false;
  updateSaveButton();
  void preview?.run();
  form.scrollIntoView({ block: "start" });
  byId<HTMLTextAreaElement>("edit-include").focus();
}

function close(): void {
  editing = null;
  preview?.clear();
  byId<HTMLFormElement>("edit-source").hidden = true;
}

async function save(event: Event): Promise<void> {
  event.preventDefault();
  if (!editing) return;
  const button = byId<HTMLButtonElement>("edit-save");
  button.disabled = true;
  try {
    await api.updateSource(draftRules(formDraft()));
    close();
    await onSaved();
  } catch (error) {
    byId("edit-error").textContent = api.errorText(error);
    updateSaveButton();
  }
}

/** Wires the editor; `saved` runs after a successful save. */
export function initSourceEditor(saved: () => Promise<void>): void {
  onSaved = saved;
  preview = new RulesPreviewBox(byId("edit-preview"), () => draftRules(formDraft()));
  byId("edit-source").addEventListener("submit", (event) => void save(event));
  byId("edit-cancel").addEventListener("click", close);
  for (const id of ["edit-include", "edit-exclude"]) byId(id).addEventListener("input", onInput);
  byId("edit-recursive").addEventListener("change", onInput);
}
