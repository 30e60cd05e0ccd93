// A closed document of thousands of tasks leaves its trees' wrappers, tasks, spans and
// diagnostics (~150 MB for 10,000 tasks) to V8's next mark-compact, whenever that comes:
// measured, a 122 ms pause while typing in the next file. A full collection right after
// closing such a document takes that pause when nobody is typing.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Closing a document of at least this many characters (text.length) collects. */
export const COLLECT_FROM_CHARS = 256 * 1024;

let gc: (() => void) | undefined;

/** A full collection on the next turn (V8's gc, exposed to a fresh context: node was not started with --expose-gc). */
export function collectAfterClose(): void {
  if (!gc) {
    setFlagsFromString('--expose-gc');
    const exposed: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
    if (typeof exposed !== 'function') return; // kept only once it is one
    gc = exposed as () => void;
  }
  setImmediate(gc);
}
