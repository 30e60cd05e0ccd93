// The engine's side of the journal: a sub-task answered from it still shows in
// the trace and the listeners (as replayed, never run), and a run's root envelope
// says what came from the journal.
import { randomUUID } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { loadProjectConfig } from '../config/toml';
import { toExactJson } from '../values/exact-json';
import { findResumable } from './journal-store';
import { GUEST_PROJECT } from '../sandbox/types';
import type { DeferredTrace } from '../trace/deferred-trace';
import type { SpawnRequest } from '../engine/host-calls';
import type { InstanceInfo } from '../engine/instance';
import type { Envelope, ErrorType, FromRun, LifecycleEvent, StartRequest } from '../engine/types';
import { saveRunInfo } from './open-journal';
import type { RunJournal } from './run-journal';

const ERROR_TYPES = new Set<ErrorType>(['task_error', 'timeout', 'out_of_fuel', 'out_of_memory', 'permission_denied', 'wasm_error']);

/** Trace rows and events for a sub-task whose outcome came from the journal. */
export function recordReplayed(
  trace: DeferredTrace | null,
  emit: (e: LifecycleEvent) => void,
  parent: InstanceInfo,
  req: SpawnRequest,
  recalled: { ok: boolean; reply: string },
  sourceRun: string,
): void {
  const id = randomUUID();
  const at = Date.now();
  const file = req.file ? req.file.replace(new RegExp(`^${GUEST_PROJECT}/`), '') : parent.file;
  const args = { args: req.args, kwargs: req.kwargs };
  let error: { error_type: ErrorType; message: string } | undefined;
  if (!recalled.ok) {
    const e = (JSON.parse(recalled.reply) as { error?: { error_type?: string; message?: string } }).error;
    const type = ERROR_TYPES.has(e?.error_type as ErrorType) ? (e!.error_type as ErrorType) : 'task_error';
    error = { error_type: type, message: `${String(e?.message ?? 'failed')} (replayed from run ${sourceRun.slice(0, 8)})` };
  }
  const state = recalled.ok ? 'completed' : 'failed';
  const message = error?.message ?? `replayed from run ${sourceRun.slice(0, 8)}`;
  trace?.write((t) => t.createInstance({ id, runId: parent.runId, parentId: parent.id, taskName: req.task, file, createdAt: at, args }));
  trace?.write((t) => t.endInstanceUnstarted(id, state, at, message, error?.error_type ?? null));
  const base = { instanceId: id, runId: parent.runId, parentId: parent.id, taskName: req.task, file, attempt: 0, at };
  emit({ ...base, type: 'created', args });
  emit({ ...base, type: state, fuelConsumed: 0, peakMemoryBytes: 0, durationMs: 0, replayed: true, ...(error ? { error } : {}) });
}

/** At the root's end: the run's journal summary is saved, and shown in the envelope of a resume or replay. */
export function finishJournal(trace: DeferredTrace | null, journal: RunJournal, envelope: Envelope, stopped: boolean): void {
  if (trace) saveRunInfo(trace, journal);
  const info = journal.info();
  if (info.mode === 'live') return;
  envelope.execution.journal = { mode: info.mode, source_run: info.sourceRun, replayed: info.replayed, ran: info.ran, divergence: info.divergence, stopped: stopped && !!info.divergence };
  if (stopped && info.divergence) {
    const d = info.divergence;
    envelope.success = false;
    envelope.error = {
      error_type: 'task_error',
      message: `${info.mode === 'replay' ? 'replay' : 'resume --strict'} stopped: call ${d.path} (${d.kind}) differs from run ${String(info.sourceRun).slice(0, 8)}: expected ${d.expected}, got ${d.got}`,
    };
  }
}

/**
 * With durable on (the root task's durable=, else [workflow] durable), a run of the same
 * task and arguments as an interrupted run resumes it (once: a run that some later run
 * resumed is left alone).
 */
export function durableResume(trace: DeferredTrace, projectRoot: string, req: StartRequest, taskDurable: boolean | undefined): FromRun | undefined {
  if (!(taskDurable ?? loadProjectConfig(projectRoot).workflow?.durable)) return undefined;
  const abs = isAbsolute(req.file) ? resolve(req.file) : resolve(projectRoot, req.file);
  const file = relative(projectRoot, abs).split(sep).join('/');
  const args = toExactJson({ args: req.args ?? [], kwargs: req.kwargs ?? {} }, 'start: args');
  const runId = trace.get()?.journalRead((db) => findResumable(db, file, req.taskName ?? 'main', args)) ?? null;
  return runId ? { runId, mode: 'resume' } : undefined;
}
