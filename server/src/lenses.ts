// Lenses above each task: run, run with arguments, the effective limits, and the last
// result the client reported.
import type { CodeLens, Command } from 'vscode-languageserver';
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
    for (const command of taskCommands(uri, file, t, results)) lenses.push({ range, command });
  }
  return lenses;
}

/** A task's lenses, in order: run, run with arguments, its limits (or "⚠ config errors"), its last result. */
export function taskCommands(uri: string, file: string, t: DiscoveredTask, results: ResultStore): Command[] {
  const runnable: Runnable = { uri, file, taskName: t.name, functionName: t.functionName, line: t.nameSpan.start.line };
  const out: Command[] = [
    { title: '▶ Run task', command: RUN_TASK_COMMAND, arguments: [runnable] },
    { title: 'Run with arguments…', command: RUN_TASK_WITH_ARGS_COMMAND, arguments: [runnable] },
    // An empty command id makes a label: VS Code draws it, but it is not clickable.
    { title: t.config ? configSummary(t.config) : '⚠ config errors', command: '' },
  ];
  const last = results.get(resultKey(uri, t.name));
  if (last) out.push({ title: resultSummary(last), command: '' });
  return out;
}

/**
 * With `lenses: "resolve"` (the extension's option): one lens per task, without its
 * commands. A 10,000-task file's lenses with their commands are 7.4 MB of JSON on every
 * change; these are ~1 MB, and the client resolves only the ones on screen. `data` is
 * [document number (see LensDocs), task name, 1 if its config has errors else 0].
 */
export type LensData = [doc: number, taskName: string, configError: 0 | 1];

export function unresolvedLenses(doc: number, tasks: DiscoveredTask[]): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const t of tasks) {
    if (t.unreachable) continue;
    lenses.push({ range: rangeOf(t.decoratorSpan), data: [doc, t.name, t.config ? 0 : 1] satisfies LensData });
  }
  return lenses;
}

/**
 * codeLens/resolve of a per-task lens: its run command, and in `data.commands` all of the
 * task's lenses (taskCommands). A task that is gone (the lens is stale) resolves to a blank label.
 */
export function resolveLens(lens: CodeLens, find: (doc: number, taskName: string, line: number) => { uri: string; file: string; task: DiscoveredTask } | undefined, results: ResultStore): CodeLens {
  const data = lens.data as LensData | undefined;
  const found = Array.isArray(data) && typeof data[0] === 'number' && typeof data[1] === 'string' ? find(data[0], data[1], lens.range.start.line) : undefined;
  if (!found) return { range: lens.range, command: { title: '', command: '' } };
  const commands = taskCommands(found.uri, found.file, found.task, results);
  return { range: lens.range, command: commands[0], data: { commands } };
}

/** Small numbers for documents' URIs, so that each unresolved lens need not carry its URI. */
export class LensDocs {
  private readonly numbers = new Map<string, number>();
  private readonly uris: string[] = [];
  numberOf(uri: string): number {
    let n = this.numbers.get(uri);
    if (n === undefined) {
      n = this.uris.push(uri) - 1;
      this.numbers.set(uri, n);
    }
    return n;
  }
  uriOf(n: number): string | undefined {
    return this.uris[n];
  }
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
