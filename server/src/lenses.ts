// Lenses above each task: run, run with arguments, the effective limits, and the last
// result the client reported.
import type { CodeLens } from 'vscode-languageserver';
import { formatBytes, formatDuration, formatFuel, type TaskConfig } from '../../runtime/src/config/schema';
import type { DiscoveredTask } from '../../runtime/src/discovery/index';
import { RUN_TASK_COMMAND, RUN_TASK_WITH_ARGS_COMMAND, type RunResultParams, type Runnable } from './protocol';
import { rangeOf } from './diagnostics';

/** Last results by `${uri}#${taskName}`. */
export type ResultStore = Map<string, RunResultParams>;

export const resultKey = (uri: string, taskName: string): string => `${uri}#${taskName}`;

export function taskLenses(uri: string, file: string, tasks: DiscoveredTask[], results: ResultStore): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const t of tasks) {
    if (t.unreachable) continue; // it cannot be run by name: its diagnostic says why
    const range = rangeOf(t.decoratorSpan);
    const runnable: Runnable = { uri, file, taskName: t.name, functionName: t.functionName, line: t.nameSpan.start.line };
    lenses.push({ range, command: { title: '▶ Run task', command: RUN_TASK_COMMAND, arguments: [runnable] } });
    lenses.push({ range, command: { title: 'Run with arguments…', command: RUN_TASK_WITH_ARGS_COMMAND, arguments: [runnable] } });
    // An empty command id makes a label: VS Code draws it, but it is not clickable.
    lenses.push({ range, command: { title: t.config ? configSummary(t.config) : '⚠ config errors', command: '' } });
    const last = results.get(resultKey(uri, t.name));
    if (last) lenses.push({ range, command: { title: resultSummary(last), command: '' } });
  }
  return lenses;
}

/** "fuel 2B · 256 MB · 30 s" */
export function configSummary(c: TaskConfig): string {
  const parts = [`${c.compute === 'CUSTOM' ? '' : `${c.compute} `}fuel ${formatFuel(c.fuel)}`, formatBytes(c.memoryLimitBytes), c.timeoutMs === null ? 'no timeout' : formatDuration(c.timeoutMs)];
  if (c.maxRetries > 0) parts.push(`${c.maxRetries} ${c.maxRetries === 1 ? 'retry' : 'retries'}`);
  return parts.join(' · ');
}

const ERROR_WORDS: Record<string, string> = {
  out_of_fuel: 'out of fuel',
  out_of_memory: 'out of memory',
  timeout: 'timed out',
  task_error: 'task error',
  permission_denied: 'permission denied',
  wasm_error: 'wasm error',
};

/** "✓ 12 ms · fuel 1.2M · 8 MB" or "✗ out of fuel" */
export function resultSummary(r: RunResultParams): string {
  if (r.state === 'completed') return `✓ ${formatDuration(r.durationMs)} · fuel ${formatFuel(r.fuelConsumed)} · ${formatBytes(r.peakMemoryBytes)}`;
  if (r.state === 'interrupted') return '✗ interrupted';
  if (r.state === 'timed_out') return `✗ timed out after ${formatDuration(r.durationMs)}`;
  const what = (r.errorType && ERROR_WORDS[r.errorType]) ?? r.errorType ?? 'failed';
  const detail = r.errorType === 'task_error' && r.message ? `: ${r.message.split('\n').filter(Boolean).pop()!.slice(0, 60)}` : '';
  return `✗ ${what}${detail}`;
}
