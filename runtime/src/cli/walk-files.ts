// A walk of a folder's files for `capsule build` (the project's sources, the
// package mounts): name order, so fingerprints are stable.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Calls `visit` with every regular file under `dir`, in name order, descending into
 * folders (links to them too); `skip(name)` leaves a folder or file out. A dangling
 * link is passed over.
 */
export function walkFiles(dir: string, skip: (name: string) => boolean, visit: (path: string) => void): void {
  for (const name of readdirSync(dir).sort()) {
    if (skip(name)) continue;
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // a dangling link
    }
    if (st.isDirectory()) walkFiles(p, skip, visit);
    else if (st.isFile()) visit(p);
  }
}
