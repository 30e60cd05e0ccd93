// Python behaviour's oracle: native /usr/bin/python3 (Debian's 3.11.2, the sandbox's source; UTF-8 mode) running the same
// @task function of a fixture file, with the SDK on its path. Not a test file.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseExact } from '../../runtime/src/values/exact-json';

const SDK = join(__dirname, '..', '..', 'python-sdk');

const RUNNER = `
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from capsule import _registry
__import__(sys.argv[3])
fn = _registry.TASKS[sys.argv[4]].func
print(json.dumps(fn(*json.loads(sys.argv[5]))))
`;

/** The exactly parsed JSON result of `taskName(*args)` from `dir/file` under native python3 -X utf8. */
export function nativeResult(dir: string, file: string, taskName: string, args: unknown[] = [], env: Record<string, string> = {}): unknown {
  const out = execFileSync('/usr/bin/python3', ['-X', 'utf8', '-c', RUNNER, SDK, dir, file.replace(/\.py$/, ''), taskName, JSON.stringify(args)], {
    encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseExact(out.trim().split('\n').at(-1)!); // as the sandbox's results are read: 4.0 stays a float
}
