// wasi:filesystem's value types and the node:fs helpers the host-backed
// Descriptor (filesystem.ts) and the task's /tmp (tmpfs.ts) share.
import type * as fs from 'node:fs';

export type ErrorCode = string;
export type DescriptorType = 'unknown' | 'directory' | 'regular-file' | 'symbolic-link' | 'fifo' | 'socket' | 'character-device' | 'block-device';
export interface Datetime { seconds: bigint; nanoseconds: number }
export interface DescriptorStat {
  type: DescriptorType; linkCount: bigint; size: bigint;
  dataAccessTimestamp?: Datetime; dataModificationTimestamp?: Datetime; statusChangeTimestamp?: Datetime;
}
export interface PathFlags { symlinkFollow?: boolean }
export interface OpenFlags { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean }
export interface DescriptorFlags { read?: boolean; write?: boolean; mutateDirectory?: boolean; [k: string]: boolean | undefined }
export type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };


const errnoToCode: Record<string, ErrorCode> = {
  ENOENT: 'no-entry', EEXIST: 'exist', EACCES: 'access', EPERM: 'not-permitted', EISDIR: 'is-directory',
  ENOTDIR: 'not-directory', ENOTEMPTY: 'not-empty', EBADF: 'bad-descriptor', EINVAL: 'invalid', ELOOP: 'loop',
  ENAMETOOLONG: 'name-too-long', ENOSPC: 'insufficient-space', EROFS: 'read-only', EXDEV: 'cross-device',
  EBUSY: 'busy', EMFILE: 'insufficient-memory', EFBIG: 'file-too-large', ESPIPE: 'invalid-seek',
};

/** Runs a node:fs call, turning its errno into a wasi error-code (thrown as the result's err). */
export function fsCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException)?.code;
    if (typeof err === 'string') throw err;
    throw (code && errnoToCode[code]) || 'io';
  }
}

function toDatetime(ms: number): Datetime {
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanoseconds: Math.round((ms - seconds * 1000) * 1e6) };
}

export function typeOf(st: fs.Stats): DescriptorType {
  if (st.isFile()) return 'regular-file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic-link';
  if (st.isFIFO()) return 'fifo';
  // Not 'socket': the preview1 adapter traps (unreachable!) on it, killing the task that stats one.
  if (st.isSocket()) return 'unknown';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  return 'unknown';
}

export function toStat(st: fs.Stats): DescriptorStat {
  return {
    type: typeOf(st), linkCount: BigInt(st.nlink), size: BigInt(st.size),
    dataAccessTimestamp: toDatetime(st.atimeMs), dataModificationTimestamp: toDatetime(st.mtimeMs),
    statusChangeTimestamp: toDatetime(st.ctimeMs),
  };
}

export function timeArg(t: NewTimestamp, current: number): number {
  if (t.tag === 'now') return Date.now() / 1000;
  if (t.tag === 'timestamp') return Number(t.val.seconds) + t.val.nanoseconds / 1e9;
  return current / 1000;
}
