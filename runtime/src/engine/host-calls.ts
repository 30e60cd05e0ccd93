// What a running task may ask of the host, per attempt: HTTP through the gate
// (allowed_hosts), and sub-tasks (`task.spawn`). Payloads come from the guest, so
// each one is validated before use.
import { GuestError, HttpGate, type GuestHttpRequest } from '../capabilities/http-gate';
import type { AttemptServices, InstanceInfo } from './instance';
import type { Envelope, HostRequestRecord } from './types';

export interface SpawnRequest {
  task: string;
  /** Relative to the project root; defaults to the caller's file. */
  file?: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** What `task.spawn` answers the guest: the sub-task's value, or its error. */
export type SpawnReply = { ok: true; result: unknown } | { ok: false; error: { error_type: string; message: string } };

export interface HostCallDeps {
  /** Runs a sub-task under `parent`; resolves with its envelope; cancelled by `signal`. */
  spawn(parent: InstanceInfo, req: SpawnRequest, signal: AbortSignal): Promise<Envelope>;
  maxDepth: number;
}

const GUEST_ROOT = '/project/';

function parseSpawn(payload: unknown): SpawnRequest {
  const p = (typeof payload === 'string' ? safeJson(payload) : payload) as Record<string, unknown> | null;
  if (!p || typeof p !== 'object') throw new GuestError('ValueError', 'task.spawn: expected an object {task, args, kwargs}');
  if (typeof p.task !== 'string' || !p.task) throw new GuestError('ValueError', 'task.spawn: "task" must be a task name');
  const args = p.args ?? [];
  const kwargs = p.kwargs ?? {};
  if (!Array.isArray(args)) throw new GuestError('ValueError', 'task.spawn: "args" must be a list');
  if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) throw new GuestError('ValueError', 'task.spawn: "kwargs" must be a dict');
  let file: string | undefined;
  if (typeof p.file === 'string' && p.file) {
    // The guest sees the project at /project; the engine names files relative to the root.
    file = p.file.startsWith(GUEST_ROOT) ? p.file.slice(GUEST_ROOT.length) : p.file;
    if (file.startsWith('/') || file.split('/').includes('..')) throw new GuestError('PermissionError', `task.spawn: file "${p.file}" is outside the project`);
  }
  return { task: p.task, args, kwargs: kwargs as Record<string, unknown>, ...(file ? { file } : {}) };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw new GuestError('ValueError', 'host call payload is not valid JSON');
  }
}

export function attemptServices(deps: HostCallDeps, info: InstanceInfo, signal: AbortSignal): AttemptServices {
  const local = new AbortController();
  const onParentAbort = (): void => local.abort(signal.reason);
  signal.addEventListener('abort', onParentAbort, { once: true });
  const started = Date.now();
  const gate = new HttpGate({ taskName: info.taskName, allowedHosts: info.config.allowedHosts, ...(info.config.timeoutMs !== null ? { timeoutMs: info.config.timeoutMs } : {}) });
  const spawnRecords: HostRequestRecord[] = [];

  return {
    get hostRequests(): HostRequestRecord[] {
      return [...gate.records, ...spawnRecords];
    },
    async onHostCall(op: string, payload: unknown): Promise<unknown> {
      switch (op) {
        case 'http.request': {
          const req = (typeof payload === 'string' ? safeJson(payload) : payload) as GuestHttpRequest;
          if (info.config.timeoutMs !== null) {
            // A request never outlives its task.
            const left = Math.max(1, info.config.timeoutMs - (Date.now() - started));
            req.timeoutMs = Math.min(req.timeoutMs ?? left, left);
          }
          return gate.request(req);
        }
        case 'task.spawn': {
          const req = parseSpawn(payload);
          if (info.depth + 1 > deps.maxDepth) {
            throw new GuestError('PermissionError', `task.spawn: sub-task "${req.task}" would nest ${info.depth + 1} levels deep; the limit is ${deps.maxDepth}`);
          }
          const env = await deps.spawn(info, req, local.signal);
          const reply: SpawnReply = env.success ? { ok: true, result: env.result } : { ok: false, error: { error_type: env.error?.error_type ?? 'task_error', message: env.error?.message ?? 'sub-task failed' } };
          return reply;
        }
        default:
          throw new GuestError('ValueError', `unknown host call "${op}"`);
      }
    },
    close(): void {
      signal.removeEventListener('abort', onParentAbort);
      // Sub-tasks still running when their caller's attempt ended have no one to return to.
      local.abort(new Error('the calling task ended'));
    },
  };
}
