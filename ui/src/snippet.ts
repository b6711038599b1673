// Search snippets: the engine marks matched words with `**…**`. Everything
// else is the document's own text and must show as text, never as markup;
// rendering builds text nodes, so nothing in a snippet is ever parsed as HTML.

export interface SnippetPart {
  text: string;
  match: boolean;
}

/**
 * Splits a snippet into plain and matched parts. `**` toggles a match; an
 * unclosed `**` at the end is shown as it is. Empty parts are dropped and
 * neighbours of the same kind merged.
 */
export function parseSnippet(snippet: string): SnippetPart[] {
  const pieces = snippet.split("**");
  // An even count of pieces means an odd count of markers: the last one is unclosed.
  const unclosed = pieces.length % 2 === 0;
  const parts: SnippetPart[] = [];
  pieces.forEach((text, i) => {
    let match = i % 2 === 1;
    if (unclosed && i === pieces.length - 1) {
      match = false;
      text = `**${text}`;
    }
    if (text === "") return;
    const last = parts[parts.length - 1];
    if (last && last.match === match) last.text += text;
    else parts.push({ text, match });
  });
  return parts;
}

/** Appends the snippet to `parent` as text nodes and <mark> elements. */
export function renderSnippet(parent: HTMLElement, snippet: string): void {
  for (const part of parseSnippet(snippet)) {
    if (part.match) {
      const mark = parent.ownerDocument.createElement("mark");
      mark.textContent = part.text;
      parent.append(mark);
    } else {
      parent.append(part.text);
    }
  }
}
