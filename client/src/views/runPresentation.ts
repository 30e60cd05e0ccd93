// How a run and its children look in the Task Runs tree, as plain data (no vscode),
// so the look is tested in Node. runsView.ts turns these into TreeItems.
import { formatDuration, formatMetrics } from '../runs/format';
import { FINAL_STATES, type Attempt, type RunInfo } from '../runs/model';

export type RunNodeKind = 'run' | 'attempt' | 'error';

export interface NodeLook {
  /** Stable across refreshes: the tree keeps selection and expansion by it. */
  id: string;
  label: string;
  description: string;
  tooltip: string;
  /** A codicon id; `spin` adds the ~spin modifier. */
  icon: { id: string; color?: string; spin?: boolean };
  /** Matched by package.json menus, e.g. `viewItem =~ /^run\.running/`. */
  contextValue: string;
  collapsible: boolean;
}

const ICONS: Record<string, { id: string; color?: string; spin?: boolean }> = {
  created: { id: 'circle-outline' },
  running: { id: 'sync', spin: true },
  retrying: { id: 'sync', spin: true, color: 'charts.yellow' },
  completed: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  timed_out: { id: 'watch', color: 'testing.iconFailed' },
  interrupted: { id: 'debug-stop', color: 'testing.iconSkipped' },
};

export function stateLabel(state: string): string {
  return state.replace('_', ' ');
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

export function runLook(run: RunInfo, now = Date.now()): NodeLook {
  const running = !FINAL_STATES.has(run.state);
  const metrics = running
    ? formatDuration(now - run.createdAt)
    : formatMetrics({ durationMs: run.durationMs, fuelConsumed: run.fuelConsumed, ramUsed: run.ramUsed });
  const retries = run.attempts.length > 1 ? ` · ${run.attempts.length - 1} ${run.attempts.length === 2 ? 'retry' : 'retries'}` : '';
  const description = [stateLabel(run.state), metrics].filter(Boolean).join(' · ') + retries + ` · ${baseName(run.file)}`;
  const tooltipLines = [
    `${run.taskName} (${run.file})`,
    `state: ${stateLabel(run.state)}`,
    `started: ${new Date(run.createdAt).toLocaleString()}`,
  ];
  if (metrics) tooltipLines.push(metrics);
  if (run.error) tooltipLines.push(`${run.error.errorType}: ${run.error.message}`);
  if (run.fromHistory) tooltipLines.push('(from the trace history)');
  return {
    id: `run:${run.id}`,
    label: run.taskName,
    description,
    tooltip: tooltipLines.join('\n'),
    icon: ICONS[run.state] ?? { id: 'circle-outline' },
    contextValue: `run.${run.state}${run.parentId ? '.subtask' : ''}`,
    collapsible: run.attempts.length > 1 || run.children.length > 0 || run.error !== undefined,
  };
}

export function attemptLook(run: RunInfo, a: Attempt): NodeLook {
  const ended = a.endedAt !== undefined;
  const error = a.error ? `: ${a.error.errorType}` : '';
  return {
    id: `attempt:${run.id}:${a.number}`,
    label: `attempt ${a.number + 1}`,
    description: `${stateLabel(a.state)}${error}${ended ? ` · ${formatDuration(a.endedAt! - a.startedAt)}` : ''}`,
    tooltip: a.error ? `${a.error.errorType}: ${a.error.message}` : stateLabel(a.state),
    icon: ICONS[a.state] ?? { id: 'circle-outline' },
    contextValue: `attempt.${a.state}`,
    collapsible: false,
  };
}

export function errorLook(run: RunInfo): NodeLook | undefined {
  if (!run.error) return undefined;
  const firstLine = run.error.message.split('\n').find((l) => l.trim()) ?? '';
  return {
    id: `error:${run.id}`,
    label: run.error.errorType,
    description: firstLine,
    tooltip: `${run.error.errorType}: ${run.error.message}`,
    icon: { id: 'warning', color: 'errorForeground' },
    contextValue: 'run.error',
    collapsible: false,
  };
}

/** The children of a run node: its error first, then attempts (if retried), then sub-tasks. */
export type RunChild = { kind: 'error'; run: RunInfo } | { kind: 'attempt'; run: RunInfo; attempt: Attempt } | { kind: 'run'; run: RunInfo };

export function runChildren(run: RunInfo, subRuns: RunInfo[]): RunChild[] {
  const out: RunChild[] = [];
  if (run.error) out.push({ kind: 'error', run });
  if (run.attempts.length > 1) for (const a of run.attempts) out.push({ kind: 'attempt', run, attempt: a });
  for (const s of subRuns) out.push({ kind: 'run', run: s });
  return out;
}
