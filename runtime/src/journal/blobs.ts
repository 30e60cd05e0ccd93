// Large journal values live beside the trace, one file per content hash
// (.capsule/blobs/<sha256>): the trace keeps its rows small, and a value two
// runs share is stored once. Read back only under a name that is a sha256 and
// only if the content still hashes to it: a cloned repository's .capsule/ is
// hostile input.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NAME = /^[0-9a-f]{64}$/;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export class BlobStore {
  constructor(readonly dir: string) {}

  /** Stores `text` (once) and returns its hash. */
  put(text: string): string {
    const hash = sha256(text);
    const path = join(this.dir, hash);
    if (!existsSync(path)) {
      mkdirSync(this.dir, { recursive: true });
      const tmp = join(this.dir, `.${randomUUID()}.tmp`);
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    }
    return hash;
  }

  /** The text stored under `hash`, or null when it is missing, misnamed or altered. */
  get(hash: string): string | null {
    if (!NAME.test(hash)) return null;
    let text: string;
    try {
      text = readFileSync(join(this.dir, hash), 'utf8');
    } catch {
      return null;
    }
    return sha256(text) === hash ? text : null;
  }

  /**
   * Removes blobs no journal row names any more and that are older than `minAgeMs`
   * (another process may have stored one whose row it has not committed yet).
   */
  sweep(referenced: ReadonlySet<string>, minAgeMs = 0): number {
    let removed = 0;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const name of names) {
      if (!NAME.test(name) || referenced.has(name)) continue;
      const path = join(this.dir, name);
      // Without a grace period, no clock is read: a file's mtime has sub-millisecond
      // precision and Date.now() does not, so a blob written in this very millisecond
      // would look younger than 0 ms and be kept.
      try {
        if (minAgeMs > 0 && Date.now() - statSync(path).mtimeMs < minAgeMs) continue;
      } catch {
        continue;
      }
      rmSync(path, { force: true });
      removed++;
    }
    return removed;
  }
}
