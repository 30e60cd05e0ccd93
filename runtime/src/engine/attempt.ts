// One attempt of a task: a fresh sandbox (own worker, own instance), watched by
// the wall-clock timeout and the cancel signal. Whatever the guest does, this
// resolves: a kill that the sandbox never acknowledges is settled after a grace.
// The timeout counts from the moment the task's own code starts (the sandbox's
// onStart), so a sub-task queued behind others for a sandbox is not charged for
// the wait; the wait itself has its own, generous cap.
import type { TaskConfig } from '../config/schema';
import { cancelledError, MIN_RAM_BYTES, outcomeError, timeoutError, tooLittleRamError } from './limits';
import type { SandboxHooks, SandboxOutcome, SandboxPoolLike, SandboxSpec, SourceProblem } from './sandbox-port';
import type { TaskError } from './types';

/** How long a killed sandbox may take to report before the engine stops waiting. */
const KILL_GRACE_MS = 1_000;
/** Longest the engine waits for a sandbox to start the task's code. */
export const DEFAULT_STARTUP_CAP_MS = 60_000;

export type AttemptEnd =
  | { kind: 'completed'; /** Exact JSON text of the return value. */ resultJson: string; fuelConsumed: number; peakMemoryBytes: number; durationMs: number }
  | {
    kind: 'failed' | 'timed_out' | 'interrupted'; error: TaskError; fuelConsumed: number; peakMemoryBytes: number; durationMs: number;
    /** Another attempt would fail the same way. */ final?: boolean;
    /** The task's file does not compile: a configuration error (never retried). */ sourceProblem?: SourceProblem;
    /** The machine running it was lost (SandboxOutcome.lost): run again, not counted against max_retries. */ lost?: string;
  };

export interface AttemptInput {
  pool: SandboxPoolLike;
  spec: SandboxSpec;
  config: TaskConfig;
  hooks: SandboxHooks;
  /** Aborts when the task is cancelled. */
  signal: AbortSignal;
  /** Cap on the wait for the task's code to start (default DEFAULT_STARTUP_CAP_MS). */
  startupCapMs?: number;
}

export async function runAttempt(input: AttemptInput): Promise<AttemptEnd> {
  const { pool, spec, config, hooks, signal } = input;
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  let codeStarted: number | null = null;
  if (signal.aborted) return { kind: 'interrupted', error: cancelledError(), fuelConsumed: 0, peakMemoryBytes: 0, durationMs: 0 };

  let killedFor: 'timeout' | 'cancelled' | 'startup' | null = null;
  let settleKilled: () => void = () => {};
  const killed = new Promise<void>((resolve) => (settleKilled = resolve));
  let graceTimer: NodeJS.Timeout | undefined;

  if (config.memoryLimitBytes < MIN_RAM_BYTES) {
    return { kind: 'failed', error: tooLittleRamError(config), fuelConsumed: 0, peakMemoryBytes: 0, durationMs: 0, final: true };
  }
  let timer: NodeJS.Timeout | undefined;
  const startupCapMs = input.startupCapMs ?? DEFAULT_STARTUP_CAP_MS;
  const watched: SandboxHooks = {
    ...hooks,
    onStart: () => {
      if (codeStarted !== null || killedFor) return;
      codeStarted = Date.now();
      clearTimeout(timer);
      if (config.timeoutMs !== null) timer = setTimeout(() => kill('timeout'), config.timeoutMs);
      hooks.onStart?.();
    },
  };
  let run;
  try {
    run = pool.run(spec, watched);
  } catch (e) {
    // The sandbox refused the spec: the same spec would be refused again.
    return { kind: 'failed', error: { error_type: 'wasm_error', message: `the sandbox could not start: ${(e as Error).message}` }, fuelConsumed: 0, peakMemoryBytes: 0, durationMs: elapsed(), final: true };
  }
  const kill = (reason: 'timeout' | 'cancelled' | 'startup'): void => {
    if (killedFor) return;
    killedFor = reason;
    try {
      run.kill(reason === 'cancelled' ? 'cancelled' : 'timeout');
    } catch {
      // The worker is already gone: the outcome (or the grace) settles the attempt.
    }
    graceTimer = setTimeout(settleKilled, KILL_GRACE_MS);
  };
  // Until the code starts, only the start-up cap runs (onStart may already have come).
  if (codeStarted === null) timer = setTimeout(() => kill('startup'), startupCapMs);
  const onAbort = (): void => kill('cancelled');
  signal.addEventListener('abort', onAbort, { once: true });

  let outcome: SandboxOutcome | null = null;
  let crash: unknown = null;
  try {
    await Promise.race([
      run.outcome.then(
        (o) => void (outcome = o),
        (e: unknown) => void (crash = e),
      ),
      killed,
    ]);
  } finally {
    clearTimeout(timer);
    clearTimeout(graceTimer);
    signal.removeEventListener('abort', onAbort);
  }
  const o = outcome as SandboxOutcome | null;
  const fuelConsumed = o?.fuelConsumed ?? 0;
  const peakMemoryBytes = o?.peakMemoryBytes ?? 0;
  const durationMs = elapsed();
  // A kill decides the outcome even if the sandbox then reports an error of its own.
  if (killedFor === 'timeout') return { kind: 'timed_out', error: timeoutError(config, Date.now() - (codeStarted ?? started)), fuelConsumed, peakMemoryBytes, durationMs };
  if (killedFor === 'startup') {
    const message = `the sandbox did not start the task's code within ${startupCapMs / 1000} s (the host is overloaded, or the sandbox is stuck); the attempt was stopped`;
    return { kind: 'failed', error: { error_type: 'wasm_error', message }, fuelConsumed, peakMemoryBytes, durationMs };
  }
  if (killedFor === 'cancelled') return { kind: 'interrupted', error: cancelledError(), fuelConsumed, peakMemoryBytes, durationMs };
  if (o?.ok) return { kind: 'completed', resultJson: o.resultJson ?? 'null', fuelConsumed, peakMemoryBytes, durationMs };
  if (o?.sourceProblem) return { kind: 'failed', error: outcomeError(config, o), fuelConsumed, peakMemoryBytes, durationMs, final: true, sourceProblem: o.sourceProblem };
  if (o?.lost) return { kind: 'failed', error: { error_type: 'wasm_error', message: o.error?.message ?? `the worker was lost: ${o.lost}` }, fuelConsumed, peakMemoryBytes, durationMs, lost: o.lost };
  if (o) return { kind: 'failed', error: outcomeError(config, o), fuelConsumed, peakMemoryBytes, durationMs };
  const why = crash instanceof Error ? crash.message : String(crash);
  return { kind: 'failed', error: { error_type: 'wasm_error', message: `the sandbox failed: ${why}` }, fuelConsumed, peakMemoryBytes, durationMs };
}
