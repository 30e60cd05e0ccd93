// Turns the trace's run records (engine.history()) into the Task Runs model.
import type { InstanceRecord, RunRecord } from '../../../runtime/src/trace/records';
import type { RunInfo, TaskError } from './model';

function errorOf(r: { errorType: string | null; message: string | null }): TaskError | undefined {
  return r.errorType ? { errorType: r.errorType, message: r.message ?? '' } : undefined;
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
    ramUsed: r.ramUsed ?? undefined,
    error: errorOf(r),
    attempts: r.attempts.map((a) => ({ number: a.attempt, state: a.state, startedAt: a.startedAt, endedAt: a.endedAt ?? undefined, error: errorOf(a) })),
    children,
    fromHistory: true,
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
