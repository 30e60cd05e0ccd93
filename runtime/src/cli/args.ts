// Task arguments from the command line: `-- ARGS...` and --args-file (a list, an
// object, or both). Values are read exactly (12345678901234567890 and 1.0 reach
// the task as written); malformed JSON is a usage error naming the argument.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExactNumber, JsonValueError, parseExact, scanJson } from '../values/exact-json';
import { UsageFailure } from './usage';

export interface TaskArgs {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/**
 * Text that reads as JSON (a list, an object, a quoted string, a number, true,
 * false or null) must be valid JSON; any other text is a plain string, so
 * `-- Alice` passes "Alice".
 */
function looksLikeJson(text: string): boolean {
  return /^\s*[[{"\d-]/.test(text) || /^\s*(true|false|null)\s*$/.test(text);
}

/** Exact JSON, or a usage error; a float Python would read as inf (1e400) is refused. */
function readJson(text: string, where: string): unknown {
  try {
    const { overflow } = scanJson(text, where);
    if (overflow) throw new JsonValueError(`${where}: ${overflow} is too large for a float (Python would read it as inf, which JSON cannot carry)`);
    return parseExact(text, where);
  } catch (e) {
    if (e instanceof JsonValueError) throw new UsageFailure(e.message);
    throw e;
  }
}

export function parseArgument(text: string, index: number): unknown {
  if (!looksLikeJson(text)) return text;
  try {
    return readJson(text, `task argument ${index + 1} (${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)})`);
  } catch (e) {
    throw new UsageFailure(`${(e as Error).message}; to pass it as a string, quote it as JSON: '${JSON.stringify(text)}'`);
  }
}

export function loadTaskArgs(positional: string[], argsFile: string | undefined, cwd: string): TaskArgs {
  const out: TaskArgs = { args: [], kwargs: {} };
  if (argsFile) {
    const path = resolve(cwd, argsFile);
    const expected = 'expected a JSON list of arguments, an object of keyword arguments, or {"args": [...], "kwargs": {...}}';
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new UsageFailure(`--args-file ${argsFile}: ${why}; ${expected}`);
    }
    let data: unknown;
    try {
      data = readJson(text, `--args-file ${argsFile}`);
    } catch (e) {
      throw new UsageFailure(`${(e as Error).message}; ${expected}`);
    }
    if (Array.isArray(data)) out.args = data;
    else if (data && typeof data === 'object' && !(data instanceof ExactNumber)) {
      const o = data as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs')) {
        if (o.args !== undefined && !Array.isArray(o.args)) throw new UsageFailure(`--args-file ${argsFile}: "args" must be a JSON list`);
        if (o.kwargs !== undefined && (typeof o.kwargs !== 'object' || o.kwargs === null || Array.isArray(o.kwargs) || o.kwargs instanceof ExactNumber)) {
          throw new UsageFailure(`--args-file ${argsFile}: "kwargs" must be a JSON object`);
        }
        out.args = (o.args as unknown[]) ?? [];
        out.kwargs = (o.kwargs as Record<string, unknown>) ?? {};
      } else out.kwargs = o;
    } else throw new UsageFailure(`--args-file ${argsFile}: expected a JSON list or object, got ${text.trim().slice(0, 80)}`);
  }
  out.args = [...out.args, ...positional.map(parseArgument)];
  return out;
}
