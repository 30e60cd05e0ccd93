// Durable runs end to end: the CLI killed with SIGKILL mid-run, `capsule resume`,
// `capsule replay` offline, divergence after a code edit, and no secret in the
// journal. Real CLI, real sandbox, a loopback HTTP server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { capsule, countingServer, project, runAndKill, sql } from './durable-helpers';

const SEQ = `import time
from capsule import task

@task(name="step", compute="LOW", allowed_files=["out"])
def step(i):
    with open("out/log.txt", "a") as f:
        f.write(f"{i}\\n")
    time.sleep(0.2)
    return i * i

@task(name="main", compute="MEDIUM", timeout="5m")
def main(n=20):
    return sum(step(SHIFT(i)) for i in range(n))

def SHIFT(i):
    return i
`;

const lines = (dir: string): number[] => readFileSync(join(dir, 'out', 'log.txt'), 'utf8').trim().split('\n').map(Number);
const rootIds = (dir: string): string[] => sql(dir, 'SELECT id FROM instances WHERE parent_id IS NULL ORDER BY created_at, rowid').split('\n');

test('a sequential run killed after ~10 of 20 sub-tasks resumes: each completed one ran once, the result is an uninterrupted run\'s', async () => {
  const whole = project({ 'seq.py': SEQ });
  const p = project({ 'seq.py': SEQ });
  try {
    const uninterrupted = await capsule(['run', 'seq.py', '--json'], whole.dir);
    assert.equal(uninterrupted.code, 0, uninterrupted.err);

    // Step 10 starts once step 9 has completed (and is in the journal): 11 lines, 10 done.
    await runAndKill(p.dir, ['seq.py'], 11);
    const done = Number(sql(p.dir, "SELECT count(*) FROM journal WHERE kind = 'task' AND ok = 1"));
    const r = await capsule(['resume', '--json'], p.dir);
    assert.equal(r.code, 0, r.err + r.out);
    const env = JSON.parse(r.out);
    assert.deepEqual(env.result, JSON.parse(uninterrupted.out).result);
    assert.equal(env.execution.journal.mode, 'resume');
    assert.equal(env.execution.journal.replayed, done);
    assert.equal(env.execution.journal.ran, 20 - done);
    assert.equal(env.execution.journal.divergence, null);

    const counts = new Map<number, number>();
    for (const i of lines(p.dir)) counts.set(i, (counts.get(i) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [...Array(20).keys()]);
    const twice = [...counts].filter(([, n]) => n > 1).map(([i]) => i);
    // Only the sub-task in flight at the kill (the first one not in the journal) may have run twice.
    assert.ok(twice.length === 0 || (twice.length === 1 && twice[0] === done), `ran twice: ${twice}`);
    assert.ok([...counts.values()].every((n) => n <= 2));

    // The trace links the runs and lists the replayed sub-tasks.
    const [killed, resumed] = rootIds(p.dir);
    assert.equal(sql(p.dir, `SELECT source_run || ' ' || mode FROM journal_runs WHERE run_id = '${resumed}'`), `${killed} resume`);
    assert.equal(Number(sql(p.dir, `SELECT count(*) FROM instances WHERE run_id = '${resumed}' AND message LIKE 'replayed from run%'`)), done);
  } finally {
    whole.done();
    p.done();
  }
});

test('a code edit between the kill and the resume is a divergence at the call that changed; --strict stops there', async () => {
  const p = project({ 'seq.py': SEQ });
  try {
    await runAndKill(p.dir, ['seq.py'], 9);
    const [killed] = rootIds(p.dir);
    // Calls 0-4 are unchanged; from the 6th on (path "5") the argument differs.
    writeFileSync(join(p.dir, 'seq.py'), SEQ.replace('    return i\n', '    return i if i < 5 else i + 100\n'));

    const strict = await capsule(['resume', killed!, '--strict'], p.dir);
    assert.equal(strict.code, 1, strict.err);
    assert.match(strict.err, /diverged at call 5 \(task\): expected task "step" in \/project\/seq\.py\(5\), got task "step" in \/project\/seq\.py\(105\)/);
    assert.match(strict.err, /resume --strict stopped: call 5/);

    const live = await capsule(['resume', killed!, '--json'], p.dir);
    assert.equal(live.code, 0, live.err);
    const env = JSON.parse(live.out);
    const expected = [...Array(20).keys()].map((i) => (i < 5 ? i : i + 100)).reduce((s, i) => s + i * i, 0);
    assert.equal(env.result, expected);
    assert.equal(env.execution.journal.replayed, 5);
    assert.equal(env.execution.journal.ran, 15);
    assert.equal(env.execution.journal.divergence.path, '5');
    assert.equal(env.execution.journal.stopped, false);
  } finally {
    p.done();
  }
});

test('with [workflow] durable = true, the next run of the same task and arguments resumes an interrupted run, once', async () => {
  const p = project({ 'seq.py': SEQ, 'capsule.toml': '[workflow]\ndurable = true\n' });
  try {
    await runAndKill(p.dir, ['seq.py', '--', '12'], 5);
    const other = await capsule(['run', 'seq.py', '--json', '--', '3'], p.dir);
    assert.equal(other.code, 0, other.err);
    assert.equal(JSON.parse(other.out).execution.journal, undefined, 'other arguments: a fresh run');
    const again = await capsule(['run', 'seq.py', '--', '12'], p.dir);
    assert.equal(again.code, 0, again.err);
    assert.equal(again.out.trim(), String([...Array(12).keys()].reduce((s, i) => s + i * i, 0)));
    assert.match(again.err, /resumed run [0-9a-f]{8}: [4-9] calls from the journal/);
    const third = await capsule(['run', 'seq.py', '--json', '--', '12'], p.dir);
    assert.equal(JSON.parse(third.out).execution.journal, undefined, 'a run resumed once is not resumed again');
  } finally {
    p.done();
  }
});

const FAN = `import asyncio, time
from capsule import task, http

@task(name="fetch", compute="LOW", allowed_files=["out"], allowed_hosts=["127.0.0.1"])
async def fetch(base, i):
    got = http.get(f"{base}/item/{i}").json()
    with open("out/log.txt", "a") as f:
        f.write(f"{i}\\n")
    time.sleep(0.3)
    return got["path"]

@task(name="main", compute="HIGH", timeout="5m", allowed_hosts=["127.0.0.1"])
async def main(base, n=20):
    first = http.get(f"{base}/root").json()["hit"]
    paths = await asyncio.gather(*(fetch(base, i) for i in range(n)))
    return {"first": first, "paths": paths}
`;

test('an asyncio.gather fan-out of 20 with HTTP requests resumes without repeating a completed request; replay reproduces it offline', async () => {
  const server = await countingServer();
  const p = project({ 'fan.py': FAN });
  let serverOpen = true;
  try {
    // At most 4 sub-tasks run at once on this machine's default (2 x cores, at least 4): 14 started, 10 or more done.
    await runAndKill(p.dir, ['fan.py', '--', JSON.stringify(server.url)], 14);
    const [killed] = rootIds(p.dir);
    // Sub-task i is the root's call i+1 (call 0 is its own request).
    const completed = sql(p.dir, `SELECT path FROM journal WHERE run_id = '${killed}' AND kind = 'task' AND ok = 1 AND path NOT LIKE '%/%'`).split('\n').map((x) => Number(x) - 1);
    assert.ok(completed.length >= 1, 'some sub-tasks completed before the kill');
    const before = new Map(server.hits);

    const r = await capsule(['resume', '--json'], p.dir);
    assert.equal(r.code, 0, r.err + r.out);
    const env = JSON.parse(r.out);
    assert.deepEqual(env.result, { first: 1, paths: [...Array(20).keys()].map((i) => `/item/${i}`) });
    assert.equal(server.hits.get('/root'), 1, 'the root\'s own request was not made again');
    for (const i of completed) assert.equal(server.hits.get(`/item/${i}`), before.get(`/item/${i}`), `item ${i} completed before the kill and was requested again`);
    for (let i = 0; i < 20; i++) assert.ok((server.hits.get(`/item/${i}`) ?? 0) >= 1);
    assert.ok(env.execution.host_requests.some((h: { replayed?: boolean }) => h.replayed), 'the root\'s request is listed as replayed');

    await server.close();
    serverOpen = false;
    const [, resumed] = rootIds(p.dir);
    const replay = await capsule(['replay', resumed!], p.dir);
    assert.equal(replay.code, 0, replay.err);
    assert.match(replay.err, /replay reproduced the recorded outcome/);
    assert.match(replay.out, /"first": 1/);
  } finally {
    if (serverOpen) await server.close();
    p.done();
  }
});

const SECRET = 'tok-SECRET-9876543210';
const SECRETS = `import os
from capsule import task, http

@task(name="call", compute="LOW", env_variables=["API_TOKEN"], allowed_hosts=["127.0.0.1"])
def call(base):
    tok = os.environ["API_TOKEN"]
    r = http.post(f"{base}/echo?api_key={tok}", headers={"Authorization": f"Bearer {tok}"}, data=f"body {tok}")
    return {"echo": r.json(), "cookie": r.headers.get("set-cookie"), "token": tok, "pad": "x" * 70000}

@task(name="main", compute="MEDIUM")
def main(base):
    got = call(base)
    return {"auth": got["echo"]["auth"], "body": got["echo"]["body"], "token": got["token"], "cookie": got["cookie"], "pad": len(got["pad"])}
`;

test('the journal holds no granted value and no credential header, and a replay still reproduces the run', async () => {
  const server = await countingServer();
  const p = project({ 'secrets.py': SECRETS, '.env': `API_TOKEN=${SECRET}\n` });
  let serverOpen = true;
  try {
    const run = await capsule(['run', 'secrets.py', '--json', '--', JSON.stringify(server.url)], p.dir);
    assert.equal(run.code, 0, run.err + run.out);
    const result = JSON.parse(run.out).result;
    assert.equal(result.auth, `Bearer ${SECRET}`);

    const journal = sql(p.dir, 'SELECT * FROM journal');
    assert.ok(journal.includes('[redacted]'), 'the URL\'s api_key and the Set-Cookie header are redacted');
    const blobs = readdirSync(join(p.dir, '.capsule', 'blobs'));
    assert.equal(blobs.length, 1, 'the 70 KB reply went to a blob');
    const stored = [journal, ...blobs.map((b) => readFileSync(join(p.dir, '.capsule', 'blobs', b), 'utf8'))].join('\n');
    assert.ok(!stored.includes('9876543210'), 'no granted value in the journal or its blobs');

    await server.close();
    serverOpen = false;
    const [id] = rootIds(p.dir);
    const replay = await capsule(['replay', id!, '--json'], p.dir);
    assert.equal(replay.code, 0, replay.err);
    // The sub-task's reply came from the journal with the values put back from .env.
    assert.deepEqual(JSON.parse(replay.out).result, result);
  } finally {
    if (serverOpen) await server.close();
    p.done();
  }
});

const RANDOM = `import os, random, secrets, uuid
from capsule import task

@task(name="pick", compute="LOW")
def pick(x):
    return x

@task(name="main", compute="MEDIUM")
def main():
    picks = [pick(random.randint(0, 10**9)) for _ in range(3)]
    return {"picks": picks, "uuid": str(uuid.uuid4()), "token": secrets.token_hex(8), "urandom": os.urandom(8).hex()}
`;

test('randomness is drawn from the run\'s journalled seed: a replay makes the same random calls and result; a new run differs', async () => {
  const p = project({ 'rnd.py': RANDOM });
  try {
    const a = await capsule(['run', 'rnd.py', '--json'], p.dir);
    const b = await capsule(['run', 'rnd.py', '--json'], p.dir);
    assert.equal(a.code, 0, a.err);
    const ra = JSON.parse(a.out).result;
    assert.notDeepEqual(JSON.parse(b.out).result, ra, 'two runs draw different numbers');
    const [first] = rootIds(p.dir);
    const replay = await capsule(['replay', first!, '--json'], p.dir);
    assert.equal(replay.code, 0, replay.err + replay.out);
    const env = JSON.parse(replay.out);
    assert.deepEqual(env.result, ra);
    assert.equal(env.execution.journal.replayed, 3);
    assert.equal(env.execution.journal.divergence, null);
  } finally {
    p.done();
  }
});
