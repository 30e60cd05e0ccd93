// `capsule build`: the work that can be done before running, cached in
// .capsule/build/<fingerprint>/ and keyed by a fingerprint of the sources and
// the packages they import from (the virtualenv, python_path): every task of
// the entry file is discovered and its config checked, the entry file's
// import snapshot and the bytecode of what it imports are made (sealed under
// the host key: sandbox/snapshot/), and the manifest records the files
// exactly, so `capsule exec` runs what was checked, from the snapshot.
// Unchanged files are not rebuilt; otherwise it says which files changed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../engine/errors';
import { loadTaskFile, syntaxProblem } from '../engine/task-resolver';
import type * as z from 'zod/mini';
import { createHash } from 'node:crypto';
import { SandboxPool } from '../sandbox/pool';
import type { PythonPath } from '../sandbox/python-path';
import { diffSources, fingerprint, type SourceFile } from './fingerprint';
import { packageFiles, projectPython } from './package-files';
import type { Streams } from './reporter';
import type { Style } from './style';
import { BuildManifestSchema, LatestBuildsSchema, parseManifest } from './manifests';
import { UsageFailure } from './usage';

export const MANIFEST = 'manifest.json';

/** A build's manifest.json (its schema: manifests.ts). */
export type Manifest = z.output<typeof BuildManifestSchema>;

/** The fingerprint of a build: the sources and every package file, by content. */
export function buildFingerprint(projectRoot: string, salt: string, python: PythonPath = projectPython(projectRoot)): { id: string; files: SourceFile[] } {
  const sources = fingerprint(projectRoot, salt);
  const packages = packageFiles(python).map(({ path, sha256 }) => ({ path, sha256 }));
  const h = createHash('sha256').update(sources.id);
  for (const f of packages) h.update(`${f.path}\0${f.sha256}\n`);
  return { id: h.digest('hex').slice(0, 16), files: [...sources.files, ...packages] };
}

/** Makes the entry file's import snapshot (and the bytecode it imports) unless current; says what there is. */
async function warmStart(projectRoot: string, entry: string, python: PythonPath): Promise<string> {
  const pool = new SandboxPool({ spares: 0 });
  try {
    if (!pool.snapshots) return 'no import snapshot (CAPSULE_IMPORT_SNAPSHOTS=0)';
    return await pool.snapshots.ensure({
      projectRoot, file: entry, taskName: 'main', args: [], kwargs: {}, fuel: 1, memoryLimitBytes: 256 * 1024 * 1024, env: {},
      mounts: python.mounts, pythonPath: python.sysPath, projectFiles: python.projectFiles,
    });
  } finally {
    await pool.dispose(); // the bytecode the snapshot run noted is compiled before this returns
  }
}

export interface BuildResult {
  dir: string;
  manifest: Manifest;
  rebuilt: boolean;
}

export async function build(projectRoot: string, entryAbs: string, version: string): Promise<BuildResult> {
  const python = projectPython(projectRoot);
  const fp = buildFingerprint(projectRoot, `capsule ${version}`, python);
  const buildRoot = join(projectRoot, '.capsule', 'build');
  const entry = relative(projectRoot, entryAbs).split(sep).join('/');
  const dir = join(buildRoot, `${fp.id}-${entry.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  const manifestPath = join(dir, MANIFEST);
  if (existsSync(manifestPath)) {
    const manifest = readManifest(manifestPath);
    await warmStart(projectRoot, entry, python); // a no-op while the snapshot is current
    return { dir, manifest, rebuilt: false };
  }

  const file = await loadTaskFile(projectRoot, entryAbs);
  const { tasks, problems } = file;
  if (problems.length) throw new ConfigError(problems);
  const syntax = await syntaxProblem(entryAbs, file, true);
  if (syntax) throw new ConfigError([syntax]);
  if (tasks.length === 0) throw new UsageFailure(`${entry}: no @task function to build; decorate one with @task from capsule`);
  const manifest: Manifest = {
    format: 1,
    fingerprint: fp.id,
    projectRoot,
    entry,
    builtAt: new Date().toISOString(),
    capsuleVersion: version,
    files: fp.files,
    tasks: tasks.map((t) => ({ name: t.name, functionName: t.functionName, isAsync: t.isAsync, config: t.config! })),
    snapshot: await warmStart(projectRoot, entry, python),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  const latestPath = join(buildRoot, 'latest.json');
  // The first build here, or a latest.json that is not ours any more: start a new one.
  const latest = readLatest(latestPath) ?? {};
  writeFileSync(latestPath, `${JSON.stringify({ ...latest, [entry]: dir }, null, 2)}\n`);
  return { dir, manifest, rebuilt: true };
}

export function readManifest(path: string): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageFailure(`${path}: not a capsule build manifest (${(e as Error).message}); run "capsule build" first`);
  }
  const m = parseManifest(BuildManifestSchema, data);
  if (!m.ok) throw new UsageFailure(`${path}: not a capsule build manifest (format 1; ${m.why}); run "capsule build" again`);
  return m.value;
}

/** .capsule/build/latest.json, or null when there is none or it cannot be read. */
function readLatest(path: string): Record<string, string> | null {
  try {
    const r = parseManifest(LatestBuildsSchema, JSON.parse(readFileSync(path, 'utf8')));
    return r.ok ? r.value : null;
  } catch {
    return null;
  }
}

/** The manifest of an artifact path (its folder or its manifest.json), checked against the sources now. */
export function loadArtifact(artifact: string, cwd: string, version: string): Manifest {
  const p = resolve(cwd, artifact);
  const manifestPath = p.endsWith('.json') ? p : join(p, MANIFEST);
  if (!existsSync(manifestPath)) throw new UsageFailure(`${artifact}: no ${MANIFEST} there; give a folder made by "capsule build" (under .capsule/build/)`);
  const m = readManifest(manifestPath);
  const now = buildFingerprint(m.projectRoot, `capsule ${version}`);
  if (now.id !== m.fingerprint) {
    const d = diffSources(m.files, now.files);
    const what = [...d.changed.map((f) => `changed ${f}`), ...d.added.map((f) => `added ${f}`), ...d.removed.map((f) => `removed ${f}`)];
    throw new UsageFailure(`${artifact} is stale: the sources changed since it was built (${what.join(', ') || `capsule ${version} differs from the build's`}); run "capsule build" again`);
  }
  return m;
}

export function reportBuild(r: BuildResult, previous: SourceFile[] | null, io: Streams, style: Style): void {
  const rel = relative(process.cwd(), r.dir) || r.dir;
  const names = r.manifest.tasks.map((t) => t.name).join(', ');
  if (!r.rebuilt) {
    io.out.write(`${style.green('up to date')} ${r.manifest.entry} (fingerprint ${r.manifest.fingerprint}, tasks: ${names}) -> ${rel}\n`);
    return;
  }
  let why = 'first build';
  if (previous) {
    const d = diffSources(previous, r.manifest.files);
    const parts = [...d.changed.map((f) => `${f} changed`), ...d.added.map((f) => `${f} added`), ...d.removed.map((f) => `${f} removed`)];
    why = parts.length ? parts.join(', ') : 'capsule version changed';
  }
  const packages = r.manifest.files.filter((f) => f.path.startsWith('/')).length;
  const counts = `${r.manifest.files.length - packages} source files, ${packages} package files`;
  io.out.write(`${style.green('built')} ${r.manifest.entry} (fingerprint ${r.manifest.fingerprint}, ${counts}, tasks: ${names}; ${r.manifest.snapshot ?? 'no import snapshot'}): ${why} -> ${rel}\n`);
}

/** The files of the previous build of this entry, if any. */
export function previousBuild(projectRoot: string, entryAbs: string): SourceFile[] | null {
  const latest = join(projectRoot, '.capsule', 'build', 'latest.json');
  const entry = relative(projectRoot, entryAbs).split(sep).join('/');
  try {
    const dir = readLatest(latest)?.[entry];
    return dir ? readManifest(join(dir, MANIFEST)).files : null;
  } catch {
    return null;
  }
}

