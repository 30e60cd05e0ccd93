// The trace's tables. Times are milliseconds since the epoch; fuel in units,
// ram in bytes. One row per instance (a call of a task), one per attempt (each
// ran in a fresh sandbox), and one per state change.
export const SCHEMA_VERSION = 1;

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
  pid        INTEGER
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
`;
