// Finds a task's config before anything runs: capsule.toml defaults, then the
// file's @task decorators read statically with tree-sitter (the same discovery
// the language server uses). An error-severity problem in capsule.toml, in the
// task, or in a task of the file it can call stops the run with
// `file:line:col: message`; a bad decorator on an unrelated task does not.
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { resolveTaskConfig, type TaskConfig } from '../config/schema';
import { loadProjectConfig } from '../config/toml';
import { firstSyntaxError, initParser, parseSource } from '../discovery/parser';
import { PythonCompile, TREE_SITTER_SYNTAX_MESSAGE } from '../discovery/python-compile';
import { MAX_LISTED_SITES } from '../discovery/duplicates';
import { discoverInTree, type DiscoveredTask } from '../discovery/tasks';
import { checkSourceBytes, decodeSource } from '../discovery/source-check';
import { ConfigError, type ConfigProblemAt } from './errors';

/**
 * A task's config (capsule.toml's defaults, then its decorator), and its decorator's
 * alone: the sandbox's SDK makes the latter from the arguments the decorator really
 * gets when the file runs, and refuses to run the task if the two differ.
 */
export interface ResolvedTask { config: TaskConfig; declared: TaskConfig }

/** Resolves the named task of an absolute file to its config, or throws ConfigError. */
export type TaskResolver = (absFile: string, taskName: string) => Promise<ResolvedTask>;

/**
 * Every task of a file, with problems (capsule.toml's first) as file:line:col;
 * `outside` holds those of no task (capsule.toml, an unreadable file).
 */
export interface TaskFile {
  tasks: DiscoveredTask[];
  problems: ConfigProblemAt[];
  outside: ConfigProblemAt[];
  source?: string;
  /** Where tree-sitter found the file broken (0-based), if it did: tasks after it may be missing. */
  syntaxError?: { line: number; column: number };
}

export async function loadTaskFile(projectRoot: string, absFile: string, grantRoot: string | null = projectRoot): Promise<TaskFile> {
  const problems: ConfigProblemAt[] = [];
  // capsule.toml's default_allowed_files are grants too: checked where the decorator's are.
  const project = loadProjectConfig(projectRoot, { grantRoot });
  for (const p of project.problems) {
    if (p.severity === 'error') problems.push({ file: project.path ?? 'capsule.toml', line: p.line, column: p.column, message: p.message });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(absFile);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push({ file: absFile, line: 0, column: 0, message: code === 'ENOENT' ? 'no such file' : `cannot read the file (${code ?? (e as Error).message})` });
    return { tasks: [], problems, outside: problems };
  }
  // Not UTF-8, UTF-16, NUL bytes: python3 would refuse the file, so say that, not "no @task".
  const unreadable = checkSourceBytes(bytes);
  if (unreadable) {
    problems.push({ file: absFile, line: unreadable.line, column: unreadable.column, message: `SyntaxError: ${unreadable.message}` });
    return { tasks: [], problems, outside: problems };
  }
  const source = decodeSource(bytes);
  const parser = await initParser();
  const tree = parseSource(parser, source);
  try {
    const tasks = discoverInTree(tree, source, { ...(grantRoot !== null ? { projectRoot: grantRoot } : {}), taskDefaults: project.taskDefaults });
    const outside = [...problems];
    for (const t of tasks) problems.push(...taskProblems(absFile, t));
    const syntaxError = tree.rootNode.hasError ? firstSyntaxError(tree.rootNode) : undefined;
    return { tasks, problems, outside, source, ...(syntaxError ? { syntaxError } : {}) };
  } finally {
    tree.delete();
  }
}

const pythonCompile = new PythonCompile();

/**
 * Why CPython would not compile the file, as python3 says it (CPython 3.11's own message
 * when the host has it, else where tree-sitter stopped); undefined when it compiles. Asked
 * when tree-sitter found an error (a task missing from such a file is most likely lost to
 * it: say so, not "no @task"), or always (`capsule build` checks what it builds).
 */
export async function syntaxProblem(absFile: string, file: TaskFile, always = false): Promise<ConfigProblemAt | undefined> {
  if (file.source === undefined || (!file.syntaxError && !always)) return undefined;
  const e = await pythonCompile.check(file.source, absFile);
  if (e) return { file: absFile, line: e.line, column: e.column, message: `${e.type}: ${e.message}` };
  if (e === null || !file.syntaxError) return undefined;
  return { file: absFile, line: file.syntaxError.line + 1, column: file.syntaxError.column + 1, message: TREE_SITTER_SYNTAX_MESSAGE };
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

/**
 * The file's other definitions of `task`'s name. Tasks are found by file and name (every
 * file may have its own `main`), so a name is unique within its file, as the editor says.
 */
function duplicatesOf(projectRoot: string, absFile: string, task: DiscoveredTask, tasks: DiscoveredTask[]): ConfigProblemAt[] {
  const rel = relative(projectRoot, absFile).split(sep).join('/') || absFile;
  const others = tasks.filter((t) => t !== task && t.name === task.name && !t.unreachable).map((t) => `${rel}:${t.nameSpan.start.line + 1}`);
  if (others.length === 0) return [];
  const span = task.taskNameSpan ?? task.nameSpan;
  const listed = others.slice(0, MAX_LISTED_SITES).join(', ') + (others.length > MAX_LISTED_SITES ? ` and ${others.length - MAX_LISTED_SITES} more` : '');
  return [{ file: absFile, line: span.start.line + 1, column: span.start.column + 1, message: `task "${task.name}": duplicate task name "${task.name}": also defined at ${listed}; task names must be unique in a file` }];
}

/**
 * grantRoot: where allowed_files paths must exist (default the project root; null: checked
 * only as written, for a queue worker, which checks them on its own disk).
 */
export function defaultResolver(projectRoot: string, grantRoot: string | null = projectRoot): TaskResolver {
  return async (absFile, taskName) => {
    const file = await loadTaskFile(projectRoot, absFile, grantRoot);
    const { tasks, outside, source } = file;
    const task = tasks.find((t) => t.name === taskName);
    // Another task's bad decorator does not stop this one: only the tasks it can reach count.
    const reached = task && source !== undefined ? reachableTasks(tasks, source, task) : [];
    const blocking = [...outside, ...reached.flatMap((t) => taskProblems(absFile, t))];
    // A name defined twice in the file: the SDK would register one function under the other's limits.
    if (task && !task.unreachable) blocking.push(...duplicatesOf(projectRoot, absFile, task, tasks));
    if (blocking.length > 0) throw new ConfigError(blocking);
    if (!task) {
      const syntax = await syntaxProblem(absFile, file);
      if (syntax) throw new ConfigError([syntax]);
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
    const declared = resolveTaskConfig({ functionName: task.functionName, args: task.args }).config;
    return { config: task.config, declared: declared ?? task.config };
  };
}
