// One task instance's state machine: created -> running -> (retrying -> running)*
// -> completed | failed | timed_out | interrupted. Every attempt gets a fresh
// sandbox; each transition goes to the trace and to the listeners.
import { resolve } from 'node:path';
import type { TaskConfig } from '../config/schema';
import { grantsToMounts } from '../capabilities/files';
import { buildTaskEnv } from '../capabilities/env';
import { runAttempt, type AttemptEnd } from './attempt';
import { shouldRetry } from './retry-policy';
import type { Mount, SandboxHooks, SandboxPoolLike, SandboxSpec } from './sandbox-port';
import type { DiskBudget } from '../sandbox/types';
import type { PythonPath } from '../sandbox/python-path';
import type { DeferredTrace, TraceWrite } from '../trace/deferred-trace';
import type { Envelope, FinalState, HostRequestRecord, LifecycleEvent, TaskError } from './types';
import { ConfigError } from './errors';
import { RawJson } from '../values/exact-json';
import { withLazyResult } from '../sandbox/lazy-result';
import type { AttemptClock } from '../journal/run-journal';
import type { ClockReadings } from '../sandbox/types';

/** Attempts lost with their machine (a queue worker killed mid-task) that are run again beyond max_retries. */
export const MAX_LOST_ATTEMPTS = 3;

export interface InstanceInfo {
  id: string;
  runId: string;
  parentId?: string;
  depth: number;
  /** The instance's position in its run's journal: '' for the root, '3/0' for its 4th call's 1st call. */
  callPath: string;
  taskName: string;
  /** Relative to the project root, '/'-separated. */
  file: string;
  config: TaskConfig;
  /** The decorator's config alone, as read before the file ran (task-resolver.ts). */
  declared: TaskConfig;
  args: unknown[];
  kwargs: Record<string, unknown>;
  extraMounts: Mount[];
  /** The run's disk budget: made for the root, shared by its sub-tasks. */
  disk: DiskBudget;
  /** The run's packages (virtualenv, python_path): found for the root, the same for its sub-tasks. */
  python: PythonPath;
}

/** Host-call handling for one attempt (HTTP, sub-tasks): the engine provides it. */
export interface AttemptServices {
  onHostCall(op: string, payload: unknown): Promise<unknown>;
  readonly hostRequests: HostRequestRecord[];
  /** Cancels what the attempt started (its sub-tasks) once it ends. */
  close(): void;
}

export interface InstanceDeps {
  projectRoot: string;
  /** The project's .env values (read once per run). */
  dotEnv(): Readonly<Record<string, string>>;
  pool: SandboxPoolLike;
  trace: DeferredTrace | null;
  emit(e: LifecycleEvent): void;
  /** Waits for a sandbox slot at this nesting depth. */
  acquireSlot(depth: number, signal: AbortSignal): Promise<() => void>;
  services(info: InstanceInfo, attempt: number, signal: AbortSignal): AttemptServices;
  /** The attempt's entropy seed (from the run's journal), or undefined for the host's CSPRNG. */
  entropySeed?(info: InstanceInfo, attempt: number): string | undefined;
  /** The attempt's clock in the run's journal: readings recorded for it, and where its readings go. */
  clock?(info: InstanceInfo, attempt: number): AttemptClock | undefined;
}

export async function runInstance(deps: InstanceDeps, info: InstanceInfo, signal: AbortSignal): Promise<Envelope> {
  const { config } = info;
  const base = { instanceId: info.id, runId: info.runId, taskName: info.taskName, file: info.file, ...(info.parentId ? { parentId: info.parentId } : {}) };
  const emit = (type: LifecycleEvent['type'], attempt: number, extra: Partial<LifecycleEvent> = {}): void =>
    deps.emit({ ...base, type, attempt, at: Date.now(), ...extra });
  // A write runs on a later turn (the trace batches them): `fn` must close over
  // values that do not change, not the attempt counter.
  const trace = (fn: TraceWrite): void => deps.trace?.write(fn);

  const createdAt = Date.now();
  const args = { args: info.args, kwargs: info.kwargs };
  const limits = { fuel: config.fuel, memoryLimitBytes: config.memoryLimitBytes, timeoutMs: config.timeoutMs, maxRetries: config.maxRetries };
  trace((t) => t.createInstance({ id: info.id, runId: info.runId, parentId: info.parentId ?? null, taskName: info.taskName, file: info.file, createdAt, args, limits }));
  emit('created', 0, { args });

  const hostRequests: HostRequestRecord[] = [];
  let fuelTotal = 0;
  let ramMax = 0;
  let firstStart: number | null = null;
  let last: AttemptEnd | null = null;
  let attempt = 0;
  let lostAttempts = 0;
  let worker: string | undefined;

  const finish = (state: FinalState, end: AttemptEnd | null, error: TaskError | null): Envelope => {
    const at = Date.now();
    const durationMs = at - (firstStart ?? createdAt);
    const ended = attempt; // writes apply on a later turn: take the values now
    // The instance row holds the totals the envelope reports (a retried run showed its last attempt's fuel after a reload).
    const totals = { instanceFuel: fuelTotal, instancePeakMemory: ramMax };
    trace((t) =>
      end === null
        ? t.endInstanceUnstarted(info.id, state, at, error?.message ?? null, error?.error_type ?? null)
        : t.endAttempt(info.id, ended, state, state, at, { ...totals, fuelConsumed: end.fuelConsumed, peakMemoryBytes: end.peakMemoryBytes, errorType: error?.error_type ?? null, message: error?.message ?? null, ...(end.kind === 'completed' ? { result: RawJson.of(end.resultJson, "the task's return value") } : {}) }),
    );
    emit(state, attempt, { fuelConsumed: fuelTotal, peakMemoryBytes: ramMax, durationMs, ...(error ? { error } : {}), ...(worker ? { worker } : {}) });
    const resultJson = state === 'completed' && end?.kind === 'completed' ? end.resultJson : null;
    const execution = { task_name: info.taskName, duration_ms: durationMs, retries: attempt, fuel_consumed: fuelTotal, ram_used: ramMax, host_requests: hostRequests };
    // `result` is parsed from resultJson only if someone reads it (see withLazyResult).
    return resultJson === null ? { success: false, state, result: null, resultJson, error, execution } : (withLazyResult({ success: true, state, resultJson, error, execution }) as Envelope);
  };

  let mounts: Mount[];
  let env: Record<string, string>;
  try {
    mounts = [...grantsToMounts(deps.projectRoot, config.allowedFiles), ...info.extraMounts];
    env = config.envVariables.length > 0 ? buildTaskEnv(config.envVariables, deps.dotEnv()).env : {};
  } catch (e) {
    // A grant that no longer holds (the directory was removed, a link now leads out).
    return finish('failed', null, { error_type: 'permission_denied', message: (e as Error).message });
  }

  for (;;) {
    let release: () => void;
    try {
      release = await deps.acquireSlot(info.depth, signal);
    } catch {
      return finish('interrupted', null, { error_type: 'task_error', message: 'interrupted: the task was cancelled while waiting for a sandbox' });
    }
    const startedAt = Date.now();
    firstStart ??= startedAt;
    const started = attempt; // writes apply on a later turn: take the values now
    trace((t) => t.startAttempt(info.id, started, startedAt));
    // A run is on disk before its code starts, so a CLI killed at any later moment
    // leaves a record (history shows it interrupted). An open trace takes the queued
    // rows now (one small transaction); a cold one opens just after the sandbox has
    // its task, while the worker boots, off the start-up's critical path. Sub-tasks
    // keep the batched writes (a fan-out of 100 would make 100 transactions).
    if (info.depth === 0 && deps.trace) {
      const t = deps.trace;
      if (t.opened) t.flush();
      else queueMicrotask(() => t.flush());
    }
    emit('running', attempt);
    worker = undefined;

    const services = deps.services(info, attempt, signal);
    const hooks: SandboxHooks = {
      onStdout: (text) => { trace((t) => t.appendOutput(info.id, started, 'stdout', text)); emit('stdout', attempt, { text }); },
      onStderr: (text) => { trace((t) => t.appendOutput(info.id, started, 'stderr', text)); emit('stderr', attempt, { text }); },
      onHostCall: (op, payload) => services.onHostCall(op, payload),
      onPlaced: (w) => {
        worker = w;
        trace((t) => t.setAttemptWorker(info.id, started, w));
      },
    };
    const spec: SandboxSpec = {
      projectRoot: deps.projectRoot,
      file: info.file,
      taskName: info.taskName,
      args: info.args,
      kwargs: info.kwargs,
      fuel: config.fuel,
      memoryLimitBytes: config.memoryLimitBytes,
      declared: info.declared,
      env,
      mounts: [...mounts, ...info.python.mounts],
      disk: info.disk,
      pythonPath: info.python.sysPath,
      projectFiles: info.python.projectFiles,
      depth: info.depth,
    };
    const seed = deps.entropySeed?.(info, attempt);
    if (seed) spec.entropySeed = seed;
    const clock = deps.clock?.(info, attempt);
    // The readings after a task's last call matter only if it runs again: the root (a
    // replay reproduces its result), or an attempt that did not complete (a resume runs
    // it again). A completed sub-task is answered from the journal, never run again.
    let lastBatch: ClockReadings | null = null;
    if (clock) {
      hooks.onClock = (taken, last) => (last ? (lastBatch = taken) : clock.record(taken));
      if (clock.recorded) {
        spec.clock = clock.recorded;
        hooks.clockLive = () => clock.live();
      }
    }
    try {
      last = await runAttempt({ pool: deps.pool, spec, config, hooks, signal });
    } finally {
      services.close();
      release();
    }
    if (lastBatch && (info.depth === 0 || last.kind !== 'completed')) clock!.record(lastBatch);
    hostRequests.push(...services.hostRequests);
    fuelTotal += last.fuelConsumed;
    ramMax = Math.max(ramMax, last.peakMemoryBytes);

    if (last.kind === 'completed') return finish('completed', last, null);
    if (last.sourceProblem) {
      // The file does not compile (CPython's verdict, before the task's code ran): a configuration error.
      finish('failed', last, last.error);
      const p = last.sourceProblem;
      throw new ConfigError([{ file: resolve(deps.projectRoot, p.file), line: p.line, column: p.column, message: p.message }]);
    }
    // A lost machine is not the task's failure: run it again (bounded), without spending a retry.
    const lost = last.kind === 'failed' && last.lost !== undefined;
    if (lost) lostAttempts++;
    const again = lost ? !signal.aborted && lostAttempts <= MAX_LOST_ATTEMPTS : last.kind !== 'interrupted' && !last.final && shouldRetry(last.error.error_type, attempt - lostAttempts, config.maxRetries);
    if (!again) {
      return finish(last.kind, last, last.error);
    }
    const failed = last;
    const at = Date.now();
    const retried = attempt;
    const fuelSoFar = fuelTotal;
    const ramSoFar = ramMax;
    trace((t) =>
      t.endAttempt(info.id, retried, failed.kind, 'retrying', at, { instanceFuel: fuelSoFar, instancePeakMemory: ramSoFar, fuelConsumed: failed.fuelConsumed, peakMemoryBytes: failed.peakMemoryBytes, errorType: failed.error.error_type, message: failed.error.message }),
    );
    emit('retrying', attempt, { error: failed.error, fuelConsumed: failed.fuelConsumed, peakMemoryBytes: failed.peakMemoryBytes, durationMs: failed.durationMs, ...(worker ? { worker } : {}) });
    attempt++;
  }
}
