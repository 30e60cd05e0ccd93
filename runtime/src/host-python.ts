// The host's python3, named once per process. `python3` on PATH may be a version
// manager's shim: pyenv's is a bash script that runs three more before Python starts
// (~0.4 s a call on these machines, against ~30 ms for the interpreter itself). So a
// process asks it once where its interpreter is, and then runs that directly.
// It is asked only what the sandbox's own CPython would answer the same way: a script
// starts with SANDBOX_PYTHON_ONLY. PythonLines keeps one such python3 answering.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
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
 * One long-lived host python3 running `script`, which reads requests on stdin and
 * answers each with one line, in order. Starting a python3 per request cost ~30 ms of
 * CPU each, and once a sandbox has run in the process, 50-90 ms of this thread in
 * fork(). While answers are awaited it keeps the process alive and has `timeoutMs` to
 * give each (then it is stopped, and the next request starts another); idle, it lets
 * the process exit.
 */
export class PythonLines {
  /** Why python3 cannot answer (not found, not the sandbox's CPython), once known. */
  unavailable: string | null = null;
  private child: ChildProcess | null = null;
  private readonly waiting: Array<(line: string | undefined) => void> = [];
  private received = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly name: string, private readonly script: string, private readonly timeoutMs: number) {}

  /** Writes the request; resolves with python3's answer, or undefined when it cannot give one. */
  async ask(...request: Array<string | Uint8Array>): Promise<string | undefined> {
    if (this.unavailable) return undefined;
    const python = await hostPython(this.name);
    if (this.unavailable) return undefined;
    const child = this.child ?? this.start(python);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.keepAlive(true);
      for (const part of request) child.stdin!.write(part);
    });
  }

  /** Starts python3 ahead of a request; idle, it does not keep the process alive. */
  warm(): void {
    if (this.unavailable || this.child) return;
    void hostPython(this.name).then((python) => {
      if (this.unavailable || this.child) return;
      this.start(python);
      this.keepAlive(this.waiting.length > 0);
    });
  }

  /** Stops python3 (requests in flight get undefined). */
  dispose(): void {
    this.stop(this.child);
  }

  private start(python: string): ChildProcess {
    // Its own process group: a Ctrl-C meant for the CLI does not cut a compile short (the
    // bytecode cache's batch at a CLI's exit); it still ends when this process closes its stdin.
    const child = spawn(python, ['-I', '-c', this.script], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.child = child;
    this.received = '';
    child.stdin!.on('error', () => undefined); // python3 gone: reported by 'exit' or 'error'
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') this.unavailable ??= `${this.name} not found`;
      this.stop(child);
    });
    child.on('exit', (code) => {
      if (code === 3) this.unavailable ??= `${this.name} is not CPython 3.11`; // SANDBOX_PYTHON_ONLY
      this.stop(child);
    });
    return child;
  }

  private receive(chunk: string): void {
    this.received += chunk;
    for (let nl = this.received.indexOf('\n'); nl >= 0; nl = this.received.indexOf('\n')) {
      const line = this.received.slice(0, nl);
      this.received = this.received.slice(nl + 1);
      this.waiting.shift()?.(line);
    }
    this.keepAlive(this.waiting.length > 0);
  }

  private keepAlive(on: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const h of [child, child.stdin as Socket | null, child.stdout as Socket | null]) (on ? h?.ref() : h?.unref());
    if (this.timer) clearTimeout(this.timer);
    this.timer = on ? setTimeout(() => this.stop(child), this.timeoutMs) : null;
  }

  private stop(child: ChildProcess | null): void {
    if (!child || child !== this.child) return;
    this.child = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    child.kill();
    for (const resolve of this.waiting.splice(0)) resolve(undefined);
  }
}
