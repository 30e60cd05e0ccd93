// What a running task may ask of the host, per attempt: HTTP through the gate
// (allowed_hosts), and sub-tasks (`task.spawn`). Payloads come from the guest, so
// each one is validated before use.
import { setMaxListeners } from 'node:events';
import { GuestError, HttpGate } from '../capabilities/http-gate';
import { isHostOp, parsePayload, type PayloadOf } from './host-call-schemas';
import { RawJson, toExactJson } from '../values/exact-json';
import type { AttemptServices, InstanceInfo } from './instance';
import type { Envelope, HostRequestRecord, SessionChannel, TaskError } from './types';

export type { SessionChannel } from './types';
import { httpCallKey, taskCallKey } from '../journal/call-keys';
import { fromJournalHttp, toJournalHttp } from '../journal/http-replies';
import type { RunJournal } from '../journal/run-journal';

/** `file` as the guest named it ('' = the caller's file); the engine admits it or refuses. */
export type SpawnRequest = PayloadOf<'task.spawn'>;

/** What `task.spawn` answers the guest: the sub-task's value (its exact JSON text, passed through), or its error. */
export type SpawnReply = { ok: true; result: RawJson } | { ok: false; error: { error_type: string; message: string } & Pick<TaskError, 'traceback' | 'frames'> };

export interface HostCallDeps {
  /** Runs a sub-task under `parent` at journal position `path`; resolves with its envelope; cancelled by `signal`. */
  spawn(parent: InstanceInfo, req: SpawnRequest, signal: AbortSignal, path: string): Promise<Envelope>;
  maxDepth: number;
  /** The run's journal: records each call, and answers the calls a resume or a replay already has. */
  journal?: RunJournal | null;
  /** Before a sub-task may be answered from the journal: learns what its decorator grants. */
  beforeRecall?(parent: InstanceInfo, req: SpawnRequest): Promise<void>;
  /** A session's channel (the host API's Session), for its root task only. */
  session?: SessionChannel | null;
  /** A sub-task answered from the journal (for the trace and the listeners). */
  onReplayed?(parent: InstanceInfo, req: SpawnRequest, reply: { ok: boolean; reply: string }): void;
}

/** Sub-tasks one attempt may have started (task.submit) and not yet collected. */
const MAX_SUBMITTED = 1_000;
const MAX_WAIT_MS = 1_000;

export function attemptServices(deps: HostCallDeps, info: InstanceInfo, signal: AbortSignal): AttemptServices {
  const local = new AbortController();
  // Every sub-task of this attempt listens to it: hundreds are fine.
  setMaxListeners(0, local.signal);
  const onParentAbort = (): void => local.abort(signal.reason);
  signal.addEventListener('abort', onParentAbort, { once: true });
  const started = Date.now();
  const gate = new HttpGate({ taskName: info.taskName, allowedHosts: info.config.allowedHosts, ...(info.config.timeoutMs !== null ? { timeoutMs: info.config.timeoutMs } : {}) });
  // Sub-tasks started with task.submit (by async def callers), until task.wait hands them back.
  const submitted = new Map<string, Promise<SpawnReply | RawJson>>();
  let nextTicket = 0;
  const journal = deps.journal ?? null;
  // Each call's position in this instance, in the order the guest made them (the journal's key).
  let nextCall = 0;
  const callPath = (): string => (info.callPath ? `${info.callPath}/${nextCall++}` : `${nextCall++}`);

  async function spawnReply(req: SpawnRequest, path: string): Promise<SpawnReply | RawJson> {
    if (info.depth + 1 > deps.maxDepth) {
      throw new GuestError('PermissionError', `task.spawn: sub-task "${req.task}" would nest ${info.depth + 1} levels deep; the limit is ${deps.maxDepth}`);
    }
    if (journal?.namesSecrets('task', path)) await deps.beforeRecall?.(info, req);
    const key = journal ? taskCallKey(req, journal.secretValues) : null;
    const recalled = key && journal!.recall('task', path, key.hash, key.call);
    if (recalled) {
      deps.onReplayed?.(info, req, recalled);
      return RawJson.of(recalled.reply, `the recorded reply of sub-task "${req.task}"`);
    }
    const env = await deps.spawn(info, req, local.signal, path);
    let reply: SpawnReply;
    if (env.success) reply = { ok: true, result: RawJson.of(env.resultJson ?? 'null', `the result of sub-task "${req.task}"`) };
    else {
      const e = env.error;
      reply = { ok: false, error: { error_type: e?.error_type ?? 'task_error', message: e?.message ?? 'sub-task failed', ...(e?.traceback ? { traceback: e.traceback } : {}), ...(e?.frames ? { frames: e.frames } : {}) } };
    }
    // A sub-task cut short because its caller ended has no outcome worth keeping.
    if (key && !local.signal.aborted) journal!.record('task', path, key.hash, key.call, reply.ok, toExactJson(reply, 'the reply'));
    return reply;
  }

  async function httpReply(req: PayloadOf<'http.request'>, path: string): Promise<unknown> {
    if (!journal) return gate.request(req);
    if (journal.mode !== 'live') {
      // The grant holds for an answer from the journal too; a denial is recorded and raised by the gate, as for a live call.
      try {
        gate.check(req.url);
      } catch {
        return gate.request(req);
      }
    }
    const key = httpCallKey(req, journal.secretValues);
    const recalled = journal.recall('http', path, key.hash, key.call);
    if (recalled) return fromJournalHttp(recalled, req, gate.records);
    try {
      const res = await gate.request(req);
      journal.record('http', path, key.hash, key.call, true, toJournalHttp(res));
      return res;
    } catch (e) {
      if (e instanceof GuestError && !local.signal.aborted) journal.record('http', path, key.hash, key.call, false, JSON.stringify({ error: { type: e.pythonType, message: e.message } }));
      throw e;
    }
  }

  /** task.wait {ids, timeoutMs}: those of `ids` that have ended; waits for at least one, up to timeoutMs. */
  async function waitAny(p: PayloadOf<'task.wait'>): Promise<{ done: Array<{ id: string; reply: SpawnReply | RawJson }> }> {
    const ids = [...new Set(p.ids)].filter((i) => submitted.has(i));
    const timeoutMs = Math.min(MAX_WAIT_MS, p.timeoutMs);
    const settled = new Map<string, SpawnReply | RawJson>();
    const watchers = ids.map((id) => submitted.get(id)!.then((reply) => void settled.set(id, reply)));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.race(watchers), new Promise<void>((r) => (timer = setTimeout(r, ids.length ? timeoutMs : 0)))]);
    clearTimeout(timer);
    // Collect everything that has ended by now, not just the first.
    await new Promise((r) => setImmediate(r));
    const done = [...settled].map(([id, reply]) => (submitted.delete(id), { id, reply }));
    return { done };
  }

  async function dispatch(op: string, payload: unknown): Promise<unknown> {
    if (!isHostOp(op)) throw new GuestError('ValueError', `unknown host call ${JSON.stringify(op.slice(0, 64))}; the calls are http.request, task.spawn, task.submit, task.wait and session.next`);
    switch (op) {
      case 'http.request': {
        const req = parsePayload(op, payload);
        if (info.config.timeoutMs !== null) {
          // A request never outlives its task.
          const left = Math.max(1, info.config.timeoutMs - (Date.now() - started));
          req.timeoutMs = Math.min(req.timeoutMs ?? left, left);
        }
        return httpReply(req, callPath());
      }
      case 'task.spawn':
        return spawnReply(parsePayload(op, payload), callPath());
      case 'task.submit': {
        // Starts a sub-task and answers at once, so that asyncio.gather runs many in parallel.
        const req = parsePayload(op, payload);
        if (submitted.size >= MAX_SUBMITTED) throw new GuestError('PermissionError', `task.submit: more than ${MAX_SUBMITTED} sub-tasks pending; await some first`);
        const id = `s${nextTicket++}`;
        const reply = spawnReply(req, callPath()).catch((e: unknown): SpawnReply => ({ ok: false, error: { error_type: 'permission_denied', message: (e as Error).message } }));
        submitted.set(id, reply);
        return { id };
      }
      case 'task.wait':
        return waitAny(parsePayload(op, payload));
      case 'session.next': {
        const { reply } = parsePayload(op, payload);
        if (!deps.session) throw new GuestError('ValueError', 'session.next: this task is not a session (the host API opens sessions)');
        return deps.session.next(reply);
      }
    }
  }

  return {
    get hostRequests(): HostRequestRecord[] {
      return [...gate.records];
    },
    async onHostCall(op: string, payload: unknown): Promise<unknown> {
      try {
        return await dispatch(op, payload);
      } catch (e) {
        // The sandbox passes only a message to the guest; the SDK reads the Python
        // exception class from this "[Type] " prefix (capsule/_hostcall.py).
        if (e instanceof GuestError) throw new Error(`[${e.pythonType}] ${e.message}`);
        throw e;
      }
    },
    close(): void {
      signal.removeEventListener('abort', onParentAbort);
      // Sub-tasks still running when their caller's attempt ended have no one to return to.
      local.abort(new Error('the calling task ended'));
    },
  };
}
