// A live preview of what a folder's rules keep, shared by the "Add a folder"
// form and the rules editor: it walks the folder a moment after the last
// keystroke and shows the count and a few sample paths.
import * as api from "../api";
import { el, fill } from "../dom";
import { previewSummary } from "../preview";
import { PreviewSerial } from "../rules-editor";

/** Waits this long after the last keystroke before walking the folder. */
const PREVIEW_DELAY_MS = 400;

export class RulesPreviewBox {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly serial = new PreviewSerial();

  constructor(
    private readonly box: HTMLElement,
    private readonly rules: () => api.Rules,
  ) {}

  /** Previews after a short pause (call on every keystroke). */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), PREVIEW_DELAY_MS);
  }

  /** Empties the box and forgets any preview on its way. */
  clear(): void {
    clearTimeout(this.timer);
    this.serial.next();
    fill(this.box, []);
  }

  /** Previews now. */
  async run(): Promise<void> {
    clearTimeout(this.timer);
    const rules = this.rules();
    const serial = this.serial.next();
    if (rules.path === "") {
      fill(this.box, []);
      return;
    }
    this.box.textContent = "Looking at the folder…";
    try {
      const preview = await api.previewRules(rules);
      if (!this.serial.isCurrent(serial)) return; // a newer preview is on its way
      const samples = el("ul", { class: "samples" }, ...preview.samples.map((path) => el("li", { text: path })));
      fill(this.box, [el("p", { class: "preview-summary", text: previewSummary(preview) }), samples]);
    } catch (error) {
      if (!this.serial.isCurrent(serial)) return;
      fill(this.box, [el("p", { class: "error", text: api.errorText(error) })]);
    }
  }
}
