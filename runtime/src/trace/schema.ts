// The trace's tables. Times are milliseconds since the epoch; fuel in units,
// ram in bytes. One row per instance (a call of a task), one per attempt (each
// ran in a fresh sandbox), and one per state change. The journal (journal/) keeps
// what crossed the sandbox boundary, per run and call position, for resume and replay.
export const SCHEMA_VERSION = 2;

/** A run's own stdout and stderr kept in the trace, per instance (the rest is dropped and counted). */
export const OUTPUT_CAP_BYTES = 64 * 1024;
/** A result longer than this (as JSON) is not kept in the trace. */
export const RESULT_CAP_CHARS = 256 * 1024;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
  id         TEXT PRIMARY KEY,
  run_id     TEXT NOT NULL,
  parent_id  TEXT,
  task       TEXT NOT NULL,
  file       TEXT NOT NULL,
  attempt    INTEGER NOT NULL DEFAULT 0,
  state      TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at   INTEGER,
  fuel       INTEGER,
  ram        INTEGER,
  error_type TEXT,
  message    TEXT,
  pid        INTEGER,
  args       TEXT,
  limits     TEXT,
  result     TEXT,
  output_dropped INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS instances_run ON instances(run_id);
CREATE INDEX IF NOT EXISTS instances_state ON instances(state);
CREATE INDEX IF NOT EXISTS instances_roots ON instances(parent_id, created_at);
CREATE TABLE IF NOT EXISTS attempts (
  instance_id TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  state       TEXT NOT NULL,
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  fuel        INTEGER,
  ram         INTEGER,
  error_type  TEXT,
  message     TEXT,
  worker      TEXT,
  PRIMARY KEY (instance_id, attempt)
);
CREATE TABLE IF NOT EXISTS transitions (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  state       TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transitions_instance ON transitions(instance_id);
CREATE TABLE IF NOT EXISTS output (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  instance_id TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  stream      TEXT NOT NULL,
  text        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS output_instance ON output(instance_id);
CREATE TABLE IF NOT EXISTS journal (
  run_id   TEXT NOT NULL,
  kind     TEXT NOT NULL,
  path     TEXT NOT NULL,
  hash     TEXT NOT NULL,
  call     TEXT NOT NULL,
  ok       INTEGER NOT NULL,
  reply    TEXT,
  blob     TEXT,
  replayed INTEGER NOT NULL DEFAULT 0,
  at       INTEGER NOT NULL,
  PRIMARY KEY (run_id, kind, path)
);
CREATE TABLE IF NOT EXISTS journal_runs (
  run_id     TEXT PRIMARY KEY,
  source_run TEXT,
  mode       TEXT NOT NULL,
  replayed   INTEGER NOT NULL DEFAULT 0,
  ran        INTEGER NOT NULL DEFAULT 0,
  divergence TEXT
);
`;

/**
 * Columns added since version 1, for trace.db files made before them (CREATE TABLE IF NOT
 * EXISTS leaves an existing table as it was). `args`/`limits`/`result` are JSON text.
 */
export const ADDED_COLUMNS: Array<{ table: string; column: string; sql: string }> = [
  { table: 'instances', column: 'args', sql: 'ALTER TABLE instances ADD COLUMN args TEXT' },
  { table: 'instances', column: 'limits', sql: 'ALTER TABLE instances ADD COLUMN limits TEXT' },
  { table: 'instances', column: 'result', sql: 'ALTER TABLE instances ADD COLUMN result TEXT' },
  { table: 'instances', column: 'output_dropped', sql: 'ALTER TABLE instances ADD COLUMN output_dropped INTEGER NOT NULL DEFAULT 0' },
  // The queue worker that ran the attempt (null: this machine).
  { table: 'attempts', column: 'worker', sql: 'ALTER TABLE attempts ADD COLUMN worker TEXT' },
];
