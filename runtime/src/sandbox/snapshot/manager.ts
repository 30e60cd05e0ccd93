// Import snapshots: after a task runs, the pool makes a snapshot
// for its file: a sandbox granted only the project's code and packages, with
// no environment, replays the file's leading imports (preimport.ts) and the
// worker keeps its memory. Later tasks of that file start from that memory,
// so those imports cost them nothing. A snapshot is used only while it is
// valid for the task (validity.ts) and only if it verifies under the host key
// (store.ts); a stale one is made again after the run that found it stale.
import * as fs from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { hmacHex, hostKey } from './host-key';
import { GUEST_PREIMPORT_DIR, PREIMPORT_TASK, preimportDir } from './preimport';
import { readSnapshot, snapshotDir, writeSnapshot, type SnapshotHeader, type StoredSnapshot } from './store';
import { dirStamp, identity, stale, unusableFor } from './validity';
import { isPackageMount } from '../python-path';
import { within } from '../wasi/namespace';
import { worthSnapshot } from './leading-imports';
import type { MemoryImage } from './memory-image';
import type { FromWorker, SandboxOutcome, SandboxSpec, ToWorker } from '../types';
import { GUEST_PROJECT } from '../types';

/** A snapshot run may take this long, in fuel and in time, before it is given up. */
const MAKE_FUEL = 2e10;
const MAKE_TIMEOUT_MS = 60_000;
const MAKE_MEMORY = 1024 * 1024 * 1024;
const MAX_LOADED = 8;

export type SnapshotMessage = Extract<FromWorker, { type: 'snapshot' }>;

/** What the manager needs of the pool: a run with a worker-side snapshot mode. */
export interface SnapshotRunner {
  runInternal(spec: SandboxSpec, extra: { snapshot: ToWorker['snapshot']; onSnapshot?(msg: SnapshotMessage): void }): { outcome: Promise<SandboxOutcome>; kill(reason: 'timeout' | 'cancelled'): void };
}

export interface Lookup {
  /** The image to start from, or none. */
  use: ToWorker['snapshot'] | undefined;
  /** Call after the task: makes the snapshot again when it was missing or stale. */
  after(): void;
}

/** A read as stored: its identity, and a directory's stamp taken before it (so a change in between is never missed). */
function withStamp(guest: string, host: string | null): [string, string | null, string, string?] {
  const stamp = dirStamp(host);
  const id = identity(host);
  return stamp === undefined ? [guest, host, id] : [guest, host, id, stamp];
}

export class SnapshotManager {
  private readonly loaded = new Map<string, { stamp: string; snap: StoredSnapshot | null }>();
  private readonly queued = new Map<string, SandboxSpec>();
  private running: Promise<void> | null = null;
  /** The last snapshot runs' notes (tests, --verbose). */
  readonly log: string[] = [];

  constructor(private readonly runner: SnapshotRunner, private readonly buildId: () => string, private readonly beforeMake: () => Promise<void>) {}

  /** The file naming the snapshot for this spec's file, code mounts and sandbox build; null without a host key. */
  private fileFor(spec: SandboxSpec): { file: string; key: Buffer } | null {
    const key = hostKey();
    if (!key) return null;
    let build: string;
    try {
      build = this.buildId();
    } catch {
      return null; // no build to snapshot (a missing SDK or artifacts: the task's own outcome says so)
    }
    const code = spec.mounts.filter((m) => isPackageMount(m.guestPath)).map((m) => [m.guestPath, m.hostPath]);
    const name = hmacHex(key, 'capsule import snapshot 1', build, spec.projectRoot, spec.file, JSON.stringify(code), JSON.stringify(spec.pythonPath ?? []), JSON.stringify(spec.projectFiles ?? []));
    // Prefixed by the task file alone, so a new snapshot of a file replaces its others (an older build's, other mounts').
    const prefix = hmacHex(key, 'capsule import snapshot file', spec.projectRoot, spec.file).slice(0, 16);
    return { file: join(snapshotDir(spec.projectRoot), `${prefix}-${name.slice(0, 24)}.snap`), key };
  }

  private load(file: string, key: Buffer): StoredSnapshot | null {
    let stamp: string;
    try {
      const st = fs.statSync(file);
      stamp = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch {
      this.loaded.delete(file);
      return null;
    }
    const known = this.loaded.get(file);
    if (known?.stamp === stamp) return known.snap;
    const snap = readSnapshot(file, key);
    this.loaded.delete(file);
    this.loaded.set(file, { stamp, snap });
    // A long-lived host (the editor) keeps the last few images in memory, not every file's.
    for (const old of this.loaded.keys()) if (this.loaded.size > MAX_LOADED) this.loaded.delete(old);
    return snap;
  }

  lookup(spec: SandboxSpec): Lookup {
    const none = { use: undefined, after: () => {} };
    const where = this.fileFor(spec);
    if (!where) return none;
    if (!worthSnapshot(join(spec.projectRoot, spec.file))) return none;
    const snap = this.load(where.file, where.key);
    const remake = { use: undefined, after: () => this.schedule(spec) };
    if (!snap) return this.note(spec, 'no snapshot yet', remake);
    const old = stale(snap.header);
    if (old) return this.note(spec, `stale: ${old}`, remake);
    if (!snap.image) return this.note(spec, snap.header.empty ?? 'empty', none); // until a file changes
    const grants = spec.mounts.filter((m) => !isPackageMount(m.guestPath));
    const why = unusableFor(snap.header, { env: spec.env, grants, memoryBytes: spec.memoryLimitBytes });
    if (why) return this.note(spec, `not for this task: ${why}`, none);
    this.note(spec, `from the snapshot (${snap.header.modules.length} modules)`, none);
    const { image } = snap;
    return { use: { mode: 'use', byteLength: image.byteLength, pages: image.pages.buffer as SharedArrayBuffer, data: image.data.buffer as SharedArrayBuffer }, after: () => {} };
  }

  /**
   * Makes the snapshot for spec's file now unless a current one exists
   * (`capsule build`); says what there is.
   */
  async ensure(spec: SandboxSpec): Promise<string> {
    const where = this.fileFor(spec);
    if (!where) return 'no import snapshot (no host key, or no sandbox build)';
    if (!worthSnapshot(join(spec.projectRoot, spec.file))) return 'no import snapshot needed: its leading imports are all in the sandbox\'s own';
    let snap = this.load(where.file, where.key);
    if (!snap || stale(snap.header)) {
      this.schedule(spec);
      await this.idle();
      snap = this.load(where.file, where.key);
    }
    if (!snap) return `no import snapshot: ${this.log.at(-1) ?? 'the snapshot run failed'}`;
    return snap.image ? `import snapshot of ${snap.header.modules.length} modules (${Math.round(snap.image.data.length / 1024)} KB)` : `no import snapshot: ${snap.header.empty}`;
  }

  private note<T>(spec: SandboxSpec, what: string, value: T): T {
    this.log.push(`${spec.file}: ${what}`);
    if (process.env.CAPSULE_DEBUG_SNAPSHOTS) process.stderr.write(`capsule snapshot: ${spec.file}: ${what}\n`);
    if (this.log.length > 100) this.log.splice(0, this.log.length - 100);
    return value;
  }

  private schedule(spec: SandboxSpec): void {
    const where = this.fileFor(spec);
    if (!where || this.queued.has(where.file)) return;
    this.queued.set(where.file, spec);
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const next = this.queued.entries().next();
      if (next.done) return;
      const [file, spec] = next.value;
      await this.beforeMake(); // bytecode the task noted: the snapshot run then loads it
      try {
        this.note(spec, await this.make(spec), null);
      } catch (err) {
        this.note(spec, `snapshot failed: ${err instanceof Error ? err.message : String(err)}`, null);
      }
      this.queued.delete(file);
    }
  }

  /** Runs the snapshot run for spec's file and stores what it gives. */
  private async make(spec: SandboxSpec): Promise<string> {
    const where = this.fileFor(spec);
    if (!where) return 'no host key';
    const guestFile = posix.join(GUEST_PROJECT, spec.file);
    const makeSpec: SandboxSpec = {
      projectRoot: spec.projectRoot, file: spec.file, taskName: PREIMPORT_TASK,
      args: [guestFile, posix.dirname(guestFile)], kwargs: {},
      fuel: MAKE_FUEL, memoryLimitBytes: MAKE_MEMORY, env: {},
      mounts: [...spec.mounts.filter((m) => isPackageMount(m.guestPath)), { hostPath: preimportDir(), guestPath: GUEST_PREIMPORT_DIR, readOnly: true }],
      pythonPath: spec.pythonPath, projectFiles: spec.projectFiles,
    };
    let got: SnapshotMessage | null = null;
    const run = this.runner.runInternal(makeSpec, {
      snapshot: { mode: 'make', driverFile: `..${GUEST_PREIMPORT_DIR}/preimport.py` },
      onSnapshot: (msg) => (got = msg),
    });
    const timer = setTimeout(() => run.kill('timeout'), MAKE_TIMEOUT_MS);
    const outcome = await run.outcome.finally(() => clearTimeout(timer));
    const msg = got as SnapshotMessage | null;
    // Bytecode paths are left out: what they hold follows from the sources (pycache.ts), which are kept.
    const reads = (msg?.reads ?? []).filter(([g]) => !within(GUEST_PREIMPORT_DIR, g) && !/\/__pycache__(\/|$)/.test(g));
    const header: SnapshotHeader = {
      format: 1, file: spec.file, reads: reads.map(([g, h]) => withStamp(g, h)), envRead: [], modules: [],
      byteLength: msg?.byteLength ?? 0, madeAt: new Date().toISOString(),
    };
    let empty: string | null = null;
    if (!outcome.ok || !msg) {
      empty = `the snapshot run failed: ${outcome.error?.message ?? 'no image'}`;
      // Not tried again until the file or a package directory changes: a failed run can be long.
      if (!msg) header.reads = [[guestFile, join(spec.projectRoot, spec.file)], ...makeSpec.mounts.filter((m) => isPackageMount(m.guestPath)).map((m) => [m.guestPath, m.hostPath] as [string, string])].map(([g, h]) => withStamp(g, h));
    } else {
      const r = outcome.result as { modules: string[]; failed: string | null; envRead: string[]; openFiles: string[] };
      header.modules = r.modules;
      header.envRead = r.envRead;
      if (r.failed) empty = `an import failed (${r.failed})`;
      else if (r.openFiles.length) empty = `an import left files open (${r.openFiles.join(', ')})`;
      else if (r.modules.length === 0) empty = 'nothing to preload';
    }
    if (empty !== null && header.reads.length === 0) return empty; // not stored: the next run tries again
    if (empty !== null) header.empty = empty;
    const image: MemoryImage | null = empty === null && msg ? { byteLength: msg.byteLength, pages: msg.pages, data: msg.data } : null;
    writeSnapshot(where.file, where.key, header, image);
    const dir = dirname(where.file);
    const prefix = `${basename(where.file).split('-')[0]}-`;
    for (const other of fs.readdirSync(dir)) {
      if (other.startsWith(prefix) && other.endsWith('.snap') && other !== basename(where.file)) fs.rmSync(join(dir, other), { force: true });
    }
    return empty ?? `snapshot of ${header.modules.length} modules, ${image!.pages.length * 4} KB`;
  }
}
