// Which failures are retried. `max_retries` re-runs a failed attempt in a fresh
// sandbox, but only when another attempt could plausibly end differently:
//   - task_error (a Python exception: flaky input, a network hiccup): retried;
//   - wasm_error (a trap, a crashed worker): retried;
//   - timeout (wall clock: the host may have been busy): retried;
//   - out_of_fuel, out_of_memory: NOT retried. Fuel is deterministic and the
//     memory cap fixed, so the same code with the same input fails the same way;
//   - permission_denied: NOT retried. The grants do not change between attempts;
//   - a cancelled (interrupted) task is never retried.
import type { ErrorType } from './types';

export const RETRYABLE: ReadonlySet<ErrorType> = new Set(['task_error', 'wasm_error', 'timeout']);

export function shouldRetry(errorType: ErrorType, attempt: number, maxRetries: number): boolean {
  return RETRYABLE.has(errorType) && attempt < maxRetries;
}
