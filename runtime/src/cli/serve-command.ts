// `capsule serve --stdio`: one long-lived process that keeps a warm sandbox pool
// and runs what host code asks, over newline-delimited JSON on stdin/stdout (the
// Python SDK's host client talks to it). Several requests may be in flight.
//
//   -> {"id": 1, "method": "run", "params": {"file": "t.py", "task": "main", "args": [1]}}
//   -> {"id": 2, "method": "runCode", "params": {"code": "1+1", "compute": "LOW"}}
//   -> {"id": 3, "method": "cancel", "params": {"id": 1}}
//   <- {"id": 2, "result": {envelope..., "stdout": "", "stderr": ""}}
//   -> {"id": 4, "method": "sessionOpen", "params": {"compute": "HIGH"}}   <- {"id": 4, "result": {"session": "s0"}}
//   -> {"id": 5, "method": "sessionRun", "params": {"session": "s0", "code": "x = 1\nx"}}
//   -> {"id": 6, "method": "sessionClose", "params": {"session": "s0"}}
//   <- {"id": 9, "error": {"type": "usage" | "config" | "session" | "internal", "message": "..."}}
// With "events": true in a request, its lifecycle events come first as {"id", "event"}.
import { createInterface } from 'node:readline';
import * as z from 'zod/mini';
import { createSandboxPool, SessionError, type CapsulePool, type Session, type SessionOptions } from '../api/index';
import { ConfigError, UsageError } from '../engine/errors';
import type { Envelope, LifecycleEvent } from '../engine/types';
import { parseExact, RawJson, toExactJson } from '../values/exact-json';

const Request = z.object({
  id: z.union([z.string(), z.number()]),
  method: z.enum(['run', 'runCode', 'cancel', 'ping', 'sessionOpen', 'sessionRun', 'sessionClose']),
  params: z.optional(z.record(z.string(), z.unknown())),
  events: z.optional(z.boolean()),
});

type Id = string | number;

export async function serveStdio(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  const pool: CapsulePool = createSandboxPool();
  const running = new Map<Id, AbortController>();
  const sessions = new Map<string, Session>();
  let nextSession = 0;
  const sessionOf = (params: Record<string, unknown>): Session => {
    const s = sessions.get(String(params.session));
    if (!s) throw new UsageError(`no open session ${JSON.stringify(params.session)}; open one with sessionOpen`);
    return s;
  };
  const send = (msg: Record<string, unknown>): void => void output.write(`${toExactJson(msg, 'the reply')}\n`);
  const inflight = new Set<Promise<void>>();

  const handle = async (line: string): Promise<void> => {
    let id: Id | null = null;
    try {
      let raw: unknown;
      try {
        raw = parseExact(line, 'the request');
      } catch (e) {
        throw new UsageError(`the request is not one JSON value: ${(e as Error).message}`);
      }
      const r = Request.safeParse(raw);
      if (!r.success) throw new UsageError('a request is {"id": string or number, "method": "run" | "runCode" | "cancel" | "ping", "params": {...}}');
      id = r.data.id;
      const params = (r.data.params ?? {}) as Record<string, unknown>;
      const onEvent = r.data.events ? (e: LifecycleEvent) => send({ id: r.data.id, event: e }) : undefined;
      if (r.data.method === 'ping') return send({ id, result: 'pong' });
      if (r.data.method === 'cancel') {
        const target = running.get(params.id as Id);
        target?.abort();
        return send({ id, result: { cancelled: !!target } });
      }
      if (r.data.method === 'sessionOpen') {
        const sid = `s${nextSession++}`;
        sessions.set(sid, pool.session(params as SessionOptions));
        return send({ id, result: { session: sid } });
      }
      if (r.data.method === 'sessionRun') return send({ id, result: await sessionOf(params).run(String(params.code ?? '')) });
      if (r.data.method === 'sessionClose') {
        const s = sessionOf(params);
        sessions.delete(String(params.session));
        await s.close();
        return send({ id, result: { closed: true } });
      }
      if (running.has(id)) throw new UsageError(`a request with id ${JSON.stringify(id)} is still running`);
      const abort = new AbortController();
      running.set(id, abort);
      try {
        const common = { signal: abort.signal, ...(onEvent ? { onEvent } : {}) };
        const env = r.data.method === 'run'
          ? await pool.run({ ...(params as unknown as Parameters<CapsulePool['run']>[0]), ...common })
          : await pool.runCode(String(params.code ?? ''), { ...(params as Record<string, never>), ...common });
        send({ id, result: envelopeValue(env) });
      } finally {
        running.delete(id);
      }
    } catch (e) {
      const type = e instanceof ConfigError ? 'config' : e instanceof SessionError ? 'session' : e instanceof UsageError || e instanceof TypeError ? 'usage' : 'internal';
      send({ id, error: { type, message: e instanceof Error ? e.message : String(e) } });
    }
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const p = handle(line).finally(() => inflight.delete(p));
    inflight.add(p);
  }
  // stdin closed: what was asked still finishes and is answered (SIGTERM or SIGINT cancel it).
  const cancelAll = (): void => { for (const a of running.values()) a.abort(); };
  process.once('SIGTERM', cancelAll);
  process.once('SIGINT', cancelAll);
  await Promise.allSettled([...inflight]);
  await Promise.allSettled([...sessions.values()].map((s) => s.close()));
  await pool.dispose();
  return 0;
}

/** The envelope as --json prints it (the result exactly as the task's JSON text), plus runCode's output. */
function envelopeValue(env: Envelope & { stdout?: string; stderr?: string }): Record<string, unknown> {
  const { success, state, error, execution } = env;
  return {
    success,
    state,
    result: env.resultJson ? RawJson.of(env.resultJson, 'the result') : null,
    error,
    execution,
    ...(env.stdout !== undefined ? { stdout: env.stdout, stderr: env.stderr } : {}),
  };
}
