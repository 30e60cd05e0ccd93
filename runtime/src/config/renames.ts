// An unknown @task keyword: the parameter it most likely meant (a near spelling, a
// spelling from another convention, a unit suffix as in ram_mb), and the renames to
// offer. A rename must leave code the runtime accepts, so it also fixes the value when
// that is certain (timeout_s=30 -> timeout="30s"), and is not offered when it is not.
import { strip } from './spaces';
import type { ArgValue, ConfigFix, ConfigProblem, DecoratorArg, Span } from './schema';
import { nearest } from './units';

/** Parameter spellings from other conventions and libraries. */
const ALIASES: Record<string, string> = {
  maxretries: 'max_retries', retries: 'max_retries', retry: 'max_retries', num_retries: 'max_retries',
  memory: 'ram', mem: 'ram', memory_limit: 'ram', mem_limit: 'ram', max_memory: 'ram', ram_limit: 'ram',
  fuel: 'compute', cpu: 'compute', cpus: 'compute',
  time_limit: 'timeout', max_time: 'timeout',
  files: 'allowed_files', paths: 'allowed_files', allowed_paths: 'allowed_files',
  hosts: 'allowed_hosts', domains: 'allowed_hosts', allowed_domains: 'allowed_hosts',
  env: 'env_variables', envs: 'env_variables', env_var: 'env_variables', env_vars: 'env_variables', environment: 'env_variables', environ: 'env_variables',
};
/** cpu=2 most likely counts cores, not fuel: the rename keeps a value compute accepts as written, and converts none. */
const AS_WRITTEN = new Set(['cpu', 'cpus']);

/** Unit suffixes of a parameter's name (ram_mb, timeout_ms), to the unit its values are written in. */
const UNITS: Record<string, Record<string, string>> = {
  ram: { b: 'B', bytes: 'B', k: 'KB', kb: 'KB', kib: 'KB', m: 'MB', mb: 'MB', mib: 'MB', g: 'GB', gb: 'GB', gib: 'GB' },
  timeout: {
    ms: 'ms', msec: 'ms', millis: 'ms', s: 's', sec: 's', secs: 's', seconds: 's',
    m: 'm', min: 'm', mins: 'm', minutes: 'm', h: 'h', hr: 'h', hrs: 'h', hours: 'h',
  },
};

export interface Meaning { param: string; /** the unit the name carries (ram_mb: "MB") */ unit?: string; asWritten?: boolean }

/** The parameter an unknown keyword most likely meant, or undefined. */
export function meaningOf(name: string, params: readonly string[]): Meaning | undefined {
  const snake = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  const suffixed = /^(.+)_([a-z]+)$/.exec(snake);
  if (suffixed) {
    const base = nearest(suffixed[1]!, [...params], ALIASES);
    const unit = base ? UNITS[base]?.[suffixed[2]!] : undefined;
    if (base && unit) return { param: base, unit };
  }
  const param = nearest(snake, [...params], ALIASES);
  if (!param) return undefined;
  return AS_WRITTEN.has(snake) ? { param, asWritten: true } : { param };
}

/**
 * The renames to offer for `arg`, best first: the name alone when `meaning.param`
 * accepts the value as written, else the name with each certain fix of the value; none
 * when the value has none. `check` runs the schema on a value for a parameter.
 */
export function renameFixes(arg: DecoratorArg, meaning: Meaning, check: (param: string, v: ArgValue) => ConfigProblem[]): ConfigFix[] {
  const { param, unit } = meaning;
  const v = arg.value;
  if (!arg.nameSpan) return [];
  const number = bareNumber(v);
  if (unit && number !== undefined) {
    // The name says what the number counts: timeout_ms=500 is "500ms", never "500s".
    const text = `${number}${unit}`;
    return errors(check(param, { kind: 'string', value: text })).length ? [] : withValue(arg, param, [quoteLike(text, v)]);
  }
  const problems = errors(check(param, v));
  if (problems.length === 0) return [{ title: `Rename to "${param}"`, newText: param, span: arg.nameSpan }];
  // Only a fix of the whole value, the one problem it has, is certain to be what was meant.
  const [p] = problems;
  if (meaning.asWritten || v.via || problems.length > 1 || !p?.fixes?.length || !sameSpan(p.span, v.span)) return [];
  return withValue(arg, param, p.fixes.filter((f) => !f.span).map((f) => f.newText));
}

function errors(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.filter((p) => p.severity === 'error');
}

/** One rename fix per value: the edit covers the name, the "=" and the value. */
function withValue(arg: DecoratorArg, param: string, values: string[]): ConfigFix[] {
  const from = arg.nameSpan;
  const to = arg.value.span;
  if (!from || !to) return [];
  const span: Span = { startIndex: from.startIndex, endIndex: to.endIndex, start: from.start, end: to.end };
  return values.map((value) => ({ title: `Rename to ${param}=${value}`, newText: `${param}=${value}`, span }));
}

/** A positive number written as a number or a digit string ("64", 1.5), as text; else undefined. */
function bareNumber(v: ArgValue): string | undefined {
  if ((v.kind === 'int' || v.kind === 'float') && v.value > 0) return String(v.value);
  if (v.kind === 'string' && /^\d+(\.\d+)?$/.test(strip(v.value))) return strip(v.value);
  return undefined;
}

function sameSpan(a: Span | undefined, b: Span | undefined): boolean {
  return !a || (b !== undefined && a.startIndex === b.startIndex && a.endIndex === b.endIndex);
}

function quoteLike(text: string, like: ArgValue): string {
  const q = like.kind === 'string' && like.quote === "'" ? "'" : '"';
  return `${q}${text}${q}`;
}
