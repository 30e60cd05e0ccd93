// Rows read back from trace.db, parsed into records: the file is on disk, where
// another version of Capsule, another tool or a damaged write may have left values
// this version does not know, so each row is checked instead of cast.
import * as z from 'zod/mini';
import { ERROR_TYPES, TASK_STATES } from '../engine/types';
import type { AttemptRecord, InstanceRecord, TransitionRecord } from './records';

/** A row the trace cannot read: names the table, the row and the column. */
export class TraceRowError extends Error {
  constructor(table: string, id: unknown, detail: string) {
    super(`trace: a row of ${table} (${JSON.stringify(id)}) cannot be read: ${detail}; "capsule history --clear" or Clear Run History starts a new history`);
    this.name = 'TraceRowError';
  }
}

// SQLite INTEGER comes back as a number, or a bigint past 2^53.
const int = z.pipe(z.union([z.number(), z.bigint()]), z.transform((v: number | bigint) => Number(v)));
const optInt = z.nullable(int);
const text = z.string();
const optText = z.nullable(z.string());
const state = z.enum(TASK_STATES);
const errorType = z.nullable(z.enum(ERROR_TYPES));
/** JSON text in a column: its value, or null when absent or unreadable (kept for display only). */
const jsonText = z.pipe(
  z.nullable(z.optional(z.string())),
  z.transform((v: string | null | undefined): unknown => {
    if (typeof v !== 'string') return null;
    try { return JSON.parse(v); } catch { return null; }
  }),
);

const Args = z.object({ args: z.array(z.unknown()), kwargs: z.record(z.string(), z.unknown()) });
// Traces written before the memory rename keep the limit as ramBytes.
const Limits = z.pipe(
  z.object({ fuel: z.number(), memoryLimitBytes: z.optional(z.number()), ramBytes: z.optional(z.number()), timeoutMs: z.nullable(z.number()), maxRetries: z.number() }),
  z.transform((l) => ({ fuel: l.fuel, memoryLimitBytes: l.memoryLimitBytes ?? l.ramBytes ?? 0, timeoutMs: l.timeoutMs, maxRetries: l.maxRetries })),
);

const AttemptRow = z.object({
  instance_id: text,
  attempt: int,
  state,
  started_at: int,
  ended_at: optInt,
  fuel: optInt,
  ram: optInt,
  error_type: errorType,
  message: optText,
  worker: z.optional(optText),
});

const InstanceRow = z.object({
  id: text,
  run_id: text,
  parent_id: optText,
  task: text,
  file: text,
  attempt: int,
  state,
  created_at: int,
  started_at: optInt,
  ended_at: optInt,
  fuel: optInt,
  ram: optInt,
  error_type: errorType,
  message: optText,
  args: jsonText,
  limits: jsonText,
  result: z.optional(optText),
});

const TransitionRow = z.object({ instance_id: text, state, attempt: int, at: int });

function parseRow<S extends z.ZodMiniType>(schema: S, table: string, row: Record<string, unknown>): z.output<S> {
  const r = schema.safeParse(row);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const column = String(issue.path[0] ?? '');
  throw new TraceRowError(table, row.id ?? row.instance_id, `${column} is ${JSON.stringify(row[column]) ?? 'missing'}`);
}

export function toAttempt(row: Record<string, unknown>): AttemptRecord & { instanceId: string } {
  const a = parseRow(AttemptRow, 'attempts', row);
  return {
    instanceId: a.instance_id,
    attempt: a.attempt,
    state: a.state,
    startedAt: a.started_at,
    endedAt: a.ended_at,
    fuelConsumed: a.fuel,
    peakMemoryBytes: a.ram,
    errorType: a.error_type,
    message: a.message,
    ...(a.worker ? { worker: a.worker } : {}),
  };
}

export function toInstance(row: Record<string, unknown>, attempts: AttemptRecord[]): InstanceRecord {
  const r = parseRow(InstanceRow, 'instances', row);
  const args = Args.safeParse(r.args);
  const limits = Limits.safeParse(r.limits);
  return {
    id: r.id,
    runId: r.run_id,
    parentId: r.parent_id,
    taskName: r.task,
    file: r.file,
    attempt: r.attempt,
    state: r.state,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    fuelConsumed: r.fuel,
    peakMemoryBytes: r.ram,
    errorType: r.error_type,
    message: r.message,
    attempts,
    args: args.success ? args.data : null,
    limits: limits.success ? limits.data : null,
    resultJson: r.result ?? null,
  };
}

export function toTransition(row: Record<string, unknown>): TransitionRecord {
  const t = parseRow(TransitionRow, 'transitions', row);
  return { instanceId: t.instance_id, state: t.state, attempt: t.attempt, at: t.at };
}
