// An open document's text and line starts, as vscode-languageserver-textdocument's
// TextDocument keeps them (same positions, same clamping), but a keystroke does not
// rewrite every later line's start: typing on one line adds to a pending shift of the
// lines below it, applied when an edit elsewhere or a new line needs them. The library
// shifted ~40,000 line starts per keystroke in a 10,000-task file (~1.5 ms).
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';

const LF = 10;
const CR = 13;

export class EditedText {
  private content: string;
  /** Line starts; lines from `shiftFrom` on start `shift` later than written here. */
  private starts: number[] | undefined;
  private shiftFrom = Infinity;
  private shift = 0;

  constructor(readonly uri: string, readonly languageId: string, public version: number, text: string) {
    this.content = text;
  }

  get lineCount(): number {
    return this.lineStarts().length;
  }

  getText(range?: Range): string {
    return range ? this.content.substring(this.offsetAt(range.start), this.offsetAt(range.end)) : this.content;
  }

  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change)) {
        this.content = change.text;
        this.starts = undefined;
        this.shiftFrom = Infinity;
        this.shift = 0;
        continue;
      }
      const range = wellFormed(change.range);
      const start = this.offsetAt(range.start);
      const end = this.offsetAt(range.end);
      const c = this.content;
      this.content = c.substring(0, start) + change.text + c.substring(end);
      const insertedEnd = start + change.text.length;
      const s = this.content;
      // A CRLF pair across an edit's edge is not in the inserted text's own line starts.
      if ((s.charCodeAt(start - 1) === CR && s.charCodeAt(start) === LF) || (s.charCodeAt(insertedEnd - 1) === CR && s.charCodeAt(insertedEnd) === LF)) {
        this.starts = undefined;
        this.shiftFrom = Infinity;
        this.shift = 0;
        continue;
      }
      if (!this.starts) continue; // computed when first asked, from the new text
      const startLine = Math.max(range.start.line, 0);
      const endLine = Math.max(range.end.line, 0);
      const added = lineStarts(change.text, false, start);
      const diff = change.text.length - (end - start);
      if (startLine === endLine && added.length === 0) {
        // Within one line: the lines below move by `diff`, later (typing on one line costs no walk).
        if (this.shift !== 0 && this.shiftFrom !== startLine + 1) this.settled();
        this.shiftFrom = startLine + 1;
        this.shift += diff;
        if (this.shift === 0) this.shiftFrom = Infinity;
        continue;
      }
      let starts = this.settled();
      if (endLine - startLine === added.length) for (let i = 0; i < added.length; i++) starts[i + startLine + 1] = added[i]!;
      else if (added.length < 10_000) starts.splice(startLine + 1, endLine - startLine, ...added);
      else this.starts = starts = starts.slice(0, startLine + 1).concat(added, starts.slice(endLine + 1)); // too many arguments for splice
      if (diff !== 0) for (let i = startLine + 1 + added.length; i < starts.length; i++) starts[i] = starts[i]! + diff;
    }
    this.version = version;
  }

  positionAt(offset: number): Position {
    offset = Math.max(Math.min(offset, this.content.length), 0);
    const starts = this.lineStarts();
    let low = 0;
    let high = starts.length;
    if (high === 0) return { line: 0, character: offset };
    while (low < high) {
      const mid = Math.floor((low + high) / 2);
      if (this.startOf(starts, mid) > offset) high = mid;
      else low = mid + 1;
    }
    const line = low - 1;
    const lineStart = this.startOf(starts, line);
    return { line, character: this.beforeEol(offset, lineStart) - lineStart };
  }

  offsetAt(position: Position): number {
    const starts = this.lineStarts();
    if (position.line >= starts.length) return this.content.length;
    if (position.line < 0) return 0;
    const lineStart = this.startOf(starts, position.line);
    if (position.character <= 0) return lineStart;
    const next = position.line + 1 < starts.length ? this.startOf(starts, position.line + 1) : this.content.length;
    return this.beforeEol(Math.min(lineStart + position.character, next), lineStart);
  }

  private startOf(starts: number[], line: number): number {
    return line >= this.shiftFrom ? starts[line]! + this.shift : starts[line]!;
  }

  private lineStarts(): number[] {
    return (this.starts ??= lineStarts(this.content, true, 0));
  }

  /** The line starts with the pending shift applied. */
  private settled(): number[] {
    const starts = this.lineStarts();
    if (this.shift !== 0) for (let i = this.shiftFrom; i < starts.length; i++) starts[i] = starts[i]! + this.shift;
    this.shiftFrom = Infinity;
    this.shift = 0;
    return starts;
  }

  private beforeEol(offset: number, lineStart: number): number {
    while (offset > lineStart && isEol(this.content.charCodeAt(offset - 1))) offset--;
    return offset;
  }
}

function isEol(c: number): boolean {
  return c === CR || c === LF;
}

/** Where each line after a line break starts (and line 0, when `first`), offset by `base`. */
function lineStarts(text: string, first: boolean, base: number): number[] {
  const out: number[] = first ? [base] : [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isEol(c)) {
      if (c === CR && i + 1 < text.length && text.charCodeAt(i + 1) === LF) i++;
      out.push(base + i + 1);
    }
  }
  return out;
}

/** Start before end, as the library orders an inverted range. */
function wellFormed(range: Range): Range {
  const { start, end } = range;
  return start.line > end.line || (start.line === end.line && start.character > end.character) ? { start: end, end: start } : range;
}
