// The host-side bytecode cache: `<project>/.capsule/pycache/<magic>/`,
// one unchecked-hash .pyc per (source bytes, guest path), written only by the
// host. In the sandbox, a read of `X/__pycache__/M.cpython-311.pyc` in a code
// mount (the project, site-packages, python_path) is answered from here when
// the entry for M.py's current bytes exists (wasi/filesystem.ts); otherwise
// the miss is noted, the task compiles from source as before, and after the
// task the pool compiles the misses with the host's python3 when its bytecode
// is the sandbox's (same magic number: CPython 3.11). Tasks cannot write here:
// no grant may cover .capsule/ (config/files.ts).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { hmacHex, hostKey } from './snapshot/host-key';
import { hostPython, pythonUnavailable, SANDBOX_PYC_MAGIC, SANDBOX_PYTHON_ONLY } from '../host-python';

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

// Reads the list on stdin; the key is computed from the very bytes compiled.
const COMPILE_SCRIPT = `${SANDBOX_PYTHON_ONLY}import hmac, json, os
from importlib._bootstrap_external import _code_to_hash_pyc
job = json.load(sys.stdin)
key = bytes.fromhex(job["key"])
os.makedirs(job["dir"], exist_ok=True)
for item in job["items"]:
    try:
        with open(item["source"], "rb") as f:
            data = f.read()
        name = hmac.new(key, data + b"\\0" + item["guest"].encode() + b"\\0", "sha256").hexdigest()
        out = os.path.join(job["dir"], name + ".pyc")
        if os.path.exists(out):
            continue
        code = compile(data, item["guest"], "exec", dont_inherit=True, optimize=0)
        tmp = out + ".%d.tmp" % os.getpid()
        with open(tmp, "wb") as f:
            f.write(_code_to_hash_pyc(code, importlib.util.source_hash(data), checked=False))
        os.replace(tmp, out)
    except (OSError, SyntaxError, ValueError):
        pass
`;

/** Compiles noted misses with the host's python3, one batch at a time, off the tasks' path. */
export class PycacheCompiler {
  private readonly pending = new Map<string, { dir: string; items: Map<string, PycMiss> }>();
  private running: Promise<void> | null = null;
  /** Why compiling is off (no python3, another version), once known. */
  unavailable: string | null = null;

  constructor(private readonly python = process.env.CAPSULE_PYTHON || 'python3') {}

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
  }

  private async drainLoop(): Promise<void> {
    for (;;) {
      const next = this.pending.values().next();
      if (next.done) return;
      this.pending.delete(next.value.dir);
      await this.compile(next.value.dir, [...next.value.items.values()]);
    }
  }

  private async compile(dir: string, items: PycMiss[]): Promise<void> {
    const python = await hostPython(this.python);
    return new Promise((resolve) => {
      const child = execFile(python, ['-I', '-c', COMPILE_SCRIPT], { timeout: 120_000 }, (err) => {
        this.unavailable ??= pythonUnavailable(this.python, err as { code?: unknown } | null);
        resolve();
      });
      const key = hostKey();
      if (!key) {
        this.unavailable = 'no host key';
        child.kill();
        resolve();
        return;
      }
      child.stdin?.end(JSON.stringify({ dir, items, key: key.toString('hex') }));
    });
  }
}
