// The per-user secret that makes what the host caches in a project's
// .capsule/ (bytecode, import snapshots) unforgeable. A cloned repository can
// ship any .capsule/ it likes; every entry the sandbox loads from there is
// named or sealed with an HMAC under this key, which lives outside every
// project (~/.cache/capsule/host.key, mode 0600), so a crafted entry is never
// found or never verifies: it cannot change what a task runs.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

let cached: { file: string; key: Buffer | null } | null = null;

/** CAPSULE_HOST_KEY_FILE overrides the place (tests); XDG_CACHE_HOME is honoured. */
export function hostKeyFile(): string {
  if (process.env.CAPSULE_HOST_KEY_FILE) return process.env.CAPSULE_HOST_KEY_FILE;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'capsule', 'host.key');
}

/** The key, made on first use; null when it cannot be read or made (then nothing is cached: correct, slower). */
export function hostKey(): Buffer | null {
  const file = hostKeyFile();
  if (cached?.file === file) return cached.key;
  let key: Buffer | null = null;
  try {
    key = readKey(file);
  } catch {
    try {
      fs.mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
      try {
        fs.linkSync(tmp, file); // first writer wins; a concurrent one reads the winner's
      } catch {
        /* made meanwhile */
      }
      fs.rmSync(tmp, { force: true });
      key = readKey(file);
    } catch {
      key = null;
    }
  }
  cached = { file, key };
  return key;
}

function readKey(file: string): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const st = fs.fstatSync(fd);
    // Another user's key, or one others can read, could be known to them.
    if (!st.isFile() || (typeof process.getuid === 'function' && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) throw new Error('untrusted key file');
    const key = Buffer.from(fs.readFileSync(fd, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new Error('bad key');
    return key;
  } finally {
    fs.closeSync(fd);
  }
}

export function hmacHex(key: Buffer, ...parts: Array<string | Uint8Array>): string {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
}

export function sameMac(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
