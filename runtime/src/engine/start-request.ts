// The engine's front door: a start request from the CLI or the extension, checked with
// one schema. A malformed request is the caller's bug, so it throws at once (UsageError),
// before any handle exists, naming the field, what was wrong and what is accepted.
import * as z from 'zod/mini';
import { JsonValueError, toExactJson } from '../values/exact-json';
import { UsageError } from './errors';
import type { StartRequest } from './types';

const nonEmpty = (error: string) => z.string({ error }).check(z.minLength(1, { error }));
const MOUNT = 'must be an array of {hostPath, guestPath, readOnly}';

const StartRequestSchema = z.object({
  file: nonEmpty('must be a path to a Python file'),
  taskName: z.optional(nonEmpty('must be a non-empty string')),
  args: z.optional(z.array(z.unknown(), { error: 'must be an array of JSON values' })),
  kwargs: z.optional(z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { error: 'must be an object of JSON values' })),
  mounts: z.optional(
    z.array(z.strictObject({ hostPath: nonEmpty(MOUNT), guestPath: nonEmpty(MOUNT), readOnly: z.boolean({ error: MOUNT }) }, { error: MOUNT }), { error: MOUNT }),
  ),
}, { error: 'the request must be an object {file, taskName?, args?, kwargs?, mounts?}' });

export function checkStartRequest(req: StartRequest): void {
  const r = StartRequestSchema.safeParse(req);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path[0];
    throw new UsageError(`start: ${field === undefined ? '' : `"${String(field)}" `}${issue.message}`);
  }
  // A value JSON cannot carry (NaN, a Map, a cycle, nesting past the limit) fails here, not in every attempt.
  try {
    toExactJson(req.args ?? [], 'start: args');
    toExactJson(req.kwargs ?? {}, 'start: kwargs');
  } catch (e) {
    if (e instanceof JsonValueError) throw new UsageError(e.message);
    throw e;
  }
}
