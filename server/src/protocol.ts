// Capsule's extensions to LSP, declared once: the client and the server both import this.
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { TaskConfig } from '../../runtime/src/config/schema';
import { Commands } from '../../client/src/ids';
import type { FinalState } from '../../runtime/src/engine/types';
import type { TaskListChanges } from './task-list-changes';

/** What a lens hands to the client's run commands. `line` is 0-based (the `def` line). */
export interface Runnable { uri: string; file: string; taskName: string; functionName: string; line: number }

/** Lens commands (ids from the one list of them, client/src/ids.ts); their single argument is a Runnable. */
export const RUN_TASK_COMMAND = Commands.runTask;
export const RUN_TASK_WITH_ARGS_COMMAND = Commands.runTaskWithArgs;

/** Client -> server after a run ends; the server refreshes that task's lens summary. */
export interface RunResultParams {
  uri: string;
  taskName: string;
  state: FinalState;
  durationMs: number;
  fuelConsumed: number;
  peakMemoryBytes: number;
  errorType?: string;
  message?: string;
}
export const RunResultNotification = new NotificationType<RunResultParams>('capsule/runResult');

/** A parameter of a task's `def`, as written (annotation and default are source text). */
export interface TaskParam {
  name: string;
  kind: 'positional-only' | 'positional' | 'keyword' | 'varargs' | 'varkw';
  annotation?: string;
  default?: string;
}

/**
 * A task of the workspace index (the client's Tasks view). `problems` counts errors;
 * `params` is its signature (server/src/signatures.ts), absent when it could not be read.
 */
export interface TaskInfo extends Runnable { config: TaskConfig | null; problems: number; params?: TaskParam[] }
export const ListTasksRequest = new RequestType<{}, TaskInfo[], void>('capsule/listTasks');

/**
 * The same list as changes since the one this connection was last answered (`since`: that
 * answer's version; omitted or stale: the whole list). See task-list-changes.ts.
 */
export const ListTaskChangesRequest = new RequestType<{ since?: string }, TaskListChanges, void>('capsule/listTaskChanges');

/** Server -> client when the workspace index changed; the client re-lists. */
export const TasksChangedNotification = new NotificationType<{}>('capsule/tasksChanged');

export interface ServerStatusParams { health: 'ok' | 'warning' | 'error'; message?: string; indexedFiles: number }
export const ServerStatusNotification = new NotificationType<ServerStatusParams>('capsule/serverStatus');
