// The journal's rows in the trace file (.capsule/trace.db): one per call that
// crossed the sandbox boundary, keyed by the run, the kind of call and its
// position ("3/0/12": the root's 4th call, that sub-task's 1st, its 13th).
// Rows read back are checked with zod: a cloned repository's trace can be crafted.
import type { Database } from 'node-sqlite3-wasm';
import * as z from 'zod/mini';
import type { BlobStore } from './blobs';

export const CALL_KINDS = ['task', 'http', 'env', 'seed', 'clock'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

export interface JournalEntry {
  kind: CallKind;
  path: string;
  /** sha256 of what identifies the call (task, file and arguments; method, URL and body). */
  hash: string;
  /** The call as reports show it, secrets redacted. */
  call: string;
  /** Completed (a sub-task's success, an HTTP response of any status), or failed. */
  ok: boolean;
  /** The reply's JSON text, granted values replaced by markers (redact.ts). */
  reply: string;
}

export type JournalMode = 'live' | 'resume' | 'replay';

export interface Divergence {
  kind: CallKind;
  path: string;
  /** What the recorded run did at this position ("nothing" when it made no such call). */
  expected: string;
  got: string;
}

export interface JournalRunInfo {
  runId: string;
  sourceRun: string | null;
  mode: JournalMode;
  replayed: number;
  ran: number;
  divergence: Divergence | null;
}

// zod/mini, as everywhere in the runtime: classic zod adds 700 KB to the CLI's bundle (cold start).
const text = (max: number) => z.string().check(z.maxLength(max));
const count = z.pipe(z.union([z.number(), z.bigint()]), z.transform(Number));
const Row = z.object({
  kind: z.enum(CALL_KINDS),
  // A clock row's path adds the attempt and the chunk: "3/0#1.4" (clock-journal.ts).
  path: text(4096).check(z.regex(/^(\d+(\/\d+)*)?(#\d+\.\d+)?$/)),
  hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  call: text(4096),
  ok: z.pipe(z.union([z.number(), z.bigint()]), z.transform((v) => Number(v) === 1)),
  reply: z.nullable(z.string()),
  blob: z.nullable(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
});

const DivergenceRow = z.object({ kind: z.enum(CALL_KINDS), path: text(4096), expected: text(4096), got: text(4096) });
const RunRow = z.object({
  run_id: z.string(),
  source_run: z.nullable(z.string()),
  mode: z.enum(['live', 'resume', 'replay']),
  replayed: count,
  ran: count,
  divergence: z.nullable(z.string()),
});

/** Replies longer than this (characters of JSON) go to a blob (default 64 KiB). */
export const DEFAULT_BLOB_CAP = 64 * 1024;

export function writeEntry(db: Database, runId: string, e: JournalEntry, blobs: BlobStore, blobCap: number, replayed: boolean): void {
  const big = e.reply.length > blobCap;
  db.run(
    `INSERT OR REPLACE INTO journal(run_id, kind, path, hash, call, ok, reply, blob, replayed, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [runId, e.kind, e.path, e.hash, e.call.slice(0, 4096), e.ok ? 1 : 0, big ? null : e.reply, big ? blobs.put(e.reply) : null, replayed ? 1 : 0, Date.now()],
  );
}

/**
 * A run's journal, keyed by kind and path. A row that does not check out (a
 * crafted or damaged trace, a blob missing or altered) is left out and counted:
 * its call then runs for real.
 */
export function readEntries(db: Database, runId: string, blobs: BlobStore): { entries: Map<string, JournalEntry>; skipped: number } {
  const entries = new Map<string, JournalEntry>();
  let skipped = 0;
  for (const raw of db.all('SELECT kind, path, hash, call, ok, reply, blob FROM journal WHERE run_id = ?', [runId])) {
    const r = Row.safeParse(raw);
    const reply = r.success ? (r.data.blob ? blobs.get(r.data.blob) : r.data.reply) : null;
    if (!r.success || reply === null) {
      skipped++;
      continue;
    }
    entries.set(entryKey(r.data.kind, r.data.path), { kind: r.data.kind, path: r.data.path, hash: r.data.hash, call: r.data.call, ok: r.data.ok, reply });
  }
  return { entries, skipped };
}

export const entryKey = (kind: CallKind, path: string): string => `${kind}:${path}`;

export function writeRunInfo(db: Database, info: JournalRunInfo): void {
  db.run('INSERT OR REPLACE INTO journal_runs(run_id, source_run, mode, replayed, ran, divergence) VALUES (?, ?, ?, ?, ?, ?)', [
    info.runId,
    info.sourceRun,
    info.mode,
    info.replayed,
    info.ran,
    info.divergence ? JSON.stringify(info.divergence) : null,
  ]);
}

export function readRunInfo(db: Database, runId: string): JournalRunInfo | null {
  const r = RunRow.safeParse(db.get('SELECT * FROM journal_runs WHERE run_id = ?', [runId]));
  if (!r.success) return null;
  let divergence: Divergence | null = null;
  if (r.data.divergence) {
    try {
      const d = DivergenceRow.safeParse(JSON.parse(r.data.divergence));
      divergence = d.success ? d.data : null;
    } catch {
      divergence = null;
    }
  }
  return { runId: r.data.run_id, sourceRun: r.data.source_run, mode: r.data.mode, replayed: r.data.replayed, ran: r.data.ran, divergence };
}

export function deleteJournal(db: Database, runId: string): void {
  db.run('DELETE FROM journal WHERE run_id = ?', [runId]);
  db.run('DELETE FROM journal_runs WHERE run_id = ?', [runId]);
}

export function referencedBlobs(db: Database): Set<string> {
  return new Set(db.all('SELECT DISTINCT blob FROM journal WHERE blob IS NOT NULL').map((r) => String(r.blob)));
}

/** A root run as resume and replay need it: what was run, with what, and how it ended. */
export interface RecordedRoot {
  id: string;
  file: string;
  task: string;
  /** {args, kwargs} as JSON text. */
  args: string | null;
  state: string;
  result: string | null;
  errorType: string | null;
  message: string | null;
}

const RootRow = z.object({
  id: z.string(),
  file: z.string(),
  task: z.string(),
  args: z.nullable(z.string()),
  state: z.string(),
  result: z.nullable(z.string()),
  error_type: z.nullable(z.string()),
  message: z.nullable(z.string()),
});

const ROOT_COLUMNS = 'id, file, task, args, state, result, error_type, message';

/**
 * The root run whose id starts with `prefix` (at least 4 characters, unique), or,
 * without a prefix, the newest run that ended interrupted, failed or timed out.
 */
export function findRoot(db: Database, prefix: string | undefined): RecordedRoot | { error: string } {
  let rows: unknown[];
  if (prefix === undefined) {
    rows = db.all(`SELECT ${ROOT_COLUMNS} FROM instances WHERE parent_id IS NULL AND state IN ('interrupted', 'failed', 'timed_out') ORDER BY created_at DESC, rowid DESC LIMIT 1`);
    if (rows.length === 0) return { error: 'no interrupted or failed run to resume in this project' };
  } else {
    if (!/^[0-9a-f-]{4,36}$/i.test(prefix)) return { error: `"${prefix}" is not a run id: give the id "capsule history" shows (at least 4 of its characters)` };
    rows = db.all(`SELECT ${ROOT_COLUMNS} FROM instances WHERE parent_id IS NULL AND id LIKE ? ORDER BY created_at DESC LIMIT 2`, [`${prefix.toLowerCase()}%`]);
    if (rows.length === 0) return { error: `no run ${prefix} in this project's trace` };
    if (rows.length > 1) return { error: `"${prefix}" names more than one run; give more of its id` };
  }
  const r = RootRow.safeParse(rows[0]);
  if (!r.success) return { error: 'the run\'s row in the trace is damaged' };
  const d = r.data;
  return { id: d.id, file: d.file, task: d.task, args: d.args, state: d.state, result: d.result, errorType: d.error_type, message: d.message };
}

/** The newest interrupted run of this task with these arguments that no later run has resumed ([workflow] durable). */
export function findResumable(db: Database, file: string, task: string, argsJson: string): string | null {
  const row = db.get(
    `SELECT id FROM instances i WHERE parent_id IS NULL AND state = 'interrupted' AND file = ? AND task = ? AND args = ?
       AND NOT EXISTS (SELECT 1 FROM journal_runs j WHERE j.source_run = i.id)
     ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    [file, task, argsJson],
  );
  return row && typeof row.id === 'string' ? row.id : null;
}
