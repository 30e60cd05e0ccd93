// capsule.toml: parsed with a real TOML parser, validated with the task schema, with
// line and column (1-based) on every problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProjectConfig, validateCapsuleToml } from '../../runtime/src/config/toml';

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
    { line: 3, column: 1, endColumn: 6, severity: 'error', message: 'unknown key "title" in [workflow]; use name, version, entrypoint, durable' },
    { line: 6, column: 15, endColumn: 22, severity: 'error', message: 'tasks.default_ram: ram "512mo": unknown unit "mo"; use B, KB, MB or GB, e.g. "512MB"' },
    { line: 7, column: 21, endColumn: 23, severity: 'error', message: 'tasks.default_timeout must be a string' },
    { line: 8, column: 23, endColumn: 25, severity: 'error', message: 'tasks.default_max_retries: max_retries -1 is negative; use 0 (no retry) or more' },
    { line: 9, column: 25, endColumn: 46, severity: 'error', message: 'tasks.default_allowed_hosts: allowed_hosts entry "https://api.x.com" has a scheme ("https://"), so it never matches; hosts are matched by name alone, write "api.x.com"' },
    { line: 10, column: 1, endColumn: 12, severity: 'error', message: 'unknown key "default_gpu" in [tasks]; use default_compute, default_ram, default_timeout, default_max_retries, default_allowed_files, default_allowed_hosts, default_env_variables, default_disk, python_path, max_subtasks' },
    { line: 12, column: 1, endColumn: 8, severity: 'error', message: 'unknown table "extra"; capsule.toml has [workflow] and [tasks]' },
  ]);
});

test('a TOML syntax error carries the parser\'s line and column', () => {
  const r = validateCapsuleToml('[tasks]\ndefault_ram = "256MB\n');
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0]!.line, 2);
  assert.match(r.problems[0]!.message, /^capsule\.toml is not valid TOML: /);
});

test('loadProjectConfig: no file is no defaults; a missing entrypoint is flagged', () => {
  const root = mkdtempSync(join(tmpdir(), 'capsule-toml-'));
  assert.deepEqual(loadProjectConfig(root), { defaults: {}, taskDefaults: {}, problems: [] });
  writeFileSync(join(root, 'capsule.toml'), '[workflow]\nentrypoint = "nope.py"\n');
  const r = loadProjectConfig(root);
  assert.equal(r.path, join(root, 'capsule.toml'));
  assert.deepEqual(r.problems, [{ line: 2, column: 14, endColumn: 23, severity: 'error', message: 'workflow.entrypoint "nope.py" does not exist in the project' }]);
});
