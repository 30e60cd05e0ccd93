// Arguments against a task's signature (from the language server): the text the input box
// starts with, the check before a run (count, names, JSON-compatible annotations), and
// how a run's call is shown (`add(2, 3)`, `square(x=3)`). No vscode here.
import type { TaskParam } from '../../../server/src/protocol';
import { ExactNumber } from '../../../runtime/src/values/exact-json';

export interface CallArgs { args: unknown[]; kwargs: Record<string, unknown> }

const bindable = (p: TaskParam) => p.kind === 'positional-only' || p.kind === 'positional' || p.kind === 'keyword';

/** Parameters without a default: the run must be given them. */
export function requiredParams(params: readonly TaskParam[]): TaskParam[] {
  return params.filter((p) => bindable(p) && p.default === undefined);
}

/** A Python literal default as JSON, when it is one (`None`, `True`, numbers, strings, lists of those). */
export function pythonLiteralToJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const t = text.trim();
  const words: Record<string, unknown> = { None: null, True: true, False: false };
  if (t in words) return { ok: true, value: words[t] };
  if (/^'[^'\\"]*'$/.test(t)) return { ok: true, value: t.slice(1, -1) };
  const json = t.replace(/\bNone\b/g, 'null').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false');
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch {
    return { ok: false };
  }
}

/** A sample value for an annotation, to show the expected shape. */
function sampleFor(annotation: string | undefined): unknown {
  const a = normalize(annotation);
  if (!a) return null;
  if (optionalOf(a) !== undefined) return null;
  if (a === 'int') return 0;
  if (a === 'float') return 0.0;
  if (a === 'str') return '';
  if (a === 'bool') return false;
  if (isList(a)) return [];
  if (isDict(a)) return {};
  return null;
}

/**
 * The input box's first text: the last arguments used for this task when there are some,
 * else a JSON object of every parameter (its default, or a sample of its annotation).
 * Positional-only parameters need the `{"args": [...], "kwargs": {...}}` form.
 */
export function argsTemplate(params: readonly TaskParam[], last?: string): string {
  if (last !== undefined && last.trim() !== '') return last;
  const value = (p: TaskParam) => {
    const d = p.default !== undefined ? pythonLiteralToJson(p.default) : undefined;
    return d?.ok ? d.value : sampleFor(p.annotation);
  };
  const named = params.filter((p) => p.kind === 'positional' || p.kind === 'keyword');
  const posOnly = params.filter((p) => p.kind === 'positional-only');
  const kwargs = Object.fromEntries(named.map((p) => [p.name, value(p)]));
  if (posOnly.length === 0) return params.length === 0 ? '' : JSON.stringify(kwargs);
  return JSON.stringify({ args: posOnly.map(value), kwargs });
}

function normalize(annotation: string | undefined): string | undefined {
  if (!annotation) return undefined;
  return annotation.replace(/^(['"])(.*)\1$/, '$2').replace(/\s+/g, '').replace(/^typing\./, '');
}

/** `Optional[X]`, `X | None`, `None | X` -> X; otherwise undefined. */
function optionalOf(a: string): string | undefined {
  const m = /^Optional\[(.+)\]$/.exec(a);
  if (m) return m[1];
  const parts = a.split('|');
  if (parts.length === 2 && parts.includes('None')) return parts.find((p) => p !== 'None');
  return undefined;
}

const isList = (a: string) => /^(list|List|tuple|Tuple|Sequence)(\[.*\])?$/.test(a);
const isDict = (a: string) => /^(dict|Dict|Mapping)(\[.*\])?$/.test(a);

/** A number as Python reads it from JSON: 3 is an int, 3.0 and 1e3 floats (exact ones arrive as ExactNumber). */
function numberKind(v: unknown): 'int' | 'float' | null {
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (v instanceof ExactNumber) return /[.eE]/.test(v.value) ? 'float' : 'int';
  return null;
}

/** Does a JSON value fit an annotation? Unknown annotations accept anything. */
export function fitsAnnotation(value: unknown, annotation: string | undefined): boolean {
  const a = normalize(annotation);
  if (!a) return true;
  const inner = optionalOf(a);
  if (inner !== undefined) return value === null || fitsAnnotation(value, inner);
  if (a === 'None') return value === null;
  if (a === 'int') return numberKind(value) === 'int';
  if (a === 'float') return numberKind(value) !== null;
  if (a === 'str') return typeof value === 'string';
  if (a === 'bool') return typeof value === 'boolean';
  if (isList(a)) return Array.isArray(value);
  if (isDict(a)) return value !== null && typeof value === 'object' && !Array.isArray(value) && numberKind(value) === null;
  return true;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  const n = numberKind(v);
  if (n) return n === 'int' ? 'an int' : 'a float';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v === 'boolean' ? 'bool' : typeof v === 'string' ? 'str' : typeof v}`;
}

/**
 * Binds the arguments as Python would and checks each against its annotation. Returns the
 * first problem, naming the parameter, or undefined when the call fits the signature.
 */
export function checkArgs(taskName: string, params: readonly TaskParam[], call: CallArgs): string | undefined {
  const positional = params.filter((p) => p.kind === 'positional-only' || p.kind === 'positional');
  const varargs = params.some((p) => p.kind === 'varargs');
  const varkw = params.some((p) => p.kind === 'varkw');
  const bound = new Map<string, unknown>();
  if (call.args.length > positional.length && !varargs) {
    return `${taskName}() takes ${positional.length} positional argument${positional.length === 1 ? '' : 's'} but ${call.args.length} ${call.args.length === 1 ? 'was' : 'were'} given`;
  }
  call.args.slice(0, positional.length).forEach((v, i) => bound.set(positional[i]!.name, v));
  for (const [name, v] of Object.entries(call.kwargs)) {
    const p = params.find((x) => x.name === name && (x.kind === 'positional' || x.kind === 'keyword'));
    if (!p) {
      if (params.some((x) => x.name === name && x.kind === 'positional-only')) return `${taskName}(): "${name}" is positional-only; give it in "args"`;
      if (!varkw) return `${taskName}() has no parameter "${name}"; its parameters are ${params.filter(bindable).map((x) => `"${x.name}"`).join(', ') || 'none'}`;
      continue;
    }
    if (bound.has(name)) return `${taskName}() got two values for "${name}"`;
    bound.set(name, v);
  }
  const missing = requiredParams(params).filter((p) => !bound.has(p.name));
  if (missing.length > 0) return `${taskName}() is missing ${missing.map((p) => `"${p.name}"${p.annotation ? ` (${p.annotation})` : ''}`).join(', ')}`;
  for (const p of params) {
    if (!bound.has(p.name) || !p.annotation) continue;
    const v = bound.get(p.name);
    if (!fitsAnnotation(v, p.annotation)) return `"${p.name}" is annotated ${p.annotation}, but ${JSON.stringify(v)} is ${jsonType(v)}`;
  }
  return undefined;
}

/** A JSON value written as Python would (True, None, 'strings' as JSON strings). */
function pyValue(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v instanceof ExactNumber) return v.value;
  if (Array.isArray(v)) return `[${v.map(pyValue).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pyValue(x)}`).join(', ')}}`;
  return JSON.stringify(v) ?? String(v);
}

/** `add(2, 3)`, `square(x=3)`; long calls are cut at `max` characters. */
export function formatCall(taskName: string, call: CallArgs | undefined, max = 80): string {
  if (!call) return `${taskName}(…)`;
  const parts = [...call.args.map(pyValue), ...Object.entries(call.kwargs).map(([k, v]) => `${k}=${pyValue(v)}`)];
  const inner = parts.join(', ');
  const text = `${taskName}(${inner})`;
  return text.length > max ? `${text.slice(0, max - 2)}…)` : text;
}
