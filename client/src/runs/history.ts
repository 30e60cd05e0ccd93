// Turns the trace's run records (engine.history()) into the Task Runs model.
import type { InstanceRecord, RunRecord } from '../../../runtime/src/trace/records';
import type { RunInfo, TaskError } from './model';

import { framesOf } from './traceback';

type ErrorFields = { errorType: string | null; message: string | null; traceback?: string | null; frames?: unknown };

function errorOf(r: ErrorFields, state?: string): TaskError | undefined {
  // An interrupted run may have a message and no type (its host went away).
  if (!r.errorType && !(state === 'interrupted' && r.message)) return undefined;
  const e = { error_type: r.errorType ?? 'task_error', message: r.message ?? '', traceback: r.traceback ?? undefined, frames: r.frames } as Parameters<typeof framesOf>[0];
  const frames = framesOf(e);
  return { errorType: r.errorType ?? 'interrupted', message: r.message ?? '', ...(r.traceback ? { traceback: r.traceback } : {}), ...(frames.length ? { frames } : {}) };
}

function toInfo(r: InstanceRecord, children: string[]): RunInfo {
  const end = r.endedAt ?? undefined;
  return {
    id: r.id,
    runId: r.runId,
    parentId: r.parentId ?? undefined,
    taskName: r.taskName,
    file: r.file,
    // A run still "running" in the trace was cut off when its host went away.
    state: r.state,
    createdAt: r.createdAt,
    endedAt: end,
    durationMs: end !== undefined ? end - (r.startedAt ?? r.createdAt) : undefined,
    fuelConsumed: r.fuelConsumed ?? undefined,
    peakMemoryBytes: r.peakMemoryBytes ?? undefined,
    error: errorOf(r as ErrorFields, r.state),
    attempts: r.attempts.map((a) => ({ number: a.attempt, state: a.state, startedAt: a.startedAt, endedAt: a.endedAt ?? undefined, error: errorOf(a as ErrorFields), ...(a.worker ? { worker: a.worker } : {}) })),
    children,
    fromHistory: true,
    ...(r.args ? { args: r.args } : {}),
    ...(r.limits ? { limits: r.limits } : {}),
    ...(r.resultJson ? { resultJson: r.resultJson } : {}),
    // The engine words a replayed sub-task's trace message so (journal/run-hooks.ts).
    ...(r.message && /(^|\()replayed from run [0-9a-f]{8}\)?$/.test(r.message) ? { replayed: true } : {}),
  };
}

/** Newest-first run records -> RunInfo list (roots and their sub-instances). */
export function runsFromHistory(records: RunRecord[]): RunInfo[] {
  const out: RunInfo[] = [];
  for (const run of records) {
    const kids = new Map<string, string[]>();
    for (const c of run.children) {
      const parent = c.parentId ?? run.id;
      kids.set(parent, [...(kids.get(parent) ?? []), c.id]);
    }
    out.push(toInfo(run, kids.get(run.id) ?? []));
    for (const c of run.children) out.push(toInfo(c, kids.get(c.id) ?? []));
  }
  return out;
}
