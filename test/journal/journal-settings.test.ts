// What the journal keeps besides calls, and how it is set: the blob size cap from
// capsule.toml ([workflow] journal_blob_cap), and the names (never the values) of the
// environment variables each task was given. Real CLI, real sandbox.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capsule, project, sql } from './durable-helpers';

const BIG = `from capsule import task

@task(name="big", compute="LOW")
def big(n):
    return "x" * n

@task(name="main", compute="MEDIUM")
def main(n):
    return len(big(n))
`;

const blobs = (dir: string): string[] => (existsSync(join(dir, '.capsule', 'blobs')) ? readdirSync(join(dir, '.capsule', 'blobs')) : []);

test('[workflow] journal_blob_cap: a reply longer than the cap goes to a blob, a shorter one stays in the row', async () => {
  const small = project({ 'big.py': BIG, 'capsule.toml': '[workflow]\njournal_blob_cap = "1KB"\n' });
  const dflt = project({ 'big.py': BIG });
  try {
    for (const p of [small, dflt]) {
      const r = await capsule(['run', 'big.py', '--', '3000'], p.dir);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out.trim(), '3000');
    }
    // The 3 KB reply: over a 1 KB cap, under the default 64 KB.
    assert.equal(blobs(small.dir).length, 1);
    const [blob] = blobs(small.dir);
    assert.match(readFileSync(join(small.dir, '.capsule', 'blobs', blob!), 'utf8'), /x{3000}/);
    assert.equal(sql(small.dir, "SELECT blob FROM journal WHERE kind = 'task'"), blob);
    assert.deepEqual(blobs(dflt.dir), []);
    assert.equal(sql(dflt.dir, "SELECT blob IS NULL AND length(reply) > 3000 FROM journal WHERE kind = 'task'"), '1');
    // A replay reads the reply back from the blob.
    const id = sql(small.dir, 'SELECT id FROM instances WHERE parent_id IS NULL');
    const replay = await capsule(['replay', id, '--json'], small.dir);
    assert.equal(replay.code, 0, replay.err + replay.out);
    assert.equal(JSON.parse(replay.out).result, 3000);
    assert.equal(JSON.parse(replay.out).execution.journal.replayed, 1);
  } finally {
    small.done();
    dflt.done();
  }
});

test('a bad journal_blob_cap stops the run with the line, the value and what is accepted', async () => {
  const p = project({ 'big.py': BIG, 'capsule.toml': '[workflow]\njournal_blob_cap = "64XB"\n' });
  try {
    const r = await capsule(['run', 'big.py', '--', '10'], p.dir);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /capsule\.toml:2:20.*workflow\.journal_blob_cap "64XB": unknown unit "XB"; use B, KB, MB or GB, e.g\. "64KB"/);
  } finally {
    p.done();
  }
});

const ENV = `import os
from capsule import task

@task(name="child", compute="LOW", env_variables=["API_TOKEN", "REGION"])
def child():
    return os.environ.get("REGION")

@task(name="main", compute="MEDIUM", env_variables=["API_TOKEN", "NOT_SET_ANYWHERE"])
def main():
    return [len(os.environ["API_TOKEN"]), child()]
`;

test('the journal names the variables each task was given and those not set, never a value', async () => {
  const token = 'tok-5f3a9c2e71d04b86';
  const p = project({ 'env.py': ENV, '.env': `API_TOKEN=${token}\nREGION=eu-west-7\n` });
  try {
    const r = await capsule(['run', 'env.py', '--json'], p.dir);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out).result, [token.length, 'eu-west-7']);
    const rows = sql(p.dir, "SELECT '[' || path || '] ' || reply || ' ' || call FROM journal WHERE kind = 'env' ORDER BY path").split('\n');
    assert.deepEqual(rows, [
      '[] {"given":["API_TOKEN"],"missing":["NOT_SET_ANYWHERE"]} environment: API_TOKEN; not set: NOT_SET_ANYWHERE',
      '[0] {"given":["API_TOKEN","REGION"],"missing":[]} environment: API_TOKEN, REGION',
    ]);
    // Not even the sub-task's reply, which returned one: granted values are replaced by markers.
    const everything = sql(p.dir, 'SELECT * FROM journal');
    assert.ok(everything.includes('"kind":"task"') || everything.includes('child'), 'the sub-task\'s reply is journalled');
    assert.ok(!everything.includes(token) && !everything.includes('eu-west-7'), 'no granted value in the journal');
  } finally {
    p.done();
  }
});
