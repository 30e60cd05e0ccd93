// Turns what happened in a sandbox (the driver's report, a trap, an exit,
// the fuel and memory globals) into one outcome.
import type { GuestReport } from './guest-report';
import type { SandboxErrorType, SandboxError, WorkerOutcome } from './types';
import { isTrap } from './wasm';

export type { GuestReport } from './guest-report';

export interface RunFacts {
  report: GuestReport | null;
  failure: unknown;
  exited: boolean;
  fuelBudget: number;
  fuelConsumed: number;
  fuelExhausted: boolean;
  peakMemoryBytes: number;
  memoryLimitBytes: number;
}

const GUEST_TYPES: ReadonlySet<string> = new Set<SandboxErrorType>(['task_error', 'out_of_memory', 'permission_denied']);

function fail(facts: RunFacts, type: SandboxErrorType, message: string, extra: Omit<SandboxError, 'type' | 'message'> = {}): WorkerOutcome {
  return { ok: false, error: { type, message, ...extra }, fuelConsumed: facts.fuelConsumed, peakMemoryBytes: facts.peakMemoryBytes };
}

function mb(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MB`;
}

/** A limit hit: the sandbox's message names the limit; `detail` is kept apart for the engine's. */
function outOfMemory(facts: RunFacts, detail: string, extra: Omit<SandboxError, 'type' | 'message' | 'detail'> = {}): WorkerOutcome {
  return fail(facts, 'out_of_memory', `out of memory (limit ${mb(facts.memoryLimitBytes)}): ${detail}`, { detail, ...extra });
}

/** The linear memory is within two pages of its cap: the next allocation would have been refused. */
function nearCap(facts: RunFacts): boolean {
  return facts.peakMemoryBytes + 2 * 65536 >= facts.memoryLimitBytes;
}

export function classify(facts: RunFacts): WorkerOutcome {
  const { report, failure } = facts;
  // A report is sent before anything after it could run out of fuel: it names
  // the first limit the task hit (a MemoryError reported, then fuel spent).
  if (report?.ok) {
    return { ok: true, resultJson: report.resultJson, fuelConsumed: facts.fuelConsumed, peakMemoryBytes: facts.peakMemoryBytes };
  }
  if (report && !report.ok) {
    if (report.source) {
      const s = report.source;
      return { ...fail(facts, 'task_error', `${s.file}:${s.line}:${s.column}: ${s.message}`), sourceProblem: s };
    }
    // CPython 3.11 reports a frame it could not allocate as this SystemError: at the cap, memory was the limit hit.
    if (nearCap(facts) && report.error_type === 'task_error' && report.message.startsWith('SystemError: error return without exception set')) {
      return outOfMemory(facts, `the interpreter could not allocate a call frame (${report.message})`);
    }
    const type = GUEST_TYPES.has(report.error_type) ? (report.error_type as SandboxErrorType) : 'task_error';
    const trace = { ...(report.traceback ? { traceback: report.traceback } : {}), ...(report.frames ? { frames: report.frames } : {}) };
    return type === 'out_of_memory' ? outOfMemory(facts, report.message, trace) : fail(facts, type, report.message, trace);
  }
  if (facts.fuelExhausted) {
    // Memory at its cap was hit first: the MemoryError's unwinding (freeing what
    // the task built, which CPython does before the driver can report) spent the rest.
    if (nearCap(facts)) {
      return outOfMemory(facts, `the task filled its memory, then ran out of fuel (budget ${facts.fuelBudget}) while the interpreter recovered`);
    }
    return fail(facts, 'out_of_fuel', `out of fuel (budget ${facts.fuelBudget})`);
  }
  // At the cap, a driver that could not even report ran out of memory.
  if (facts.exited) {
    if (nearCap(facts)) return outOfMemory(facts, "the interpreter ran out of memory before the task's outcome could be reported");
    return fail(facts, 'task_error', 'the task exited the interpreter (os._exit or a fatal error) before returning a result');
  }
  if (isTrap(failure)) {
    // A trap near the cap is an allocation that could not be satisfied in C.
    if (nearCap(facts)) return outOfMemory(facts, failure.message);
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
