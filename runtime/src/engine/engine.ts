// The engine: starts task instances, gives handles and events, keeps the trace.
// Imports nothing from vscode: the CLI and the extension both use it.
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DeferredTrace } from '../trace/deferred-trace';
import type { TraceStore } from '../trace/trace-store';
import { openTraceRecovering } from '../trace/open-recovering';
import { EventHub } from './event-hub';
import { checkStartRequest } from './start-request';
import { attemptServices, type SpawnRequest } from './host-calls';
import { runInstance, type InstanceInfo } from './instance';
import type { SandboxPoolLike } from './sandbox-port';
import { Semaphore } from './semaphore';
import { createDefaultPool } from './default-pool';
import { defaultResolver, type TaskResolver } from './task-resolver';
import { ConfigError, UsageError } from './errors';
import { loadProjectConfig } from '../config/toml';
import { checkDotEnv, runSettings, shownProblem } from './run-settings';
import { RunScope, type Resolved } from './run-scope';
import { refusal, SpawnRefused } from './spawn-admission';
import { GUEST_PROJECT } from '../sandbox/types';
import { buildTaskEnv } from '../capabilities/env';
import { openRunJournal, sweepBlobs } from '../journal/open-journal';
import type { RunJournal } from '../journal/run-journal';
import { durableResume, finishJournal, recordReplayed } from '../journal/run-hooks';
import type { Disposable, EngineApi, Envelope, FromRun, HistoryOptions, LifecycleEvent, OutputRecord, RunRecord, StartRequest, TaskHandle } from './types';

export interface EngineOptions {
  projectRoot: string;
  /** Default `<root>/.capsule/trace.db`; null keeps no trace. */
  tracePath?: string | null;
  /** Root tasks running at once (default 4); each sub-task nesting level has its own cap. */
  maxConcurrent?: number;
  /** Concurrent sub-task sandboxes per nesting level (default: twice the cores, at least 4). */
  maxConcurrentSubtasks?: number;
  /** Sub-task nesting limit (default 8). */
  maxDepth?: number;
  /** Runs kept in the trace (default 200); older ones are pruned. */
  keepRuns?: number;
  sandbox?: SandboxPoolLike;
  resolveTask?: TaskResolver;
  /** Problems that must not stop a task: a trace write failed, a listener threw. */
  onWarning?: (message: string) => void;
  /** Keep a journal of each run's calls for resume and replay (default true; needs the trace). */
  journal?: boolean;
}

export class Engine implements EngineApi {
  readonly projectRoot: string;
  private readonly trace: DeferredTrace | null;
  private readonly traceDir: string | null;
  private readonly journalOn: boolean;
  private readonly pool: SandboxPoolLike;
  private readonly ownsPool: boolean;
  private readonly resolveTask: TaskResolver;
  private readonly events: EventHub<LifecycleEvent>;
  private readonly slots = new Map<number, Semaphore>();
  private readonly live = new Map<string, AbortController>();
  /** Root runs a strict resume or a replay stopped at a divergence. */
  private readonly stoppedRuns = new Set<string>();
  /** Per root run: what its tasks share (run-scope.ts). */
  private readonly runs = new Map<string, RunScope>();
  /** Per live instance, in every run: the host directories it can write. */
  private readonly liveWritable = new Map<string, string[]>();
  private readonly opts: Required<Pick<EngineOptions, 'maxConcurrent' | 'maxConcurrentSubtasks' | 'maxDepth' | 'keepRuns'>>;
  private readonly warn: (message: string) => void;
  private finishedRuns = 0;
  private disposed = false;

  constructor(opts: EngineOptions) {
    this.projectRoot = resolve(opts.projectRoot);
    // A pool the engine made is the engine's to dispose; a given one is the caller's.
    this.pool = opts.sandbox ?? createDefaultPool();
    this.ownsPool = opts.sandbox === undefined;
    this.resolveTask = opts.resolveTask ?? defaultResolver(this.projectRoot);
    this.warn = opts.onWarning ?? ((m) => process.emitWarning(m, 'CapsuleWarning'));
    this.events = new EventHub((e) => this.warn(`a lifecycle listener threw: ${(e as Error)?.message ?? e}`));
    this.opts = {
      maxConcurrent: positive(opts.maxConcurrent, 4, 'maxConcurrent'),
      // Python in a sandbox is CPU-bound: more sandboxes than cores only thrash (and
      // each costs tens of MB), so a burst of sub-tasks queues instead.
      maxConcurrentSubtasks: positive(opts.maxConcurrentSubtasks, Math.max(4, 2 * availableParallelism()), 'maxConcurrentSubtasks'),
      maxDepth: positive(opts.maxDepth, 8, 'maxDepth'),
      keepRuns: positive(opts.keepRuns, 200, 'keepRuns'),
    };
    const tracePath = opts.tracePath === undefined ? join(this.projectRoot, '.capsule', 'trace.db') : opts.tracePath;
    this.traceDir = tracePath === null ? null : dirname(tracePath);
    this.journalOn = opts.journal ?? true;
    this.trace = tracePath === null ? null : new DeferredTrace(() => this.openTrace(tracePath), (e) => this.warn(`trace: ${(e as Error)?.message ?? e}`));
  }

  /** The constructor, as a promise (the API the extension codes against). */
  static async create(opts: EngineOptions): Promise<Engine> {
    return new Engine(opts);
  }

  onEvent(listener: (e: LifecycleEvent) => void): Disposable {
    return this.events.on(listener);
  }

  start(req: StartRequest): TaskHandle {
    if (this.disposed) throw new UsageError('the engine was disposed; create a new one');
    checkStartRequest(req);
    return this.launch(req, undefined, undefined, undefined);
  }

  async history(opts: HistoryOptions = {}): Promise<RunRecord[]> {
    return this.trace?.get()?.history(opts.limit ?? 50) ?? [];
  }

  /** What the trace kept of one instance's stdout and stderr (empty without a trace). */
  async output(instanceId: string): Promise<OutputRecord> {
    return this.trace?.get()?.output(instanceId) ?? { chunks: [], droppedBytes: 0, capBytes: 0 };
  }

  async clearHistory(): Promise<void> {
    this.trace?.get()?.clear();
  }

  /**
   * Waits for the work this engine's runs left to its sandbox pool (bytecode compiles,
   * import snapshots): a caller removing the project waits for it first. dispose() does
   * too, when the pool is the engine's own.
   */
  async settled(): Promise<void> {
    await this.pool.settled?.();
  }

  /** Cancels what still runs, waits for it to settle, closes the trace. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const c of this.live.values()) c.abort(new Error('the engine is shutting down'));
    const deadline = Date.now() + 3_000;
    while (this.live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    this.events.clear();
    if (this.ownsPool) await this.pool.dispose();
    this.trace?.close();
  }

  private launch(req: StartRequest, parent: InstanceInfo | undefined, parentSignal: AbortSignal | undefined, resolved: Promise<Resolved> | undefined, callPath = ''): TaskHandle {
    const id = randomUUID();
    const local = new EventHub<LifecycleEvent>((e) => this.warn(`a task listener threw: ${(e as Error)?.message ?? e}`));
    const abort = new AbortController();
    const onParentAbort = (): void => abort.abort(parentSignal?.reason);
    parentSignal?.addEventListener('abort', onParentAbort, { once: true });
    this.live.set(id, abort);
    // The run's clock starts now: code created or changed after this is not the run's.
    if (!parent) {
      const state = new RunScope(this.projectRoot, Date.now(), this.warn);
      state.journal = this.journalFor(id, req.from);
      this.runs.set(id, state);
    }
    const runState = this.runs.get(parent?.runId ?? id)!;
    const opened = runState.journal;

    const run = async (): Promise<Envelope> => {
      // Yield once so that listeners added right after start() see `created`.
      await Promise.resolve();
      const { file, config, declared } = await (resolved ?? this.resolve(req));
      // durable (the root's decorator, else [workflow]): an interrupted run of the same task and arguments is resumed.
      const durableFrom = !parent && !req.from && opened && this.trace ? durableResume(this.trace, this.projectRoot, req, config.durable) : undefined;
      const journal = durableFrom ? (runState.journal = this.journalFor(id, durableFrom)) : opened;
      if (!parent && config.envVariables.length > 0) checkDotEnv(this.projectRoot, runState);
      if (config.envVariables.length > 0) runState.warnUnset(req.taskName ?? 'main', config.envVariables);
      if (journal && config.envVariables.length > 0) this.grantSecrets(journal, runState, config.envVariables, callPath);
      const info: InstanceInfo = {
        id,
        runId: parent?.runId ?? id,
        ...(parent ? { parentId: parent.id } : {}),
        depth: parent ? parent.depth + 1 : 0,
        callPath,
        taskName: req.taskName ?? 'main',
        file,
        config,
        declared,
        args: req.args ?? [],
        kwargs: req.kwargs ?? {},
        extraMounts: req.mounts ?? [],
        ...(parent ? { disk: parent.disk, python: parent.python } : runSettings(this.projectRoot)),
      };
      this.liveWritable.set(id, runState.addWritable(config, info.extraMounts));
      const envelope = await runInstance(
        {
          projectRoot: this.projectRoot,
          dotEnv: () => runState.env(),
          pool: this.pool,
          trace: this.trace,
          emit: (e) => {
            local.emit(e);
            this.events.emit(e);
          },
          acquireSlot: (depth, signal) => this.slot(depth).acquire(signal),
          entropySeed: journal ? (i, attempt) => journal.instanceSeed(i.callPath, attempt) : undefined,
          clock: journal ? (i, attempt) => journal.attemptClock(i.callPath, attempt) : undefined,
          services: (i, _attempt, signal) =>
            attemptServices(
              { maxDepth: this.opts.maxDepth, spawn: (p, r, s, path) => this.spawn(p, r, s, local, path), journal, session: parent ? null : (req.session ?? null), beforeRecall: (p, r) => this.beforeRecall(p, r), onReplayed: (p, r, reply) => this.replayed(p, r, reply, local) },
              i,
              signal,
            ),
        },
        info,
        abort.signal,
      );
      if (!parent && journal) this.endJournal(id, journal, envelope);
      if (!parent && ++this.finishedRuns % 50 === 0) this.pruneQuietly();
      return envelope;
    };
    const result = run().finally(() => {
      this.live.delete(id);
      this.liveWritable.delete(id);
      if (!parent) this.runs.delete(id);
      parentSignal?.removeEventListener('abort', onParentAbort);
    });
    // A config error rejects `result`; keep an unobserved rejection from crashing the host.
    result.catch(() => {});
    return {
      instanceId: id,
      result,
      cancel: () => abort.abort(new Error('cancelled')),
      onEvent: (listener) => local.on(listener),
    };
  }

  /**
   * A sub-task: its own file's decorator decides its limits and rights, never the
   * caller's, and that file must be project code as it stood when the run started
   * (spawn-admission.ts). A refusal is permission_denied, before anything runs.
   */
  private async spawn(parent: InstanceInfo, req: SpawnRequest, signal: AbortSignal, parentEvents: EventHub<LifecycleEvent>, path: string): Promise<Envelope> {
    const run = this.runs.get(parent.runId);
    if (!run) return failedSpawn(req.task, 'task_error', 'task.spawn: the run has ended');
    let resolved: Resolved;
    const named = req.file || `${GUEST_PROJECT}/${parent.file}`;
    try {
      resolved = await this.admit(run, named, req.task);
      run.countSubtask();
    } catch (e) {
      if (e instanceof SpawnRefused) return failedSpawn(req.task, 'permission_denied', e.notProjectCode ? refusal(named).message : e.message);
      if (e instanceof ConfigError) return failedSpawn(req.task, 'task_error', e.problems.map((p) => shownProblem(this.projectRoot, p)).join('\n'));
      throw e;
    }
    const child = this.launch({ file: resolved.file, taskName: req.task, args: req.args, kwargs: req.kwargs }, parent, signal, Promise.resolve(resolved), path);
    // The caller's handle also sees its sub-tasks' events.
    const sub = child.onEvent((e) => parentEvents.emit(e));
    try {
      const env = await child.result;
      // The caller is a guest: an error about the child (a grant that no longer holds) names no host path.
      if (env.error) env.error = { ...env.error, message: env.error.message.split(this.projectRoot).join('<project>') };
      return env;
    } catch (e) {
      const message = e instanceof ConfigError ? e.problems.map((p) => shownProblem(this.projectRoot, p)).join('\n') : e instanceof Error ? e.message : String(e);
      return failedSpawn(req.task, 'task_error', message);
    } finally {
      sub.dispose();
    }
  }

  /** A root run's journal: none without a trace; a resume or replay reads the recorded run's. */
  private journalFor(runId: string, from: FromRun | undefined): RunJournal | null {
    if (!this.trace || !this.traceDir || !this.journalOn) {
      if (from) throw new UsageError(`cannot ${from.mode} run ${from.runId}: this engine keeps no trace or no journal`);
      return null;
    }
    const blobCap = loadProjectConfig(this.projectRoot).workflow?.journalBlobCap;
    return openRunJournal({ trace: this.trace, dir: this.traceDir, ...(blobCap ? { blobCap } : {}) }, runId, from, () => {
      this.stoppedRuns.add(runId);
      this.live.get(runId)?.abort(new Error('the run diverged from the recorded one'));
    });
  }

  /**
   * Values granted to a task never reach the journal: it learns them to scrub them.
   * For an instance about to run (at `path`), the journal notes the names it gets.
   */
  private grantSecrets(journal: RunJournal, run: RunScope, names: string[], path?: string): void {
    try {
      const { env, missing } = buildTaskEnv(names, run.env());
      journal.addSecrets(env);
      if (path !== undefined) journal.recordEnv(path, Object.keys(env), missing);
    } catch {
      // The instance fails on the same error before it runs: nothing of it is journalled.
    }
  }

  private replayed(parent: InstanceInfo, req: SpawnRequest, reply: { ok: boolean; reply: string }, parentEvents: EventHub<LifecycleEvent>): void {
    const source = this.runs.get(parent.runId)?.journal?.info().sourceRun ?? '';
    recordReplayed(this.trace, (e) => { parentEvents.emit(e); this.events.emit(e); }, parent, req, reply, source);
  }

  private endJournal(runId: string, journal: RunJournal, envelope: Envelope): void {
    finishJournal(this.trace, journal, envelope, this.stoppedRuns.delete(runId));
  }

  /** A sub-task's file and config, if its file is project code as it stood when the run started (spawn-admission.ts). */
  private async admit(run: RunScope, named: string, task: string): Promise<Resolved> {
    const writable = [...run.writable, ...[...this.liveWritable.values()].flat(), ...(await run.declaredWritable())];
    return this.resolveInRun(run, run.code.admit(named, writable), task);
  }

  /**
   * Before a resume or replay answers a sub-task from the journal: the values the
   * sub-task's decorator grants are what the recorded reply's markers may be
   * restored to (a crafted journal cannot name any other variable).
   */
  private async beforeRecall(parent: InstanceInfo, req: SpawnRequest): Promise<void> {
    const run = this.runs.get(parent.runId);
    if (!run?.journal || run.journal.mode === 'live') return;
    try {
      const { config } = await this.admit(run, req.file || `${GUEST_PROJECT}/${parent.file}`, req.task);
      if (config.envVariables.length > 0) this.grantSecrets(run.journal, run, config.envVariables);
    } catch {
      // Refused or unresolvable: the call is then made for real and refused there, with its message.
    }
  }

  /**
   * A run's sub-tasks read their file's config once per run, not once each (a
   * fan-out of 100 parsed the same file 100 times). A task name the file does
   * not define is refused like any other file outside the run's code.
   */
  private resolveInRun(run: RunScope, file: string, taskName: string): Promise<Resolved> {
    const key = `${file}\0${taskName}`;
    let resolved = run.configs.get(key);
    if (!resolved) {
      resolved = this.resolve({ file, taskName }).catch((e: unknown) => {
        run.configs.delete(key); // a config error is not remembered
        if (e instanceof ConfigError && e.problems.every((p) => p.line === 0)) throw refusal(file);
        throw e;
      });
      run.configs.set(key, resolved);
    }
    return resolved;
  }

  private async resolve(req: StartRequest): Promise<Resolved> {
    const abs = isAbsolute(req.file) ? resolve(req.file) : resolve(this.projectRoot, req.file);
    const rel = relative(this.projectRoot, abs);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new ConfigError([{ file: abs, line: 0, column: 0, message: `the file is outside the project root ${this.projectRoot}` }]);
    }
    const { config, declared } = await this.resolveTask(abs, req.taskName ?? 'main');
    return { file: rel.split(sep).join('/'), config, declared };
  }

  /**
   * A corrupt trace is moved aside and replaced (open-recovering.ts); one that
   * cannot be opened at all (a read-only disk) costs the history, not the run.
   */
  private openTrace(path: string): TraceStore | null {
    try {
      return openTraceRecovering(path, (m) => this.warn(`trace: ${m}`), (t) => {
        t.recoverInterrupted();
        t.prune(this.opts.keepRuns);
      });
    } catch (e) {
      this.warn(`trace: cannot use ${path} (${(e as Error).message}); tasks run without a trace`);
      return null;
    }
  }

  private slot(depth: number): Semaphore {
    let s = this.slots.get(depth);
    if (!s) {
      // One semaphore per nesting level: a parent holding a slot while it waits for
      // its children can never starve them, since they queue on the next level.
      s = new Semaphore(depth === 0 ? this.opts.maxConcurrent : this.opts.maxConcurrentSubtasks);
      this.slots.set(depth, s);
    }
    return s;
  }

  private pruneQuietly(): void {
    try {
      this.trace?.get()?.prune(this.opts.keepRuns);
      if (this.trace && this.traceDir) sweepBlobs({ trace: this.trace, dir: this.traceDir });
    } catch (e) {
      this.warn(`trace: pruning failed: ${(e as Error).message}`);
    }
  }
}

function positive(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`Engine: ${name} must be a positive integer, got ${v}`);
  return v;
}

function failedSpawn(task: string, error_type: 'permission_denied' | 'task_error', message: string): Envelope {
  return { success: false, state: 'failed', result: null, error: { error_type, message }, execution: { task_name: task, duration_ms: 0, retries: 0, fuel_consumed: 0, ram_used: 0, host_requests: [] } };
}
