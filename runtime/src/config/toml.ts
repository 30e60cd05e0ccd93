// capsule.toml: [workflow] name/version/entrypoint and [tasks] defaults. Parsed with
// smol-toml; every problem carries the 1-based line and column of the offending key or value.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { CAPSULE_TOML } from './project-root';
import { parseBlobCap, parseDisk, resolveTaskConfig, type TaskBase, type TaskConfig, type TaskDefaults } from './schema';
import { parseQueueUrl, QueueUrlError } from '../queue/url';

export interface TomlProblem {
  message: string;
  /** 1-based, like smol-toml's errors and `file:line:col` output. */
  line: number;
  column: number;
  /** Where the offending text ends (same line), for editor ranges. */
  endColumn: number;
  severity: 'error' | 'warning';
}

export interface Workflow {
  name?: string;
  version?: string;
  entrypoint?: string;
  /** Resume an interrupted run of the same task and arguments on the next run, from its journal. */
  durable?: boolean;
  /** journal_blob_cap in bytes: journal replies longer than this are stored in .capsule/blobs/ by hash. */
  journalBlobCap?: number;
}
/** Limits on a whole run (a root task and its sub-tasks), from [tasks]. */
export interface RunLimits { maxSubtasks?: number }
export interface ProjectConfig {
  path?: string;
  workflow?: Workflow;
  /** [queue] url: runs go to this queue's workers instead of running here (issue 21). */
  queue?: { url: string };
  /** [tasks] defaults as written (what hover shows, and the run settings disk and python_path). */
  defaults: TaskDefaults;
  /** The same defaults parsed, once: what resolveTaskConfig starts a task's config from. */
  taskDefaults: TaskBase;
  limits?: RunLimits;
  problems: TomlProblem[];
}

/** [tasks] max_subtasks when capsule.toml does not set it. */
export const DEFAULT_MAX_SUBTASKS = 10_000;

export { CAPSULE_TOML };

const WORKFLOW_KEYS = ['name', 'version', 'entrypoint', 'durable', 'journal_blob_cap'] as const;
/** [tasks] key -> TaskDefaults field and the @task parameter it stands for. */
const TASK_KEYS: Record<string, { field: keyof TaskDefaults; param: string; kind: 'string' | 'int' | 'list'; parsed?: Array<keyof TaskConfig> }> = {
  default_compute: { field: 'compute', param: 'compute', kind: 'string', parsed: ['compute', 'fuel'] },
  default_ram: { field: 'ram', param: 'ram', kind: 'string', parsed: ['memoryLimitBytes'] },
  default_timeout: { field: 'timeout', param: 'timeout', kind: 'string', parsed: ['timeoutMs'] },
  default_max_retries: { field: 'maxRetries', param: 'max_retries', kind: 'int', parsed: ['maxRetries'] },
  default_allowed_files: { field: 'allowedFiles', param: 'allowed_files', kind: 'list', parsed: ['allowedFiles'] },
  default_allowed_hosts: { field: 'allowedHosts', param: 'allowed_hosts', kind: 'list', parsed: ['allowedHosts'] },
  default_env_variables: { field: 'envVariables', param: 'env_variables', kind: 'list', parsed: ['envVariables'] },
  default_disk: { field: 'disk', param: 'disk', kind: 'string' },
  python_path: { field: 'pythonPath', param: 'python_path', kind: 'list' },
};

/**
 * Reads `<projectRoot>/capsule.toml` if there is one; no file means no defaults, not an error.
 * `grantRoot: null` leaves out the check that default_allowed_files directories exist: a queue
 * worker reads the shipped code, where data directories are not, and checks each grant on its
 * own disk (queue/worker-rights.ts), as it does the decorator's.
 */
export function loadProjectConfig(projectRoot: string, opts: { grantRoot?: string | null } = {}): ProjectConfig {
  const path = join(projectRoot, CAPSULE_TOML);
  if (!existsSync(path)) return { defaults: {}, taskDefaults: {}, problems: [] };
  return { path, ...validateCapsuleToml(readFileSync(path, 'utf8'), { projectRoot, ...(opts.grantRoot !== undefined ? { grantRoot: opts.grantRoot } : {}) }) };
}

/** Validates capsule.toml text; only values that pass go into `defaults`. Grants must exist under `grantRoot` (default: projectRoot; null: not checked). */
export function validateCapsuleToml(text: string, opts: { projectRoot?: string; grantRoot?: string | null } = {}): Omit<ProjectConfig, 'path'> {
  const grantRoot = opts.grantRoot === undefined ? opts.projectRoot : opts.grantRoot ?? undefined;
  const problems: TomlProblem[] = [];
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    const message = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    return { defaults: {}, taskDefaults: {}, problems: [{ message: `capsule.toml is not valid TOML: ${message}`, line: e.line, column: e.column, endColumn: e.column + 1, severity: 'error' }] };
  }
  const locate = locator(text);
  const defaults: TaskDefaults = {};
  const taskDefaults: TaskBase = {};
  const limits: RunLimits = {};
  let workflow: Workflow | undefined;
  let queue: { url: string } | undefined;

  for (const [table, value] of Object.entries(doc)) {
    if (table !== 'workflow' && table !== 'tasks' && table !== 'queue') {
      const hint = table === 'task' || table === 'workflows' ? ` (did you mean [${table === 'task' ? 'tasks' : 'workflow'}]?)` : '';
      problems.push({ ...locate(null, table), message: `unknown ${isTable(value) ? 'table' : 'key'} "${table}"${hint}; capsule.toml has [workflow], [tasks] and [queue]`, severity: 'error' });
      continue;
    }
    if (!isTable(value)) {
      problems.push({ ...locate(null, table), message: `"${table}" must be a table, written [${table}]`, severity: 'error' });
      continue;
    }
    if (table === 'queue') {
      for (const [k, v] of Object.entries(value)) {
        if (k !== 'url') problems.push({ ...locate(table, k), message: `unknown key "${k}" in [queue]; use url`, severity: 'error' });
        else if (typeof v !== 'string') problems.push({ ...locate(table, k, true), message: 'queue.url must be a string, e.g. "redis://127.0.0.1:6379/0"', severity: 'error' });
        else {
          try {
            parseQueueUrl(v, 'queue.url');
            queue = { url: v };
          } catch (e) {
            if (!(e instanceof QueueUrlError)) throw e;
            problems.push({ ...locate(table, k, true), message: e.message, severity: 'error' });
          }
        }
      }
      continue;
    }
    if (table === 'workflow') {
      workflow = {};
      for (const [k, v] of Object.entries(value)) {
        if (!(WORKFLOW_KEYS as readonly string[]).includes(k)) {
          problems.push({ ...locate(table, k), message: `unknown key "${k}" in [workflow]; use ${WORKFLOW_KEYS.join(', ')}`, severity: 'error' });
        } else if (k === 'durable') {
          if (typeof v === 'boolean') workflow.durable = v;
          else problems.push({ ...locate(table, k, true), message: `workflow.durable must be true or false (true: the next run of an interrupted run's task and arguments resumes it), got ${JSON.stringify(v) ?? String(v)}`, severity: 'error' });
        } else if (k === 'journal_blob_cap') {
          const r = typeof v === 'string' ? parseBlobCap(v) : null;
          if (r?.ok) workflow.journalBlobCap = r.value;
          else problems.push({ ...locate(table, k, true), message: `workflow.journal_blob_cap ${r ? r.error.replace(/^journal_blob_cap /, '') : `must be a string with a unit, e.g. "64KB", got ${JSON.stringify(v) ?? String(v)}`} (journal replies longer than this are stored in .capsule/blobs/; default 64KB)`, severity: 'error' });
        } else if (typeof v !== 'string') {
          problems.push({ ...locate(table, k, true), message: `workflow.${k} must be a string`, severity: 'error' });
        } else if (k === 'entrypoint' && opts.projectRoot && !existsSync(join(opts.projectRoot, v))) {
          problems.push({ ...locate(table, k, true), message: `workflow.entrypoint "${v}" does not exist in the project`, severity: 'error' });
          workflow.entrypoint = v;
        } else {
          workflow[k as 'name' | 'version' | 'entrypoint'] = v as string;
        }
      }
      continue;
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === 'max_subtasks') {
        if (typeof v === 'number' && Number.isInteger(v) && v >= 1) limits.maxSubtasks = v;
        else problems.push({ ...locate(table, k, true), message: `tasks.max_subtasks must be a whole number of at least 1 (the most sub-tasks one run may start; default ${DEFAULT_MAX_SUBTASKS}), got ${JSON.stringify(v) ?? String(v)}`, severity: 'error' });
        continue;
      }
      const spec = TASK_KEYS[k];
      if (!spec) {
        const hint = TASK_KEYS[`default_${k}`] ? ` (did you mean "default_${k}"?)` : '';
        problems.push({ ...locate(table, k), message: `unknown key "${k}" in [tasks]${hint}; use ${[...Object.keys(TASK_KEYS), 'max_subtasks'].join(', ')}`, severity: 'error' });
        continue;
      }
      const typeOk = spec.kind === 'string' ? typeof v === 'string' : spec.kind === 'int' ? typeof v === 'number' && Number.isInteger(v) : Array.isArray(v);
      if (!typeOk) {
        const want = spec.kind === 'string' ? 'a string' : spec.kind === 'int' ? 'an integer' : 'a list';
        problems.push({ ...locate(table, k, true), message: `tasks.${k} must be ${want}`, severity: 'error' });
        continue;
      }
      if (k === 'python_path') {
        // A run setting: paths relative to the project root, checked when a run starts.
        const bad = (v as unknown[]).find((e) => typeof e !== 'string' || e === '');
        if (bad === undefined) defaults.pythonPath = v as string[];
        else problems.push({ ...locate(table, k, true), message: `tasks.python_path entries are paths (strings) of directories or zip archives, relative to the project root; got ${JSON.stringify(bad)}`, severity: 'error' });
        continue;
      }
      if (k === 'default_disk') {
        // A run setting, not a @task parameter: checked here alone.
        const r = parseDisk(v as string);
        if (r.ok) defaults.disk = v as string;
        else problems.push({ ...locate(table, k, true), message: `tasks.${k}: ${r.error}`, severity: 'error' });
        continue;
      }
      // The same checks as @task's: one schema for both.
      const { config, problems: found } = resolveTaskConfig({ functionName: '_', args: { [spec.param]: v }, ...(grantRoot ? { projectRoot: grantRoot } : {}) });
      for (const p of found) problems.push({ ...locate(table, k, true), message: `tasks.${k}: ${p.message}`, severity: p.severity === 'error' ? 'error' : 'warning' });
      if (config) {
        (defaults as Record<string, unknown>)[spec.field] = v;
        for (const f of spec.parsed ?? []) (taskDefaults as Record<string, unknown>)[f] = config[f];
      }
    }
  }
  return { ...(workflow ? { workflow } : {}), ...(queue ? { queue } : {}), defaults, taskDefaults, ...(Object.keys(limits).length ? { limits } : {}), problems };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** Finds a key's line in its table (or a table header), and the key or its value's columns. */
function locator(text: string) {
  const lines = text.split(/\r?\n/);
  return (table: string | null, key: string, value = false): Pick<TomlProblem, 'line' | 'column' | 'endColumn'> => {
    let current: string | null = null;
    const keyRe = new RegExp(`^(\\s*)(${escape(key)}|"${escape(key)}"|'${escape(key)}')\\s*=\\s*`);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const header = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
      if (header) {
        current = header[1]!.replace(/^["']|["']$/g, '');
        if (table === null && current === key) return { line: i + 1, column: line.indexOf('[') + 1, endColumn: line.indexOf(']') + 2 };
        continue;
      }
      const m = keyRe.exec(line);
      if (m && current === table) {
        const keyStart = m[1]!.length;
        if (!value) return { line: i + 1, column: keyStart + 1, endColumn: keyStart + m[2]!.length + 1 };
        const rest = line.slice(m[0].length).replace(/\s*#.*$/, '').trimEnd();
        return { line: i + 1, column: m[0].length + 1, endColumn: m[0].length + Math.max(rest.length, 1) + 1 };
      }
      const dotted = new RegExp(`^\\s*${escape(table ?? '')}\\.${escape(key)}\\s*=`);
      if (current === null && table && dotted.test(line)) return { line: i + 1, column: 1, endColumn: line.length + 1 };
    }
    return { line: 1, column: 1, endColumn: 1 };
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
