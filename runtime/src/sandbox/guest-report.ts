// What capsule._guest reports through task.result, read without trusting it:
// a success keeps the result as text (never parsed here), anything else is
// checked against one schema.
import * as z from 'zod/mini';
import { JsonValueError, scanJson } from '../values/exact-json';
import type { SourceProblem, TraceFrame } from './types';

export type GuestReport =
  | { ok: true; resultJson: string }
  | { ok: false; error_type: string; message: string; traceback?: string; frames?: TraceFrame[]; source?: SourceProblem };

/** The driver writes a success as this prefix, the result's JSON text, and "}". */
const SUCCESS_PREFIX = '{"ok": true, "result": ';

const frame = z.object({ file: z.string(), line: z.number(), name: z.string(), source: z.optional(z.string()) });
const failure = z.object({
  ok: z.literal(false),
  error_type: z.string(),
  message: z.string(),
  traceback: z.optional(z.string()),
  frames: z.optional(z.array(frame)),
  source: z.optional(z.object({ file: z.string(), line: z.number(), column: z.number(), message: z.string() })),
});

function taskError(message: string): GuestReport {
  return { ok: false, error_type: 'task_error', message };
}

export function parseGuestReport(payload: string): GuestReport {
  if (payload.startsWith(SUCCESS_PREFIX) && payload.endsWith('}')) {
    const resultJson = payload.slice(SUCCESS_PREFIX.length, -1);
    try {
      scanJson(resultJson, "the task's return value");
    } catch (e) {
      if (e instanceof JsonValueError) return taskError(e.message);
      throw e;
    }
    return { ok: true, resultJson };
  }
  let raw: unknown;
  try {
    scanJson(payload, "the task's report");
    raw = JSON.parse(payload);
  } catch (e) {
    return taskError(`the sandbox's driver sent a report that is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = failure.safeParse(raw);
  if (!parsed.success) return taskError(`the sandbox's driver sent a malformed report: ${JSON.stringify(payload.slice(0, 200))}`);
  const r = parsed.data;
  return {
    ok: false,
    error_type: r.error_type,
    message: r.message,
    ...(r.traceback !== undefined ? { traceback: r.traceback } : {}),
    ...(r.frames ? { frames: r.frames.map((f) => (f.source === undefined ? { file: f.file, line: f.line, name: f.name } : { ...f, source: f.source })) } : {}),
    ...(r.source ? { source: r.source } : {}),
  };
}
