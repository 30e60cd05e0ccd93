// Turns what happened in a sandbox (the driver's report, a trap, an exit,
// the fuel and memory globals) into one SandboxOutcome.
import type { SandboxErrorType, SandboxOutcome } from './types';
import { isTrap } from './wasm';

/** What capsule._guest reports through task.result. */
export type GuestReport =
  | { ok: true; result: unknown }
  | { ok: false; error_type: string; message: string; traceback?: string };

export interface RunFacts {
  report: GuestReport | null;
  failure: unknown;
  exited: boolean;
  fuelBudget: number;
  fuelConsumed: number;
  fuelExhausted: boolean;
  memoryBytes: number;
  memoryLimit: number;
}

const GUEST_TYPES: ReadonlySet<string> = new Set<SandboxErrorType>(['task_error', 'out_of_memory', 'permission_denied']);

function fail(facts: RunFacts, type: SandboxErrorType, message: string, traceback?: string): Omit<SandboxOutcome, 'startMs'> {
  const error = traceback ? { type, message, traceback } : { type, message };
  return { ok: false, error, fuelConsumed: facts.fuelConsumed, memoryBytes: facts.memoryBytes };
}

function mb(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MB`;
}

export function classify(facts: RunFacts): Omit<SandboxOutcome, 'startMs'> {
  const { report, failure } = facts;
  if (facts.fuelExhausted) {
    return fail(facts, 'out_of_fuel', `out of fuel (budget ${facts.fuelBudget})`);
  }
  if (report?.ok) {
    return { ok: true, result: report.result, fuelConsumed: facts.fuelConsumed, memoryBytes: facts.memoryBytes };
  }
  if (report && !report.ok) {
    const type = GUEST_TYPES.has(report.error_type) ? (report.error_type as SandboxErrorType) : 'task_error';
    const message = type === 'out_of_memory' ? `out of memory (limit ${mb(facts.memoryLimit)}): ${report.message}` : report.message;
    return fail(facts, type, message, report.traceback);
  }
  if (facts.exited) {
    return fail(facts, 'task_error', 'the task exited the interpreter (os._exit or a fatal error) before returning a result');
  }
  // A trap near the cap is an allocation that could not be satisfied in C.
  const nearCap = facts.memoryBytes + 2 * 65536 >= facts.memoryLimit;
  if (isTrap(failure)) {
    if (nearCap) return fail(facts, 'out_of_memory', `out of memory (limit ${mb(facts.memoryLimit)}): ${failure.message}`);
    const aborted = /unreachable/.test(failure.message);
    return fail(facts, 'wasm_error', aborted
      ? 'the task aborted the interpreter (os.abort() or a fatal error): wasm trap: unreachable'
      : `wasm trap: ${failure.message}`);
  }
  if (failure instanceof RangeError) {
    return fail(facts, 'wasm_error', `stack overflow in the sandbox: ${failure.message}`);
  }
  if (failure) {
    const message = failure instanceof Error ? failure.message : String(failure);
    return fail(facts, 'wasm_error', `the sandbox failed: ${message}`);
  }
  return fail(facts, 'wasm_error', 'the task ended without reporting a result');
}
