// One schema per host call: the only place a guest's payload is checked for
// shape. A payload that does not fit is a ValueError naming the call, the field,
// what was wrong and what is accepted; never a raw Node error from deeper down.
// zod/mini, not zod: the classic API put 700 KB into the CLI's bundle, which
// every cold `capsule run` compiled before its sandbox could start (~40 ms).
import * as z from 'zod/mini';
import { GuestError } from '../capabilities/http-gate';
import { MAX_TIMEOUT_MS } from '../config/limits';


// zod/mini has no default messages: each check says what it wants (the texts zod's English locale gave).
const timeoutMs = z.pipe(
  z.number({ error: `must be a number of milliseconds from 0 to ${MAX_TIMEOUT_MS}` }).check(
    z.minimum(0, { error: 'must not be negative' }),
    z.maximum(MAX_TIMEOUT_MS, { error: `must be at most ${MAX_TIMEOUT_MS} ms` }),
  ),
  // Node's timers and AbortSignal.timeout take whole milliseconds only.
  z.transform((ms: number) => Math.ceil(ms)),
);

const METHOD = 'must be an HTTP method name such as "GET"';

export const HttpRequestPayload = z.strictObject({
  method: z._default(z.string({ error: METHOD }).check(z.minLength(1, { error: METHOD }), z.maxLength(16, { error: METHOD })), 'GET'),
  url: z.string({ error: 'must be an http(s) URL string' }).check(z.minLength(1, { error: 'must not be empty' }), z.maxLength(16_384, { error: 'is longer than 16384 characters' })),
  headers: z.optional(z.record(z.string(), z.string({ error: 'values must be strings' }), { error: 'must be an object of header names to string values' })),
  bodyBase64: z.optional(z.string({ error: 'must be a base64 string' }).check(z.regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'is not base64' }))),
  timeoutMs: z.optional(timeoutMs),
});

const taskName = z.string({ error: 'must be a task name' }).check(z.minLength(1, { error: 'must be a task name' }), z.maxLength(256, { error: 'is longer than 256 characters' }));

export const SpawnPayload = z.strictObject({
  task: taskName,
  /** As the guest names it (/project/x.py or x.py); empty means the caller's file. Checked by spawn-admission. */
  file: z._default(z.string({ error: 'must be a path string' }).check(z.maxLength(4096, { error: 'is longer than 4096 characters' })), ''),
  args: z._default(z.array(z.unknown(), { error: 'must be a list' }), []),
  kwargs: z._default(z.record(z.string(), z.unknown(), { error: 'must be a dict' }), {}),
});

export const WaitPayload = z.strictObject({
  ids: z
    .array(
      z.string({ error: (i) => `Invalid input: expected string, received ${received(i.input)}` }).check(z.maxLength(32, { error: 'Too big: expected string to have <=32 characters' })),
      { error: 'must be a list of ids that task.submit returned' },
    )
    .check(z.maxLength(10_000, { error: 'lists more than 10000 ids' })),
  timeoutMs: z._default(timeoutMs, 0),
});

/** A session's guest loop: the previous cell's outcome (null the first time); the host answers with the next cell. */
export const SessionNextPayload = z.strictObject({
  reply: z._default(z.unknown(), null),
});

/** How zod's English locale names a value's type. */
function received(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

const SCHEMAS = {
  'http.request': { schema: HttpRequestPayload, shape: '{method, url, headers?, bodyBase64?, timeoutMs?}' },
  'task.spawn': { schema: SpawnPayload, shape: '{task, file?, args?, kwargs?}' },
  'task.submit': { schema: SpawnPayload, shape: '{task, file?, args?, kwargs?}' },
  'task.wait': { schema: WaitPayload, shape: '{ids, timeoutMs?}' },
  'session.next': { schema: SessionNextPayload, shape: '{reply?}' },
} as const;

export type HostOp = keyof typeof SCHEMAS;
export type PayloadOf<O extends HostOp> = z.output<(typeof SCHEMAS)[O]['schema']>;

export function isHostOp(op: string): op is HostOp {
  return Object.hasOwn(SCHEMAS, op);
}

/** The payload of `op`, parsed (JSON text or a value) and checked; throws GuestError('ValueError'). */
export function parsePayload<O extends HostOp>(op: O, payload: unknown): PayloadOf<O> {
  const { schema, shape } = SCHEMAS[op];
  let value = payload;
  if (typeof payload === 'string') {
    try {
      value = JSON.parse(payload);
    } catch {
      throw new GuestError('ValueError', `${op}: the payload is not valid JSON; expected ${shape}`);
    }
  }
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return r.data as PayloadOf<O>;
  const issues = r.error.issues.slice(0, 3).map((i) => {
    if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`;
    const field = i.path.length ? `"${i.path.map(String).join('.')}"` : 'the payload';
    const message = i.path.length === 0 && i.code === 'invalid_type' ? 'must be an object' : i.message;
    return `${field} ${message}${i.path.length && 'input' in i ? `, got ${shown(i.input)}` : ''}`;
  });
  throw new GuestError('ValueError', `${op}: ${issues.join('; ')}; expected ${shape}`);
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}
