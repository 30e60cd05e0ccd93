// The hover of one @task argument, or of one entry of its list: what the value does at
// run time (value-docs.ts), or the schema's problem with it. compute, ram and timeout
// are described by hover.ts (unit-bearing values in words).
import { parseFileMode, type ArgValue, type DecoratorArg, type FileMode, type Span } from '../../runtime/src/config/schema';
import type { DiscoveredTask } from '../../runtime/src/discovery/index';
import { code, durableMeaning, envMeaning, grantMeaning, hostMeaning, retriesMeaning } from './value-docs';

/** What a hover reads besides the task: the project's root and which names its .env sets. */
export interface ArgHoverContext {
  projectRoot: string | undefined;
  inDotEnv(name: string): boolean;
}

export interface ArgHover { value: string; span: Span }

const within = (s: Span | undefined, offset: number): s is Span => !!s && s.startIndex <= offset && offset <= s.endIndex;

const LISTS: Record<string, string> = {
  allowed_files: 'directories of the project mounted in this task\'s sandbox (the project\'s code is mounted read-only at `/project` for every task)',
  allowed_hosts: 'the hosts this task may call; a request to any other is refused before it leaves the sandbox',
  env_variables: 'the host environment variables this task sees; it sees no others',
};
/** Entries described in a list's hover; the rest are counted. */
const LISTED = 10;

export function argHover(task: DiscoveredTask, arg: DecoratorArg & { name: string; span: Span }, offset: number, ctx: ArgHoverContext): ArgHover | null {
  const head = `**${arg.name}**`;
  const v = arg.value;
  if (arg.name in LISTS && v.kind === 'list') {
    const item = v.items.find((i) => within(i.span, offset));
    if (item) return { value: `${head} ${entryHover(task, arg.name, item, ctx)}`, span: item.span! };
    return { value: `${head}: ${LISTS[arg.name]}; they replace capsule.toml's \`default_${arg.name}\`.\n\n${listBody(task, arg.name, v.items, ctx)}${via(v)}`, span: arg.span };
  }
  const problem = problemAt(task, arg.span);
  if (problem) return { value: `${head}: ${problem}`, span: arg.span };
  const meaning = valueMeaning(arg.name, v, task);
  return meaning ? { value: `${head} ${meaning}${via(v)}`, span: arg.span } : null;
}

function valueMeaning(param: string, v: ArgValue, task: DiscoveredTask): string | null {
  if (param === 'name' && v.kind === 'string') {
    return `${code(v.value)}: the task's name, not its function's (${code(task.functionName)}): \`capsule run --task ${v.value}\`, the Tasks view and the run history know it by this name, which is unique in its file.`;
  }
  if (param === 'max_retries' && v.kind === 'int') return `\`${v.value}\`: ${retriesMeaning(v.value)}`;
  if (param === 'durable' && v.kind === 'bool') return `\`${v.value ? 'True' : 'False'}\`: ${durableMeaning(v.value)}`;
  return null;
}

/** One list entry, after the parameter's name: what it grants, or why it grants nothing. */
function entryHover(task: DiscoveredTask, param: string, item: ArgValue, ctx: ArgHoverContext, { inList = false } = {}): string {
  const problem = item.span && problemAt(task, item.span);
  if (problem) return `entry: ${problem}`;
  if (param === 'allowed_files') {
    const grant = grantOf(item);
    return grant ? `${code(grant.path)}: ${grantMeaning(grant.path, grant.mode, ctx.projectRoot, { hostPath: !inList })}` : 'entry: a directory path, or {"path": "data", "mode": "read-only"}.';
  }
  if (item.kind !== 'string') return 'entry: a string.';
  return `${code(item.value)}: ${param === 'allowed_hosts' ? hostMeaning(item.value) : envMeaning(item.value, ctx.inDotEnv(item.value))}`;
}

/** The list's entries, one short line each. */
function listBody(task: DiscoveredTask, param: string, items: ArgValue[], ctx: ArgHoverContext): string {
  if (items.length === 0) return param === 'allowed_hosts' ? 'None: every request is refused.' : param === 'allowed_files' ? 'None: no directory is mounted besides the project\'s code.' : 'None: the task\'s environment is empty.';
  const lines = items.slice(0, LISTED).map((i) => `- ${entryHover(task, param, i, ctx, { inList: true })}`);
  if (items.length > LISTED) lines.push(`- and ${items.length - LISTED} more`);
  return lines.join('\n');
}

/** An allowed_files entry's path and mode, as the schema reads it (checkGrant); null if it cannot. */
function grantOf(item: ArgValue): { path: string; mode: FileMode } | null {
  if (item.kind === 'string') return { path: item.value, mode: 'read-write' };
  if (item.kind !== 'dict') return null;
  let path: string | undefined;
  let mode: FileMode = 'read-write';
  for (const { key, value } of item.entries) {
    if (key.kind !== 'string' || value.kind !== 'string') return null;
    if (key.value === 'path') path = value.value;
    else if (key.value === 'mode') {
      const m = parseFileMode(value.value);
      if (!m.ok) return null;
      mode = m.mode;
    } else return null;
  }
  return path === undefined ? null : { path, mode };
}

/** The schema's first error or warning inside `span`: a value it refuses is described by why. */
function problemAt(task: DiscoveredTask, span: Span): string | undefined {
  return task.problems.find((p) => p.severity !== 'hint' && p.span && p.span.startIndex >= span.startIndex && p.span.endIndex <= span.endIndex)?.message;
}

function via(v: ArgValue): string {
  return v.via ? `\n\nRead from the constant \`${v.via.name}\` (line ${v.via.line + 1}), which the runtime resolves the same way before the run.` : '';
}
