// The queue tests' machinery: a real redis-server on a free loopback port (its own
// temporary directory, no persistence), real `capsule worker` processes standing in
// for machines, and `capsule run` as a user would type it. redis-server missing is a
// skip with the reason outside CI, and a failure under CI=true (.ci/run installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { poll } from '../poll';

export const BIN = resolve('bin/capsule.js');

/** Why the queue tests cannot run here, or null. Under CI a missing redis-server throws. */
export function redisMissing(): string | null {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.status === 0) return null;
  if (process.env.CI === 'true') throw new Error('redis-server is not installed, and CI=true: .ci/run installs it (apt-get install redis-server)');
  return 'redis-server is not installed (apt-get install redis-server); the queue tests need a real Redis';
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface RedisServer { url: string; port: number; proc: ChildProcess; stop(): Promise<void>; restart(): Promise<void> }

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'capsule-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
  const launch = async (): Promise<ChildProcess> => {
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    await poll(`redis-server on port ${port}`, () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 20_000, 50);
    return proc;
  };
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    proc: await launch(),
    stop: async () => {
      await stopProcess(server.proc, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await stopProcess(server.proc, 'SIGKILL');
      server.proc = await launch();
    },
  };
  return server;
}

export function stopProcess(proc: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((res) => {
    proc.once('exit', (code) => res(code));
    proc.kill(signal);
  });
}

export interface WorkerOptions { cwd?: string; args?: string[]; env?: Record<string, string>; bin?: string }

export interface QueueSetup {
  /** The suite's Redis (started by its before hook). */
  readonly redis: RedisServer;
  /** The workers started with the suite; `worker` is the first. */
  readonly workers: WorkerProc[];
  readonly worker: WorkerProc;
  readonly project: { dir: string; done(): void };
  /** Another worker on the suite's Redis; stopped at the suite's end if the test did not. */
  startWorker(opts?: WorkerOptions): Promise<WorkerProc>;
  /** Runs at the suite's end, before the workers and Redis stop (clients of the test's own). */
  whenDone(fn: () => Promise<unknown> | unknown): void;
}

/**
 * One queue suite's machinery, in the describe that calls it: a project with `files`, a
 * Redis and `workers` workers started before its tests, everything stopped and removed
 * after them.
 */
export function useQueue(files: Record<string, string>, opts: { workers?: number; worker?: WorkerOptions } = {}): QueueSetup {
  const project = tempProject(files);
  let redis: RedisServer | undefined;
  const started: WorkerProc[] = [];
  const workers: WorkerProc[] = [];
  const done: (() => Promise<unknown> | unknown)[] = [];
  const setup: QueueSetup = {
    get redis() {
      if (!redis) throw new Error("useQueue: Redis starts in the suite's before hook");
      return redis;
    },
    workers,
    get worker() { return workers[0]!; },
    project,
    startWorker: async (o = {}) => {
      const w = await startWorker(setup.redis.url, o);
      started.push(w);
      return w;
    },
    whenDone: (fn) => void done.push(fn),
  };
  before(async () => {
    redis = await startRedis();
    workers.push(...(await Promise.all(Array.from({ length: opts.workers ?? 0 }, () => setup.startWorker(opts.worker)))));
  });
  after(async () => {
    for (const fn of done) await fn();
    await Promise.all(started.map((w) => w.stop()));
    await redis?.stop();
    project.done();
  });
  return setup;
}

export interface WorkerProc { proc: ChildProcess; id: string; out(): string; stop(signal?: NodeJS.Signals): Promise<number | null> }

/** A `capsule worker` in its own directory (it never sees the submitter's), ready to take tasks. */
export async function startWorker(url: string, opts: WorkerOptions = {}): Promise<WorkerProc> {
  const cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), 'capsule-worker-'));
  const ownCwd = opts.cwd === undefined;
  const cache = mkdtempSync(join(tmpdir(), 'capsule-worker-cache-'));
  const proc = spawn(process.execPath, [opts.bin ?? BIN, 'worker', '--queue', url, '--cache-dir', cache, '--heartbeat', '2', ...(opts.args ?? [])], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  proc.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  proc.once('exit', () => {
    rmSync(cache, { recursive: true, force: true });
    if (ownCwd) rmSync(cwd, { recursive: true, force: true });
  });
  const id = await poll(() => `the worker to start (its output: ${text})`, () => {
    if (proc.exitCode !== null) throw new Error(`the worker exited with ${proc.exitCode}: ${text}`);
    return /capsule worker (\S+): taking tasks from/.exec(text)?.[1];
  }, 60_000, 50);
  return { proc, id, out: () => text, stop: (signal = 'SIGTERM') => stopProcess(proc, signal) };
}

export interface RunResult { code: number | null; out: string; err: string }

/** `capsule run ARGS` in `cwd`, to its end. */
export function capsuleRun(args: string[], cwd: string, env: Record<string, string> = {}): Promise<RunResult> {
  const child = startRun(args, cwd, env);
  return child.done;
}

export function startRun(args: string[], cwd: string, env: Record<string, string> = {}): { proc: ChildProcess; done: Promise<RunResult>; err(): string } {
  const proc = spawn(process.execPath, [BIN, 'run', ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<RunResult>((res) => proc.once('exit', (code) => res({ code, out, err })));
  return { proc, done, err: () => err };
}

/**
 * The envelope without what differs between any two runs: timings, and fuel to 0.1%
 * (a file's first runs on a machine compile its bytecode and make its import
 * snapshot; whether a run used them shifts its fuel by a few units). Fuel is checked
 * apart with sameFuel.
 */
export function comparable(envelopeText: string): unknown {
  const env = JSON.parse(envelopeText) as { execution: Record<string, unknown> };
  delete env.execution.duration_ms;
  delete env.execution.fuel_consumed;
  return env;
}

export function sameFuel(a: string, b: string): boolean {
  const fuel = (t: string) => (JSON.parse(t) as { execution: { fuel_consumed: number } }).execution.fuel_consumed;
  return fuel(a) > 0 && Math.abs(fuel(a) - fuel(b)) <= fuel(a) / 1000;
}

export function tempProject(files: Record<string, string>): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-queue-project-'));
  for (const [name, text] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sqlite(db: string, sql: string): string {
  if (!existsSync(db)) return '';
  const r = spawnSync('sqlite3', ['-readonly', db, sql], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

/** `text` as a regular expression matching itself (worker ids hold host names). */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
