// Task arguments from the command line: `-- ARGS...` and --args-file (read by
// values/task-args.ts, as the editor's "Run with arguments" box is). Values are
// read exactly (12345678901234567890 and 1.0 reach the task as written);
// malformed JSON is a usage error naming the argument.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { JsonValueError } from '../values/exact-json';
import { parseTaskArgs, readExactJson, TASK_ARGS_HELP, type TaskArgs } from '../values/task-args';
import { UsageFailure } from './usage';

/**
 * Text that reads as JSON (a list, an object, a quoted string, a number, true,
 * false or null) must be valid JSON; any other text is a plain string, so
 * `-- Alice` passes "Alice".
 */
function looksLikeJson(text: string): boolean {
  return /^\s*[[{"\d-]/.test(text) || /^\s*(true|false|null)\s*$/.test(text);
}

/** Exact JSON, or a usage error. */
function readJson(text: string, where: string): unknown {
  try {
    return readExactJson(text, where);
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
  let out: TaskArgs = { args: [], kwargs: {} };
  if (argsFile) {
    let text: string;
    try {
      text = readFileSync(resolve(cwd, argsFile), 'utf8');
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new UsageFailure(`--args-file ${argsFile}: ${why}; expected ${TASK_ARGS_HELP}`);
    }
    const parsed = parseTaskArgs(text, `--args-file ${argsFile}`);
    if (!parsed.ok) throw new UsageFailure(parsed.message);
    out = { args: parsed.args, kwargs: parsed.kwargs };
  }
  return { args: [...out.args, ...positional.map(parseArgument)], kwargs: out.kwargs };
}
