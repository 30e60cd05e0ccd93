// Completion inside `@task(`: parameter names, then values for compute and file modes,
// and examples for ram and timeout. It reads the text rather than the tree, because
// while the user types the call is usually unfinished and the tree is in error.
import { CompletionItemKind, InsertTextFormat, MarkupKind, type CompletionItem, type Position } from 'vscode-languageserver';
import { FUEL, MAX_RAM_BYTES, MIN_RAM_BYTES, MODE_SPELLINGS, TASK_PARAMS, formatBytes, formatFuel } from '../../runtime/src/config/schema';
import { durableMeaning, modeMeaning, retriesMeaning } from './value-docs';

const PARAM_DOCS: Record<string, string> = {
  name: 'The task name (defaults to the function name); unique in a project.',
  compute: 'Fuel budget: "LOW" (100M), "MEDIUM" (2B), "HIGH" (50B) or a digit string.',
  ram: 'Memory limit: a number and B, KB, MB or GB, e.g. "512MB".',
  timeout: 'Wall-clock limit: "500ms", "30s", "5m", "1h", "1m30s".',
  max_retries: 'Extra attempts after a failure, each in a fresh sandbox (default 0).',
  allowed_files: 'Project directories the task may open: "data" or {"path": "data", "mode": "read-only"}.',
  allowed_hosts: 'Hosts the task may call: "api.example.com" (and subdomains), "*.example.com", "*".',
  env_variables: 'Host environment variables passed into the sandbox.',
  durable: 'True: when a run of this task (as the root) is interrupted, the next run with the same arguments resumes it from its journal (overrides capsule.toml\'s [workflow] durable).',
};

/** `documentation` is markdown. */
export interface Value { label: string; detail: string; documentation?: string }

const MB = 1024 ** 2;
const VALUES: Record<string, Value[]> = {
  compute: [
    { label: 'LOW', detail: `${formatFuel(FUEL.LOW)} fuel`, documentation: `${FUEL.LOW.toLocaleString('en-US')} fuel units, each about one WebAssembly instruction: short tasks.` },
    { label: 'MEDIUM', detail: `${formatFuel(FUEL.MEDIUM)} fuel (default)`, documentation: `${FUEL.MEDIUM.toLocaleString('en-US')} fuel units; the default when compute is left out.` },
    { label: 'HIGH', detail: `${formatFuel(FUEL.HIGH)} fuel`, documentation: `${FUEL.HIGH.toLocaleString('en-US')} fuel units: long computations.` },
    { label: '5000000', detail: 'exact fuel units', documentation: 'A digit string is an exact fuel budget (the CUSTOM level).' },
  ],
  ram: [64, 256, 512, 1024].map((mb) => ({
    label: mb < 1024 ? `${mb}MB` : '1GB',
    detail: 'memory limit',
    documentation: `${formatBytes(mb * MB)} of memory for the sandbox; Python needs at least ${formatBytes(MIN_RAM_BYTES)}, a sandbox can address at most ${formatBytes(MAX_RAM_BYTES)}.`,
  })),
  timeout: ['500ms', '30s', '5m', '1h', '1m30s'].map((label) => ({ label, detail: 'wall-clock limit', documentation: 'Wall-clock time from the task\'s first line; a timed-out task is retried if max_retries allows.' })),
};
const RETRIES: Value[] = [0, 1, 3].map((n) => ({ label: String(n), detail: n === 0 ? 'retries (default)' : 'retries', documentation: retriesMeaning(n) }));
const DURABLE: Value[] = [
  { label: 'True', detail: 'resume an interrupted run', documentation: durableMeaning(true) },
  { label: 'False', detail: 'always start afresh', documentation: durableMeaning(false) },
];
const MODES: Value[] = MODE_SPELLINGS.map((label) => ({ label, detail: 'file mode', documentation: `${modeMeaning(label)}.` }));

/** Values the project already uses for a list parameter (its .env, other tasks). */
export type KnownValues = (param: 'allowed_hosts' | 'env_variables') => Value[];

/**
 * `at` maps an offset to a position, for the textEdits that replace what is typed so far;
 * `known` gives the hosts and variable names the project already has, for list entries.
 */
export function completionsAt(text: string, offset: number, at?: (offset: number) => Position, known?: KnownValues): CompletionItem[] | null {
  const call = openTaskCall(text, offset);
  if (!call) return null;
  const before = text.slice(call.argsStart, offset);
  const typed = (prefix: string) => (at ? { start: at(offset - prefix.length), end: at(offset) } : undefined);

  // An entry of allowed_hosts=[...] or env_variables=[...]: those already written are left out.
  const entry = /\b(allowed_hosts|env_variables)\s*=\s*\[([^\]]*?)(["']?)([\w.*:-]*)$/.exec(before);
  if (entry && known) {
    const [, param, written, quote, prefix] = entry as unknown as [string, 'allowed_hosts' | 'env_variables', string, string, string];
    // Those after the cursor too: the rest of the entry typed, then the list up to its "]" (or the call's ")").
    const after = /^[\w.*:-]*["']?([^\])]*)/.exec(text.slice(offset, offset + 4000))![1]!;
    const have = new Set([...`${written} ${after}`.matchAll(/["']([^"']*)["']/g)].map((m) => m[1]));
    return values(known(param).filter((v) => !have.has(v.label)), quote, true, typed(prefix));
  }

  const mode = /["']mode["']\s*:\s*(["']?)([\w-]*)$/.exec(before);
  if (mode && /\ballowed_files\s*=/.test(before)) return values(MODES, mode[1]!, true, typed(mode[2]!));

  const value = /(\w+)\s*=\s*(["']?)([\w.]*)$/.exec(before);
  if (value) {
    const [, param, quote, prefix] = value as unknown as [string, string, string, string];
    if (param === 'max_retries') return values(RETRIES, '', false, typed(prefix));
    if (param === 'durable') return values(DURABLE, '', false, typed(prefix));
    return VALUES[param] ? values(VALUES[param]!, quote, true, typed(prefix)) : [];
  }

  const name = /(?:^|,)\s*(\w*)$/.exec(before);
  if (name && depth(before) === 0) {
    const given = new Set([...before.matchAll(/(?:^|,)\s*(\w+)\s*=/g)].map((m) => m[1]));
    const range = typed(name[1]!);
    return TASK_PARAMS.filter((p) => !given.has(p)).map((p, i) => ({
      label: p,
      kind: CompletionItemKind.Property,
      detail: '@task parameter',
      documentation: { kind: MarkupKind.Markdown, value: PARAM_DOCS[p]! },
      insertText: `${p}=`,
      ...(range ? { textEdit: { range, newText: `${p}=` } } : {}),
      sortText: String(i).padStart(2, '0'),
    }));
  }
  return [];
}

function values(items: Value[], openQuote: string, quoted: boolean, range: { start: Position; end: Position } | undefined): CompletionItem[] {
  return items.map((v, i) => {
    // Inside an open string, complete its content; else insert a whole literal.
    const insertText = openQuote || !quoted ? v.label : `"${v.label}"`;
    return {
      label: v.label,
      kind: CompletionItemKind.Value,
      detail: v.detail,
      ...(v.documentation ? { documentation: { kind: MarkupKind.Markdown, value: v.documentation } } : {}),
      sortText: String(i).padStart(2, '0'),
      insertTextFormat: InsertTextFormat.PlainText,
      insertText,
      ...(range ? { textEdit: { range, newText: insertText } } : {}),
    };
  });
}

/** The `@…task(` call the offset is in, if any: scans back to an unmatched "(". */
function openTaskCall(text: string, offset: number): { argsStart: number } | null {
  let nest = 0;
  for (let i = offset - 1, limit = Math.max(0, offset - 4000); i >= limit; i--) {
    const c = text[i];
    if (c === ')' || c === ']' || c === '}') nest++;
    else if (c === '[' || c === '{') nest = Math.max(0, nest - 1);
    else if (c === '(') {
      if (nest > 0) nest--;
      else {
        const head = /@\s*([\w.]+)\s*$/.exec(text.slice(Math.max(0, i - 200), i));
        if (!head || !isTaskCallee(head[1]!, text)) return null;
        return { argsStart: i + 1 };
      }
    } else if (c === '\n' && /^\s*(def|class|async)\b/.test(text.slice(i + 1, i + 20))) {
      return null; // walked back out of a decorator into a definition
    }
  }
  return null;
}

function isTaskCallee(callee: string, text: string): boolean {
  if (callee === 'task' || /\.task$/.test(callee)) return true;
  return new RegExp(`from\\s+capsule\\s+import\\s+[^\\n]*\\btask\\s+as\\s+${callee}\\b`).test(text);
}

/** Open brackets left in the text (a param name only completes at the top level). */
function depth(s: string): number {
  let d = 0;
  for (const c of s) {
    if (c === '[' || c === '{' || c === '(') d++;
    else if (c === ']' || c === '}' || c === ')') d--;
  }
  return d;
}
