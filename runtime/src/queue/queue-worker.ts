// `capsule worker`: takes jobs from every nesting level's queue and runs each in this
// machine's sandbox pool, with the limits and rights the shipped code's decorator
// gives (worker-rights.ts). Output, the start, host calls and the outcome go up the
// job's channel; replies and kills come down. SIGTERM stops taking jobs, lets the
// running ones finish within a grace, then hands the rest back (their submitters run
// them again elsewhere). A worker killed outright holds no lock: BullMQ's stalled-job
// check fails its jobs, and their submitters run them again on other workers.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { loadProjectConfig } from '../config/toml';
import { parseDisk } from '../config/units';
import { SandboxPool } from '../sandbox/index';
import { resolvePythonPath } from '../sandbox/python-path';
import type { SandboxOutcome, SandboxRun, SandboxSpec } from '../sandbox/types';
import { DEFAULT_DISK_BYTES, newDiskBudget } from '../sandbox/wasi/disk-quota';
import { parseExact, RawJson, toExactJson } from '../values/exact-json';
import { CodeCache, CodeMissing } from './code-snapshot';
import { connect, probe, redisOptions } from './connect';
import { aliveKey, ALIVE_REFRESH_MS, DownMessage, downChannel, JobData, killedKey, PREFIX, queueName, readMessage, upChannel, type UpMessage, type WireOutcome } from './protocol';
import { checkClaims, grantMounts, JobRefused, shippedConfig, type WorkerFiles } from './worker-rights';
import type { QueueUrl } from './url';

/** Nesting levels served (the engine's default maxDepth is 8: levels 0-8). */
export const LEVELS = 9;

export interface WorkerOptions {
  url: QueueUrl;
  concurrency: number;
  cacheDir: string;
  files: WorkerFiles;
  /** How long SIGTERM waits for running jobs before handing them back. */
  graceMs: number;
  /** BullMQ's job lock: a worker silent this long is taken for dead and its jobs run elsewhere. */
  lockMs: number;
  log(line: string): void;
}

export interface WorkerStats { running: number; completed: number; failed: number; handedBack: number }

interface Running { run: SandboxRun | null; killed: 'timeout' | 'cancelled' | null; handBack: boolean; replies: Map<number, (m: DownMessage) => void>; submitter?: string; orphaned?: boolean }

export class QueueWorker {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 4)}`;
  readonly stats: WorkerStats = { running: 0, completed: 0, failed: 0, handedBack: 0 };
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly code: CodeCache;
  private readonly pool = new SandboxPool({ spares: 1 });
  private readonly workers: Worker[] = [];
  private readonly running = new Map<string, Running>();
  private stopping: Promise<void> | null = null;
  private readonly watch: NodeJS.Timeout;

  static async start(opts: WorkerOptions): Promise<QueueWorker> {
    await probe(opts.url);
    const w = new QueueWorker(opts);
    await w.listen();
    return w;
  }

  private constructor(private readonly opts: WorkerOptions) {
    this.cmd = connect(opts.url, 'capsule-worker');
    this.sub = connect(opts.url, 'capsule-worker-sub');
    this.code = new CodeCache(this.cmd, opts.cacheDir);
    this.sub.on('message', (channel: string, text: string) => this.onDown(channel, text));
    this.watch = setInterval(() => void this.stopOrphans(), ALIVE_REFRESH_MS);
    this.watch.unref();
  }

  /** A job whose submitter is gone (killed) has nobody to answer its calls or take its result: stop it. */
  private async stopOrphans(): Promise<void> {
    const jobs = [...this.running.entries()].filter(([, r]) => r.submitter && !r.orphaned);
    if (jobs.length === 0) return;
    const there = await this.cmd.pipeline(jobs.map(([, r]) => ['exists', aliveKey(r.submitter!)])).exec().catch(() => null);
    jobs.forEach(([jobId, r], i) => {
      if (there?.[i]?.[1] !== 0) return;
      r.orphaned = true;
      r.killed = 'cancelled';
      r.run?.kill('cancelled');
      this.opts.log(`capsule worker ${this.id}: stopped job ${jobId}: its submitter ${r.submitter} is gone`);
    });
  }

  private async listen(): Promise<void> {
    for (let depth = 0; depth < LEVELS; depth++) {
      const w = new Worker(queueName(depth), (job: Job) => this.process(job), {
        connection: redisOptions(this.opts.url),
        prefix: PREFIX,
        concurrency: this.opts.concurrency,
        lockDuration: this.opts.lockMs,
        stalledInterval: this.opts.lockMs,
        // A stalled job fails at once: its submitter's engine runs the attempt again (a "lost" attempt, see instance.ts).
        maxStalledCount: 0,
        name: `capsule-worker ${this.id}`,
      });
      w.on('error', (e: Error) => this.opts.log(`capsule worker ${this.id}: queue error: ${e.message}`));
      this.workers.push(w);
    }
    await Promise.all(this.workers.map((w) => w.waitUntilReady()));
  }

  /** Stops taking jobs; running ones get graceMs to finish, then are handed back. */
  stop(graceMs = this.opts.graceMs): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.watch);
      const timer = setTimeout(() => this.handBackAll(), graceMs);
      await Promise.all(this.workers.map((w) => w.close()));
      clearTimeout(timer);
      await this.pool.dispose();
      this.sub.disconnect();
      await this.cmd.quit().catch(() => this.cmd.disconnect());
    })();
    return this.stopping;
  }

  handBackAll(): void {
    for (const r of this.running.values()) {
      r.handBack = true;
      r.run?.kill('cancelled');
    }
  }

  private async process(job: Job): Promise<string> {
    const jobId = String(job.id);
    const up = (m: UpMessage): Promise<number> => this.cmd.publish(upChannel(jobId), JSON.stringify(m));
    const r: Running = { run: null, killed: null, handBack: false, replies: new Map() };
    this.running.set(jobId, r);
    this.stats.running++;
    const started = Date.now();
    let outcome: WireOutcome;
    try {
      await this.sub.subscribe(downChannel(jobId));
      await up({ t: 'begin', worker: this.id });
      const killed = await this.cmd.get(killedKey(jobId));
      if (killed === 'timeout' || killed === 'cancelled') r.killed = killed;
      outcome = r.killed ? failed('wasm_error', `killed: ${r.killed}`, started) : await this.execute(job, r, up);
    } catch (e) {
      if (e instanceof JobRefused) outcome = failed('permission_denied', e.message, started);
      else if (e instanceof CodeMissing) outcome = failed('wasm_error', `worker ${this.id}: ${e.message}`, started);
      else outcome = failed('wasm_error', `worker ${this.id} failed the job: ${(e as Error)?.message ?? e}`, started);
    } finally {
      this.running.delete(jobId);
      this.stats.running--;
      void this.sub.unsubscribe(downChannel(jobId)).catch(() => {});
    }
    if (r.handBack) {
      outcome = { ...outcome, ok: false, error: { type: 'wasm_error', message: `worker ${this.id} stopped (SIGTERM) before the task ended and handed it back` }, lost: `worker ${this.id} stopped` };
      this.stats.handedBack++;
    } else if (outcome.ok) this.stats.completed++;
    else this.stats.failed++;
    await up({ t: 'done', outcome });
    return outcome.ok ? 'completed' : 'failed';
  }

  private async execute(job: Job, r: Running, up: (m: UpMessage) => Promise<number>): Promise<WireOutcome> {
    const parsed = JobData.safeParse(job.data);
    if (!parsed.success) throw new JobRefused(`the job's data is malformed (${parsed.error.issues[0]?.path.join('.') || 'its shape'}: ${parsed.error.issues[0]?.message}); refused`);
    const data = parsed.data;
    r.submitter = data.submitter;
    // A mark missing just after Redis restarted comes back with the submitter's next beat.
    const alive = async () => (await this.cmd.exists(aliveKey(data.submitter))) === 1;
    if (!(await alive()) && !(await new Promise((r) => setTimeout(r, ALIVE_REFRESH_MS + 1_000)).then(alive))) {
      r.orphaned = true;
      throw new JobRefused(`the submitter ${data.submitter} is gone; the job was not run`);
    }
    const codeDir = await this.code.materialize(data.code);
    const { config, declared } = await shippedConfig(codeDir, data);
    checkClaims(data, config);
    const mounts = grantMounts(config, this.opts.files, this.id, data.task);
    const project = loadProjectConfig(codeDir, { grantRoot: null });
    const disk = project.defaults.disk ? parseDisk(project.defaults.disk) : null;
    // The shipped .venv and python_path only: never this worker's own VIRTUAL_ENV.
    const python = resolvePythonPath(codeDir, { pythonPath: project.defaults.pythonPath });
    const values = parseExact(data.argsJson, "the job's arguments") as { args?: unknown; kwargs?: unknown };
    if (!Array.isArray(values?.args) || typeof values.kwargs !== 'object' || values.kwargs === null || Array.isArray(values.kwargs)) throw new JobRefused("the job's arguments are not {args: [...], kwargs: {...}}; refused");
    const spec: SandboxSpec = {
      projectRoot: codeDir,
      file: data.file,
      taskName: data.task,
      args: values.args,
      kwargs: values.kwargs as Record<string, unknown>,
      fuel: config.fuel,
      memoryLimitBytes: config.memoryLimitBytes,
      declared,
      env: data.env,
      mounts: [...mounts, ...python.mounts],
      // A queue run's disk cap holds per task (its sandboxes are on many machines).
      disk: newDiskBudget(disk?.ok ? disk.value : DEFAULT_DISK_BYTES),
      pythonPath: python.sysPath,
      projectFiles: python.projectFiles,
      ...(data.seed ? { entropySeed: data.seed } : {}),
    };
    let nextCall = 0;
    const run = this.pool.run(spec, {
      ...(data.noteClock ? { onClock: (taken: { wall: number[]; monotonic: number[] }, last: boolean) => void up({ t: 'clock', wall: taken.wall, monotonic: taken.monotonic, last }) } : {}),
      onStart: () => void up({ t: 'start' }),
      onStdout: (text) => void up({ t: 'out', stream: 'stdout', text }),
      onStderr: (text) => void up({ t: 'out', stream: 'stderr', text }),
      onHostCall: (op, payload) =>
        new Promise((resolve, reject) => {
          const n = nextCall++;
          r.replies.set(n, (m) => {
            r.replies.delete(n);
            if (m.t !== 'reply') return;
            if (m.ok) resolve(RawJson.of(m.value ?? 'null', `the reply to ${op}`));
            else reject(new Error(m.error ?? `${op} failed`));
          });
          up({ t: 'call', n, op, payload: toExactJson(payload, `the payload of ${op}`) }).catch(reject);
        }),
    });
    r.run = run;
    if (r.killed || r.handBack) run.kill(r.killed ?? 'cancelled');
    const o = await run.outcome;
    return toWire(o);
  }

  private onDown(channel: string, text: string): void {
    const r = this.running.get(channel.slice(downChannel('').length));
    const msg = r && readMessage(DownMessage, text);
    if (!r || !msg) return;
    if (msg.t === 'kill') {
      r.killed = msg.reason;
      r.run?.kill(msg.reason);
    } else r.replies.get(msg.n)?.(msg);
  }
}

function toWire(o: SandboxOutcome): WireOutcome {
  return {
    ok: o.ok,
    ...(o.resultJson !== undefined ? { resultJson: o.resultJson } : {}),
    ...(o.error ? { error: { ...o.error } } : {}),
    ...(o.sourceProblem ? { sourceProblem: o.sourceProblem } : {}),
    fuelConsumed: o.fuelConsumed,
    peakMemoryBytes: o.peakMemoryBytes,
    startMs: o.startMs,
  };
}

function failed(type: 'wasm_error' | 'permission_denied', message: string, started: number): WireOutcome {
  return { ok: false, error: { type, message }, fuelConsumed: 0, peakMemoryBytes: 0, startMs: Date.now() - started };
}
