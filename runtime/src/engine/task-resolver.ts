// Finds a task's config before anything runs: capsule.toml defaults, then the
// file's @task decorators read statically with tree-sitter (the same discovery
// the language server uses). Any error-severity problem stops the run with
// `file:line:col: message`.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { TaskConfig } from '../config/schema';
import { loadProjectConfig } from '../config/toml';
import { initParser } from '../discovery/parser';
import { discoverInTree, type DiscoveredTask } from '../discovery/tasks';
import { ConfigError, type ConfigProblemAt } from './errors';

/** Resolves the named task of an absolute file to its config, or throws ConfigError. */
export type TaskResolver = (absFile: string, taskName: string) => Promise<TaskConfig>;

/** Every task of a file, with problems (capsule.toml's first) as file:line:col. */
export async function discoverTasks(projectRoot: string, absFile: string): Promise<{ tasks: DiscoveredTask[]; problems: ConfigProblemAt[] }> {
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
    return { tasks: [], problems };
  }
  const parser = await initParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter could not parse ${absFile}`);
  try {
    const tasks = discoverInTree(tree, { projectRoot, defaults: project.defaults });
    for (const t of tasks) {
      for (const p of t.problems) {
        if (p.severity !== 'error') continue;
        const at = p.span?.start ?? t.decoratorSpan.start;
        problems.push({ file: absFile, line: at.line + 1, column: at.column + 1, message: `task "${t.name}": ${p.message}` });
      }
    }
    return { tasks, problems };
  } finally {
    tree.delete();
  }
}

export function defaultResolver(projectRoot: string): TaskResolver {
  return async (absFile, taskName) => {
    const { tasks, problems } = await discoverTasks(projectRoot, absFile);
    if (problems.length > 0) throw new ConfigError(problems);
    const task = tasks.find((t) => t.name === taskName);
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
