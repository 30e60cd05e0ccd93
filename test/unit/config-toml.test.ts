// capsule.toml: parsed with a real TOML parser, validated with the task schema, with
// line and column (1-based) on every problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProjectConfig, validateCapsuleToml } from '../../runtime/src/config/toml';
import { tempDir } from '../temp-dir';

test('a good capsule.toml gives the workflow and the defaults', () => {
  const r = validateCapsuleToml(`[workflow]
name = "my-workflow"
version = "1.0.0"
entrypoint = "src/main.py"

[tasks]
default_compute = "LOW"
default_ram = "256MB"
default_timeout = "30s"
default_max_retries = 2
default_allowed_files = []
default_allowed_hosts = ["api.example.com"]
default_env_variables = ["API_KEY"]
`);
  assert.deepEqual(r, {
    workflow: { name: 'my-workflow', version: '1.0.0', entrypoint: 'src/main.py' },
    defaults: { compute: 'LOW', ram: '256MB', timeout: '30s', maxRetries: 2, allowedFiles: [], allowedHosts: ['api.example.com'], envVariables: ['API_KEY'] },
    // Parsed once here; a task's config starts from these.
    taskDefaults: { compute: 'LOW', fuel: 100_000_000, memoryLimitBytes: 256 * 2 ** 20, timeoutMs: 30_000, maxRetries: 2, allowedFiles: [], allowedHosts: ['api.example.com'], envVariables: ['API_KEY'] },
    problems: [],
  });
});

test('bad keys, types and values are reported at their line and column', () => {
  const text = `[workflow]
name = 1
title = "x"

[tasks]
default_ram = "512mo"
  default_timeout = 30
default_max_retries = -1
default_allowed_hosts = ["https://api.x.com"]
default_gpu = true

[extra]
`;
  const r = validateCapsuleToml(text);
  assert.deepEqual(r.defaults, {});
  assert.deepEqual(r.problems, [
    { line: 2, column: 8, endColumn: 9, severity: 'error', message: 'workflow.name must be a string' },
    { line: 3, column: 1, endColumn: 6, severity: 'error', message: 'unknown key "title" in [workflow]; use name, version, entrypoint, durable, journal_blob_cap' },
    { line: 6, column: 15, endColumn: 22, severity: 'error', message: 'tasks.default_ram: ram "512mo": unknown unit "mo"; use B, KB, MB or GB, e.g. "512MB"' },
    { line: 7, column: 21, endColumn: 23, severity: 'error', message: 'tasks.default_timeout must be a string' },
    { line: 8, column: 23, endColumn: 25, severity: 'error', message: 'tasks.default_max_retries: max_retries -1 is negative; use 0 (no retry) or more' },
    { line: 9, column: 25, endColumn: 46, severity: 'error', message: 'tasks.default_allowed_hosts: allowed_hosts entry "https://api.x.com" has a scheme ("https://"), so it never matches; hosts are matched by name alone, write "api.x.com"' },
    { line: 10, column: 1, endColumn: 12, severity: 'error', message: 'unknown key "default_gpu" in [tasks]; use default_compute, default_ram, default_timeout, default_max_retries, default_allowed_files, default_allowed_hosts, default_env_variables, default_disk, python_path, max_subtasks' },
    { line: 12, column: 1, endColumn: 8, severity: 'error', message: 'unknown table "extra"; capsule.toml has [workflow], [tasks] and [queue]' },
  ]);
});

test('a TOML syntax error carries the parser\'s line and column', () => {
  const r = validateCapsuleToml('[tasks]\ndefault_ram = "256MB\n');
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0]!.line, 2);
  assert.match(r.problems[0]!.message, /^capsule\.toml is not valid TOML: /);
});

test('loadProjectConfig: no file is no defaults; a missing entrypoint is flagged', () => {
  const root = tempDir('capsule-toml-');
  assert.deepEqual(loadProjectConfig(root), { defaults: {}, taskDefaults: {}, problems: [] });
  writeFileSync(join(root, 'capsule.toml'), '[workflow]\nentrypoint = "nope.py"\n');
  const r = loadProjectConfig(root);
  assert.equal(r.path, join(root, 'capsule.toml'));
  assert.deepEqual(r.problems, [{ line: 2, column: 14, endColumn: 23, severity: 'error', message: 'workflow.entrypoint "nope.py" does not exist in the project' }]);
});

test('[workflow] journal_blob_cap: a size from 1KB to 256MB; anything else is named with its line and what is accepted', () => {
  assert.equal(validateCapsuleToml('[workflow]\njournal_blob_cap = "64KB"\n').workflow?.journalBlobCap, 64 * 1024);
  assert.equal(validateCapsuleToml('[workflow]\njournal_blob_cap = "1.5MB"\n').workflow?.journalBlobCap, 1.5 * 1024 * 1024);
  const problem = (value: string) => {
    const r = validateCapsuleToml(`[workflow]\njournal_blob_cap = ${value}\n`);
    assert.equal(r.workflow?.journalBlobCap, undefined);
    const [p] = r.problems;
    return `${p!.line}:${p!.column} ${p!.message}`;
  };
  const why = ' (journal replies longer than this are stored in .capsule/blobs/; default 64KB)';
  assert.equal(problem('"2GB"'), `2:20 workflow.journal_blob_cap "2GB" is more than the maximum of 256 MB${why}`);
  assert.equal(problem('"100"'), `2:20 workflow.journal_blob_cap "100" is less than the minimum of 1 KB${why}`);
  assert.equal(problem('"64XB"'), `2:20 workflow.journal_blob_cap "64XB": unknown unit "XB"; use B, KB, MB or GB, e.g. "64KB"${why}`);
  assert.equal(problem('65536'), `2:20 workflow.journal_blob_cap must be a string with a unit, e.g. "64KB", got 65536${why}`);
  // default_disk shares the parser: its words are unchanged.
  assert.equal(validateCapsuleToml('[tasks]\ndefault_disk = "2TB"\n').problems[0]!.message, 'tasks.default_disk: disk "2TB" is more than the maximum of 1 TB');
});

test('default_allowed_files must exist in the project, unless grantRoot is null (a queue worker checks each grant on its own disk); lexical rules hold either way', () => {
  const dir = tempDir('capsule-toml-grants-');
  writeFileSync(join(dir, 'capsule.toml'), '[tasks]\ndefault_allowed_files = ["data"]\n');
  const here = loadProjectConfig(dir);
  assert.equal(here.problems.length, 1);
  assert.match(here.problems[0]!.message, /tasks\.default_allowed_files: allowed_files entry "data" does not exist in the project/);
  assert.equal(here.taskDefaults.allowedFiles, undefined);
  const onWorker = loadProjectConfig(dir, { grantRoot: null });
  assert.deepEqual(onWorker.problems, []);
  assert.deepEqual(onWorker.taskDefaults.allowedFiles, [{ path: 'data', mode: 'read-write' }]);
  const absolute = validateCapsuleToml('[tasks]\ndefault_allowed_files = ["/etc"]\n', { projectRoot: dir, grantRoot: null });
  assert.match(absolute.problems[0]?.message ?? '', /allowed_files entry "\/etc" is absolute/);
});
