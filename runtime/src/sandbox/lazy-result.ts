// An outcome's `result` is parsed from its exact JSON text on first read only:
// the CLI prints the text and a sub-task's result goes back to its caller as
// text, so most results are never parsed on the host at all.
import { parseExact } from '../values/exact-json';

export function withLazyResult<T extends { resultJson?: string | null }>(o: T): T & { readonly result?: unknown } {
  const text = o.resultJson;
  if (typeof text !== 'string') return o;
  let parsed: { value: unknown } | null = null;
  return Object.defineProperty(o, 'result', {
    enumerable: true,
    configurable: true,
    get: () => (parsed ??= { value: parseExact(text, "the task's return value") }).value,
  });
}
