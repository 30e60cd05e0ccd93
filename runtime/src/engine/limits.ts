// Turns a sandbox outcome (or a kill) into the engine's error, with a message that
// names the limit and its value, e.g. `out of fuel: the task used its whole budget
// of 100M fuel (compute="LOW")`.
import { MIN_RAM, MIN_RAM_BYTES } from '../config/limits';
import { formatBytes, formatDuration, formatFuel, type TaskConfig } from '../config/schema';
import type { SandboxOutcome } from './sandbox-port';
import type { ErrorType, TaskError } from './types';

/**
 * The schema refuses a ram limit under MIN_RAM_BYTES before a run; a config made by
 * hand (the engine's API) still ends out_of_memory at once, and is not retried.
 */
export { MIN_RAM_BYTES };

export function tooLittleRamError(c: TaskConfig): TaskError {
  return {
    error_type: 'out_of_memory',
    message: `out of memory: the ram limit of ${formatBytes(c.memoryLimitBytes)} is below the ${formatBytes(MIN_RAM_BYTES)} the Python runtime needs to start; raise ram to at least "${MIN_RAM}"`,
  };
}

export function computeLabel(c: TaskConfig): string {
  return c.compute === 'CUSTOM' ? `compute="${c.fuel}"` : `compute="${c.compute}"`;
}

export function timeoutError(c: TaskConfig, elapsedMs: number): TaskError {
  const limit = c.timeoutMs ?? 0;
  return {
    error_type: 'timeout',
    message: `timed out: the task ran for ${formatDuration(elapsedMs)}, past its timeout of ${formatDuration(limit)}`,
  };
}

export function cancelledError(): TaskError {
  return { error_type: 'task_error', message: 'interrupted: the task was cancelled before it finished' };
}

/** The error of a failed outcome: a limit is worded here, with the sandbox's detail (sandbox/outcome.ts). */
export function outcomeError(c: TaskConfig, o: SandboxOutcome): TaskError {
  const e = o.error ?? { type: 'wasm_error' as const, message: 'the sandbox reported a failure without an error' };
  const extra = e.detail ? `; ${e.detail}` : '';
  const type: ErrorType = e.type;
  switch (type) {
    case 'out_of_fuel':
      return { error_type: type, message: `out of fuel: the task used its whole budget of ${formatFuel(c.fuel)} fuel (${c.fuel} units, ${computeLabel(c)})${extra}` };
    case 'out_of_memory':
      return {
        error_type: type,
        message: `out of memory: the task needed more than its ram limit of ${formatBytes(c.memoryLimitBytes)}${extra}`,
      };
    default:
      return { error_type: type, message: e.message.trim() || type, ...(e.traceback ? { traceback: e.traceback } : {}), ...(e.frames ? { frames: e.frames } : {}) };
  }
}
