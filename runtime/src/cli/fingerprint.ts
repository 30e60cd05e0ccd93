// A fingerprint of a project's sources: every .py file (and capsule.toml) under the
// root, by path and content hash. The folders every walk of a project skips are
// skipped (discovery/project-files.ts); .gitignore is not honoured: an ignored .py
// file can still be imported, and a build must not miss a change to it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ALWAYS_SKIPPED } from '../discovery/project-files';
import { walkFiles } from './walk-files';

const MAX_FILES = 5_000;

export interface SourceFile {
  path: string;
  sha256: string;
}

export interface Fingerprint {
  id: string;
  files: SourceFile[];
}

export function listSources(root: string): string[] {
  const out: string[] = [];
  walkFiles(root, (name) => ALWAYS_SKIPPED.has(name), (p) => {
    const rel = relative(root, p).split(sep).join('/');
    if (!rel.endsWith('.py') && rel !== 'capsule.toml') return;
    out.push(rel);
    if (out.length > MAX_FILES) throw new Error(`more than ${MAX_FILES} source files under ${root}; is this the right project root?`);
  });
  return out;
}

export function fingerprint(root: string, salt: string): Fingerprint {
  const files = listSources(root).map((path) => ({ path, sha256: createHash('sha256').update(readFileSync(join(root, path))).digest('hex') }));
  const h = createHash('sha256').update(salt);
  for (const f of files) h.update(`${f.path}\0${f.sha256}\n`);
  return { id: h.digest('hex').slice(0, 16), files };
}

/** Which files differ between two builds, for "rebuilt because ..." messages. */
export function diffSources(before: SourceFile[], after: SourceFile[]): { added: string[]; removed: string[]; changed: string[] } {
  const old = new Map(before.map((f) => [f.path, f.sha256]));
  const now = new Map(after.map((f) => [f.path, f.sha256]));
  return {
    added: after.filter((f) => !old.has(f.path)).map((f) => f.path),
    removed: before.filter((f) => !now.has(f.path)).map((f) => f.path),
    changed: after.filter((f) => old.has(f.path) && old.get(f.path) !== f.sha256).map((f) => f.path),
  };
}
