// The host's python3, named once per process. `python3` on PATH may be a version
// manager's shim: pyenv's is a bash script that runs three more before Python starts
// (~0.4 s a call on these machines, against ~30 ms for the interpreter itself). So a
// process asks it once where its interpreter is, and then runs that directly.
import { execFile } from 'node:child_process';
import { isAbsolute } from 'node:path';

const resolved = new Map<string, Promise<string>>();

/**
 * The interpreter `name` runs (its sys.executable), or `name` itself when that cannot be
 * told (not found, not Python): the caller's own run of it then reports why.
 */
export function hostPython(name: string): Promise<string> {
  let exe = resolved.get(name);
  if (!exe) {
    exe = new Promise((resolve) => {
      execFile(name, ['-I', '-c', 'import sys; print(sys.executable)'], { timeout: 30_000 }, (err, stdout) => {
        const path = String(stdout ?? '').trim();
        resolve(!err && isAbsolute(path) ? path : name);
      });
    });
    resolved.set(name, exe);
  }
  return exe;
}
