// Every directory some task of the project may write: the read-write grants of
// capsule.toml's defaults and of every @task in the project's files. A .py file
// under one of them may have been written by a task (in this run or an earlier
// one), so it is never a sub-task's code (spawn-admission.ts).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FileGrant } from '../config/schema';
import { loadProjectConfig } from '../config/toml';
import { initParser } from '../discovery/parser';
import { discoverInTree } from '../discovery/tasks';
import { ALWAYS_SKIPPED } from '../discovery/project-files';

/** Bounds on the walk: a huge tree costs at most this, once per run that spawns. */
const MAX_FILES = 20_000;
const MAX_FILE_BYTES = 2 * 1024 * 1024;

function* pythonFiles(root: string): Generator<string> {
  const stack = [root];
  let seen = 0;
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (ALWAYS_SKIPPED.has(e.name)) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && e.name.endsWith('.py')) {
        if (++seen > MAX_FILES) return;
        yield p;
      }
    }
  }
}

function writableDir(projectRoot: string, grant: FileGrant): string | null {
  if (grant.mode !== 'read-write') return null;
  try {
    return realpathSync(resolve(projectRoot, grant.path));
  } catch {
    return null; // a grant that names nothing cannot be written through
  }
}

export async function declaredWritableDirs(projectRoot: string): Promise<string[]> {
  const project = loadProjectConfig(projectRoot);
  const dirs = new Set<string>();
  for (const g of project.taskDefaults.allowedFiles ?? []) {
    const d = writableDir(projectRoot, g);
    if (d) dirs.add(d);
  }
  const parser = await initParser();
  for (const file of pythonFiles(projectRoot)) {
    let source: string;
    try {
      if (statSync(file).size > MAX_FILE_BYTES) continue;
      source = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (!source.includes('allowed_files')) continue;
    const tree = parser.parse(source);
    if (!tree) continue;
    try {
      for (const t of discoverInTree(tree, source, { projectRoot })) {
        for (const g of t.config?.allowedFiles ?? []) {
          const d = writableDir(projectRoot, g);
          if (d) dirs.add(d);
        }
      }
    } finally {
      tree.delete();
    }
  }
  return [...dirs];
}
