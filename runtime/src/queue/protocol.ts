// What crosses Redis between a submitter (QueuePool) and its workers, each checked
// with one schema on arrival: a job's data (BullMQ), and the messages of one
// attempt on two pub/sub channels, "up" (worker -> submitter: placement, start,
// output, host calls, the outcome) and "down" (submitter -> worker: host-call
// replies, kill). Keys are under one prefix; code is stored by content hash.
import * as z from 'zod/mini';

export const PREFIX = 'capsule';
/** One BullMQ queue per nesting level: a parent waiting for its children never holds the slot they need. */
export const queueName = (depth: number): string => `tasks-d${depth}`;
export const upChannel = (jobId: string): string => `${PREFIX}:up:${jobId}`;
export const downChannel = (jobId: string): string => `${PREFIX}:down:${jobId}`;
/** Set when a submitter cancels an attempt, for a worker that takes the job after the kill was published. */
export const killedKey = (jobId: string): string => `${PREFIX}:killed:${jobId}`;
export const blobKey = (sha256: string): string => `${PREFIX}:blob:${sha256}`;
/** Present while a submitter lives (refreshed every ALIVE_REFRESH_MS): a worker stops the jobs of one that is gone. */
export const aliveKey = (submitter: string): string => `${PREFIX}:alive:${submitter}`;
export const ALIVE_TTL_MS = 15_000;
export const ALIVE_REFRESH_MS = 5_000;
export const codeKey = (sha256: string): string => `${PREFIX}:code:${sha256}`;
/** Shipped code and kill marks expire: a week without a run that uses them. */
export const CODE_TTL_S = 7 * 24 * 3600;

const hex64 = z.string().check(z.regex(/^[0-9a-f]{64}$/));
const int = z.number().check(z.int());

export const GrantClaim = z.strictObject({ path: z.string(), readOnly: z.boolean() });
export type GrantClaim = z.output<typeof GrantClaim>;

export const JobData = z.strictObject({
  v: z.literal(1),
  /** sha256 of the code manifest (code-snapshot.ts). */
  code: hex64,
  /** Relative to the project, '/'-separated. */
  file: z.string().check(z.minLength(1)),
  task: z.string().check(z.minLength(1)),
  /** '{"args":[...],"kwargs":{...}}', exact JSON text. */
  argsJson: z.string(),
  /** Values of the variables the submitter's decorator grants; the worker passes on only those its own reading grants. */
  env: z.record(z.string(), z.string()),
  /** What the submitter believes the decorator says; the worker refuses a job whose claims its reading does not match. */
  claims: z.strictObject({ fuel: z.nullable(z.number()), memoryLimitBytes: z.number(), grants: z.array(GrantClaim) }),
  seed: z.optional(hex64),
  depth: int.check(z.minimum(0), z.maximum(16)),
  submitter: z.string(),
  /** Send the task's clock readings up (the submitter's journal keeps them for resume and replay). */
  noteClock: z.optional(z.boolean()),
});
export type JobData = z.output<typeof JobData>;

const WireError = z.object({
  type: z.enum(['task_error', 'out_of_fuel', 'out_of_memory', 'wasm_error', 'permission_denied']),
  message: z.string(),
  detail: z.optional(z.string()),
  traceback: z.optional(z.string()),
  frames: z.optional(z.array(z.object({ file: z.string(), line: z.number(), name: z.string(), source: z.optional(z.string()) }))),
});

export const WireOutcome = z.object({
  ok: z.boolean(),
  resultJson: z.optional(z.string()),
  error: z.optional(WireError),
  sourceProblem: z.optional(z.object({ file: z.string(), line: z.number(), column: z.number(), message: z.string() })),
  fuelConsumed: z.number(),
  peakMemoryBytes: z.number(),
  startMs: z.number(),
  lost: z.optional(z.string()),
});
export type WireOutcome = z.output<typeof WireOutcome>;

export const UpMessage = z.discriminatedUnion('t', [
  z.object({ t: z.literal('begin'), worker: z.string() }),
  z.object({ t: z.literal('start') }),
  z.object({ t: z.literal('out'), stream: z.enum(['stdout', 'stderr']), text: z.string() }),
  z.object({ t: z.literal('call'), n: int, op: z.string(), payload: z.string() }),
  /** Clock readings since the last such message: sent before the call they precede, and before done. */
  z.object({ t: z.literal('clock'), wall: z.array(z.number()), monotonic: z.array(z.number()), last: z.boolean() }),
  z.object({ t: z.literal('done'), outcome: WireOutcome }),
]);
export type UpMessage = z.output<typeof UpMessage>;

export const DownMessage = z.discriminatedUnion('t', [
  /** ok: value is the reply's exact JSON text; else error is the message the guest's exception gets. */
  z.object({ t: z.literal('reply'), n: int, ok: z.boolean(), value: z.optional(z.string()), error: z.optional(z.string()) }),
  z.object({ t: z.literal('kill'), reason: z.enum(['timeout', 'cancelled']) }),
]);
export type DownMessage = z.output<typeof DownMessage>;

/** A message's JSON text, checked; null when it is not one (a stray publish on the channel). */
export function readMessage<S extends z.ZodMiniType>(schema: S, text: string): z.output<S> | null {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
