// The one task-config schema: the language server, the CLI and the engine all validate
// @task arguments and capsule.toml defaults here, and get the same problems back.
import { strip } from './spaces';
import { checkGrantPath, parseFileMode, type FileGrant } from './files';
import { checkHostEntry } from './hosts';
import { meaningOf, renameFixes } from './renames';
import { FEW_FUEL, MAX_RETRIES } from './limits';
import { FUEL, MAX_RAM_BYTES, parseCompute, parseRam, parseTimeout, ramFromNumber, timeoutFromNumber, type ComputeLevel } from './units';

export { FUEL, MAX_FUEL, MAX_RAM_BYTES, MAX_TIMEOUT_MS, MIN_RAM_BYTES, parseCompute, parseRam, parseTimeout, parseDisk, parseBlobCap, formatBytes, formatDuration, formatFuel } from './units';
export type { ComputeLevel, Parsed } from './units';
export { hostAllowed, checkHostEntry } from './hosts';
export { checkGrantPath, parseFileMode, MODE_SPELLINGS } from './files';
export type { FileGrant, FileMode } from './files';

export interface TaskConfig {
  name: string;
  compute: ComputeLevel;
  fuel: number;
  memoryLimitBytes: number;
  timeoutMs: number | null;
  maxRetries: number;
  allowedFiles: FileGrant[];
  allowedHosts: string[];
  envVariables: string[];
  /**
   * durable=True/False as the decorator writes it (absent when it does not): on a run's
   * root task, whether an interrupted run of the same arguments resumes from its journal
   * on the next run. It overrides capsule.toml's [workflow] durable.
   */
  durable?: boolean;
}

/**
 * capsule.toml [tasks] defaults, parsed once (by toml.ts, with this schema): what a
 * task gets for each parameter its decorator does not write.
 */
export type TaskBase = Partial<Omit<TaskConfig, 'name' | 'durable'>>;

/** capsule.toml [tasks] defaults, as written there (validated by toml.ts). */
export interface TaskDefaults {
  compute?: string;
  ram?: string;
  timeout?: string;
  maxRetries?: number;
  allowedFiles?: unknown[];
  allowedHosts?: string[];
  envVariables?: string[];
  /** default_disk: the run's cap on bytes written through grants (a run setting: no @task parameter). */
  disk?: string;
  /** python_path: directories or zip archives put on sys.path after the project (a run setting). */
  pythonPath?: string[];
}

/** Built-in defaults: MEDIUM fuel, all the memory wasm32 has, no timeout, no retries. */
export const BUILTIN_DEFAULTS = { compute: 'MEDIUM', memoryLimitBytes: MAX_RAM_BYTES, timeoutMs: null, maxRetries: 0 } as const;

export const TASK_PARAMS = ['name', 'compute', 'ram', 'timeout', 'max_retries', 'allowed_files', 'allowed_hosts', 'env_variables', 'durable'] as const;
export type TaskParam = (typeof TASK_PARAMS)[number];

/** 0-based, as tree-sitter gives; indices and columns count UTF-16 units. */
export interface Span { startIndex: number; endIndex: number; start: { line: number; column: number }; end: { line: number; column: number } }

export interface ConfigFix { title: string; newText: string; /** what to replace; the problem's span when absent */ span?: Span }
/** `fixes`: the edits the user most likely meant, best first; none when no fix is certain. */
export interface ConfigProblem { param: string; severity: 'error' | 'warning' | 'hint'; message: string; span?: Span; fixes?: ConfigFix[] }

/**
 * A decorator argument's value as written; `dynamic` is anything that is not a literal.
 * `via` names the module-level constant a value was read from (`ram=RAM` with `RAM = "1GB"`).
 */
export type ArgValue = (
  | { kind: 'string'; value: string; span?: Span; quote?: string }
  | { kind: 'int' | 'float'; value: number; span?: Span; /** the literal as written, e.g. "3.0" */ text?: string }
  | { kind: 'bool'; value: boolean; span?: Span }
  | { kind: 'none'; span?: Span }
  | { kind: 'list'; items: ArgValue[]; span?: Span }
  | { kind: 'dict'; entries: Array<{ key: ArgValue; value: ArgValue }>; span?: Span }
  | { kind: 'dynamic'; text: string; span?: Span }
) & { via?: { name: string; line: number } };

/**
 * One argument; `name` is null for a positional one and `**` for a `**mapping`. `removeSpan`
 * covers the argument and its comma; `incomplete` marks `name=` with no value typed yet.
 */
export interface DecoratorArg { name: string | null; value: ArgValue; span?: Span; nameSpan?: Span; removeSpan?: Span; incomplete?: boolean }

/** From discovery (values with spans) or plain JS values (the SDK, the CLI, tests). */
export type DecoratorArgs = DecoratorArg[] | Record<string, unknown>;

export interface ResolveInput {
  functionName: string;
  args: DecoratorArgs;
  /** capsule.toml's parsed defaults (ProjectConfig.taskDefaults). */
  taskDefaults?: TaskBase;
  projectRoot?: string;
  /** ram above this is an error; wasm32's 4 GB by default. */
  maxRamBytes?: number;
}

export function resolveTaskConfig(input: ResolveInput): { config: TaskConfig | null; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const args = Array.isArray(input.args) ? input.args : fromPlainObject(input.args);
  const config = baseConfig(input);
  // A value's problems as another parameter: whether a rename leaves valid code.
  const check = (param: string, v: ArgValue) => {
    const out: ConfigProblem[] = [];
    applyParam(param as TaskParam, v, baseConfig(input), out, input);
    return out;
  };

  const seen = new Set<string>();
  for (const arg of args) {
    if (arg.name === null) {
      problems.push({
        param: '',
        severity: 'error',
        message: 'positional argument: @task takes keyword arguments only, e.g. @task(compute="LOW")',
        span: arg.span ?? arg.value.span,
        ...(arg.removeSpan ? { fixes: [{ title: 'Remove the positional argument', newText: '', span: arg.removeSpan }] } : {}),
      });
      continue;
    }
    const param = arg.name;
    if (arg.incomplete) {
      // Being typed: one message, not a positional-argument error for each half.
      problems.push({ param, severity: 'error', message: `${param}= has no value yet${(TASK_PARAMS as readonly string[]).includes(param) ? `, e.g. ${param}=${VALUE_EXAMPLE[param]}` : ''}`, span: arg.nameSpan });
      continue;
    }
    if (param === '**') {
      problems.push({ param, severity: 'error', message: `${clip(arg.value.kind === 'dynamic' ? arg.value.text : '**')} is not a literal: the runtime reads @task's parameters before it runs the file, so it cannot see what this passes; write them in the decorator, e.g. @task(compute="LOW")`, span: arg.span ?? arg.value.span });
      continue;
    }
    if (!(TASK_PARAMS as readonly string[]).includes(param)) {
      const meaning = meaningOf(param, TASK_PARAMS);
      const near = meaning?.param;
      // Rename, not delete: the value was meant for that parameter (unless it is given already).
      const fixes: ConfigFix[] = meaning && !args.some((a) => a.name === near) ? renameFixes(arg, meaning, check) : [];
      if (arg.removeSpan) fixes.push({ title: `Remove unknown parameter "${param}"`, newText: '', span: arg.removeSpan });
      problems.push({
        param,
        severity: 'error',
        message: `unknown parameter "${param}"${near ? ` (did you mean "${near}"?)` : ''}; @task takes ${TASK_PARAMS.join(', ')}`,
        span: arg.nameSpan ?? arg.span,
        ...(fixes.length ? { fixes } : {}),
      });
      continue;
    }
    if (seen.has(param)) {
      problems.push({ param, severity: 'error', message: `${param} is given twice`, span: arg.nameSpan ?? arg.span });
      continue;
    }
    seen.add(param);
    applyParam(param as TaskParam, arg.value, config, problems, input);
  }
  for (const p of problems) p.message = visible(p.message);
  return { config: problems.some((p) => p.severity === 'error') ? null : config, problems };
}

/**
 * Control and invisible characters a value may hold (`compute="\x1cLOW"`, a BOM, a
 * zero-width space) are written as escapes in messages: shown raw, "\x1cLOW" reads "LOW".
 */
function visible(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function baseConfig(input: ResolveInput): TaskConfig {
  return {
    name: input.functionName,
    compute: BUILTIN_DEFAULTS.compute,
    fuel: FUEL[BUILTIN_DEFAULTS.compute],
    memoryLimitBytes: BUILTIN_DEFAULTS.memoryLimitBytes,
    timeoutMs: BUILTIN_DEFAULTS.timeoutMs,
    maxRetries: BUILTIN_DEFAULTS.maxRetries,
    ...input.taskDefaults,
    // Copies: the decorator's lists replace these, the project's stay as they are.
    allowedFiles: [...(input.taskDefaults?.allowedFiles ?? [])],
    allowedHosts: [...(input.taskDefaults?.allowedHosts ?? [])],
    envVariables: [...(input.taskDefaults?.envVariables ?? [])],
  };
}

function applyParam(param: TaskParam, v: ArgValue, config: TaskConfig, problems: ConfigProblem[], input: ResolveInput): void {
  if (v.kind === 'dynamic') return void problems.push(notLiteral(param, v));
  // None is "not given", as the SDK's `Optional[...] = None` signature says: the default applies.
  if (v.kind === 'none') return;
  type Fix = { newText: string; title?: string };
  const err = (message: string, fix?: Fix | Fix[], severity: ConfigProblem['severity'] = 'error') => {
    const fixes = (Array.isArray(fix) ? fix : fix ? [fix] : []).map((f) => ({ title: f.title ?? `Change to ${f.newText}`, newText: f.newText }));
    problems.push({ param, severity, message, span: v.span, ...(fixes.length ? { fixes } : {}) });
  };
  const quoted = (xs: string[] | undefined) => (xs ?? []).map((x) => ({ newText: quote(x, v) }));
  if (param in EXAMPLE && v.kind === 'string') {
    // One string where a list goes: the list of it is the fix, when that list is valid.
    const trial: ConfigProblem[] = [];
    applyParam(param, { kind: 'list', items: [v] }, baseConfig(input), trial, input);
    const list = `[${quote(v.value, v)}]`;
    return void err(`${param} must be a list, e.g. ${param}=[${EXAMPLE[param]}]`, trial.some((p) => p.severity === 'error') ? undefined : { newText: list });
  }

  switch (param) {
    case 'name':
      if (v.kind !== 'string') return void err('name must be a string, e.g. name="fetch_data"');
      if (strip(v.value) === '') return void err('name is empty; give the task a name or leave name out to use the function name');
      config.name = v.value;
      return;
    case 'compute': {
      if (v.kind === 'int' && v.value > 0) return void err(`compute must be a string; write "${v.value}" for ${v.value} fuel units`, { newText: `"${v.value}"` });
      if (v.kind !== 'string') return void err('compute must be a string: "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"');
      const r = parseCompute(v.value);
      if (!r.ok) return void err(r.error, quoted(r.fixes));
      Object.assign(config, { compute: r.value.level, fuel: r.value.fuel });
      if (r.value.fuel < FEW_FUEL) err(`compute "${v.value}" is a budget of ${r.value.fuel.toLocaleString('en-US')} fuel units; starting a task takes about 1M (its first run, which compiles the file, up to 4M), so it will likely run out of fuel; "LOW" is 100M`, undefined, 'warning');
      return;
    }
    case 'ram': {
      if (v.kind === 'int' && v.value > 0) {
        // 64 most likely meant "64MB"; a byte count large enough to run stays bytes.
        const r = ramFromNumber(v.value, { maxBytes: input.maxRamBytes });
        return void err(r.error, r.fixes.map((x) => ({ newText: `"${x}"` })));
      }
      if (v.kind !== 'string') return void err('ram must be a string with a unit, e.g. "512MB"');
      const r = parseRam(v.value, { maxBytes: input.maxRamBytes });
      if (!r.ok) return void err(r.error, quoted(r.fixes));
      config.memoryLimitBytes = r.value;
      if (r.canonical !== v.value) {
        err(`ram "${v.value}" is better written "${r.canonical}"`, { newText: quote(r.canonical, v), title: `Normalise to "${r.canonical}"` }, 'warning');
      }
      return;
    }
    case 'timeout': {
      if ((v.kind === 'int' || v.kind === 'float') && v.value > 0) {
        const r = timeoutFromNumber(v.value);
        return void err(r.error, r.fixes.map((x) => ({ newText: `"${x}"` })));
      }
      if (v.kind !== 'string') return void err('timeout must be a string with a unit, e.g. "30s", "500ms" or "1m30s"');
      const r = parseTimeout(v.value);
      if (!r.ok) return void err(r.error, quoted(r.fixes));
      config.timeoutMs = r.value;
      if (r.canonical !== v.value) err(`timeout "${v.value}" is better written "${r.canonical}"`, { newText: quote(r.canonical, v), title: `Normalise to "${r.canonical}"` }, 'warning');
      return;
    }
    case 'max_retries':
      if (v.kind === 'string' && /^\d+$/.test(strip(v.value))) return void err(`max_retries must be an integer, not a string; write ${strip(v.value)}`, { newText: strip(v.value) });
      if (v.kind === 'float') {
        const written = v.text ?? String(v.value);
        if (Number.isInteger(v.value) && v.value >= 0) return void err(`max_retries ${written} is a float; write the integer ${v.value}`, { newText: String(v.value) });
        if (Number.isInteger(v.value)) return void err(`max_retries ${written} is negative; use 0 (no retry) or more`, [{ newText: String(-v.value) }, { newText: '0' }]);
        return void err(`max_retries ${written} is not a whole number; use an integer of 0 or more, e.g. max_retries=3`);
      }
      if (v.kind !== 'int') return void err('max_retries must be an integer of 0 or more, e.g. max_retries=3');
      // -3 most likely meant 3 (a stray sign); 0 is the other reading.
      if (v.value < 0) return void err(`max_retries ${v.value} is negative; use 0 (no retry) or more`, [{ newText: String(-v.value) }, { newText: '0' }]);
      if (!Number.isSafeInteger(v.value)) return void err(`max_retries ${v.text ?? v.value} is too large; the most is ${MAX_RETRIES}`);
      config.maxRetries = v.value;
      return;
    case 'allowed_files':
      return void listOf(param, v, problems, (item) => {
        const g = checkGrant(item, input.projectRoot, problems);
        if (g) config.allowedFiles.push(g);
      }, () => (config.allowedFiles = []));
    case 'allowed_hosts':
      return void listOf(param, v, problems, (item) => {
        if (item.kind !== 'string') return void problems.push({ param, severity: 'error', message: 'allowed_hosts entries are strings, e.g. "api.example.com"', span: item.span });
        const r = checkHostEntry(item.value);
        if (!r.ok) {
          return void problems.push({ param, severity: 'error', message: r.error, span: item.span, ...(r.fix ? { fixes: [{ title: `Change to "${r.fix}"`, newText: quote(r.fix, item) }] } : {}) });
        }
        config.allowedHosts.push(item.value);
      }, () => (config.allowedHosts = []));
    case 'env_variables':
      return void listOf(param, v, problems, (item) => {
        if (item.kind !== 'string') return void problems.push({ param, severity: 'error', message: 'env_variables entries are strings naming host variables, e.g. "API_KEY"', span: item.span });
        if (!ENV_NAME.test(item.value)) {
          // Only separators are certain to mean "_" ("API-KEY"); other characters (Ä) are not guessed.
          // Variables are upper case by convention, but "api_key" may be the name: both, upper first.
          const fixed = strip(item.value).replace(/[-. ]/g, '_');
          const names = [...new Set([fixed.toUpperCase(), fixed])].filter((x) => ENV_NAME.test(x));
          return void problems.push({
            param,
            severity: 'error',
            message: `env_variables entry "${item.value}" is not a valid variable name: letters, digits and "_", not starting with a digit`,
            span: item.span,
            ...(names.length ? { fixes: names.map((x) => ({ title: `Change to "${x}"`, newText: quote(x, item) })) } : {}),
          });
        }
        config.envVariables.push(item.value);
      }, () => (config.envVariables = []));
    case 'durable':
      if (v.kind === 'int' && (v.value === 0 || v.value === 1)) return void err(`durable must be True or False, not ${v.value}; write ${v.value ? 'True' : 'False'}`, { newText: v.value ? 'True' : 'False' });
      if (v.kind === 'string' && /^(true|false)$/i.test(strip(v.value))) {
        const b = strip(v.value).toLowerCase() === 'true' ? 'True' : 'False';
        return void err(`durable must be True or False, not the string "${v.value}"; write ${b}`, { newText: b });
      }
      if (v.kind !== 'bool') return void err('durable must be True or False (True: when the run is interrupted, the next run of this task with the same arguments resumes it from its journal)');
      config.durable = v.value;
      return;
  }
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A list parameter replaces its default; each literal item is checked on its own. */
function listOf(param: string, v: ArgValue, problems: ConfigProblem[], each: (item: ArgValue) => void, reset: () => void): void {
  if (v.kind !== 'list') return void problems.push({ param, severity: 'error', message: `${param} must be a list, e.g. ${param}=[${EXAMPLE[param]}]`, span: v.span });
  reset();
  for (const item of v.items) {
    if (item.kind === 'dynamic') {
      problems.push(notLiteral(param, item, true));
    } else {
      each(item);
    }
  }
}

const EXAMPLE: Record<string, string> = { allowed_files: '"data"', allowed_hosts: '"api.example.com"', env_variables: '"API_KEY"' };
const VALUE_EXAMPLE: Record<string, string> = {
  name: '"fetch_data"', compute: '"LOW"', ram: '"512MB"', timeout: '"30s"', max_retries: '3', durable: 'True',
  // The list parameters' examples are lists: a plain string is refused.
  ...Object.fromEntries(Object.entries(EXAMPLE).map(([param, item]) => [param, `[${item}]`])),
};

/**
 * A value the runtime cannot read before it runs the file. It is an error, not a hint:
 * the run would otherwise use limits the user did not write. Module-level constants
 * (`RAM = "1GB"`) are resolved by discovery before they get here.
 */
function notLiteral(param: string, v: ArgValue & { kind: 'dynamic' }, entry = false): ConfigProblem {
  const what = entry ? `${param} entry ${clip(v.text)}` : `${param}=${clip(v.text)}`;
  return {
    param,
    severity: 'error',
    message: `${what} is not a literal: the runtime reads @task's values before it runs the file, so write the value itself${entry ? `, e.g. ${param}=[${EXAMPLE[param]}]` : `, e.g. ${param}=${VALUE_EXAMPLE[param] ?? '"..."'}`} (a module-level constant assigned once to a literal, and never changed, also works)`,
    span: v.span,
  };
}

function checkGrant(item: ArgValue, projectRoot: string | undefined, problems: ConfigProblem[]): FileGrant | null {
  const param = 'allowed_files';
  let pathV: ArgValue | undefined = item;
  let mode: FileGrant['mode'] = 'read-write';
  if (item.kind === 'dict') {
    pathV = undefined;
    for (const { key, value } of item.entries) {
      const k = key.kind === 'string' ? key.value : undefined;
      if (k === 'path') pathV = value;
      else if (k === 'mode') {
        if (value.kind === 'dynamic') return push(problems, notLiteral(param, value, true));
        if (value.kind !== 'string') return push(problems, { param, severity: 'error', message: 'allowed_files mode must be a string: "read-only", "read-write", "ro" or "rw"', span: value.span });
        const m = parseFileMode(value.value);
        if (!m.ok) return push(problems, { param, severity: 'error', message: m.error, span: value.span, ...(m.fix ? { fixes: [{ title: `Change to "${m.fix}"`, newText: quote(m.fix, value) }] } : {}) });
        mode = m.mode;
      } else {
        return push(problems, { param, severity: 'error', message: `allowed_files entry has an unknown key ${k === undefined ? '' : `"${k}"`}; use {"path": "data", "mode": "read-only"}`, span: key.span });
      }
    }
    if (!pathV) return push(problems, { param, severity: 'error', message: 'allowed_files entry has no "path"; use {"path": "data", "mode": "read-only"}', span: item.span });
  }
  if (pathV.kind === 'dynamic') return push(problems, notLiteral(param, pathV, true));
  if (pathV.kind !== 'string') return push(problems, { param, severity: 'error', message: 'allowed_files entries are directory paths, or {"path": "data", "mode": "read-only"}', span: pathV.span });
  const r = checkGrantPath(pathV.value, projectRoot);
  if (!r.ok) return push(problems, { param, severity: 'error', message: r.error, span: pathV.span });
  return { path: pathV.value, mode };
}

function push(problems: ConfigProblem[], p: ConfigProblem): null {
  problems.push(p);
  return null;
}



/** A replacement string literal in the user's own quote style. */
function quote(text: string, like: ArgValue): string {
  const q = like.kind === 'string' && like.quote === "'" ? "'" : '"';
  return `${q}${text.replace(/\\/g, '\\\\').replaceAll(q, `\\${q}`)}${q}`;
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}...` : one;
}

/** Plain JS values (SDK, CLI): camelCase keys are accepted as aliases. */
function fromPlainObject(obj: Record<string, unknown>): DecoratorArg[] {
  return Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ name: k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value: fromPlain(v) }));
}

export function fromPlain(v: unknown): ArgValue {
  if (v === null) return { kind: 'none' };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (typeof v === 'number') return { kind: Number.isInteger(v) ? 'int' : 'float', value: v };
  if (Array.isArray(v)) return { kind: 'list', items: v.map(fromPlain) };
  if (typeof v === 'object') {
    return { kind: 'dict', entries: Object.entries(v as Record<string, unknown>).map(([k, x]) => ({ key: { kind: 'string', value: k }, value: fromPlain(x) })) };
  }
  return { kind: 'dynamic', text: String(v) };
}
