// Parsers for the three unit-bearing task parameters (compute, ram, timeout) and the
// formatters that turn their values back into words for hovers, lenses and the CLI.
// Every error message names the value and says what is accepted.

import { DURATION_PART, NUMBER_AND_UNIT, strip } from './spaces';
import { FUEL, MAX_FUEL, MAX_RAM_BYTES, MAX_TIMEOUT_MS, MIN_RAM, MIN_RAM_BYTES } from './limits';

export { FUEL, MAX_FUEL, MAX_RAM_BYTES, MAX_TIMEOUT_MS, MIN_RAM_BYTES } from './limits';
export type ComputeLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CUSTOM';

/** `fixes`: values the user most likely meant, each one that parses; none when unsure. */
export type Parsed<T> = { ok: true; value: T; canonical: string } | { ok: false; error: string; fixes?: string[] };

const COMPUTE_HELP = 'use "LOW", "MEDIUM", "HIGH" or a digit string of fuel units, e.g. "5000000"';

export function parseCompute(v: string): Parsed<{ level: ComputeLevel; fuel: number }> {
  const s = strip(v);
  const upper = s.toUpperCase();
  if (upper === 'LOW' || upper === 'MEDIUM' || upper === 'HIGH') {
    return { ok: true, value: { level: upper, fuel: FUEL[upper] }, canonical: upper };
  }
  if (/^\d+$/.test(s)) {
    const fuel = Number(s);
    if (fuel === 0) return { ok: false, error: `compute "${v}" is zero fuel: the task could not run a single instruction; ${COMPUTE_HELP}` };
    if (fuel > MAX_FUEL) return { ok: false, error: `compute "${v}" is too large; the most is ${MAX_FUEL} fuel units` };
    return { ok: true, value: { level: 'CUSTOM', fuel }, canonical: String(fuel) };
  }
  const near = nearest(upper, ['LOW', 'MEDIUM', 'HIGH']);
  return { ok: false, error: `compute "${v}" is not a level; ${COMPUTE_HELP}`, ...(near ? { fixes: [near] } : {}) };
}

const RAM_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };
/** Spellings people write for a unit, to the unit they mean (TB is real, and too large). */
const RAM_ALIASES: Record<string, string> = { BYTE: 'B', BYTES: 'B', O: 'B', K: 'KB', KIB: 'KB', KO: 'KB', M: 'MB', MIB: 'MB', MO: 'MB', G: 'GB', GIB: 'GB', GO: 'GB', T: 'TB', TB: 'TB', TIB: 'TB' };
const RAM_HELP = 'use B, KB, MB or GB, e.g. "512MB"';

export interface RamOptions { maxBytes?: number }

export function parseRam(v: string, opts: RamOptions = {}): Parsed<number> {
  const max = opts.maxBytes ?? MAX_RAM_BYTES;
  const m = NUMBER_AND_UNIT.exec(v);
  if (!m) return { ok: false, error: `ram "${v}": expected a number and a unit; ${RAM_HELP}` };
  const [, num, unitRaw] = m as unknown as [string, string, string];
  const unit = unitRaw.toUpperCase();
  const factor = unit === '' ? 1 : RAM_UNITS[unit];
  const valid = (s: string) => parseRam(s, opts).ok;
  const tooBig = (): Parsed<number> => ({
    ok: false,
    error: `ram "${v}" is more than the maximum of ${formatBytes(max)}${max === MAX_RAM_BYTES ? ' (a wasm32 sandbox cannot address more)' : ''}`,
    fixes: [formatBytes(max).replace(' ', '')],
  });
  if (factor === undefined) {
    const meant = RAM_ALIASES[unit];
    if (meant === 'TB') return tooBig();
    const fix = meant ? `${num}${meant}` : undefined;
    return { ok: false, error: `ram "${v}": unknown unit "${unitRaw}"; ${RAM_HELP}`, ...(fix && valid(fix) ? { fixes: [fix] } : {}) };
  }
  const bytes = Math.floor(Number(num) * factor);
  if (bytes === 0) return { ok: false, error: `ram "${v}" is zero: the task could not start; ${RAM_HELP}` };
  if (bytes < MIN_RAM_BYTES) {
    const bytesWord = `${num} ${num === '1' ? 'byte' : 'bytes'}`;
    if (unit === '') {
      // A bare number is bytes; "100" most likely meant megabytes (or gigabytes).
      const fixes = [`${num}MB`, `${num}GB`].filter(valid);
      return { ok: false, error: `ram "${v}" is ${bytesWord} (a bare number means bytes), below the ${MIN_RAM} the Python runtime needs to start${fixes.length ? `; did you mean "${fixes.join('" or "')}"?` : ''}`, fixes };
    }
    // "64B" most likely meant "64MB"; the floor is the other way out.
    const meant = unit === 'B' && valid(`${num}MB`) && `${num}MB` !== MIN_RAM ? `${num}MB` : undefined;
    if (meant) return { ok: false, error: `ram "${v}" is ${bytesWord}, below the ${MIN_RAM} the Python runtime needs to start; did you mean "${meant}"? Otherwise use at least "${MIN_RAM}"`, fixes: [meant, MIN_RAM] };
    return { ok: false, error: `ram "${v}" is below the ${MIN_RAM} the Python runtime needs to start; use at least "${MIN_RAM}"`, fixes: [MIN_RAM] };
  }
  if (bytes > max) return tooBig();
  return { ok: true, value: bytes, canonical: `${num}${unit || ''}` };
}

/** What to say about `ram=N` (a number, no unit): the readings that parse, megabytes first. */
export function ramFromNumber(n: number, opts: RamOptions = {}): { error: string; fixes: string[] } {
  const readings: Array<[string, string]> = [[`${n}MB`, `${n} megabytes`], [`${n}B`, `${n} bytes`]];
  const ok = readings.filter(([x]) => parseRam(x, opts).ok);
  const head = 'ram must be a string with a unit, e.g. "512MB"';
  if (ok.length) return { error: `${head}; write ${ok.map(([x, words]) => `"${x}" for ${words}`).join(' or ')}`, fixes: ok.map(([x]) => x) };
  // 8 is too little as megabytes and as bytes: no value of it to suggest.
  return { error: `${head}; ${n} is outside ${MIN_RAM} to ${formatBytes(opts.maxBytes ?? MAX_RAM_BYTES)} both as megabytes and as bytes`, fixes: [] };
}

/** What to say about `timeout=N` (seconds, no unit): "Ns" only when the runtime accepts it. */
export function timeoutFromNumber(n: number): { error: string; fixes: string[] } {
  const fix = `${n}s`;
  if (parseTimeout(fix).ok) return { error: `timeout must be a string with a unit; write "${fix}" for ${n} seconds`, fixes: [fix] };
  const why = Math.round(n * 1000) === 0
    ? `${n} seconds is less than the millisecond the runtime counts in, so the task would time out before it starts`
    : `${n} seconds is longer than the runtime can time (the most is ${formatDuration(MAX_TIMEOUT_MS)}); leave timeout out for no timeout`;
  return { error: `timeout must be a string with a unit, e.g. "30s"; ${why}`, fixes: [] };
}

/** capsule.toml `[tasks] default_disk`: the most a run may write through its grants. */
export const MAX_DISK_BYTES = 1024 ** 4;
const DISK_UNITS: Record<string, number> = { ...RAM_UNITS, TB: 1024 ** 4 };
const DISK_HELP = 'use B, KB, MB, GB or TB, e.g. "1GB"';

export function parseDisk(v: string): Parsed<number> {
  return parseByteSize(v, 'disk', { max: MAX_DISK_BYTES });
}

/** capsule.toml `[workflow] journal_blob_cap`: journal replies longer than this go to .capsule/blobs/. */
export const MIN_BLOB_CAP_BYTES = 1024;
export const MAX_BLOB_CAP_BYTES = 256 * 1024 ** 2;
export function parseBlobCap(v: string): Parsed<number> {
  return parseByteSize(v, 'journal_blob_cap', { min: MIN_BLOB_CAP_BYTES, max: MAX_BLOB_CAP_BYTES, help: 'use B, KB, MB or GB, e.g. "64KB"' });
}

/** A byte count with a unit (B, KB, MB, GB, TB; 1024-based) between `min` and `max`, for messages named `what`. */
function parseByteSize(v: string, what: string, range: { min?: number; max: number; help?: string }): Parsed<number> {
  const help = range.help ?? DISK_HELP;
  const m = NUMBER_AND_UNIT.exec(v);
  if (!m) return { ok: false, error: `${what} "${v}": expected a number and a unit; ${help}` };
  const [, num, unitRaw] = m as unknown as [string, string, string];
  const unit = unitRaw.toUpperCase();
  const factor = unit === '' ? 1 : DISK_UNITS[unit];
  if (factor === undefined) {
    const near = nearest(unit, Object.keys(DISK_UNITS));
    return { ok: false, error: `${what} "${v}": unknown unit "${unitRaw}"; ${help}`, ...(near ? { fixes: [`${num}${near}`] } : {}) };
  }
  const bytes = Math.floor(Number(num) * factor);
  const words = (n: number) => (n >= 1024 ** 4 ? `${trim(n / 1024 ** 4)} TB` : formatBytes(n));
  if (bytes > range.max) return { ok: false, error: `${what} "${v}" is more than the maximum of ${words(range.max)}`, fixes: [words(range.max).replace(' ', '')] };
  if (range.min !== undefined && bytes < range.min) return { ok: false, error: `${what} "${v}" is less than the minimum of ${words(range.min)}`, fixes: [words(range.min).replace(' ', '')] };
  return { ok: true, value: bytes, canonical: `${num}${unit || ''}` };
}

const TIMEOUT_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Other spellings, to [unit, multiplier]: "1d" is "24h". */
const TIMEOUT_ALIASES: Record<string, [string, number]> = {
  msec: ['ms', 1], msecs: ['ms', 1], millis: ['ms', 1], millisecond: ['ms', 1], milliseconds: ['ms', 1],
  sec: ['s', 1], secs: ['s', 1], second: ['s', 1], seconds: ['s', 1],
  min: ['m', 1], mins: ['m', 1], minute: ['m', 1], minutes: ['m', 1],
  hr: ['h', 1], hrs: ['h', 1], hour: ['h', 1], hours: ['h', 1],
  d: ['h', 24], day: ['h', 24], days: ['h', 24],
};
const TIMEOUT_HELP = 'use ms, s, m or h, e.g. "30s", "500ms" or "1m30s"';

export function parseTimeout(v: string): Parsed<number> {
  const s = strip(v);
  if (/^\d+(\.\d+)?$/.test(s)) {
    return { ok: false, error: `timeout "${v}" has no unit; ${TIMEOUT_HELP}`, ...(parseTimeout(`${s}s`).ok ? { fixes: [`${s}s`] } : {}) };
  }
  const part = new RegExp(DURATION_PART, 'y'); // its own lastIndex: matched where the last part ended
  let ms = 0;
  let canonical = '';
  let unknown: string | undefined;
  let fix: string | null = ''; // the duration in known units; null once a unit has no alias
  let i = 0;
  while (i < s.length) {
    part.lastIndex = i;
    const m = part.exec(s);
    if (!m) return { ok: false, error: `timeout "${v}": expected a duration; ${TIMEOUT_HELP}` };
    const [, num, unitRaw] = m as unknown as [string, string, string];
    const unit = unitRaw.toLowerCase();
    const factor = TIMEOUT_UNITS[unit];
    if (factor === undefined) {
      unknown ??= unitRaw;
      const alias = TIMEOUT_ALIASES[unit];
      fix = alias && fix !== null ? `${fix}${trimNumber(Number(num) * alias[1])}${alias[0]}` : null;
    } else {
      ms += Number(num) * factor;
      canonical += `${num}${unit}`;
      if (fix !== null) fix += `${num}${unit}`;
    }
    i = part.lastIndex;
    while (s[i] === ' ') i++;
  }
  if (unknown !== undefined) {
    return { ok: false, error: `timeout "${v}": unknown unit "${unknown}"; ${TIMEOUT_HELP}`, ...(fix && parseTimeout(fix).ok ? { fixes: [fix] } : {}) };
  }
  ms = Math.round(ms);
  if (ms === 0) return { ok: false, error: `timeout "${v}" is zero: the task would time out before it starts; ${TIMEOUT_HELP}` };
  if (ms > MAX_TIMEOUT_MS) {
    return { ok: false, error: `timeout "${v}" is longer than the runtime can time: the most is ${formatDuration(MAX_TIMEOUT_MS)} (2^31-1 ms, about 24.8 days); leave timeout out for no timeout` };
  }
  return { ok: true, value: ms, canonical };
}

function trimNumber(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/** 1.2M, 2B, 50B: short, for lenses and hovers. */
export function formatFuel(n: number): string {
  const steps: Array<[number, string]> = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'K']];
  for (const [size, suffix] of steps) {
    if (n >= size) return `${trim(n / size)}${suffix}`;
  }
  return String(n);
}

/** Powers of 1024, as the ram parameter counts: 8 MB, 1.5 GB, 512 B. */
export function formatBytes(n: number): string {
  const steps: Array<[number, string]> = [[1024 ** 3, 'GB'], [1024 ** 2, 'MB'], [1024, 'KB']];
  for (const [size, unit] of steps) {
    if (n >= size) return `${trim(n / size)} ${unit}`;
  }
  return `${n} B`;
}

/** 12 ms, 2.5 s, 1 m 30 s, 2 h. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trim(ms / 1000)} s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return [h ? `${h} h` : '', m ? `${m} m` : '', s ? `${s} s` : ''].filter(Boolean).join(' ');
}

function trim(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}

/** The closest accepted spelling, for "did you mean" fixes; aliases map common words. */
export function nearest(word: string, options: string[], aliases: Record<string, string> = {}): string | undefined {
  const w = word.toLowerCase();
  if (aliases[w]) return aliases[w];
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = editDistance(w, o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  return bestD <= Math.max(1, Math.floor(w.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
