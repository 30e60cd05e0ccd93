// `capsule build --export FILE`: one self-contained file that `capsule exec`
// runs on another machine with only the CLI installed: the project's sources
// and package data, capsule.toml, and every package file its tasks import
// from (as a .venv/ of its own), each with its sha256. `.env` never goes in.
// Unpacked (checked file by file) into the user's cache, built there (the
// fingerprint must be the one recorded: same files, same Capsule) and run.
// Snapshots and bytecode are never shipped: they are sealed under each
// machine's own host key, so the unpacked copy makes its own.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GUEST_SITE_PACKAGES, type PythonPath } from '../sandbox/python-path';
import { SANDBOX_PYTHON } from '../sandbox/types';
import { listSources } from './fingerprint';
import { packageFiles } from './package-files';
import type * as z from 'zod/mini';
import { ExportManifestSchema, parseManifest } from './manifests';
import { UsageFailure } from './usage';

const MAGIC = Buffer.from('CAPSULE-EXPORT 1\n');
const SITE = `.venv/lib/python${SANDBOX_PYTHON}/site-packages`;
const SKIP_DIRS = new Set(['node_modules', '__pycache__', 'dist', 'out', 'venv', 'build', 'site-packages']);

/** An export's manifest (its schema: manifests.ts). */
export type ExportManifest = z.output<typeof ExportManifestSchema>;

/** Files under a package of the project (a directory below the root holding an __init__.py), not .py: its package data. */
function packageData(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, inPackage: boolean): void => {
    const names = fs.readdirSync(dir).sort();
    const here = inPackage || (dir !== root && names.includes('__init__.py'));
    for (const name of names) {
      if (name.startsWith('.') || SKIP_DIRS.has(name)) continue;
      const p = join(dir, name);
      const st = fs.statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p, here);
      else if (st?.isFile() && here && !name.endsWith('.py')) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  walk(root, false);
  return out;
}

/** What goes in, as [path in the export, host file]. */
export function exportFiles(root: string, python: PythonPath): Array<[string, string]> {
  const files = new Map<string, string>();
  for (const rel of [...listSources(root), ...packageData(root)]) files.set(rel, join(root, rel));
  for (const f of python.projectFiles) files.set(relative(root, f).split(sep).join('/'), f);
  for (const m of python.mounts) {
    const inProject = relative(root, m.hostPath);
    const base = m.guestPath === GUEST_SITE_PACKAGES ? SITE : !inProject.startsWith('..') && !isAbsolute(inProject) ? inProject.split(sep).join('/') : null;
    if (base === null) throw new UsageFailure(`capsule build --export: ${m.hostPath} (on the tasks' python path) is outside the project, so another machine would not have it; move it into the project or install it into the virtualenv`);
    for (const f of packageFiles({ mounts: [m], sysPath: [], projectFiles: [] })) files.set(`${base}/${f.path.slice(m.guestPath.length + 1)}`, f.host);
  }
  files.delete('.env');
  return [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
}

export function writeExport(out: string, root: string, python: PythonPath, info: Omit<ExportManifest, 'format' | 'files'>): ExportManifest {
  const chunks: Buffer[] = [];
  const manifest: ExportManifest = { format: 1, ...info, files: [] };
  for (const [path, host] of exportFiles(root, python)) {
    const bytes = fs.readFileSync(host);
    manifest.files.push({ path, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    chunks.push(bytes);
  }
  if (python.mounts.some((m) => m.guestPath === GUEST_SITE_PACKAGES)) {
    const cfg = Buffer.from(`version = ${SANDBOX_PYTHON}\n`);
    manifest.files.push({ path: '.venv/pyvenv.cfg', size: cfg.length, sha256: createHash('sha256').update(cfg).digest('hex') });
    chunks.push(cfg);
  }
  const head = Buffer.from(JSON.stringify(manifest));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  fs.writeFileSync(out, Buffer.concat([MAGIC, gzipSync(Buffer.concat([len, head, ...chunks]))]));
  return manifest;
}

export function isExport(file: string): boolean {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const b = Buffer.alloc(MAGIC.length);
      return fs.readSync(fd, b, 0, b.length, 0) === b.length && b.equals(MAGIC);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** A path the export may write: relative, no `..`, no dot-names but the .venv it brings. */
function safePath(p: string): boolean {
  const parts = p.split('/');
  return p !== '' && !isAbsolute(p) && parts.every((s, i) => s !== '' && s !== '..' && s !== '.' && !s.includes('\0') && (!s.startsWith('.') || (i === 0 && s === '.venv')));
}

/** Checks an export and unpacks it into the user's cache (once per distinct file); returns its project root and manifest. */
export function unpackExport(file: string, fresh = false): { root: string; manifest: ExportManifest } {
  const bytes = fs.readFileSync(file);
  const bad = (why: string) => new UsageFailure(`${file}: not a usable capsule export (${why}); make it again with "capsule build FILE --export OUT"`);
  let body: Buffer;
  try {
    body = gunzipSync(bytes.subarray(MAGIC.length));
  } catch (e) {
    throw bad((e as Error).message);
  }
  const headLen = body.length >= 4 ? body.readUInt32LE(0) : -1;
  let data: unknown;
  try {
    data = JSON.parse(body.subarray(4, 4 + headLen).toString('utf8'));
  } catch {
    throw bad('its manifest is not JSON');
  }
  const parsed = parseManifest(ExportManifestSchema, data);
  if (!parsed.ok) throw bad(`unknown format: ${parsed.why}`);
  const manifest = parsed.value;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const root = join(base, 'capsule', 'exports', createHash('sha256').update(bytes).digest('hex').slice(0, 24));
  const done = join(root, '.capsule', 'export-unpacked');
  if (fresh) fs.rmSync(root, { recursive: true, force: true });
  else if (fs.existsSync(done)) return { root, manifest };
  const tmp = `${root}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  let at = 4 + headLen;
  for (const f of manifest.files) {
    if (!safePath(f.path)) throw bad(`it holds a file at ${JSON.stringify(f.path)}`);
    const data = body.subarray(at, at + f.size);
    at += f.size;
    if (data.length !== f.size || createHash('sha256').update(data).digest('hex') !== f.sha256) throw bad(`${f.path} does not match its checksum`);
    fs.mkdirSync(dirname(join(tmp, f.path)), { recursive: true });
    fs.writeFileSync(join(tmp, f.path), data, { mode: 0o644, flag: 'wx' });
  }
  if (at !== body.length) throw bad('it has bytes past its last file');
  if (!safePath(manifest.entry) || !manifest.files.some((f) => f.path === manifest.entry)) throw bad(`its entry ${JSON.stringify(manifest.entry)} is not one of its files`);
  fs.mkdirSync(join(tmp, '.capsule'), { recursive: true });
  fs.writeFileSync(join(tmp, '.capsule', 'export-unpacked'), `${file}\n`);
  fs.mkdirSync(dirname(root), { recursive: true });
  try {
    fs.renameSync(tmp, root);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another exec unpacked it meanwhile
  }
  return { root, manifest };
}
