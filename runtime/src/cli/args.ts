// Task arguments from the command line: `-- ARGS...` (each a JSON value, or a plain
// string when it is not JSON) and --args-file (a list, an object, or both).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageFailure } from './usage';

export interface TaskArgs {
  args: unknown[];
  kwargs: Record<string, unknown>;
}

export function parseLooseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function loadTaskArgs(positional: string[], argsFile: string | undefined, cwd: string): TaskArgs {
  const out: TaskArgs = { args: [], kwargs: {} };
  if (argsFile) {
    const path = resolve(cwd, argsFile);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new UsageFailure(`--args-file ${argsFile}: ${why}; expected a JSON list of arguments, an object of keyword arguments, or {"args": [...], "kwargs": {...}}`);
    }
    if (Array.isArray(data)) out.args = data;
    else if (data && typeof data === 'object') {
      const o = data as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length > 0 && keys.every((k) => k === 'args' || k === 'kwargs')) {
        if (o.args !== undefined && !Array.isArray(o.args)) throw new UsageFailure(`--args-file ${argsFile}: "args" must be a JSON list`);
        if (o.kwargs !== undefined && (typeof o.kwargs !== 'object' || o.kwargs === null || Array.isArray(o.kwargs))) {
          throw new UsageFailure(`--args-file ${argsFile}: "kwargs" must be a JSON object`);
        }
        out.args = (o.args as unknown[]) ?? [];
        out.kwargs = (o.kwargs as Record<string, unknown>) ?? {};
      } else out.kwargs = o;
    } else throw new UsageFailure(`--args-file ${argsFile}: expected a JSON list or object, got ${JSON.stringify(data)}`);
  }
  out.args = [...out.args, ...positional.map(parseLooseJson)];
  return out;
}
