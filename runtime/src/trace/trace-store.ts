// The durable trace: every instance, attempt and transition in a real SQLite
// file (.capsule/trace.db), written through node-sqlite3-wasm so that no native
// addon is needed (it must load inside the VS Code extension host).
// Readable with the sqlite3 command-line tool.
import type { Database } from 'node-sqlite3-wasm';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ErrorType, TaskState } from '../engine/types';
import { withLockRetry, clearStaleLock } from './lock';
import type { AttemptRecord, InstanceRecord, RunRecord, TransitionRecord } from './records';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema';

export interface NewInstance {
  id: string;
  runId: string;
  parentId: string | null;
  taskName: string;
  file: string;
  createdAt: number;
}

export interface EndFields {
  fuelConsumed?: number | null;
  ramUsed?: number | null;
  errorType?: ErrorType | null;
  message?: string | null;
}

type Row = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

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
    clearStaleLock(path);
    // Required here, not at the top: loading it compiles SQLite's wasm (~17 ms),
    // which a cold `capsule run` would otherwise pay before its task starts.
    const { Database: SqliteDatabase } = require('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');
    const db = new SqliteDatabase(path);
    // The trace must survive a killed process, not a power cut: without fsync on
    // every commit a task's three writes cost about 1 ms instead of 5.
    withLockRetry(path, () => db.exec('PRAGMA synchronous = OFF'));
    const store = new TraceStore(db, path);
    store.write(() => {
      db.exec(SCHEMA_SQL);
      db.run('INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)', ['schema_version', String(SCHEMA_VERSION)]);
    });
    return store;
  }

  private batching = false;

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
        `INSERT INTO instances(id, run_id, parent_id, task, file, attempt, state, created_at, pid)
         VALUES (?, ?, ?, ?, ?, 0, 'created', ?, ?)`,
        [i.id, i.runId, i.parentId, i.taskName, i.file, i.createdAt, process.pid],
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
  endAttempt(id: string, attempt: number, attemptState: TaskState, instanceState: TaskState, at: number, f: EndFields): void {
    const final = instanceState !== 'retrying';
    this.write(() => {
      this.db.run(
        `UPDATE attempts SET state = ?, ended_at = ?, fuel = ?, ram = ?, error_type = ?, message = ?
         WHERE instance_id = ? AND attempt = ?`,
        [attemptState, at, f.fuelConsumed ?? null, f.ramUsed ?? null, f.errorType ?? null, f.message ?? null, id, attempt],
      );
      this.db.run(
        `UPDATE instances SET state = ?, ended_at = ?, fuel = ?, ram = ?, error_type = ?, message = ? WHERE id = ?`,
        [instanceState, final ? at : null, f.fuelConsumed ?? null, f.ramUsed ?? null, f.errorType ?? null, f.message ?? null, id],
      );
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

  /** The most recent runs first, each with its attempts and sub-instances. */
  history(limit = 50): RunRecord[] {
    return this.read(() => {
      const roots = this.db.all('SELECT * FROM instances WHERE parent_id IS NULL ORDER BY created_at DESC, rowid DESC LIMIT ?', [
        Math.max(1, Math.floor(limit)),
      ]) as Row[];
      return roots.map((root) => {
        const children = (this.db.all(
          'SELECT * FROM instances WHERE run_id = ? AND parent_id IS NOT NULL ORDER BY created_at, rowid',
          [String(root.id)],
        ) as Row[]).map((r) => this.toInstance(r));
        return { ...this.toInstance(root), children };
      });
    });
  }

  /** Every transition of one instance, oldest first. */
  transitions(instanceId: string): TransitionRecord[] {
    return this.read(() =>
      (this.db.all('SELECT * FROM transitions WHERE instance_id = ? ORDER BY id', [instanceId]) as Row[]).map((r) => ({
        instanceId: String(r.instance_id),
        state: r.state as TaskState,
        attempt: num(r.attempt) ?? 0,
        at: num(r.at) ?? 0,
      })),
    );
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

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private deleteRun(runId: string): void {
    const where = 'instance_id IN (SELECT id FROM instances WHERE run_id = ?)';
    this.db.run(`DELETE FROM transitions WHERE ${where}`, [runId]);
    this.db.run(`DELETE FROM attempts WHERE ${where}`, [runId]);
    this.db.run('DELETE FROM instances WHERE run_id = ?', [runId]);
  }

  private toInstance(r: Row): InstanceRecord {
    const attempts = (this.db.all('SELECT * FROM attempts WHERE instance_id = ? ORDER BY attempt', [String(r.id)]) as Row[]).map(
      (a): AttemptRecord => ({
        attempt: num(a.attempt) ?? 0,
        state: a.state as TaskState,
        startedAt: num(a.started_at) ?? 0,
        endedAt: num(a.ended_at),
        fuelConsumed: num(a.fuel),
        ramUsed: num(a.ram),
        errorType: str(a.error_type) as ErrorType | null,
        message: str(a.message),
      }),
    );
    return {
      id: String(r.id),
      runId: String(r.run_id),
      parentId: str(r.parent_id),
      taskName: String(r.task),
      file: String(r.file),
      attempt: num(r.attempt) ?? 0,
      state: r.state as TaskState,
      createdAt: num(r.created_at) ?? 0,
      startedAt: num(r.started_at),
      endedAt: num(r.ended_at),
      fuelConsumed: num(r.fuel),
      ramUsed: num(r.ram),
      errorType: str(r.error_type) as ErrorType | null,
      message: str(r.message),
      attempts,
    };
  }
}
