// How a run ended, as one kind with its own icon and wording: completed, cancelled (the
// user's own stop), interrupted (its host went away), timeout, out_of_fuel, out_of_memory,
// permission_denied, task_error, wasm_error. And usage against limits. No vscode here.
import { formatBytes, formatDuration, formatFuel } from './format';

export type OutcomeKind =
  | 'running' | 'completed' | 'cancelled' | 'interrupted' | 'timeout' | 'out_of_fuel'
  | 'out_of_memory' | 'permission_denied' | 'task_error' | 'wasm_error' | 'failed';

export interface OutcomeLook {
  /** A codicon id. */
  icon: string;
  /** A theme colour id (VS Code's testing colours, so they follow every theme). */
  color?: string;
  /** Short words for the kind: "out of fuel". */
  word: string;
  /** A failure (counts as failed in the Testing view). */
  failure: boolean;
}

export const OUTCOMES: Record<OutcomeKind, OutcomeLook> = {
  running: { icon: 'sync~spin', word: 'running', failure: false },
  completed: { icon: 'pass', color: 'testing.iconPassed', word: 'completed', failure: false },
  cancelled: { icon: 'circle-slash', color: 'testing.iconSkipped', word: 'cancelled', failure: false },
  interrupted: { icon: 'debug-disconnect', color: 'testing.iconErrored', word: 'interrupted', failure: true },
  timeout: { icon: 'watch', color: 'testing.iconFailed', word: 'timed out', failure: true },
  out_of_fuel: { icon: 'flame', color: 'testing.iconFailed', word: 'out of fuel', failure: true },
  out_of_memory: { icon: 'database', color: 'testing.iconFailed', word: 'out of memory', failure: true },
  permission_denied: { icon: 'lock', color: 'testing.iconFailed', word: 'permission denied', failure: true },
  task_error: { icon: 'bug', color: 'testing.iconFailed', word: 'failed', failure: true },
  wasm_error: { icon: 'zap', color: 'testing.iconErrored', word: 'sandbox error', failure: true },
  failed: { icon: 'error', color: 'testing.iconFailed', word: 'failed', failure: true },
};

const ACTIVE = new Set(['created', 'running', 'retrying']);

/** The engine's cancel message (runtime/src/engine/limits.ts cancelledError and instance.ts). */
const CANCELLED = /\bcancelled\b/i;

export function outcomeOf(run: { state: string; error?: { errorType: string; message: string } }): OutcomeKind {
  if (ACTIVE.has(run.state)) return 'running';
  if (run.state === 'completed') return 'completed';
  if (run.state === 'interrupted') return CANCELLED.test(run.error?.message ?? '') ? 'cancelled' : 'interrupted';
  if (run.state === 'timed_out') return 'timeout';
  const t = run.error?.errorType;
  return t && t in OUTCOMES ? (t as OutcomeKind) : 'failed';
}

/**
 * The error's message without the words its kind already says: "out_of_fuel: out of fuel:
 * budget 100M" reads "budget 100M" under the kind "out of fuel". Keeps the first line.
 */
export function errorDetail(kind: OutcomeKind, message: string | undefined): string {
  let m = (message ?? '').split('\n').find((l) => l.trim())?.trim() ?? '';
  const words = [OUTCOMES[kind].word, kind.replace(/_/g, ' '), kind, 'interrupted', 'timed out', 'timeout', 'task_error', 'error'];
  for (let again = true; again;) {
    again = false;
    for (const w of words) {
      const re = new RegExp(`^${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[:—-]\\s*`, 'i');
      if (re.test(m)) { m = m.replace(re, ''); again = true; }
    }
  }
  return m.length > 160 ? `${m.slice(0, 160)}…` : m;
}

/** "out of fuel: budget 100M" or "cancelled": the kind, then what the message adds. */
export function outcomeText(run: { state: string; error?: { errorType: string; message: string } }): string {
  const kind = outcomeOf(run);
  const detail = kind === 'completed' || kind === 'running' ? '' : errorDetail(kind, run.error?.message);
  const word = OUTCOMES[kind].word;
  if (!detail || detail.toLowerCase() === word) return word;
  // "out of fuel (budget 100M)" already says its kind.
  return detail.toLowerCase().startsWith(word) ? detail : `${word}: ${detail}`;
}

export interface Limits { fuel: number; memoryLimitBytes: number; timeoutMs: number | null }

/** "fuel 1.3M / 100M · ram 8.0 MB / 64 MB · 12 ms / 30 s", skipping what is unknown. */
export function usageText(m: { durationMs?: number; fuelConsumed?: number; peakMemoryBytes?: number }, limits?: Limits | null): string {
  const parts: string[] = [];
  if (m.durationMs !== undefined) parts.push(limits?.timeoutMs ? `${formatDuration(m.durationMs)} / ${formatDuration(limits.timeoutMs)}` : formatDuration(m.durationMs));
  if (m.fuelConsumed !== undefined) parts.push(`fuel ${formatFuel(m.fuelConsumed)}${limits ? ` / ${formatFuel(limits.fuel)}` : ''}`);
  if (m.peakMemoryBytes !== undefined) parts.push(`ram ${formatBytes(m.peakMemoryBytes)}${limits ? ` / ${formatBytes(limits.memoryLimitBytes)}` : ''}`);
  return parts.join(' · ');
}
