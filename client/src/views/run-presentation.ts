// How a run and its children look in the Task Runs tree, as plain data (no vscode),
// so the look is tested in Node. runs-view.ts turns these into TreeItems.
import { formatDuration } from '../runs/format';
import { FINAL_STATES, shownAttempt } from '../../../runtime/src/engine/types';
import type { Attempt, RunInfo } from '../runs/model';
import { OUTCOMES, errorDetail, outcomeOf, outcomeText, usageText } from '../runs/outcome';
import { formatCall } from '../runs/signature';

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

const ACTIVE_ICONS: Record<string, { id: string; color?: string; spin?: boolean }> = {
  created: { id: 'circle-outline' },
  running: { id: 'sync', spin: true },
  retrying: { id: 'sync', spin: true, color: 'charts.yellow' },
};

/** The icon of a run or attempt: its state while active, else its outcome's own. */
export function iconOf(run: { state: string; error?: { errorType: string; message: string } }): { id: string; color?: string; spin?: boolean } {
  const active = ACTIVE_ICONS[run.state];
  if (active) return active;
  const look = OUTCOMES[outcomeOf(run)];
  return { id: look.icon, ...(look.color ? { color: look.color } : {}) };
}

export function stateLabel(state: string): string {
  return state.replace('_', ' ');
}

function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** The row's label: the call with its arguments when known (`square(x=3)`), else the task's name. */
export function runLabel(run: RunInfo): string {
  const call = run.args ? formatCall(run.taskName, run.args, 48) : run.taskName;
  // Its outcome came from the journal of the run it resumes or replays: it did not run.
  return run.replayed ? `${call} (replayed)` : call;
}

/**
 * A worker id as the views show it: it comes from the trace (any text), so control
 * characters go and it is cut to 60 characters.
 */
export function workerName(worker: string): string {
  const clean = worker.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 59)}…` : clean;
}

/** The queue workers that ran the run's attempts, in order, each once (none: it ran on this machine). */
export function workersOf(run: RunInfo): string[] {
  return [...new Set(run.attempts.flatMap((a) => (a.worker ? [workerName(a.worker)] : [])))];
}

export function runLook(run: RunInfo, now = Date.now()): NodeLook {
  const running = !FINAL_STATES.has(run.state);
  const duration = running ? formatDuration(now - run.createdAt) : formatDuration(run.durationMs);
  const retries = run.attempts.length > 1 ? ` · ${run.attempts.length - 1} ${run.attempts.length === 2 ? 'retry' : 'retries'}` : '';
  // Short enough for the view's default width: the kind and the time; usage is in the tooltip.
  const word = running ? stateLabel(run.state) : OUTCOMES[outcomeOf(run)].word;
  const workers = workersOf(run);
  const description = [word, duration].filter(Boolean).join(' · ') + retries + (run.parentId ? '' : ` · ${baseName(run.file)}`) + (workers.length ? ` · on ${workers.join(', ')}` : '');
  const usage = running ? '' : usageText({ durationMs: run.durationMs, fuelConsumed: run.fuelConsumed, peakMemoryBytes: run.peakMemoryBytes }, run.limits);
  const tooltipLines = [
    `${runLabel(run)} — ${run.file}`,
    running ? stateLabel(run.state) : outcomeText(run),
    `started ${new Date(run.createdAt).toLocaleString()}`,
  ];
  if (usage) tooltipLines.push(usage);
  if (workers.length) tooltipLines.push(`ran on queue worker${workers.length > 1 ? 's' : ''} ${workers.join(', ')}`);
  tooltipLines.push(`run ${run.id}`);
  if (run.fromHistory) tooltipLines.push('(from the trace history)');
  tooltipLines.push('Click for the run\'s details.');
  return {
    id: `run:${run.id}`,
    label: runLabel(run),
    description,
    tooltip: tooltipLines.join('\n'),
    icon: iconOf(run),
    contextValue: `run.${run.state}${run.parentId ? '.subtask' : ''}`,
    collapsible: run.attempts.length > 1 || run.children.length > 0 || run.error !== undefined,
  };
}

export function attemptLook(run: RunInfo, a: Attempt): NodeLook {
  const ended = a.endedAt !== undefined;
  const what = ACTIVE_ICONS[a.state] ? stateLabel(a.state) : outcomeText(a);
  return {
    id: `attempt:${run.id}:${a.number}`,
    label: `attempt ${shownAttempt(a.number)}`,
    description: `${what}${ended ? ` · ${formatDuration(a.endedAt! - a.startedAt)}` : ''}${a.worker ? ` · on ${workerName(a.worker)}` : ''}`,
    tooltip: (a.error ? `${a.error.errorType}: ${a.error.message}` : stateLabel(a.state)) + (a.worker ? `\nran on queue worker ${workerName(a.worker)}` : ''),
    icon: iconOf(a),
    contextValue: `attempt.${a.state}`,
    collapsible: false,
  };
}

export function errorLook(run: RunInfo): NodeLook | undefined {
  if (!run.error) return undefined;
  const kind = outcomeOf(run);
  const where = run.error.frames?.length ? run.error.frames[run.error.frames.length - 1] : undefined;
  return {
    id: `error:${run.id}`,
    label: OUTCOMES[kind].word,
    description: errorDetail(kind, run.error.message) + (where ? ` (${baseName(where.file)}:${where.line})` : ''),
    tooltip: run.error.traceback ?? `${run.error.errorType}: ${run.error.message}`,
    icon: { id: OUTCOMES[kind].icon, color: kind === 'cancelled' ? 'testing.iconSkipped' : 'errorForeground' },
    contextValue: 'run.error',
    collapsible: false,
  };
}

/** Top-level runs grouped by task (and file), groups in the order of their newest run. */
export interface RunGroup { kind: 'group'; key: string; taskName: string; file: string; runs: RunInfo[] }

export function groupRuns(roots: readonly RunInfo[]): RunGroup[] {
  const groups = new Map<string, RunGroup>();
  for (const run of roots) {
    const key = `${run.file}#${run.taskName}`;
    let g = groups.get(key);
    if (!g) { g = { kind: 'group', key, taskName: run.taskName, file: run.file, runs: [] }; groups.set(key, g); }
    g.runs.push(run);
  }
  return [...groups.values()];
}

export function groupLook(g: RunGroup): NodeLook {
  const latest = g.runs[0];
  const failed = g.runs.filter((r) => OUTCOMES[outcomeOf(r)].failure).length;
  const counts = `${g.runs.length} run${g.runs.length === 1 ? '' : 's'}${failed ? ` · ${failed} failed` : ''}`;
  return {
    id: `group:${g.key}`,
    label: g.taskName,
    description: `${counts} · ${baseName(g.file)}`,
    tooltip: `${g.taskName} — ${g.file}\n${counts}${latest ? `\nlatest: ${outcomeText(latest)}` : ''}`,
    icon: latest ? iconOf(latest) : { id: 'symbol-function' },
    contextValue: 'runGroup',
    collapsible: true,
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
