// A closed document of thousands of tasks leaves its trees' wrappers, tasks, spans and
// diagnostics (~150 MB for 10,000 tasks) to V8's next mark-compact, whenever that comes:
// measured, a 122 ms pause while typing in the next file. A full collection right after
// closing such a document takes that pause when nobody is typing.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Documents at least this long are collected after on close. */
export const COLLECT_FROM_BYTES = 256 * 1024;

let gc: (() => void) | undefined;

/** A full collection on the next turn (V8's gc, exposed to a fresh context: node was not started with --expose-gc). */
export function collectAfterClose(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as (() => void) | undefined;
    if (typeof gc !== 'function') return;
  }
  setImmediate(gc);
}
