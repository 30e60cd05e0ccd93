// An HTTP response as the journal keeps it: credential headers redacted, a text
// body as text (so granted values in it can be found and scrubbed), other bodies
// as base64. Read back into the shape the guest expects.
import * as z from 'zod/mini';
import { GuestError, type GuestHttpResponse, type HostRequestRecord } from '../capabilities/http-gate';
import { redactHeaders } from './redact';

const Recorded = z.object({
  status: z.int().check(z.minimum(100), z.maximum(999)),
  reason: z.string(),
  headers: z.record(z.string(), z.string()),
  url: z.string(),
  bodyText: z.optional(z.string()),
  bodyBase64: z.optional(z.string()),
});
const RecordedError = z.object({
  error: z.object({ type: z.enum(['PermissionError', 'TimeoutError', 'ValueError', 'ConnectionError', 'OSError']), message: z.string() }),
});

export function toJournalHttp(res: GuestHttpResponse): string {
  const body = Buffer.from(res.bodyBase64, 'base64');
  const text = body.toString('utf8');
  const isText = Buffer.byteLength(text) === body.length && Buffer.from(text, 'utf8').equals(body);
  return JSON.stringify({ status: res.status, reason: res.reason, headers: redactHeaders(res.headers), url: res.url, ...(isText ? { bodyText: text } : { bodyBase64: res.bodyBase64 }) });
}

/** The recorded response (or error, thrown as the guest's exception); the request is listed as replayed. */
export function fromJournalHttp(recalled: { ok: boolean; reply: string }, req: { method: string; url: string }, records: HostRequestRecord[]): GuestHttpResponse {
  let value: unknown;
  try {
    value = JSON.parse(recalled.reply);
  } catch {
    value = null;
  }
  const record: HostRequestRecord = { method: req.method.toUpperCase(), url: req.url, status: null, duration_ms: 0, replayed: true };
  records.push(record);
  if (!recalled.ok) {
    const e = RecordedError.safeParse(value);
    record.error = e.success ? e.data.error.message : 'a recorded error';
    throw new GuestError(e.success ? e.data.error.type : 'ConnectionError', e.success ? e.data.error.message : `capsule.http: request to ${req.url} failed (recorded)`);
  }
  const r = Recorded.safeParse(value);
  if (!r.success) throw new GuestError('OSError', `capsule.http: the journal's response for ${req.url} is damaged`);
  record.status = r.data.status;
  record.url = r.data.url;
  const bodyBase64 = r.data.bodyText !== undefined ? Buffer.from(r.data.bodyText, 'utf8').toString('base64') : (r.data.bodyBase64 ?? '');
  return { status: r.data.status, reason: r.data.reason, headers: r.data.headers, url: r.data.url, bodyBase64 };
}
