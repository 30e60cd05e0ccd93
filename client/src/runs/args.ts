// "Run with arguments": the JSON a user types, checked before anything runs.

export type ParsedArgs = { ok: true; args: unknown[]; kwargs: Record<string, unknown> } | { ok: false; message: string };

const HELP = 'Type a JSON array for positional arguments (e.g. [1, "a"]), a JSON object for keyword arguments (e.g. {"dataset": [1, 2]}), or {"args": [...], "kwargs": {...}} for both.';

/** Parses the input box text. An empty box means no arguments. */
export function parseArgsInput(text: string): ParsedArgs {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, args: [], kwargs: {} };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    return { ok: false, message: `Arguments are not valid JSON: ${(err as Error).message}. ${HELP}` };
  }
  if (Array.isArray(value)) return { ok: true, args: value, kwargs: {} };
  if (value === null || typeof value !== 'object') {
    return { ok: false, message: `Arguments must be a JSON array or object, got ${value === null ? 'null' : typeof value}. ${HELP}` };
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs')) {
    if (obj.args !== undefined && !Array.isArray(obj.args)) return { ok: false, message: `"args" must be a JSON array, got ${typeof obj.args}. ${HELP}` };
    if (obj.kwargs !== undefined && (obj.kwargs === null || typeof obj.kwargs !== 'object' || Array.isArray(obj.kwargs))) {
      return { ok: false, message: `"kwargs" must be a JSON object. ${HELP}` };
    }
    return { ok: true, args: (obj.args as unknown[]) ?? [], kwargs: (obj.kwargs as Record<string, unknown>) ?? {} };
  }
  const badKey = keys.find((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  if (badKey !== undefined) return { ok: false, message: `Keyword ${JSON.stringify(badKey)} is not a Python identifier. ${HELP}` };
  return { ok: true, args: [], kwargs: obj };
}
