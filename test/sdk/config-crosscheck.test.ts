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
  const fromPython = JSON.parse(python('import json; from capsule import _config as c; print(json.dumps({"FUEL": c.FUEL, "MIN_RAM_BYTES": c.MIN_RAM_BYTES, "MAX_RAM_BYTES": c.MAX_RAM_BYTES, "MAX_TIMEOUT_MS": c.MAX_TIMEOUT_MS, "MAX_FUEL": c.MAX_SAFE_INTEGER}))'));
  assert.deepEqual(fromPython, { FUEL: { ...limits.FUEL }, MIN_RAM_BYTES: limits.MIN_RAM_BYTES, MAX_RAM_BYTES: limits.MAX_RAM_BYTES, MAX_TIMEOUT_MS: limits.MAX_TIMEOUT_MS, MAX_FUEL: limits.MAX_FUEL });
});

test('a float max_retries is refused by the SDK as by the schema (JSON cannot carry 3.0, so Python is asked directly)', () => {
  const out = python('from capsule._config import resolve_options, TaskConfigError\ntry:\n    resolve_options("f", max_retries=3.0)\n    print("accepted")\nexcept TaskConfigError as e:\n    print(e)');
  assert.equal(out.trim(), 'max_retries 3.0 is a float; write the integer 3');
});
