// Reading bytecode from the host's cache instead of the guest's disk: a task
// never sees (or trusts) a __pycache__ a repository shipped, yet imports start
// warm. Called by Descriptor.openAt under the fs lock.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type MountPoint, type Namespace } from './namespace';
import { PYC_TAG, ownPycValid, pycacheKey } from '../pycache';
import { fsCall } from './fs-types';

/**
 * `X/__pycache__/M.cpython-311.pyc` in a code mount, when no such file is
 * visible there: the host cache's entry for X/M.py's current bytes, opened, or
 * `no-entry` (noting the miss). Null: not such a path, let the open go on.
 * `resolveSource` maps a guest path through the confinement (null: outside it).
 */
export function openCachedPyc(
  ns: Namespace,
  guest: string,
  resolveSource: (sourceGuest: string) => { real: string; mount: MountPoint } | null,
): { fd: number; file: string; mount: MountPoint } | null {
  const m = new RegExp(`^(.*)/__pycache__/([^/.]+)\\.${PYC_TAG}\\.pyc$`).exec(guest);
  if (!m) return null;
  const sourceGuest = `${m[1]}/${m[2]}.py`;
  const src = resolveSource(sourceGuest);
  if (!src?.mount.pycache) return null;
  const st = fs.lstatSync(src.real, { throwIfNoEntry: false });
  if (!st?.isFile()) return null;
  const own = path.join(path.dirname(src.real), '__pycache__', `${m[2]}.${PYC_TAG}.pyc`);
  // A package's own valid .pyc (site-packages: pip compiled it). Never the project's own: a
  // repository can ship a __pycache__ whose bytecode is not its source (even a "checked" one:
  // importlib checks the source's hash, never the code's).
  if (!src.mount.pythonOnly && ns.visibleFile(src.mount, own) && ownPycValid(own, st)) return null;
  const key = pycacheKey(fsCall(() => fs.readFileSync(src.real)), sourceGuest);
  if (!key) throw 'no-entry';
  const file = path.join(ns.pycache!.dir, `${key}.pyc`);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    if (ns.pycache!.misses.push({ source: src.real, guest: sourceGuest }) === 1) ns.pycache!.firstMiss?.();
    throw 'no-entry';
  }
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw 'no-entry';
  }
  return { fd, file, mount: src.mount };
}
