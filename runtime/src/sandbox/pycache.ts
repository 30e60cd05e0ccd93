// The host-side bytecode cache: `<project>/.capsule/pycache/<magic>/`,
// one unchecked-hash .pyc per (source bytes, guest path), written only by the
// host. In the sandbox, a read of `X/__pycache__/M.cpython-311.pyc` in a code
// mount (the project, site-packages, python_path) is answered from here when
// the entry for M.py's current bytes exists (wasi/filesystem.ts); otherwise
// the miss is noted, the task compiles from source as before, and after the
// task the pool compiles the misses with the host's python3 when its bytecode
// is the sandbox's (same magic number: CPython 3.11). Tasks cannot write here:
// no grant may cover .capsule/ (config/files.ts).
//
// One python3 compiles for the whole process (CompileProcess), so a run pays
// for the compile, not for starting python3 (and only one run pays for that).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { hmacHex, hostKey } from './snapshot/host-key';
import { pythonUnavailable, SANDBOX_PYC_MAGIC, SANDBOX_PYTHON_ONLY } from '../host-python';

export { SANDBOX_PYC_MAGIC };
export const PYC_TAG = 'cpython-311';

export function pycacheDir(projectRoot: string): string {
  return join(projectRoot, '.capsule', 'pycache', SANDBOX_PYC_MAGIC);
}

/**
 * The cache file's name for these source bytes at this guest path: an HMAC
 * under the host key (snapshot/host-key.ts; the same as COMPILE_SCRIPT's), so
 * a .capsule/pycache shipped in a repository is never found, whatever it holds.
 * Null without a host key (then nothing is cached).
 */
export function pycacheKey(source: Buffer, guestPath: string): string | null {
  const key = hostKey();
  return key ? hmacHex(key, source, guestPath) : null;
}

/** A .pyc beside its source that the guest's importlib would accept: the sandbox's magic, and the source's mtime and size (or hash-based). */
export function ownPycValid(pyc: string, source: fs.Stats): boolean {
  let fd: number;
  try {
    fd = fs.openSync(pyc, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return false;
    const h = Buffer.alloc(16);
    if (fs.readSync(fd, h, 0, 16, 0) < 16 || h.subarray(0, 4).toString('hex') !== SANDBOX_PYC_MAGIC) return false;
    const flags = h.readUInt32LE(4);
    if (flags & 1) return true; // hash-based: importlib checks it (or the packager chose not to)
    return h.readUInt32LE(8) === (Math.floor(source.mtimeMs / 1000) >>> 0) && h.readUInt32LE(12) === (source.size >>> 0);
  } finally {
    fs.closeSync(fd);
  }
}

export interface PycMiss { source: string; guest: string }

// One batch per line on stdin ({dir, items, key}), "done" back when it is compiled; the
// key is computed from the very bytes compiled.
const COMPILE_SCRIPT = `${SANDBOX_PYTHON_ONLY}import hmac, json, os
from importlib._bootstrap_external import _code_to_hash_pyc

def compile_batch(job):
    key = bytes.fromhex(job["key"])
    # <project>/.capsule/pycache/<magic>: a project deleted since (a test's) is not made again.
    if not os.path.isdir(os.path.dirname(os.path.dirname(os.path.dirname(job["dir"])))):
        return
    os.makedirs(job["dir"], exist_ok=True)
    # Entries are made in this directory, even if it is removed meanwhile (then they go with it).
    at = os.open(job["dir"], os.O_RDONLY | os.O_DIRECTORY)
    try:
        for item in job["items"]:
            compile_item(item, key, at)
    finally:
        os.close(at)

def compile_item(item, key, at):
    try:
        with open(item["source"], "rb") as f:
            data = f.read()
        name = hmac.new(key, data + b"\\0" + item["guest"].encode() + b"\\0", "sha256").hexdigest()
        out = name + ".pyc"
        try:
            os.stat(out, dir_fd=at)
            return  # compiled already
        except FileNotFoundError:
            pass
        code = compile(data, item["guest"], "exec", dont_inherit=True, optimize=0)
        tmp = out + ".%d.tmp" % os.getpid()
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644, dir_fd=at), "wb") as f:
            f.write(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))
        os.replace(tmp, out, src_dir_fd=at, dst_dir_fd=at)
    except (OSError, SyntaxError, ValueError):
        pass

answering = True
for line in iter(sys.stdin.buffer.readline, b""):
    try:
        compile_batch(json.loads(line))
    except (OSError, ValueError):
        pass
    if answering:
        try:
            sys.stdout.write("done\\n")
            sys.stdout.flush()
        except OSError:
            answering = False
`;

/** How long one batch may take before python3 is stopped (and started again for the next). */
const BATCH_TIMEOUT_MS = 120_000;

/**
 * The process's one compiling python3, shared by its pools and started on the first
 * batch. Starting a child costs the whole process's memory in fork() (50-90 ms once a
 * sandbox has run, against ~10 ms before), so it is started once, not once per run.
 * Idle, it never keeps the process alive.
 */
class CompileProcess {
  /** Why python3 cannot compile (absent, another version), once known. */
  unavailable: string | null = null;
  private child: ChildProcess | null = null;
  private readonly waiting: Array<() => void> = [];
  private received = '';
  private timer: NodeJS.Timeout | null = null;
  private holds = 0;

  constructor(private readonly python: string) {}

  /** Resolves `written` once python3 has the batch, `done` once it is compiled (or cannot be). */
  send(batch: { dir: string; items: PycMiss[]; key: string }): { written: Promise<void>; done: Promise<void> } {
    if (this.unavailable) return { written: Promise.resolve(), done: Promise.resolve() };
    const child = this.child ?? this.start();
    const done = new Promise<void>((resolve) => this.waiting.push(resolve));
    const written = new Promise<void>((resolve) => {
      child.stdin!.write(`${JSON.stringify(batch)}\n`, () => resolve());
      void done.then(() => resolve()); // python3 gone before it read it
    });
    this.armTimer();
    return { written, done };
  }

  /** While a caller waits for `done`, python3 keeps the process alive. */
  hold<T>(wait: Promise<T>): Promise<T> {
    if (this.holds++ === 0) this.setRef(true);
    return wait.finally(() => {
      if (--this.holds === 0) this.setRef(false);
    });
  }

  private start(): ChildProcess {
    // Its own process group: a Ctrl-C meant for the CLI does not cut a compile short.
    const child = spawn(this.python, ['-I', '-c', COMPILE_SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    this.child = child;
    this.received = '';
    child.stdin!.on('error', () => undefined); // python3 gone: 'exit' or 'error' says why
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.receive(chunk));
    child.on('error', (e) => this.ended(child, pythonUnavailable(this.python, e as NodeJS.ErrnoException)));
    child.on('exit', (code) => this.ended(child, pythonUnavailable(this.python, null, code)));
    this.setRef(this.holds > 0);
    return child;
  }

  private receive(chunk: string): void {
    this.received += chunk;
    for (let nl = this.received.indexOf('\n'); nl >= 0; nl = this.received.indexOf('\n')) {
      this.received = this.received.slice(nl + 1);
      this.waiting.shift()?.();
    }
    this.armTimer();
  }

  private ended(child: ChildProcess, why: string | null): void {
    if (this.child !== child) return;
    this.unavailable ??= why;
    this.child = null;
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.waiting.splice(0)) w();
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    this.timer = this.waiting.length > 0 && child ? setTimeout(() => child.kill(), BATCH_TIMEOUT_MS).unref() : null;
  }

  private setRef(on: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const h of [child, child.stdin as Socket | null, child.stdout as Socket | null]) (on ? h?.ref() : h?.unref());
  }
}

const processes = new Map<string, CompileProcess>();

/** Compiles noted misses with the host's python3, one batch at a time, off the tasks' path. */
export class PycacheCompiler {
  private readonly pending = new Map<string, { dir: string; items: Map<string, PycMiss> }>();
  private running: Promise<void> | null = null;
  private readonly compiling = new Set<Promise<void>>();
  private readonly process: CompileProcess;
  private noKey = false;

  constructor(python = process.env.CAPSULE_PYTHON || 'python3') {
    let p = processes.get(python);
    if (!p) processes.set(python, (p = new CompileProcess(python)));
    this.process = p;
  }

  /** Why compiling is off (no python3, another version, no host key), once known. */
  get unavailable(): string | null {
    return this.noKey ? 'no host key' : this.process.unavailable;
  }

  add(dir: string, misses: PycMiss[]): void {
    if (this.unavailable || misses.length === 0) return;
    let batch = this.pending.get(dir);
    if (!batch) this.pending.set(dir, (batch = { dir, items: new Map() }));
    for (const m of misses.slice(0, 5000)) batch.items.set(`${m.source}\0${m.guest}`, m);
    this.running ??= this.drainLoop().finally(() => (this.running = null));
  }

  /** Waits for what was noted so far (the CLI calls this before it exits, through the pool's dispose). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
    await this.process.hold(Promise.all(this.compiling));
  }

  private async drainLoop(): Promise<void> {
    for (;;) {
      const next = this.pending.values().next();
      if (next.done) return;
      this.pending.delete(next.value.dir);
      const key = hostKey();
      if (!key) {
        this.noKey = true;
        return;
      }
      const { written, done } = this.process.send({ dir: next.value.dir, items: [...next.value.items.values()], key: key.toString('hex') });
      this.compiling.add(done);
      void done.then(() => this.compiling.delete(done));
      await written;
    }
  }
}
