// Shapes read back from the trace: what `history()` returns and the runs view shows.
import type { ErrorType, TaskState } from '../engine/types';

/** One attempt of an instance: each attempt ran in its own fresh sandbox. */
export interface AttemptRecord {
  attempt: number;
  state: TaskState;
  startedAt: number;
  endedAt: number | null;
  fuelConsumed: number | null;
  peakMemoryBytes: number | null;
  errorType: ErrorType | null;
  message: string | null;
  /** The queue worker that ran it (absent: the machine that started the run). */
  worker?: string;
}

/** One task instance: a call of a task, possibly retried, possibly a sub-task. */
export interface InstanceRecord {
  id: string;
  runId: string;
  parentId: string | null;
  taskName: string;
  file: string;
  /** The last attempt number (0 = first try). */
  attempt: number;
  state: TaskState;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  fuelConsumed: number | null;
  peakMemoryBytes: number | null;
  errorType: ErrorType | null;
  message: string | null;
  attempts: AttemptRecord[];
  /** The call's arguments (null in traces written before they were kept). */
  args?: { args: unknown[]; kwargs: Record<string, unknown> } | null;
  /** The limits it ran under. */
  limits?: { fuel: number; memoryLimitBytes: number; timeoutMs: number | null; maxRetries: number } | null;
  /** The result as JSON text, when it completed and was small enough to keep. */
  resultJson?: string | null;
}

/** One chunk of a task's stdout or stderr, in the order it was printed. */
export interface OutputChunk { attempt: number; stream: 'stdout' | 'stderr'; text: string }

/** What the trace kept of one instance's output; `droppedBytes` went over the cap. */
export interface OutputRecord { chunks: OutputChunk[]; droppedBytes: number; capBytes: number }

/** A run: its root instance, with every sub-instance (any depth) listed under it. */
export interface RunRecord extends InstanceRecord {
  children: InstanceRecord[];
}

/** A row of the transitions table: one state change, in order. */
export interface TransitionRecord {
  instanceId: string;
  state: TaskState;
  attempt: number;
  at: number;
}
