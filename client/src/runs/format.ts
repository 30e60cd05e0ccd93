// Text for runs: durations, sizes, fuel, and the lifecycle lines of the output channel.
// Pure functions (no vscode), so they are tested in plain Node. The line shapes are what
// syntaxes/capsule-output.tmLanguage.json colours: keep the two in step.
import { shownAttempt, type LifecycleEvent } from '../../../runtime/src/engine/types';
import * as units from '../../../runtime/src/config/units';
import { outcomeText } from './outcome';
import { formatCall } from './signature';
import type { Frame } from './traceback';

// One set of formatters for the CLI, the lenses and the views: the schema's.
const known = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n);
export const formatDuration = (ms: number | undefined): string => (known(ms) ? units.formatDuration(ms) : '');
export const formatBytes = (n: number | undefined): string => (known(n) ? units.formatBytes(n) : '');
export const formatFuel = (n: number | undefined): string => (known(n) ? units.formatFuel(n) : '');

/** "12 ms · fuel 1.2M · ram 8.0 MB", skipping what is unknown. */
export function formatMetrics(m: { durationMs?: number; fuelConsumed?: number; peakMemoryBytes?: number }): string {
  const parts: string[] = [];
  if (m.durationMs !== undefined) parts.push(formatDuration(m.durationMs));
  if (m.fuelConsumed !== undefined) parts.push(`fuel ${formatFuel(m.fuelConsumed)}`);
  if (m.peakMemoryBytes !== undefined) parts.push(`ram ${formatBytes(m.peakMemoryBytes)}`);
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

/** The fields of an engine event a run's output line shows. */
export type LineEvent = Omit<LifecycleEvent, 'runId' | 'parentId'>;

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
      // The call with its arguments, so concurrent runs of one task are told apart.
      return [`${head}${e.args ? ` ${formatCall(e.taskName, e.args)}` : ''} (${e.file})`];
    case 'running':
      return [`${head} attempt ${shownAttempt(e.attempt ?? 0)}`];
    case 'completed':
      return [`${head} in ${formatMetrics(e)}`];
    case 'retrying':
    case 'failed':
    case 'timed_out':
    case 'interrupted': {
      // One wording per kind ("failed: out of fuel: budget 100M"), never the type and its words twice.
      const state = e.type === 'retrying' ? 'failed' : e.type;
      const error = e.error ? { errorType: e.error.error_type, message: e.error.message } : undefined;
      const why = outcomeText({ state, error });
      const metrics = formatMetrics(e);
      return [`${head}${why !== e.type.replace('_', ' ') ? `: ${why}` : ''}${metrics ? ` (${metrics})` : ''}`];
    }
    default:
      return [head];
  }
}

/**
 * A traceback's frames, innermost last, as `main#1a2b3c   at helper (/abs/tasks.py:21)`:
 * VS Code turns the absolute `path:line` into a link. `absolute` maps a frame's file.
 */
export function formatFrameLines(taskName: string, instanceId: string, frames: readonly Frame[], absolute: (file: string) => string): string[] {
  const tag = instanceTag(taskName, instanceId);
  return frames.map((f) => `${tag}   at ${f.name} (${absolute(f.file)}:${f.line})`);
}

/** The final result line of a run, e.g. `main#1a2b3c result: "Hello from Capsule!"`. */
export function formatResultLine(taskName: string, instanceId: string, result: unknown): string {
  let text: string;
  try { text = JSON.stringify(result) ?? 'null'; } catch { text = String(result); }
  return formatResultJsonLine(taskName, instanceId, text);
}

/** The same, from the result's JSON text as the task wrote it. */
export function formatResultJsonLine(taskName: string, instanceId: string, json: string): string {
  let text = json;
  if (text.length > 2000) text = `${text.slice(0, 2000)}… (${text.length} chars: the run's details have all of it, with Copy and Open in editor)`;
  return `${instanceTag(taskName, instanceId)} result: ${text}`;
}
