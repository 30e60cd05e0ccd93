// Checks a SandboxSpec before a worker sees it: each problem names the field,
// what was wrong and what is accepted.
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative } from 'node:path';
import { hostKeyFile } from './snapshot/host-key';
import { MAX_RAM_BYTES, MIN_RAM_BYTES } from '../config/limits';
import { formatBytes } from '../config/units';
import { CLOCK_READINGS_CAP, GUEST_PROJECT, GUEST_SDK, GUEST_STDLIB, type SandboxSpec } from './types';

export class SandboxSpecError extends TypeError {
  constructor(field: string, problem: string) {
    super(`sandbox spec: ${field} ${problem}`);
    this.name = 'SandboxSpecError';
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The real path, or the path as given while it does not exist yet. */
function resolvedOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export function validateSpec(spec: SandboxSpec): void {
  if (!spec || typeof spec !== 'object') throw new SandboxSpecError('(the spec)', 'must be an object');
  if (typeof spec.projectRoot !== 'string' || !isAbsolute(spec.projectRoot) || !isDir(spec.projectRoot)) {
    throw new SandboxSpecError('projectRoot', `must be an absolute path to an existing directory (got ${JSON.stringify(spec.projectRoot)})`);
  }
  if (typeof spec.file !== 'string' || !spec.file.endsWith('.py') || isAbsolute(spec.file) || normalize(spec.file).startsWith('..')) {
    throw new SandboxSpecError('file', `must be a .py path relative to projectRoot, inside it (got ${JSON.stringify(spec.file)})`);
  }
  if (typeof spec.taskName !== 'string' || spec.taskName === '') {
    throw new SandboxSpecError('taskName', `must be a non-empty string (got ${JSON.stringify(spec.taskName)})`);
  }
  if (!Array.isArray(spec.args)) throw new SandboxSpecError('args', 'must be an array of JSON values');
  if (!spec.kwargs || typeof spec.kwargs !== 'object' || Array.isArray(spec.kwargs)) {
    throw new SandboxSpecError('kwargs', 'must be an object of JSON values');
  }
  if (typeof spec.fuel !== 'number' || !(spec.fuel > 0) || (Number.isFinite(spec.fuel) && spec.fuel > 2 ** 62)) {
    throw new SandboxSpecError('fuel', `must be a positive number of fuel units up to 2^62, or Infinity (got ${spec.fuel})`);
  }
  if (typeof spec.memoryLimitBytes !== 'number' || !(spec.memoryLimitBytes >= MIN_RAM_BYTES) || spec.memoryLimitBytes > MAX_RAM_BYTES) {
    throw new SandboxSpecError('memoryLimitBytes', `must be between ${formatBytes(MIN_RAM_BYTES)} and ${formatBytes(MAX_RAM_BYTES)} (got ${spec.memoryLimitBytes})`);
  }
  if (!spec.env || typeof spec.env !== 'object' || Object.values(spec.env).some((v) => typeof v !== 'string')) {
    throw new SandboxSpecError('env', 'must map names to string values');
  }
  if (spec.entropySeed !== undefined && (typeof spec.entropySeed !== 'string' || !/^[0-9a-f]{64}$/.test(spec.entropySeed))) {
    throw new SandboxSpecError('entropySeed', 'must be 64 lowercase hex digits (a 256-bit seed)');
  }
  if (spec.clock !== undefined) {
    const ok = (xs: unknown) => Array.isArray(xs) && xs.length <= CLOCK_READINGS_CAP && xs.every((x) => Number.isSafeInteger(x) && x >= 0);
    if (!spec.clock || typeof spec.clock !== 'object' || !ok(spec.clock.wall) || !ok(spec.clock.monotonic)) {
      throw new SandboxSpecError('clock', `must be { wall, monotonic }: lists of at most ${CLOCK_READINGS_CAP} whole, non-negative readings (ms since the epoch, ns since the start)`);
    }
  }
  if (!Array.isArray(spec.mounts)) throw new SandboxSpecError('mounts', 'must be an array of { hostPath, guestPath, readOnly }');
  spec.mounts.forEach((m, i) => {
    const field = `mounts[${i}]`;
    if (typeof m?.hostPath !== 'string' || !isAbsolute(m.hostPath) || !isDir(m.hostPath)) {
      throw new SandboxSpecError(`${field}.hostPath`, `must be an absolute path to an existing directory (got ${JSON.stringify(m?.hostPath)})`);
    }
    const g = m.guestPath;
    if (typeof g !== 'string' || !g.startsWith('/') || normalize(g) !== g.replace(/\/+$/, '') || g.includes('..')) {
      throw new SandboxSpecError(`${field}.guestPath`, `must be an absolute, normalised guest path such as /project/data (got ${JSON.stringify(g)})`);
    }
    if ([GUEST_STDLIB, GUEST_SDK, GUEST_PROJECT, '/'].includes(g.replace(/\/+$/, '') || '/')) {
      throw new SandboxSpecError(`${field}.guestPath`, `${g} is reserved (the project, stdlib and SDK mounts)`);
    }
    if (typeof m.readOnly !== 'boolean') throw new SandboxSpecError(`${field}.readOnly`, 'must be true or false');
    // Tasks load bytecode from <project>/.capsule/pycache: no task may write there (pycache.ts).
    const capsuleDir = join(realpathSync(spec.projectRoot), '.capsule');
    const host = realpathSync(m.hostPath);
    if (!m.readOnly && (inside(host, capsuleDir) || inside(capsuleDir, host))) {
      throw new SandboxSpecError(`${field}.hostPath`, `${m.hostPath} is or holds the project's .capsule/ (its trace and bytecode cache): it can only be mounted read-only`);
    }
    // The host key seals every project's caches (snapshot/host-key.ts); unpacked exports live beside it.
    const keyDir = resolvedOrSelf(dirname(hostKeyFile()));
    if (!m.readOnly && (inside(host, keyDir) || inside(keyDir, host))) {
      throw new SandboxSpecError(`${field}.hostPath`, `${m.hostPath} is or holds ${keyDir} (Capsule's host key, which seals its caches, and unpacked exports): it can only be mounted read-only`);
    }
  });
  if (spec.pythonPath !== undefined && (!Array.isArray(spec.pythonPath) || spec.pythonPath.some((g) => typeof g !== 'string' || !g.startsWith('/') || g.includes('\0')))) {
    throw new SandboxSpecError('pythonPath', 'must be an array of absolute guest paths, e.g. ["/capsule/site-packages"]');
  }
  if (spec.projectFiles !== undefined && (!Array.isArray(spec.projectFiles) || spec.projectFiles.some((f) => typeof f !== 'string' || !isAbsolute(f) || !(f.startsWith(`${spec.projectRoot}/`))))) {
    throw new SandboxSpecError('projectFiles', `must be an array of absolute host paths inside projectRoot (${spec.projectRoot})`);
  }
  if (spec.disk !== undefined) {
    const d = spec.disk;
    if (!d || !Number.isSafeInteger(d.limitBytes) || d.limitBytes < 0) {
      throw new SandboxSpecError('disk.limitBytes', `must be a whole number of bytes, 0 or more (got ${JSON.stringify(d?.limitBytes)})`);
    }
    if (!(d.used instanceof SharedArrayBuffer) || d.used.byteLength < 8) throw new SandboxSpecError('disk.used', 'must be a SharedArrayBuffer of 8 bytes (newDiskBudget() makes one)');
  }
}
