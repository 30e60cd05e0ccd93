// The Python SDK validates @task arguments at decoration time; the TypeScript schema
// validates the same arguments for the CLI, the engine and the language server. One
// table of values goes through both: they must accept and reject the same values,
// and agree on the resulting config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolveTaskConfig } from '../../runtime/src/config/schema';

type PyResult = { ok: true; config: Record<string, unknown> } | { ok: false; error: string };

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
