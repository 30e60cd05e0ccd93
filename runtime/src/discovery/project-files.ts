// Which of a project's files hold its own tasks: .gitignore files are honoured (each
// scoped to its own folder, with the `ignore` package), and folders that never hold a
// project's own tasks are skipped.
import { relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * Folders that never hold a project's own code, skipped by every walk of a project: the
 * Tasks view, `capsule build`'s fingerprint and the scan for writable grants.
 */
export const ALWAYS_SKIPPED: ReadonlySet<string> = new Set(['.git', 'node_modules', '.capsule', '__pycache__', '.venv', 'venv', 'site-packages', '.tox', '.mypy_cache']);

/** A .gitignore's rules, for paths relative to the folder that holds it. */
export function gitignoreRules(text: string): Ignore {
  return ignore().add(text);
}

interface Scoped { base: string; rules: Ignore }

export function isIgnored(stack: Scoped[], path: string, isDir: boolean): boolean {
  for (let i = stack.length - 1; i >= 0; i--) {
    const { base, rules } = stack[i]!;
    const rel = relative(base, path).split(sep).join('/');
    const r = rules.test(isDir ? `${rel}/` : rel);
    if (r.ignored || r.unignored) return r.ignored;
  }
  return false;
}
