// A run's code, shipped by content hash: the submitter stores each file of the project
// (what `capsule build --export` packs: sources, package data, capsule.toml, the
// virtualenv's packages; never .env) once in Redis under its sha256, and a manifest
// (path -> sha256) under the manifest's own sha256, which the job names. A worker
// writes a manifest's files once into its cache and never reads the submitter's disk.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import type { Redis } from 'ioredis';
import * as z from 'zod/mini';
import { exportFiles } from '../cli/export-artifact';
import { projectPython } from '../cli/package-files';
import { blobKey, codeKey, CODE_TTL_S } from './protocol';

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

const Manifest = z.strictObject({ v: z.literal(1), files: z.array(z.tuple([z.string(), z.string().check(z.regex(/^[0-9a-f]{64}$/))])) });

/** The submitter's side: hashes are kept per file by (size, mtime), so a run re-reads only what changed. */
export class CodeShipper {
  private readonly hashes = new Map<string, { size: number; mtimeMs: number; sha: string }>();
  /** Blobs and manifests this process stored (or found) in Redis. */
  private readonly stored = new Set<string>();

  constructor(private readonly redis: Redis) {}

  /** Stores what is not there yet; returns the manifest's sha256. */
  async ship(projectRoot: string): Promise<string> {
    const entries: Array<[string, string, string]> = exportFiles(projectRoot, projectPython(projectRoot)).map(([rel, host]) => [rel, host, this.hashOf(host)]);
    const text = JSON.stringify({ v: 1, files: entries.map(([rel, , sha]) => [rel, sha]) });
    const id = sha256(text);
    if (this.stored.has(id)) return id;
    const unknown = [...new Map(entries.filter(([, , sha]) => !this.stored.has(sha)).map(([, host, sha]) => [sha, host]))];
    if (unknown.length > 0) {
      const there = await this.redis.pipeline(unknown.map(([sha]) => ['exists', blobKey(sha)])).exec();
      const put = this.redis.pipeline();
      unknown.forEach(([sha, host], i) => {
        if (there?.[i]?.[1] === 1) put.expire(blobKey(sha), CODE_TTL_S);
        else put.set(blobKey(sha), readFileSync(host), 'EX', CODE_TTL_S);
      });
      await put.exec();
      for (const [sha] of unknown) this.stored.add(sha);
    }
    await this.redis.set(codeKey(id), text, 'EX', CODE_TTL_S);
    this.stored.add(id);
    return id;
  }

  /** After Redis lost its data (a restart without persistence), everything is stored again. */
  forget(): void {
    this.stored.clear();
  }

  private hashOf(host: string): string {
    const st = statSync(host);
    const known = this.hashes.get(host);
    if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known.sha;
    const sha = sha256(readFileSync(host));
    this.hashes.set(host, { size: st.size, mtimeMs: st.mtimeMs, sha });
    return sha;
  }
}

export class CodeMissing extends Error {}

/** The worker's side: a manifest's files under `<cacheDir>/<manifest sha256>/`, written once, checked by hash. */
export class CodeCache {
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly redis: Redis, private readonly cacheDir: string) {}

  materialize(id: string): Promise<string> {
    let p = this.pending.get(id);
    if (!p) {
      p = this.write(id).finally(() => this.pending.delete(id));
      this.pending.set(id, p);
    }
    return p;
  }

  private async write(id: string): Promise<string> {
    const dir = join(this.cacheDir, id);
    const done = `${dir}.complete`;
    if (existsSync(done)) return dir;
    const text = await this.redis.get(codeKey(id));
    if (text === null) throw new CodeMissing(`the run's code (${id.slice(0, 12)}) is not in the queue's Redis: it expired, or Redis restarted without persistence`);
    if (sha256(text) !== id) throw new CodeMissing(`the run's code manifest ${id.slice(0, 12)} does not match its hash`);
    const parsed = Manifest.safeParse(JSON.parse(text));
    if (!parsed.success) throw new CodeMissing(`the run's code manifest ${id.slice(0, 12)} is malformed`);
    const files = parsed.data.files;
    for (const [rel] of files) checkRelative(rel);
    const tmp = `${dir}.tmp-${randomUUID()}`;
    try {
      // In batches: a virtualenv holds thousands of files.
      for (let i = 0; i < files.length; i += 200) {
        const batch = files.slice(i, i + 200);
        const blobs = await this.redis.pipeline(batch.map(([, sha]) => ['getBuffer', blobKey(sha)])).exec();
        batch.forEach(([rel, sha], j) => {
          const buf = blobs?.[j]?.[1] as Buffer | null | undefined;
          if (!buf) throw new CodeMissing(`the file ${rel} of the run's code is not in the queue's Redis (it expired, or Redis restarted)`);
          if (sha256(buf) !== sha) throw new CodeMissing(`the file ${rel} of the run's code does not match its hash`);
          const target = join(tmp, ...rel.split('/'));
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, buf);
        });
      }
      mkdirSync(tmp, { recursive: true });
      try {
        renameSync(tmp, dir);
      } catch {
        // Another worker process with the same cache got there first.
        rmSync(tmp, { recursive: true, force: true });
      }
      writeFileSync(done, '');
      return dir;
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }
}

/** A manifest path from Redis: relative, normalised, never out of its directory nor into .capsule/. */
function checkRelative(rel: string): void {
  const norm = posix.normalize(rel);
  if (rel === '' || rel.includes('\0') || rel.includes('\\') || norm !== rel || rel.startsWith('/') || rel === '..' || rel.startsWith('../') || rel.split('/').includes('.capsule')) {
    throw new CodeMissing(`the run's code names the path ${JSON.stringify(rel)}, which is not a plain relative path; refused`);
  }
}
