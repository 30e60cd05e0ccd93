// runCode: a code string becomes the body of one task in a throwaway project, so
// it runs through the same engine, limits and grants as any task file. Like a
// notebook cell, the value of a last expression is the result. The limits are the
// caller's, written into the decorator and checked by the same schema as a file's.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CodeLimits {
  compute?: string;
  ram?: string;
  timeout?: string;
  maxRetries?: number;
  allowedHosts?: string[];
}

export const CELL_FILE = 'cell.py';

/** The decorator's arguments for the caller's limits (the same schema checks them as a file's). */
export function decoratorArgs(limits: CodeLimits, envNames: string[]): string[] {
  return [
    `compute=${JSON.stringify(limits.compute ?? 'MEDIUM')}`,
    ...(limits.ram !== undefined ? [`ram=${JSON.stringify(limits.ram)}`] : []),
    ...(limits.timeout !== undefined ? [`timeout=${JSON.stringify(limits.timeout)}`] : []),
    ...(limits.maxRetries !== undefined ? [`max_retries=${Number(limits.maxRetries)}`] : []),
    ...(limits.allowedHosts?.length ? [`allowed_hosts=${JSON.stringify(limits.allowedHosts)}`] : []),
    ...(envNames.length ? [`env_variables=${JSON.stringify(envNames)}`] : []),
  ];
}

/** Python source of the cell's task: `code` as a string literal, run with exec, its last expression evaluated. */
export function cellSource(code: string, limits: CodeLimits, envNames: string[]): string {
  const args = decoratorArgs(limits, envNames);
  // JSON string literals are Python string literals too (same escapes).
  return `import ast as _ast
import json as _json
from capsule import task

_CODE = ${JSON.stringify(code)}

@task(name="cell", ${args.join(', ')})
def cell():
    tree = _ast.parse(_CODE, "<code>", "exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], _ast.Expr) else None
    scope = {"__name__": "__main__", "__builtins__": __builtins__}
    exec(compile(tree, "<code>", "exec"), scope)
    if last is None:
        return None
    value = eval(compile(_ast.Expression(last.value), "<code>", "eval"), scope)
    try:
        _json.dumps(value, allow_nan=False)
        return value
    except (TypeError, ValueError):
        return {"repr": repr(value)}
`;
}

const PREFIX = 'capsule-code-';
let swept = false;

/**
 * A process killed during a call (`capsule serve` stopped by SIGKILL) cannot remove its
 * cell's folder: the next process to run code removes those whose process is gone. The
 * folder's name holds its process id.
 */
function sweepOnce(): void {
  if (swept) return;
  swept = true;
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(PREFIX) ? Number(/^(\d+)-/.exec(name.slice(PREFIX.length))?.[1]) : 0;
    if (!pid || pid === process.pid || alive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process: alive
  }
}

/** A throwaway project holding the cell (and a .env with the values given): removed by `done`. */
export function cellProject(code: string, limits: CodeLimits, env: Record<string, string>): { dir: string; done(): void } {
  const names = Object.keys(env);
  for (const n of names) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new TypeError(`runCode: env name ${JSON.stringify(n)} is not a valid variable name`);
  for (const [n, v] of Object.entries(env)) if (typeof v !== 'string' || /[\u0000-\u0008\u000a-\u001f]/.test(v)) throw new TypeError(`runCode: env value of ${n} must be a string without line breaks or control characters`);
  const source = cellSource(code, limits, names);
  // Checked and written out before the folder is made, so a refused call leaves nothing behind.
  sweepOnce();
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
  writeFileSync(join(dir, CELL_FILE), source);
  if (names.length) writeFileSync(join(dir, '.env'), names.map((n) => `${n}=${JSON.stringify(env[n])}\n`).join(''), { mode: 0o600 });
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}
