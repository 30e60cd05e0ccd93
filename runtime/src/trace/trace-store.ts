// The durable trace: every instance, attempt and transition in a real SQLite
// file (.capsule/trace.db), written through node-sqlite3-wasm so that no native
// addon is needed (it must load inside the VS Code extension host).
// Readable with the sqlite3 command-line tool.
import type { Database } from 'node-sqlite3-wasm';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ErrorType, TaskState } from '../engine/types';
import { withLockRetry, clearStaleLock } from './lock';
import type { AttemptRecord, InstanceRecord, OutputChunk, OutputRecord, RunRecord, TransitionRecord } from './records';
import { toAttempt, toInstance, toTransition } from './rows';
import { ADDED_COLUMNS, OUTPUT_CAP_BYTES, RESULT_CAP_CHARS, SCHEMA_SQL, SCHEMA_VERSION } from './schema';
import { toExactJson } from '../values/exact-json';
import { compileWithFlags } from '../sandbox/wasm-compile-flags';
import { deleteJournal } from '../journal/journal-store';

export interface NewInstance {
  id: string;
  runId: string;
  parentId: string | null;
  taskName: string;
  file: string;
  createdAt: number;
  args?: { args: unknown[]; kwargs: Record<string, unknown> };
  limits?: { fuel: number; memoryLimitBytes: number; timeoutMs: number | null; maxRetries: number };
}

export interface EndFields {
  fuelConsumed?: number | null;
  peakMemoryBytes?: number | null;
  errorType?: ErrorType | null;
  message?: string | null;
  /** The result of a completed instance (kept as JSON when it is small enough). */
  result?: unknown;
  /** The instance's totals over its attempts (fuel summed, ram the peak); default: this attempt's. */
  instanceFuel?: number | null;
  instancePeakMemory?: number | null;
}

type Row = Record<string, unknown>;

/**
 * From this size the CLI compiles SQLite eagerly (see open()). Measured on 28 Nov: a 131 KB
 * trace (65 runs) never made V8 tier SQLite up, a 282 KB one (170 runs) did; an eager compile
 * costs ~90 ms of CPU more than a lazy one on a small trace, and saves ~220 ms on a large one.
 */
const EAGER_SQLITE_TRACE_BYTES = 192 * 1024;

const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
// Exact where it can be (2**64, 3.0 and a task's result text as written), else what JSON.stringify gives.
const toJson = (v: unknown): string | null => {
  try { return toExactJson(v, 'a trace value'); } catch { /* Infinity fuel and the like */ }
  try { return JSON.stringify(v) ?? null; } catch { return null; }
};

/** Is a process with this pid still alive on this machine? */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class TraceStore {
  private constructor(
    private readonly db: Database,
    readonly path: string,
  ) {}

  /** Opens (creating if needed) the trace at `path`. */
  static open(path: string): TraceStore {
    mkdirSync(dirname(path), { recursive: true });
    // .capsule/ holds this machine's runs and build cache: never something to commit.
    const ignore = join(dirname(path), '.gitignore');
    if (basename(dirname(path)) === '.capsule' && !existsSync(ignore)) writeFileSync(ignore, '# Written by Capsule: local run history and build cache.\n*\n');
    clearStaleLock(path);
    // Required here, not at the top: loading it compiles SQLite's wasm (~17 ms),
    // which a cold `capsule run` would otherwise pay before its task starts.
    // It compiles at require, under the CLI's tiering budget: SQLite's hot
    // functions would otherwise be optimised in the background, which a
    // one-off run's exit then waits for. On a large trace the budget is not
    // enough (quick_check's row scans): there it is compiled eagerly, never to
    // tier up (wasm-compile-flags.ts); on a small one that costs more than it saves.
    const eager = existsSync(path) && statSync(path).size >= EAGER_SQLITE_TRACE_BYTES;
    const { Database: SqliteDatabase } = compileWithFlags(() => require('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm'), undefined, eager ? { host: 'eager' } : {});
    const db = new SqliteDatabase(path);
    // The trace must survive a killed process, not a power cut: without fsync on
    // every commit a task's three writes cost about 1 ms instead of 5.
    withLockRetry(path, () => db.exec('PRAGMA synchronous = OFF'));
    const store = new TraceStore(db, path);
    store.write(() => {
      db.exec(SCHEMA_SQL);
      // A trace.db from before a column was added keeps its rows; the new columns start empty.
      const columns = (table: string) => new Set((db.all(`PRAGMA table_info(${table})`) as Row[]).map((r) => String(r.name)));
      const have = new Map<string, Set<string>>();
      for (const c of ADDED_COLUMNS) {
        if (!have.has(c.table)) have.set(c.table, columns(c.table));
        if (!have.get(c.table)!.has(c.column)) db.exec(c.sql);
      }
      db.run('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)', ['schema_version', String(SCHEMA_VERSION)]);
    });
    return store;
  }

  private batching = false;
  /** Output bytes kept so far per instance written by this process (for the cap). */
  private readonly outputBytes = new Map<string, number>();

  /** Runs `fn`, whose writes then share one transaction (the engine's writes of one event-loop turn). */
  batch(fn: () => void): void {
    this.write(() => {
      this.batching = true;
      try {
        fn();
      } finally {
        this.batching = false;
      }
    });
  }

  /** Runs `fn` in one transaction, retrying while another process holds the lock. */
  private write<T>(fn: () => T): T {
    if (this.batching) return fn();
    return withLockRetry(this.path, () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = fn();
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  private read<T>(fn: () => T): T {
    return withLockRetry(this.path, fn);
  }

  /**
   * Rows left `created`/`running`/`retrying` by a process that no longer exists
   * (killed mid-run) become `interrupted`. Rows of live processes (another
   * engine, the extension host) are left alone. Returns the number marked.
   */
  recoverInterrupted(now = Date.now()): number {
    return this.write(() => {
      const rows = this.db.all(
        "SELECT id, pid, attempt FROM instances WHERE state IN ('created', 'running', 'retrying')",
      ) as Row[];
      let marked = 0;
      for (const r of rows) {
        const pid = num(r.pid);
        if (pid !== null && processAlive(pid)) continue;
        const id = String(r.id);
        const attempt = num(r.attempt) ?? 0;
        const message = `interrupted: the process running it (pid ${pid ?? '?'}) ended before the task did`;
        this.db.run(
          "UPDATE instances SET state = 'interrupted', ended_at = ?, error_type = NULL, message = ? WHERE id = ?",
          [now, message, id],
        );
        this.db.run(
          "UPDATE attempts SET state = 'interrupted', ended_at = ? WHERE instance_id = ? AND ended_at IS NULL",
          [now, id],
        );
        this.db.run('INSERT INTO transitions(instance_id, state, attempt, at) VALUES (?, ?, ?, ?)', [
          id,
          'interrupted',
          attempt,
          now,
        ]);
        marked++;
      }
      return marked;
    });
  }

  createInstance(i: NewInstance): void {
    this.write(() => {
      this.db.run(
        `INSERT INTO instances(id, run_id, parent_id, task, file, attempt, state, created_at, pid, args, limits)
         VALUES (?, ?, ?, ?, ?, 0, 'created', ?, ?, ?, ?)`,
        [i.id, i.runId, i.parentId, i.taskName, i.file, i.createdAt, process.pid, i.args ? toJson(i.args) : null, i.limits ? toJson(i.limits) : null],
      );
      this.db.run('INSERT INTO transitions(instance_id, state, attempt, at) VALUES (?, ?, 0, ?)', [
        i.id,
        'created',
        i.createdAt,
      ]);
    });
  }

  /** An attempt starts: the instance is `running`. */
  startAttempt(id: string, attempt: number, at: number): void {
    this.write(() => {
      this.db.run(
        "UPDATE instances SET state = 'running', attempt = ?, started_at = COALESCE(started_at, ?) WHERE id = ?",
        [attempt, at, id],
      );
      this.db.run("INSERT INTO attempts(instance_id, attempt, state, started_at) VALUES (?, ?, 'running', ?)", [
        id,
        attempt,
        at,
      ]);
      this.db.run("INSERT INTO transitions(instance_id, state, attempt, at) VALUES (?, 'running', ?, ?)", [
        id,
        attempt,
        at,
      ]);
    });
  }

  /**
   * An attempt ends in `attemptState`; the instance moves to `instanceState`
   * (`retrying` when another attempt follows, else the final state).
   */
  /** The queue worker that took the attempt. */
  setAttemptWorker(id: string, attempt: number, worker: string): void {
    this.write(() => this.db.run('UPDATE attempts SET worker = ? WHERE instance_id = ? AND attempt = ?', [worker, id, attempt]));
  }

  endAttempt(id: string, attempt: number, attemptState: TaskState, instanceState: TaskState, at: number, f: EndFields): void {
    const final = instanceState !== 'retrying';
    this.write(() => {
      this.db.run(
        `UPDATE attempts SET state = ?, ended_at = ?, fuel = ?, ram = ?, error_type = ?, message = ?
         WHERE instance_id = ? AND attempt = ?`,
        [attemptState, at, f.fuelConsumed ?? null, f.peakMemoryBytes ?? null, f.errorType ?? null, f.message ?? null, id, attempt],
      );
      this.db.run(
        `UPDATE instances SET state = ?, ended_at = ?, fuel = ?, ram = ?, error_type = ?, message = ? WHERE id = ?`,
        [instanceState, final ? at : null, f.instanceFuel ?? f.fuelConsumed ?? null, f.instancePeakMemory ?? f.peakMemoryBytes ?? null, f.errorType ?? null, f.message ?? null, id],
      );
      if (f.result !== undefined) {
        const text = toJson(f.result);
        if (text !== null && text.length <= RESULT_CAP_CHARS) this.db.run('UPDATE instances SET result = ? WHERE id = ?', [text, id]);
      }
      if (final) this.outputBytes.delete(id);
      this.db.run('INSERT INTO transitions(instance_id, state, attempt, at) VALUES (?, ?, ?, ?)', [
        id,
        instanceState,
        attempt,
        at,
      ]);
    });
  }

  /** The instance ends without (another) attempt: cancelled while queued, or refused before it ran. */
  endInstanceUnstarted(id: string, state: TaskState, at: number, message: string | null, errorType: ErrorType | null = null): void {
    this.write(() => {
      this.db.run('UPDATE instances SET state = ?, ended_at = ?, error_type = ?, message = ? WHERE id = ?', [state, at, errorType, message, id]);
      this.db.run('INSERT INTO transitions(instance_id, state, attempt, at) SELECT id, ?, attempt, ? FROM instances WHERE id = ?', [state, at, id]);
    });
  }

  /**
   * A chunk of an instance's stdout or stderr. Up to OUTPUT_CAP_BYTES per instance are
   * kept; the rest is counted in `output_dropped`, so a chatty task cannot fill the disk.
   */
  appendOutput(id: string, attempt: number, stream: OutputChunk['stream'], text: string): void {
    const used = this.outputBytes.get(id) ?? 0;
    const bytes = Buffer.byteLength(text);
    const room = OUTPUT_CAP_BYTES - used;
    this.write(() => {
      if (room > 0) {
        const kept = bytes <= room ? text : Buffer.from(text).subarray(0, room).toString('utf8').replace(/\uFFFD$/, '');
        this.db.run('INSERT INTO output(instance_id, attempt, stream, text) VALUES (?, ?, ?, ?)', [id, attempt, stream, kept]);
      }
      if (bytes > room) this.db.run('UPDATE instances SET output_dropped = output_dropped + ? WHERE id = ?', [bytes - Math.max(0, room), id]);
    });
    this.outputBytes.set(id, used + bytes);
  }

  /** What the trace kept of one instance's stdout and stderr, in print order. */
  output(instanceId: string): OutputRecord {
    return this.read(() => {
      const chunks = (this.db.all('SELECT attempt, stream, text FROM output WHERE instance_id = ? ORDER BY id', [instanceId]) as Row[]).map((r) => ({
        attempt: num(r.attempt) ?? 0,
        stream: r.stream === 'stderr' ? 'stderr' as const : 'stdout' as const,
        text: String(r.text),
      }));
      const row = this.db.get('SELECT output_dropped FROM instances WHERE id = ?', [instanceId]) as Row | null;
      return { chunks, droppedBytes: num(row?.output_dropped) ?? 0, capBytes: OUTPUT_CAP_BYTES };
    });
  }

  /**
   * The most recent runs first, each with its attempts and sub-instances: two queries
   * whatever the number of runs and sub-tasks (one per instance took ~20,000 for 200
   * runs of 100 sub-tasks).
   */
  history(limit = 50): RunRecord[] {
    return this.read(() => {
      const runs = 'SELECT id FROM instances WHERE parent_id IS NULL ORDER BY created_at DESC, rowid DESC LIMIT ?';
      const n = Math.max(1, Math.floor(limit));
      const rows = this.db.all(`SELECT * FROM instances WHERE run_id IN (${runs}) ORDER BY created_at, rowid`, [n]) as Row[];
      const attempts = new Map<string, AttemptRecord[]>();
      const attemptRows = this.db.all(
        `SELECT * FROM attempts WHERE instance_id IN (SELECT id FROM instances WHERE run_id IN (${runs})) ORDER BY instance_id, attempt`,
        [n],
      ) as Row[];
      for (const row of attemptRows) {
        const { instanceId, ...a } = toAttempt(row);
        let list = attempts.get(instanceId);
        if (!list) attempts.set(instanceId, (list = []));
        list.push(a);
      }
      const instances = rows.map((r) => toInstance(r, attempts.get(String(r.id)) ?? []));
      const children = new Map<string, InstanceRecord[]>();
      for (const i of instances) {
        if (i.parentId === null) continue;
        let list = children.get(i.runId);
        if (!list) children.set(i.runId, (list = []));
        list.push(i);
      }
      // Rows come oldest first: the roots reversed are newest first, as the query picked them.
      return instances
        .filter((i) => i.parentId === null)
        .reverse()
        .map((root) => ({ ...root, children: children.get(root.id) ?? [] }));
    });
  }

  /** Every transition of one instance, oldest first. */
  transitions(instanceId: string): TransitionRecord[] {
    return this.read(() => (this.db.all('SELECT * FROM transitions WHERE instance_id = ? ORDER BY id', [instanceId]) as Row[]).map(toTransition));
  }

  /** Keeps the newest `keepRuns` runs (with their sub-instances); deletes the rest. */
  prune(keepRuns: number): number {
    return this.write(() => {
      const old = this.db.all(
        `SELECT id FROM instances WHERE parent_id IS NULL AND state NOT IN ('created', 'running', 'retrying')
         ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?`,
        [Math.max(0, Math.floor(keepRuns))],
      ) as Row[];
      for (const r of old) this.deleteRun(String(r.id));
      return old.length;
    });
  }

  /** Deletes every finished run (running ones stay, so their rows can still end). */
  clear(): void {
    this.write(() => {
      const done = this.db.all(
        "SELECT id FROM instances WHERE parent_id IS NULL AND state NOT IN ('created', 'running', 'retrying')",
      ) as Row[];
      for (const r of done) this.deleteRun(String(r.id));
    });
  }

  /** Throws when SQLite finds the file damaged (a truncated or overwritten trace opens, then fails on a read). */
  verify(): void {
    const rows = this.read(() => this.db.all('PRAGMA quick_check(1)')) as Row[];
    const first = rows[0] ? String(Object.values(rows[0])[0]) : 'no answer';
    if (first !== 'ok') throw new Error(`database disk image is malformed: ${first}`);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** The journal's reads and writes (journal/journal-store.ts): same file, same lock, same transactions. */
  journalRead<T>(fn: (db: Database) => T): T {
    return this.read(() => fn(this.db));
  }

  journalWrite<T>(fn: (db: Database) => T): T {
    return this.write(() => fn(this.db));
  }

  private deleteRun(runId: string): void {
    deleteJournal(this.db, runId);
    const where = 'instance_id IN (SELECT id FROM instances WHERE run_id = ?)';
    this.db.run(`DELETE FROM output WHERE ${where}`, [runId]);
    this.db.run(`DELETE FROM transitions WHERE ${where}`, [runId]);
    this.db.run(`DELETE FROM attempts WHERE ${where}`, [runId]);
    this.db.run('DELETE FROM instances WHERE run_id = ?', [runId]);
  }

}
