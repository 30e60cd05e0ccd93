// One attempt of a task: a fresh sandbox (own worker, own instance), watched by
// the wall-clock timeout and the cancel signal. Whatever the guest does, this
// resolves: a kill that the sandbox never acknowledges is settled after a grace.
import type { TaskConfig } from '../config/schema';
import { cancelledError, MIN_RAM_BYTES, outcomeError, timeoutError, tooLittleRamError } from './limits';
import type { SandboxHooks, SandboxOutcome, SandboxPoolLike, SandboxSpec } from './sandbox-port';
import type { TaskError } from './types';

/** How long a killed sandbox may take to report before the engine stops waiting. */
const KILL_GRACE_MS = 1_000;

export type AttemptEnd =
  | { kind: 'completed'; result: unknown; fuelConsumed: number; ramUsed: number; durationMs: number }
  | { kind: 'failed' | 'timed_out' | 'interrupted'; error: TaskError; fuelConsumed: number; ramUsed: number; durationMs: number; /** Another attempt would fail the same way. */ final?: boolean };

export interface AttemptInput {
  pool: SandboxPoolLike;
  spec: SandboxSpec;
  config: TaskConfig;
  hooks: SandboxHooks;
  /** Aborts when the task is cancelled. */
  signal: AbortSignal;
}

export async function runAttempt(input: AttemptInput): Promise<AttemptEnd> {
  const { pool, spec, config, hooks, signal } = input;
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  if (signal.aborted) return { kind: 'interrupted', error: cancelledError(), fuelConsumed: 0, ramUsed: 0, durationMs: 0 };

  let killedFor: 'timeout' | 'cancelled' | null = null;
  let settleKilled: () => void = () => {};
  const killed = new Promise<void>((resolve) => (settleKilled = resolve));
  let graceTimer: NodeJS.Timeout | undefined;

  if (config.ramBytes < MIN_RAM_BYTES) {
    return { kind: 'failed', error: tooLittleRamError(config), fuelConsumed: 0, ramUsed: 0, durationMs: 0, final: true };
  }
  let run;
  try {
    run = pool.run(spec, hooks);
  } catch (e) {
    // The sandbox refused the spec: the same spec would be refused again.
    return { kind: 'failed', error: { error_type: 'wasm_error', message: `the sandbox could not start: ${(e as Error).message}` }, fuelConsumed: 0, ramUsed: 0, durationMs: elapsed(), final: true };
  }
  const kill = (reason: 'timeout' | 'cancelled'): void => {
    if (killedFor) return;
    killedFor = reason;
    try {
      run.kill(reason);
    } catch {
      // The worker is already gone: the outcome (or the grace) settles the attempt.
    }
    graceTimer = setTimeout(settleKilled, KILL_GRACE_MS);
  };
  const timer = config.timeoutMs !== null ? setTimeout(() => kill('timeout'), config.timeoutMs) : undefined;
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
  const ramUsed = o?.memoryBytes ?? 0;
  const durationMs = elapsed();
  // A kill decides the outcome even if the sandbox then reports an error of its own.
  if (killedFor === 'timeout') return { kind: 'timed_out', error: timeoutError(config, durationMs), fuelConsumed, ramUsed, durationMs };
  if (killedFor === 'cancelled') return { kind: 'interrupted', error: cancelledError(), fuelConsumed, ramUsed, durationMs };
  if (o?.ok) return { kind: 'completed', result: o.result ?? null, fuelConsumed, ramUsed, durationMs };
  if (o) return { kind: 'failed', error: outcomeError(config, o), fuelConsumed, ramUsed, durationMs };
  const why = crash instanceof Error ? crash.message : String(crash);
  return { kind: 'failed', error: { error_type: 'wasm_error', message: `the sandbox failed: ${why}` }, fuelConsumed, ramUsed, durationMs };
}
