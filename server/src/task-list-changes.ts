// The task list as changes: after each edit that changes a task, the client re-lists, and a
// 10,000-task file's full list is 3.3 MB of JSON. The server keeps the list it last sent and
// answers with, per file, the one run of tasks that differs (a splice), so a keystroke in a
// value sends one task. Pure: the server and the client's view share it.
import type { TaskInfo } from './protocol';

/**
 * Replace `deleteCount` tasks at `start` of `uri`'s list (sorted by line) with `tasks`;
 * `shift`: every task after them moved by that many lines (a line break typed above them:
 * in a 10,000-task file, one number instead of every task again).
 */
export interface TaskSplice { uri: string; start: number; deleteCount: number; tasks: TaskInfo[]; shift?: number }

/**
 * The answer to capsule/listTaskChanges. `full`: `splices` build the list from nothing (the
 * client's `since` was not the list the server last sent); else they apply to that list.
 */
export interface TaskListChanges { version: string; full: boolean; splices: TaskSplice[] }

export type TasksByUri = Map<string, TaskInfo[]>;

export function byUri(tasks: readonly TaskInfo[]): TasksByUri {
  const out: TasksByUri = new Map();
  for (const t of tasks) {
    const list = out.get(t.uri);
    if (list) list.push(t);
    else out.set(t.uri, [t]);
  }
  return out;
}

/**
 * Field by field. Config and params are most often the same objects as last time (a task
 * kept across a keystroke; signatures.ts hands out one frozen array per parameter text), so
 * they are compared by identity before by value.
 */
export function sameTask(a: TaskInfo, b: TaskInfo, lines = 0): boolean {
  if (a === b && lines === 0) return true; // the server hands out a kept task's entry again
  return a.taskName === b.taskName && a.line + lines === b.line && a.problems === b.problems && a.functionName === b.functionName
    && a.file === b.file && a.uri === b.uri
    && (a.config === b.config || sameShallow(a.config, b.config))
    && (a.params === b.params || JSON.stringify(a.params) === JSON.stringify(b.params));
}

/** Equal plain objects whose values are primitives or arrays of primitives (a TaskConfig); else by JSON. */
function sameShallow(a: object | null, b: object | null): boolean {
  if (a === null || b === null) return a === b;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    const x = (a as Record<string, unknown>)[k];
    const y = (b as Record<string, unknown>)[k];
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => v === y[i] && (v === null || typeof v !== 'object'))) continue;
    if (x !== null && typeof x === 'object' && !Array.isArray(x) && JSON.stringify(x) === JSON.stringify(y)) continue;
    return false;
  }
  return true;
}

/**
 * The splices that turn `before` into `after`: per file, the run between the common prefix
 * and suffix, the suffix's tasks the same but for all moving by the same number of lines.
 */
export function diffTasks(before: TasksByUri, after: TasksByUri): TaskSplice[] {
  const out: TaskSplice[] = [];
  for (const [uri, old] of before) if (!after.has(uri)) out.push({ uri, start: 0, deleteCount: old.length, tasks: [] });
  for (const [uri, now] of after) {
    const old = before.get(uri) ?? [];
    let p = 0;
    while (p < old.length && p < now.length && sameTask(old[p]!, now[p]!)) p++;
    const shift = p < old.length && p < now.length ? now[now.length - 1]!.line - old[old.length - 1]!.line : 0;
    let s = 0;
    while (s < old.length - p && s < now.length - p && sameTask(old[old.length - 1 - s]!, now[now.length - 1 - s]!, shift)) s++;
    if (p === old.length && p === now.length) continue;
    out.push({ uri, start: p, deleteCount: old.length - p - s, tasks: now.slice(p, now.length - s), ...(shift && s > 0 ? { shift } : {}) });
  }
  return out;
}

/** Applies splices to a list by file (in place); returns the files they touched. */
export function applySplices(lists: TasksByUri, splices: readonly TaskSplice[]): Set<string> {
  const touched = new Set<string>();
  for (const { uri, start, deleteCount, tasks, shift } of splices) {
    const old = lists.get(uri) ?? [];
    const after = old.slice(start + deleteCount);
    const list = old.slice(0, start).concat(tasks, shift ? after.map((t) => ({ ...t, line: t.line + shift })) : after); // no spread: a file may hold 100k tasks
    if (list.length) lists.set(uri, list);
    else lists.delete(uri);
    touched.add(uri);
  }
  return touched;
}
