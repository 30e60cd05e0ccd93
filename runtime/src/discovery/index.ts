// Static task discovery, shared by the language server and the CLI.
import { readFile } from 'node:fs/promises';
import type { Tree } from 'web-tree-sitter';
import type { ConfigProblem, Span } from '../config/schema';
import { loadProjectConfig } from '../config/toml';
import { initParser, loadedParser, type Parser } from './parser';
import { discoverInTree, type DiscoveredTask, type DiscoverOptions } from './tasks';

export { initParser } from './parser';
export { discoverInTree } from './tasks';
export { TaskReuse } from './reuse';
export type { DiscoveredTask, DiscoverOptions } from './tasks';
export { spanOf } from './values';

/**
 * Tasks in a tree, or in source text (then `initParser()` must have resolved, or pass
 * `parser`). The tree is the caller's; a tree made here from text is deleted here.
 */
export function discoverTasks(input: Tree | string, opts: DiscoverOptions & { parser?: Parser } = {}): DiscoveredTask[] {
  if (typeof input !== 'string') return discoverInTree(input, opts);
  const parser = opts.parser ?? loadedParser();
  if (!parser) throw new Error('discoverTasks: the parser is not loaded yet; await initParser() first');
  const tree = parser.parse(input);
  if (!tree) throw new Error('discoverTasks: tree-sitter returned no tree');
  try {
    return discoverInTree(tree, opts);
  } finally {
    tree.delete();
  }
}

export interface FileTasks { file: string; tasks: DiscoveredTask[] }

/** For the CLI: a file's tasks with capsule.toml defaults (loaded from projectRoot unless given). */
export async function discoverFile(path: string, opts: DiscoverOptions & { projectRoot: string }): Promise<FileTasks> {
  const parser = await initParser();
  const defaults = opts.defaults ?? loadProjectConfig(opts.projectRoot).defaults;
  const source = await readFile(path, 'utf8');
  return { file: path, tasks: discoverTasks(source, { ...opts, defaults, parser }) };
}

export interface DuplicateProblem { file: string; task: DiscoveredTask; problem: ConfigProblem }

/** Task names must be unique across a project: each clash is reported at every definition. */
export function findDuplicateTasks(files: FileTasks[], lineOf: (task: DiscoveredTask) => number = (t) => t.nameSpan.start.line): DuplicateProblem[] {
  const byName = new Map<string, Array<{ file: string; task: DiscoveredTask }>>();
  for (const f of files) {
    for (const task of f.tasks) {
      const list = byName.get(task.name) ?? [];
      list.push({ file: f.file, task });
      byName.set(task.name, list);
    }
  }
  const out: DuplicateProblem[] = [];
  for (const [name, defs] of byName) {
    if (defs.length < 2) continue;
    for (const d of defs) {
      const others = defs.filter((o) => o !== d).map((o) => `${o.file}:${lineOf(o.task) + 1}`);
      const span: Span = d.task.taskNameSpan ?? d.task.nameSpan;
      out.push({ file: d.file, task: d.task, problem: { param: 'name', severity: 'error', message: `duplicate task name "${name}": also defined at ${others.join(', ')}`, span } });
    }
  }
  return out;
}

/** `file:line:col: severity: message`, 1-based, as the CLI prints config problems. */
export function formatProblem(file: string, p: ConfigProblem, fallback?: Span): string {
  const at = p.span ?? fallback;
  const where = at ? `${file}:${at.start.line + 1}:${at.start.column + 1}` : file;
  return `${where}: ${p.severity}: ${p.message}`;
}
