// Completion inside `@task(`: parameter names, then values for compute and file modes,
// and examples for ram and timeout. It reads the text rather than the tree, because
// while the user types the call is usually unfinished and the tree is in error.
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { FUEL, MODE_SPELLINGS, TASK_PARAMS, formatFuel } from '../../runtime/src/config/schema';

const PARAM_DOCS: Record<string, string> = {
  name: 'The task name (defaults to the function name); unique in a project.',
  compute: 'Fuel budget: "LOW" (100M), "MEDIUM" (2B), "HIGH" (50B) or a digit string.',
  ram: 'Memory limit: a number and B, KB, MB or GB, e.g. "512MB".',
  timeout: 'Wall-clock limit: "500ms", "30s", "5m", "1h", "1m30s".',
  max_retries: 'Extra attempts after a failure, each in a fresh sandbox (default 0).',
  allowed_files: 'Project directories the task may open: "data" or {"path": "data", "mode": "read-only"}.',
  allowed_hosts: 'Hosts the task may call: "api.example.com" (and subdomains), "*.example.com", "*".',
  env_variables: 'Host environment variables passed into the sandbox.',
};

const VALUES: Record<string, Array<{ label: string; detail: string }>> = {
  compute: [
    { label: 'LOW', detail: `${formatFuel(FUEL.LOW)} fuel` },
    { label: 'MEDIUM', detail: `${formatFuel(FUEL.MEDIUM)} fuel (default)` },
    { label: 'HIGH', detail: `${formatFuel(FUEL.HIGH)} fuel` },
    { label: '5000000', detail: 'exact fuel units' },
  ],
  ram: ['64MB', '256MB', '512MB', '1GB'].map((label) => ({ label, detail: 'memory limit' })),
  timeout: ['500ms', '30s', '5m', '1h', '1m30s'].map((label) => ({ label, detail: 'wall-clock limit' })),
};

export function completionsAt(text: string, offset: number): CompletionItem[] | null {
  const call = openTaskCall(text, offset);
  if (!call) return null;
  const before = text.slice(call.argsStart, offset);

  const mode = /["']mode["']\s*:\s*(["']?)[\w-]*$/.exec(before);
  if (mode && /\ballowed_files\s*=/.test(before)) return values(MODE_SPELLINGS.map((label) => ({ label, detail: 'file mode' })), mode[1]!);

  const value = /(\w+)\s*=\s*(["']?)[\w.]*$/.exec(before);
  if (value) {
    const [, param, quote] = value as unknown as [string, string, string];
    if (param === 'max_retries') return values(['0', '1', '3'].map((label) => ({ label, detail: 'retries' })), '', false);
    return VALUES[param] ? values(VALUES[param]!, quote) : [];
  }

  if (/(?:^|,)\s*\w*$/.test(before) && depth(before) === 0) {
    const given = new Set([...before.matchAll(/(?:^|,)\s*(\w+)\s*=/g)].map((m) => m[1]));
    return TASK_PARAMS.filter((p) => !given.has(p)).map((p, i) => ({
      label: p,
      kind: CompletionItemKind.Property,
      detail: '@task parameter',
      documentation: PARAM_DOCS[p],
      insertText: `${p}=`,
      sortText: String(i).padStart(2, '0'),
    }));
  }
  return [];
}

function values(items: Array<{ label: string; detail: string }>, openQuote: string, quoted = true): CompletionItem[] {
  return items.map((v, i) => ({
    label: v.label,
    kind: CompletionItemKind.Value,
    detail: v.detail,
    sortText: String(i).padStart(2, '0'),
    insertTextFormat: InsertTextFormat.PlainText,
    // Inside an open string, complete its content; else insert a whole literal.
    insertText: openQuote || !quoted ? v.label : `"${v.label}"`,
  }));
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
