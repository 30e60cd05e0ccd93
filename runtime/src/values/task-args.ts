// A task's arguments as JSON, one reader for the CLI's --args-file and the editor's
// "Run with arguments" box, so both accept the same text and pass the same values:
// read exactly (12345678901234567890 and 1.0 reach the task as written), a list is
// positional arguments, an object keyword arguments, {"args": [...], "kwargs": {...}} both.
import * as z from 'zod/mini';
import { JsonValueError, parseExact, scanJson } from './exact-json';
import { isLosslessNumber } from 'lossless-json';

export interface TaskArgs {
  args: unknown[];
  kwargs: Record<string, unknown>;
}
export type ParsedTaskArgs = ({ ok: true } & TaskArgs) | { ok: false; message: string };

export const TASK_ARGS_HELP = 'a JSON list of positional arguments (e.g. [1, "a"]), an object of keyword arguments (e.g. {"dataset": [1, 2]}), or {"args": [...], "kwargs": {...}} for both';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// An exact number parses to an ExactNumber object: it is a value, not keyword arguments.
const jsonObject = (error: string) => z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v) && !isLosslessNumber(v), { error });
const Kwargs = z.pipe(
  jsonObject('"kwargs" must be a JSON object'),
  z.custom<Record<string, unknown>>((o) => Object.keys(o as object).every((k) => IDENTIFIER.test(k)), { error: 'keyword names must be Python identifiers' }),
);
const Both = z.strictObject({ args: z._default(z.array(z.unknown(), { error: '"args" must be a JSON list' }), []), kwargs: z._default(Kwargs, {}) });

/** Exact JSON, or a JsonValueError; a float Python would read as inf (1e400) is refused. */
export function readExactJson(text: string, where: string): unknown {
  const { overflow } = scanJson(text, where);
  if (overflow) throw new JsonValueError(`${where}: ${overflow} is too large for a float (Python would read it as inf, which JSON cannot carry)`);
  return parseExact(text, where);
}

/** `where` starts each message (e.g. "--args-file args.json"). Empty text is no arguments. */
export function parseTaskArgs(text: string, where: string): ParsedTaskArgs {
  if (text.trim() === '') return { ok: true, args: [], kwargs: {} };
  let data: unknown;
  try {
    data = readExactJson(text, where);
  } catch (e) {
    if (e instanceof JsonValueError) return { ok: false, message: `${e.message}; expected ${TASK_ARGS_HELP}` };
    throw e;
  }
  if (Array.isArray(data)) return { ok: true, args: data, kwargs: {} };
  if (!jsonObject('').safeParse(data).success) {
    const got = data === null ? 'null' : isLosslessNumber(data) ? 'a number' : `a ${typeof data}`;
    return { ok: false, message: `${where}: expected ${TASK_ARGS_HELP}; got ${got}` };
  }
  const keys = Object.keys(data as object);
  const both = keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs');
  const r = both ? Both.safeParse(data) : z.pipe(z.unknown(), Kwargs).safeParse(data);
  if (!r.success) {
    const bad = keys.find((k) => !IDENTIFIER.test(k));
    const issue = r.error.issues[0]!;
    const message = !both && bad !== undefined ? `keyword ${JSON.stringify(bad)} is not a Python identifier` : issue.message;
    return { ok: false, message: `${where}: ${message}; expected ${TASK_ARGS_HELP}` };
  }
  return both ? { ok: true, ...(r.data as TaskArgs) } : { ok: true, args: [], kwargs: r.data as Record<string, unknown> };
}
