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
// One python3 compiles for the whole process (PythonLines), so a run pays for
// the compile, not for starting python3 (and only one run pays for that).
import * as fs from 'node:fs';
import { join } from 'node:path';
import { hmacHex, hostKey } from './snapshot/host-key';
import { PythonLines, SANDBOX_PYC_MAGIC, SANDBOX_PYTHON_ONLY } from '../host-python';

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

/** The process's compiling python3s (one per interpreter name), shared by its pools. */
const compilers = new Map<string, PythonLines>();

/** Compiles noted misses with the host's python3, off the tasks' path. */
export class PycacheCompiler {
  private readonly python: PythonLines;
  private readonly compiling = new Set<Promise<unknown>>();
  private noKey = false;

  constructor(python = process.env.CAPSULE_PYTHON || 'python3') {
    let lines = compilers.get(python);
    if (!lines) compilers.set(python, (lines = new PythonLines(python, COMPILE_SCRIPT, BATCH_TIMEOUT_MS)));
    this.python = lines;
  }

  /** Why compiling is off (no python3, another version, no host key), once known. */
  get unavailable(): string | null {
    return this.noKey ? 'no host key' : this.python.unavailable;
  }

  /**
   * Starts python3 while the task that missed still runs: once a sandbox has run,
   * starting it costs this thread a fork of the grown process, and the task's end
   * (a CLI's exit) would wait for that and for python3's own start-up.
   */
  warm(): void {
    if (!this.unavailable && hostKey()) this.python.warm();
  }

  add(dir: string, misses: PycMiss[]): void {
    if (this.unavailable || misses.length === 0) return;
    const key = hostKey();
    if (!key) {
      this.noKey = true;
      return;
    }
    const batch = { dir, items: misses.slice(0, 5000), key: key.toString('hex') };
    const done = this.python.ask(`${JSON.stringify(batch)}\n`);
    this.compiling.add(done);
    void done.then(() => this.compiling.delete(done));
  }

  /** Waits for what was noted so far (the CLI calls this before it exits, through the pool's dispose). */
  async idle(): Promise<void> {
    while (this.compiling.size > 0) await Promise.all(this.compiling);
  }
}
