// Text for runs: durations, sizes, fuel, and the lifecycle lines of the output channel.
// Pure functions (no vscode), so they are tested in plain Node. The line shapes are what
// syntaxes/capsule-output.tmLanguage.json colours: keep the two in step.

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Fuel with a metric suffix: 1234 -> "1.2K", 2_000_000_000 -> "2G". */
export function formatFuel(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  const steps: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [size, suffix] of steps) {
    if (n >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))}${suffix}`;
    }
  }
  return String(n);
}

/** "12 ms · fuel 1.2M · ram 8.0 MB", skipping what is unknown. */
export function formatMetrics(m: { durationMs?: number; fuelConsumed?: number; ramUsed?: number }): string {
  const parts: string[] = [];
  if (m.durationMs !== undefined) parts.push(formatDuration(m.durationMs));
  if (m.fuelConsumed !== undefined) parts.push(`fuel ${formatFuel(m.fuelConsumed)}`);
  if (m.ramUsed !== undefined) parts.push(`ram ${formatBytes(m.ramUsed)}`);
  return parts.join(' · ');
}

export function clockTime(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A short, stable tag for an instance in the output: `main#1a2b3c`. */
export function instanceTag(taskName: string, instanceId: string): string {
  return `${taskName}#${instanceId.replace(/[^A-Za-z0-9]/g, '').slice(-6)}`;
}

export interface LineEvent {
  type: string;
  instanceId: string;
  taskName: string;
  file: string;
  attempt: number;
  at: number;
  text?: string;
  error?: { error_type: string; message: string };
  fuelConsumed?: number;
  ramUsed?: number;
  durationMs?: number;
}

/**
 * One output line per lifecycle event; stdout/stderr text keeps its own lines,
 * prefixed by the instance tag (`main#1a2b3c | ...` and `main#1a2b3c ! ...`).
 */
export function formatEventLines(e: LineEvent): string[] {
  const tag = instanceTag(e.taskName, e.instanceId);
  if (e.type === 'stdout' || e.type === 'stderr') {
    const mark = e.type === 'stdout' ? '|' : '!';
    const text = (e.text ?? '').replace(/\r?\n$/, '');
    return text.split(/\r?\n/).map((l) => `${tag} ${mark} ${l}`);
  }
  const head = `[${clockTime(e.at)}] ${tag} ${e.type}`;
  switch (e.type) {
    case 'created':
      return [`${head} (${e.file})`];
    case 'running':
      return [`${head} attempt ${(e.attempt ?? 0) + 1}`];
    case 'completed':
      return [`${head} in ${formatMetrics(e)}`];
    case 'retrying':
    case 'failed':
    case 'timed_out':
    case 'interrupted': {
      const why = e.error ? `: ${e.error.error_type}: ${e.error.message}` : '';
      const metrics = formatMetrics(e);
      return [`${head}${why}${metrics ? ` (${metrics})` : ''}`];
    }
    default:
      return [head];
  }
}

/** The final result line of a run, e.g. `main#1a2b3c result: "Hello from Capsule!"`. */
export function formatResultLine(taskName: string, instanceId: string, result: unknown): string {
  let text: string;
  try { text = JSON.stringify(result) ?? 'null'; } catch { text = String(result); }
  if (text.length > 2000) text = `${text.slice(0, 2000)}… (${text.length} chars)`;
  return `${instanceTag(taskName, instanceId)} result: ${text}`;
}
