// The snapshot holds the SDK (python-sdk/capsule/*.py) as it was at build
// time. The build records its fingerprint; when the SDK on disk differs
// (someone edited it since), the driver drops the snapshot's copy and tasks
// import the current files: correct, but slower until `npm run build:sandbox`.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

let cache: { key: string; hash: string } | null = null;

/** sha1 over the sorted `*.py` names and contents (the same scheme as runtime/build/assemble.mjs). */
export function sdkFingerprint(sdkDir: string): string {
  const dir = join(sdkDir, 'capsule');
  const names = readdirSync(dir).filter((n) => n.endsWith('.py')).sort();
  const key = names.map((n) => {
    const st = statSync(join(dir, n));
    return `${n}:${st.size}:${st.mtimeMs}`;
  }).join('|');
  if (cache?.key !== key) {
    const h = createHash('sha1');
    for (const n of names) h.update(`${n}\0`).update(readFileSync(join(dir, n)));
    cache = { key, hash: h.digest('hex') };
  }
  return cache.hash;
}
