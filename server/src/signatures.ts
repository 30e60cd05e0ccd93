// Each task's parameters, read from its `def` line(s): names, annotations and defaults as
// written. The client builds the "Run with arguments" box from them and checks what the
// user typed before anything runs. Plain text scanning: the index holds no trees.
import type { TaskParam } from './protocol';

const DEF = /def\s+([^\s(]+)\s*\(/g;

/** Where each line of `source` starts (offsets). */
export function lineStarts(source: string): number[] {
  const starts = [0];
  for (let nl = source.indexOf('\n'); nl >= 0; nl = source.indexOf('\n', nl + 1)) starts.push(nl + 1);
  return starts;
}

/**
 * The text between `def name(` and its matching `)`, or undefined when it cannot be found.
 * `starts`: the source's lineStarts, made once per file (a file of 10,000 tasks split per
 * task made the task list quadratic: tens of seconds per request).
 */
function paramText(source: string, functionName: string, defLine: number, starts: number[]): string | undefined {
  if (defLine >= starts.length) return undefined;
  // One pattern for every task (a file of 10,000 tasks compiled one per task), the name checked after.
  DEF.lastIndex = starts[defLine]!;
  let m: RegExpExecArray | null;
  while ((m = DEF.exec(source)) && m[1] !== functionName) DEF.lastIndex = m.index + 1;
  if (!m) return undefined;
  const start = m.index + m[0].length;
  let depth = 1;
  let quote = '';
  for (let i = start; i < source.length; i++) {
    const c = source[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#') { const nl = source.indexOf('\n', i); i = nl < 0 ? source.length : nl; }
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c) && --depth === 0) return source.slice(start, i);
  }
  return undefined;
}

/** Splits on `sep` at depth 0, outside strings and comments. */
function splitTop(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      cur += c;
      if (c === '\\') cur += text[++i] ?? '';
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '#') { const nl = text.indexOf('\n', i); i = nl < 0 ? text.length : nl; continue; }
    if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    if (c === sep && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  parts.push(cur);
  return parts;
}

/** The parameters of `def functionName(...)` starting on 0-based `defLine`; `self`-less, in order. */
export function parseSignature(source: string, functionName: string, defLine: number, starts = lineStarts(source)): TaskParam[] | undefined {
  const text = paramText(source, functionName, defLine, starts);
  if (text === undefined) return undefined;
  // Most tasks' parameters read the same as the last time the list was made: the same (frozen)
  // array is handed out again, so the task list's changes compare them by identity.
  let params = PARSED.get(text);
  if (!params) {
    if (PARSED.size >= 50_000) PARSED.clear();
    PARSED.set(text, (params = deepFreeze(parseParams(text))));
  }
  return params;
}

const PARSED = new Map<string, TaskParam[]>();
const deepFreeze = (ps: TaskParam[]): TaskParam[] => Object.freeze(ps.map((p) => Object.freeze(p))) as TaskParam[];

function parseParams(text: string): TaskParam[] {
  const params: TaskParam[] = [];
  let keywordOnly = false;
  const positional = splitTop(text, ',').map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const slash = positional.indexOf('/');
  positional.forEach((raw, i) => {
    if (raw === '/') return;
    if (raw === '*') { keywordOnly = true; return; }
    const [head, ...rest] = splitTop(raw, '=');
    const def = rest.length ? rest.join('=').trim() : undefined;
    const [nameText, ...ann] = splitTop(head!, ':');
    const annotation = ann.length ? ann.join(':').trim() : undefined;
    const name = nameText!.trim();
    const kind: TaskParam['kind'] = name.startsWith('**') ? 'varkw' : name.startsWith('*') ? 'varargs'
      : keywordOnly ? 'keyword' : i < slash ? 'positional-only' : 'positional';
    if (kind === 'varargs') keywordOnly = true;
    params.push({ name: name.replace(/^\*+/, ''), kind, ...(annotation ? { annotation } : {}), ...(def !== undefined ? { default: def } : {}) });
  });
  return params;
}

/** A file's text with its line starts (parseSignature's input), made once per file and pass. */
export interface SourceLines { text: string; starts: number[] }
export const sourceLines = (text: string): SourceLines => ({ text, starts: lineStarts(text) });

/**
 * Parameters per discovered task, parsed once. A task object is kept across edits only
 * while its statement's text is the same (edits above it move it), so its signature is too.
 */
export class SignatureCache {
  private readonly byTask = new WeakMap<object, TaskParam[] | null>();

  /** `task`'s parameters; `source` is asked only when they were not parsed yet (undefined: no text now). */
  get(task: object, functionName: string, defLine: number, source: () => SourceLines | undefined): TaskParam[] | undefined {
    let params = this.byTask.get(task);
    if (params === undefined) {
      const src = source();
      if (!src) return undefined;
      params = parseSignature(src.text, functionName, defLine, src.starts) ?? null;
      this.byTask.set(task, params);
    }
    return params ?? undefined;
  }
}
