// The submitter's side of a queue run: a SandboxPoolLike whose attempts run on queue
// workers instead of local sandboxes. The engine is the same as for a local run
// (trace, retries, sub-tasks, journal, the envelope); only where an attempt executes
// differs. Each attempt is one BullMQ job on its nesting level's queue; its output,
// host calls and outcome come back on the attempt's pub/sub channel, and the host
// calls (sub-tasks, HTTP) are answered here, by the engine, as for a local sandbox.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SandboxHooks, SandboxOutcome, SandboxPoolLike, SandboxRun, SandboxSpec } from '../engine/sandbox-port';
import { GUEST_PROJECT, VALUE_OPS } from '../sandbox/types';
import { withLazyResult } from '../sandbox/lazy-result';
import { parseExact, toExactJson } from '../values/exact-json';
import { CodeShipper } from './code-snapshot';
import { connect, probe, redisOptions } from './connect';
import { aliveKey, ALIVE_REFRESH_MS, ALIVE_TTL_MS, downChannel, killedKey, PREFIX, queueName, readMessage, UpMessage, upChannel, type DownMessage, type JobData, type WireOutcome } from './protocol';
import type { QueueUrl } from './url';

interface Attempt {
  jobId: string;
  hooks: SandboxHooks;
  depth: number;
  settle(o: SandboxOutcome): void;
  settled: boolean;
  killed: 'timeout' | 'cancelled' | null;
  submitted: boolean;
}

export interface QueuePoolOptions {
  url: QueueUrl;
  onWarning?(message: string): void;
}

export class QueuePool implements SandboxPoolLike {
  /** This submitter, as jobs and worker logs name it. */
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly shipper: CodeShipper;
  private readonly queues = new Map<number, Queue>();
  private readonly events = new Map<number, Promise<QueueEvents>>();
  private readonly live = new Map<string, Attempt>();
  private readonly pending = new Set<Promise<unknown>>();
  private disposed = false;
  private readonly alive: NodeJS.Timeout;

  /** Connects, failing within seconds (QueueUnreachable) when Redis does not answer. */
  static async connect(opts: QueuePoolOptions): Promise<QueuePool> {
    await probe(opts.url);
    return new QueuePool(opts);
  }

  private constructor(private readonly opts: QueuePoolOptions) {
    this.cmd = connect(opts.url, 'capsule-submit');
    this.sub = connect(opts.url, 'capsule-submit-sub');
    this.shipper = new CodeShipper(this.cmd);
    this.sub.on('message', (channel: string, text: string) => this.onUp(channel, text));
    // Redis came back (a restart): what it held may be gone; store the code again and check the jobs in flight.
    // Workers stop the jobs of a submitter whose mark expired (it was killed): nobody would answer them.
    const beat = (): void => void this.cmd.set(aliveKey(this.id), '1', 'PX', ALIVE_TTL_MS).catch(() => {});
    this.cmd.on('ready', () => {
      beat(); // before any job is queued again on this connection
      this.shipper.forget();
      void this.checkLiveJobs();
    });
    beat();
    this.alive = setInterval(beat, ALIVE_REFRESH_MS);
    this.alive.unref();
  }

  run(spec: SandboxSpec, hooks: SandboxHooks = {}): SandboxRun {
    let resolve!: (o: SandboxOutcome) => void;
    const outcome = new Promise<SandboxOutcome>((r) => (resolve = r));
    const started = Date.now();
    const a: Attempt = {
      jobId: randomUUID(),
      hooks,
      depth: spec.depth ?? 0,
      settled: false,
      killed: null,
      submitted: false,
      settle: (o) => {
        if (a.settled) return;
        a.settled = true;
        this.live.delete(a.jobId);
        void this.sub.unsubscribe(upChannel(a.jobId)).catch(() => {});
        resolve(o);
      },
    };
    this.live.set(a.jobId, a);
    // A job that could not be queued (Redis unreachable for a moment, restarting) is a lost attempt: it is tried again.
    this.track(this.submit(a, spec).catch((e: unknown) => a.settle(lostOutcome(`the queue could not take the task (${(e as Error).message}); it is tried again`, 'not queued'))));
    return { outcome, kill: (reason) => this.kill(a, reason, started) };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.alive);
    await Promise.allSettled([...this.pending]);
    await this.cmd.del(aliveKey(this.id)).catch(() => {});
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    await Promise.allSettled([...this.events.values()].map(async (e) => (await e).close()));
    this.sub.disconnect();
    await this.cmd.quit().catch(() => this.cmd.disconnect());
  }

  private async submit(a: Attempt, spec: SandboxSpec): Promise<void> {
    const code = await this.shipper.ship(spec.projectRoot);
    await this.sub.subscribe(upChannel(a.jobId));
    await this.eventsFor(a.depth);
    const data: JobData = {
      v: 1,
      code,
      file: spec.file,
      task: spec.taskName,
      argsJson: toExactJson({ args: spec.args, kwargs: spec.kwargs }, 'the arguments'),
      env: spec.env,
      claims: { fuel: Number.isFinite(spec.fuel) ? spec.fuel : null, memoryLimitBytes: spec.memoryLimitBytes, grants: grantClaims(spec) },
      ...(spec.entropySeed ? { seed: spec.entropySeed } : {}),
      depth: a.depth,
      submitter: this.id,
      ...(a.hooks.onClock ? { noteClock: true } : {}),
    };
    if (a.settled) return;
    await this.queue(a.depth).add('task', data, { jobId: a.jobId, attempts: 1, removeOnComplete: true, removeOnFail: { age: 3600 } });
    a.submitted = true;
    if (a.killed) await this.sendKill(a, a.killed);
  }

  private kill(a: Attempt, reason: 'timeout' | 'cancelled', started: number): void {
    if (a.settled || a.killed) return;
    a.killed = reason;
    if (a.submitted) this.track(this.sendKill(a, reason));
    // Not yet taken by a worker: it will never run.
    this.track(
      (async () => {
        const job = await this.queue(a.depth).getJob(a.jobId);
        if (job && (await job.getState()) === 'waiting') {
          await job.remove();
          a.settle(failure('wasm_error', `killed: ${reason}`, started));
        }
      })().catch(() => {}),
    );
  }

  private async sendKill(a: Attempt, reason: 'timeout' | 'cancelled'): Promise<void> {
    await this.cmd.set(killedKey(a.jobId), reason, 'EX', 3600);
    await this.cmd.publish(downChannel(a.jobId), JSON.stringify({ t: 'kill', reason } satisfies DownMessage));
  }

  private onUp(channel: string, text: string): void {
    const a = this.live.get(channel.slice(upChannel('').length));
    const msg = a && readMessage(UpMessage, text);
    if (!a || !msg || a.settled) return;
    switch (msg.t) {
      case 'begin': return a.hooks.onPlaced?.(msg.worker);
      case 'start': return a.hooks.onStart?.();
      case 'out': return void (msg.stream === 'stdout' ? a.hooks.onStdout?.(msg.text) : a.hooks.onStderr?.(msg.text));
      case 'call': return void this.track(this.answer(a, msg.n, msg.op, msg.payload));
      case 'clock': return a.hooks.onClock?.({ wall: msg.wall, monotonic: msg.monotonic }, msg.last);
      case 'done': return a.settle(fromWire(msg.outcome));
    }
  }

  /** A host call of the remote sandbox, answered by the engine as a local one would be. */
  private async answer(a: Attempt, n: number, op: string, payloadText: string): Promise<void> {
    let reply: DownMessage;
    try {
      if (!a.hooks.onHostCall) throw new Error(`the host does not handle ${op} here`);
      const payload = VALUE_OPS.has(op) ? parseExact(payloadText, `the payload of ${op}`) : JSON.parse(payloadText);
      const value = await a.hooks.onHostCall(op, payload);
      reply = { t: 'reply', n, ok: true, value: toExactJson(value ?? null, `the reply to ${op}`) };
    } catch (e) {
      reply = { t: 'reply', n, ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    if (!a.settled) await this.cmd.publish(downChannel(a.jobId), JSON.stringify(reply));
  }

  /** BullMQ's failed events: a job that stalled (its worker stopped renewing its lock) is a lost attempt. */
  private eventsFor(depth: number): Promise<QueueEvents> {
    let e = this.events.get(depth);
    if (!e) {
      const qe = new QueueEvents(queueName(depth), { connection: redisOptions(this.opts.url), prefix: PREFIX });
      qe.on('failed', ({ jobId, failedReason }) => {
        const a = this.live.get(jobId);
        if (a) a.settle(lostOutcome(`the worker running the task was lost (BullMQ failed the job: ${failedReason}); it runs again on another worker`, failedReason));
      });
      qe.on('error', () => {});
      e = qe.waitUntilReady().then(() => qe);
      this.events.set(depth, e);
    }
    return e;
  }

  /** After a reconnect: a job Redis no longer has (it restarted without persistence) is a lost attempt. */
  private async checkLiveJobs(): Promise<void> {
    for (const a of [...this.live.values()]) {
      if (!a.submitted || a.settled) continue;
      const job = await this.queue(a.depth).getJob(a.jobId).catch(() => null);
      if (!job) {
        this.opts.onWarning?.(`the queue's Redis no longer has the job of an attempt in flight (it restarted?); the attempt runs again`);
        a.settle(lostOutcome('the queue lost the job of this attempt (Redis restarted without its data); it runs again', 'job lost by Redis'));
      }
    }
  }

  private queue(depth: number): Queue {
    let q = this.queues.get(depth);
    if (!q) {
      q = new Queue(queueName(depth), { connection: redisOptions(this.opts.url), prefix: PREFIX });
      q.on('error', () => {});
      this.queues.set(depth, q);
    }
    return q;
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}

/** The attempt's grants as its spec holds them: allowed_files mounts, under /project. */
function grantClaims(spec: SandboxSpec): Array<{ path: string; readOnly: boolean }> {
  return spec.mounts
    .filter((m) => m.guestPath.startsWith(`${GUEST_PROJECT}/`))
    .map((m) => ({ path: m.guestPath.slice(GUEST_PROJECT.length + 1), readOnly: m.readOnly }));
}

function fromWire(o: WireOutcome): SandboxOutcome {
  const { error, ...rest } = o;
  return withLazyResult({ ...rest, ...(error ? { error: { ...error } } : {}) }) as SandboxOutcome;
}

function failure(type: 'wasm_error', message: string, started: number): SandboxOutcome {
  // Also the outcome of a kill before any worker took the job.
  return { ok: false, error: { type, message }, fuelConsumed: 0, peakMemoryBytes: 0, startMs: Date.now() - started };
}

function lostOutcome(message: string, why: string): SandboxOutcome {
  return { ok: false, error: { type: 'wasm_error', message }, fuelConsumed: 0, peakMemoryBytes: 0, startMs: 0, lost: why };
}
