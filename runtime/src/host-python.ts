// The host's python3, named once per process. `python3` on PATH may be a version
// manager's shim: pyenv's is a bash script that runs three more before Python starts
// (~0.4 s a call on these machines, against ~30 ms for the interpreter itself). So a
// process asks it once where its interpreter is, and then runs that directly.
// It is asked only what the sandbox's own CPython would answer the same way: a script
// starts with SANDBOX_PYTHON_ONLY, and pythonUnavailable() words why it could not run.
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

/** importlib.util.MAGIC_NUMBER of the sandbox's CPython 3.11 (test/runtime/sandbox-packages.test.ts checks it). */
export const SANDBOX_PYC_MAGIC = 'a70d0d0a';

/** A script's first lines: exit with 3 unless this interpreter's bytecode is the sandbox's (CPython 3.11). */
export const SANDBOX_PYTHON_ONLY = `import importlib.util, sys
if importlib.util.MAGIC_NUMBER.hex() != "${SANDBOX_PYC_MAGIC}":
    sys.exit(3)
`;

/**
 * Why the host's python3 cannot answer, from how a run of it ended: not found (a spawn
 * error ENOENT), or not the sandbox's CPython (SANDBOX_PYTHON_ONLY's exit 3). Null otherwise.
 */
export function pythonUnavailable(name: string, error: { code?: unknown } | null | undefined, exitCode?: number | null): string | null {
  if (error?.code === 'ENOENT') return `${name} not found`;
  if (error?.code === 3 || exitCode === 3) return `${name} is not CPython 3.11`;
  return null;
}
