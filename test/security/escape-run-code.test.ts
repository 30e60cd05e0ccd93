// The escape suite once more, through runCode (the host API's code-interpreter path):
// each attack's code runs as a cell with no grants. Whatever it tries, nothing of the
// host reaches its result, output or error: not a file outside, not the host's
// environment, not the project's .env; and the pool still runs code afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSandboxPool } from '../../runtime/src/api/index';

const ATTACKS = join(__dirname, 'attacks');

/** The attack's module, then its task body called directly (in the cell's sandbox, with the cell's rights). */
function asCell(source: string): string {
  return `${source}

import asyncio as _asyncio, inspect as _inspect
_body = getattr(main, "__wrapped__", main)
_out = _body()
if _inspect.iscoroutine(_out):
    _out = _asyncio.run(_out)
repr(_out)[:2000]
`;
}

test('every attack of the escape suite, run as code with no grants, reaches nothing of the host', { timeout: 900_000 }, async () => {
  const outside = mkdtempSync(join(tmpdir(), 'capsule-outside-'));
  const FILE_SECRET = 'RUNCODE-OUTSIDE-FILE-SECRET';
  const ENV_SECRET = 'RUNCODE-HOST-ENV-SECRET';
  writeFileSync(join(outside, 'secret.txt'), FILE_SECRET);
  process.env.CAPSULE_TEST_HOST_SECRET = ENV_SECRET;
  const dotenv = readFileSync(join(__dirname, '..', 'fixtures', 'security', 'project', '.env'), 'utf8').match(/^DOTENV_SECRET=(.*)$/m)![1]!;
  const pool = createSandboxPool();
  const attacks = readdirSync(ATTACKS).filter((f) => f.endsWith('.py')).sort();
  const leaks: string[] = [];
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < attacks.length; i = next++) {
        const name = attacks[i]!;
        const source = readFileSync(join(ATTACKS, name), 'utf8').replaceAll('OUTSIDE_DIR', outside);
        const r = await pool.runCode(asCell(source), { compute: 'LOW', ram: '64MB', timeout: '5s' });
        const seen = JSON.stringify([r.resultJson, r.stdout, r.stderr, r.error]);
        for (const secret of [FILE_SECRET, ENV_SECRET, dotenv]) if (seen.includes(secret)) leaks.push(`${name}: ${secret}`);
        if (seen.includes(outside)) leaks.push(`${name}: a host path`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.deepEqual(leaks, []);
    const after = await pool.runCode('6 * 7');
    assert.equal(after.result, 42, 'the pool still runs code after every attack');
  } finally {
    delete process.env.CAPSULE_TEST_HOST_SECRET;
    await pool.dispose();
    rmSync(outside, { recursive: true, force: true });
  }
  assert.ok(attacks.length >= 100, `ran ${attacks.length} attacks`);
});
