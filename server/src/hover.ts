// Hovers: an argument's value in words (units here, the others in arg-hover.ts), or the
// decorator's effective config after capsule.toml defaults, with where each value came from.
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { formatBytes, formatDuration, formatFuel, parseCompute, parseRam, parseTimeout, type Span, type TaskConfig, type TaskDefaults } from '../../runtime/src/config/schema';
import type { DiscoveredTask } from '../../runtime/src/discovery/index';
import { argHover, type ArgHoverContext } from './arg-hover';
import { rangeOf } from './diagnostics';

const within = (s: Span | undefined, offset: number): s is Span => !!s && s.startIndex <= offset && offset <= s.endIndex;

/** What a hover reads besides the document's tasks: the project's capsule.toml, root and .env. */
export interface HoverContext extends ArgHoverContext {
  defaults: TaskDefaults;
  tomlPath: string | undefined;
  /** capsule.toml's [workflow] durable, which a root task's durable= overrides. */
  workflowDurable: boolean;
}

export function hoverAt(tasks: DiscoveredTask[], offset: number, ctx: HoverContext): Hover | null {
  const { defaults, tomlPath, workflowDurable } = ctx;
  // On the def's name too: the task's effective config where the function is named.
  const onName = tasks.find((t) => within(t.nameSpan, offset));
  if (onName) return { contents: { kind: MarkupKind.Markdown, value: effectiveConfig(onName, defaults, tomlPath, workflowDurable) }, range: rangeOf(onName.nameSpan) };
  const task = tasks.find((t) => within(t.decoratorSpan, offset));
  if (!task) return null;
  const arg = task.args.find((a) => within(a.span, offset));
  if (arg && arg.value.kind === 'string' && (arg.name === 'compute' || arg.name === 'ram' || arg.name === 'timeout')) {
    const via = arg.value.via ? `\n\nRead from the constant \`${arg.value.via.name}\` (line ${arg.value.via.line + 1}), which the runtime resolves the same way before the run.` : '';
    return { contents: { kind: MarkupKind.Markdown, value: valueHover(arg.name, arg.value.value) + via }, range: rangeOf(arg.span!) };
  }
  const one = arg?.name && arg.span ? argHover(task, { ...arg, name: arg.name, span: arg.span }, offset, ctx) : null;
  if (one) return { contents: { kind: MarkupKind.Markdown, value: one.value }, range: rangeOf(one.span) };
  return { contents: { kind: MarkupKind.Markdown, value: effectiveConfig(task, defaults, tomlPath, workflowDurable) }, range: rangeOf(task.decoratorSpan) };
}

const n = (x: number) => x.toLocaleString('en-US');

function valueHover(param: 'compute' | 'ram' | 'timeout', v: string): string {
  if (param === 'compute') {
    const r = parseCompute(v);
    return r.ok ? `**compute** \`${v}\`: ${n(r.value.fuel)} fuel (${formatFuel(r.value.fuel)}), about that many WebAssembly instructions` : `**compute** \`${v}\`: ${r.error}`;
  }
  if (param === 'ram') {
    const r = parseRam(v);
    return r.ok ? `**ram** \`${v}\`: ${n(r.value)} bytes (${formatBytes(r.value)})` : `**ram** \`${v}\`: ${r.error}`;
  }
  const r = parseTimeout(v);
  return r.ok ? `**timeout** \`${v}\`: ${formatDuration(r.value)} (${n(r.value)} ms, wall-clock)` : `**timeout** \`${v}\`: ${r.error}`;
}

const FIELD_OF_DEFAULT: Record<string, keyof TaskDefaults> = {
  compute: 'compute', ram: 'ram', timeout: 'timeout', max_retries: 'maxRetries', allowed_files: 'allowedFiles', allowed_hosts: 'allowedHosts', env_variables: 'envVariables',
};

function effectiveConfig(task: DiscoveredTask, defaults: TaskDefaults, tomlPath: string | undefined, workflowDurable: boolean): string {
  const head = `**@task \`${task.name}\`**${task.isAsync ? ' (async)' : ''}`;
  if (!task.config) return `${head}\n\nThis task's configuration has errors: it will not run until they are fixed.`;
  const c: TaskConfig = task.config;
  // None is "not given": the default applies.
  const given = new Map(task.args.filter((a) => a.value.kind !== 'none').map((a) => [a.name, a]));
  const from = (param: string) => {
    const arg = given.get(param);
    if (arg) return arg.value.via ? `@task, constant \`${arg.value.via.name}\` (line ${arg.value.via.line + 1})` : '@task';
    return defaults[FIELD_OF_DEFAULT[param]!] !== undefined ? 'capsule.toml' : 'built-in default';
  };
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `\`${x}\``).join(', ') : 'none');
  const rows: Array<[string, string, string]> = [
    ['compute', `${c.compute} · ${n(c.fuel)} fuel`, from('compute')],
    ['ram', `${formatBytes(c.memoryLimitBytes)} (${n(c.memoryLimitBytes)} bytes)`, from('ram')],
    ['timeout', c.timeoutMs === null ? 'none' : formatDuration(c.timeoutMs), from('timeout')],
    ['max_retries', String(c.maxRetries), from('max_retries')],
    ['allowed_files', list(c.allowedFiles.map((f) => `${f.path} (${f.mode})`)), from('allowed_files')],
    ['allowed_hosts', list(c.allowedHosts), from('allowed_hosts')],
    ['env_variables', list(c.envVariables), from('env_variables')],
    // A run setting of the root task: the decorator's value, else [workflow] durable.
    ['durable', (c.durable ?? workflowDurable) ? 'yes: an interrupted run resumes (as the root)' : 'no', given.has('durable') ? '@task' : workflowDurable ? 'capsule.toml [workflow]' : 'built-in default'],
  ];
  const table = ['| parameter | effective value | from |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  return `${head}\n\n${table}${tomlPath ? `\n\nDefaults from \`${tomlPath}\`.` : ''}`;
}
