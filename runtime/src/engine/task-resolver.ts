// Finds a task's config before anything runs: capsule.toml defaults, then the
// file's @task decorators read statically with tree-sitter (the same discovery
// the language server uses). An error-severity problem in capsule.toml, in the
// task, or in a task of the file it can call stops the run with
// `file:line:col: message`; a bad decorator on an unrelated task does not.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { TaskConfig } from '../config/schema';
import { loadProjectConfig } from '../config/toml';
import { initParser } from '../discovery/parser';
import { discoverInTree, type DiscoveredTask } from '../discovery/tasks';
import { ConfigError, type ConfigProblemAt } from './errors';

/** Resolves the named task of an absolute file to its config, or throws ConfigError. */
export type TaskResolver = (absFile: string, taskName: string) => Promise<TaskConfig>;

/**
 * Every task of a file, with problems (capsule.toml's first) as file:line:col;
 * `outside` holds those of no task (capsule.toml, an unreadable file).
 */
export async function discoverTasks(projectRoot: string, absFile: string): Promise<{ tasks: DiscoveredTask[]; problems: ConfigProblemAt[]; outside: ConfigProblemAt[]; source?: string }> {
  const problems: ConfigProblemAt[] = [];
  const project = loadProjectConfig(projectRoot);
  for (const p of project.problems) {
    if (p.severity === 'error') problems.push({ file: project.path ?? 'capsule.toml', line: p.line, column: p.column, message: p.message });
  }
  let source: string;
  try {
    source = readFileSync(absFile, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push({ file: absFile, line: 0, column: 0, message: code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? (e as Error).message})` });
    return { tasks: [], problems, outside: problems };
  }
  const parser = await initParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter could not parse ${absFile}`);
  try {
    const tasks = discoverInTree(tree, { projectRoot, defaults: project.defaults });
    const outside = [...problems];
    for (const t of tasks) problems.push(...taskProblems(absFile, t));
    return { tasks, problems, outside, source };
  } finally {
    tree.delete();
  }
}

function taskProblems(absFile: string, t: DiscoveredTask): ConfigProblemAt[] {
  return t.problems.filter((p) => p.severity === 'error').map((p) => {
    const at = p.span?.start ?? t.decoratorSpan.start;
    return { file: absFile, line: at.line + 1, column: at.column + 1, message: `task "${t.name}": ${p.message}` };
  });
}

/**
 * The task and every task of the same file it can call, directly or through another:
 * a call `fn(` of a task's function name inside its definition. Read from the source,
 * so a call made through another name is only checked when it happens (as a sub-task).
 */
export function reachableTasks(tasks: DiscoveredTask[], source: string, root: DiscoveredTask): DiscoveredTask[] {
  const lines = source.split('\n');
  const bodyOf = (t: DiscoveredTask) => lines.slice(t.nameSpan.start.line, t.span.end.line + 1).join('\n');
  const seen = new Set<DiscoveredTask>([root]);
  const queue = [root];
  while (queue.length > 0) {
    const body = bodyOf(queue.shift()!);
    for (const t of tasks) {
      if (seen.has(t)) continue;
      if (new RegExp(`(^|[^\\w.])${t.functionName}\\s*\\(`).test(body)) { seen.add(t); queue.push(t); }
    }
  }
  return [...seen];
}

export function defaultResolver(projectRoot: string): TaskResolver {
  return async (absFile, taskName) => {
    const { tasks, outside, source } = await discoverTasks(projectRoot, absFile);
    const task = tasks.find((t) => t.name === taskName);
    // Another task's bad decorator does not stop this one: only the tasks it can reach count.
    const reached = task && source !== undefined ? reachableTasks(tasks, source, task) : [];
    const blocking = [...outside, ...reached.flatMap((t) => taskProblems(absFile, t))];
    if (blocking.length > 0) throw new ConfigError(blocking);
    if (!task) {
      const names = tasks.map((t) => `"${t.name}"`).join(', ');
      const where = relative(projectRoot, absFile) || absFile;
      throw new ConfigError([
        {
          file: absFile,
          line: 0,
          column: 0,
          message: names ? `no task named "${taskName}" in ${where}; its tasks are ${names}` : `no @task function in ${where}; decorate one with @task from capsule`,
        },
      ]);
    }
    if (!task.config) throw new ConfigError([{ file: absFile, line: task.decoratorSpan.start.line + 1, column: task.decoratorSpan.start.column + 1, message: `task "${taskName}" has an invalid configuration` }]);
    return task.config;
  };
}
