// Which project a file belongs to, decided here for the editor (lenses, the Tasks view,
// the language server) and the CLI alike, so a lens and the terminal run the same
// project: the nearest folder at or above the file that holds a capsule.toml; without
// one, the innermost container that holds the file (a workspace folder, or the CLI's
// current directory), else the file's own folder.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** The file that marks a project's root (and holds its defaults: toml.ts). */
export const CAPSULE_TOML = 'capsule.toml';

/** The nearest folder at or above `startDir` with a capsule.toml, or null. */
export function findProjectRoot(startDir: string): string | null {
  for (let dir = resolve(startDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, CAPSULE_TOML))) return dir;
    if (dirname(dir) === dir) return null;
  }
}

export function projectRootFor(absFile: string, containers: readonly string[]): string {
  const found = findProjectRoot(dirname(absFile));
  if (found) return found;
  const inner = containers.filter((c) => isInside(c, absFile)).sort((a, b) => b.length - a.length)[0];
  return inner ?? dirname(absFile);
}

/** `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
