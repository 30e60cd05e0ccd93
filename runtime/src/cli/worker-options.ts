// `capsule worker`'s flags, checked before anything connects: each bad value is exit 2
// naming the flag, what was wrong and what is accepted.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { isAbsolute, join, posix, resolve } from 'node:path';
import { parseQueueUrl, QueueUrlError } from '../queue/url';
import type { WorkerCommandOptions } from '../queue/worker-command';
import { UsageFailure } from './usage';

export interface WorkerFlags {
  queue?: string;
  concurrency?: string;
  'files-root'?: string;
  mount?: string[];
  'cache-dir'?: string;
  grace?: string;
  heartbeat?: string;
}

function count(flag: string, text: string | undefined, dflt: number, max: number, what: string): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > max) throw new UsageFailure(`capsule worker: ${flag} must be a whole number from 1 to ${max} (${what}), got "${text}"`);
  return n;
}

function directory(flag: string, text: string, cwd: string): string {
  const p = resolve(cwd, text);
  if (!existsSync(p) || !statSync(p).isDirectory()) throw new UsageFailure(`capsule worker: ${flag} ${text}: ${existsSync(p) ? 'not a directory' : 'no such directory'} (${p})`);
  return realpathSync(p);
}

export function workerOptions(v: WorkerFlags, cwd: string, env: NodeJS.ProcessEnv = process.env): WorkerCommandOptions {
  const text = v.queue ?? env.CAPSULE_QUEUE;
  if (!text) throw new UsageFailure('capsule worker: give the queue to take tasks from: --queue redis://HOST:PORT[/DB] (or set CAPSULE_QUEUE)');
  let url;
  try {
    url = parseQueueUrl(text, v.queue !== undefined ? '--queue' : 'CAPSULE_QUEUE');
  } catch (e) {
    if (e instanceof QueueUrlError) throw new UsageFailure(`capsule worker: ${e.message}`);
    throw e;
  }
  const mounts = new Map<string, string>();
  for (const m of v.mount ?? []) {
    const at = m.indexOf('=');
    const path = at > 0 ? posix.normalize(m.slice(0, at).replace(/\/+$/, '')) : '';
    if (at <= 0 || at === m.length - 1) throw new UsageFailure(`capsule worker: --mount "${m}": expected PATH=DIR, where PATH is an allowed_files path as tasks write it (e.g. data) and DIR a directory of this machine`);
    if (isAbsolute(path) || path === '..' || path.startsWith('../') || path === '.') throw new UsageFailure(`capsule worker: --mount "${m}": PATH must be a folder inside the project, as allowed_files writes it (e.g. data), not "${path}"`);
    mounts.set(path, directory(`--mount ${path}=`, m.slice(at + 1), cwd));
  }
  // BullMQ's lock on a running job: a worker silent this long is taken for dead (tests shorten it).
  const lockMs = env.CAPSULE_QUEUE_LOCK_MS ? count('CAPSULE_QUEUE_LOCK_MS', env.CAPSULE_QUEUE_LOCK_MS, 30_000, 600_000, 'milliseconds') : 30_000;
  return {
    url,
    concurrency: count('--concurrency', v.concurrency, availableParallelism(), 256, 'tasks run at once per nesting level; default: the number of cores'),
    cacheDir: v['cache-dir'] ? resolve(cwd, v['cache-dir']) : join(homedir(), '.cache', 'capsule', 'queue-code'),
    files: { root: directory('--files-root', v['files-root'] ?? '.', cwd), mounts },
    graceMs: count('--grace', v.grace, 30, 3600, 'seconds SIGTERM waits for running tasks before handing them back') * 1000,
    heartbeatS: count('--heartbeat', v.heartbeat, 10, 3600, 'seconds between heartbeat lines'),
    lockMs,
  };
}
