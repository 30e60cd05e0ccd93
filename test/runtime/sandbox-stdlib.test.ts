// The standard library a task can rely on, run for real in
// the sandbox (CPython 3.11 on WASI through jco).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SandboxPool } from '../../runtime/src/sandbox/index';
import { ExactNumber } from '../../runtime/src/values/exact-json';
import { nativeResult } from './native-oracle';
import { FIXTURES, FUEL, runTask, spec } from './sandbox-helpers';
import { tempDir } from '../temp-dir';

const pool = new SandboxPool({ spares: 1 });
after(() => pool.dispose());

async function result(taskName: string, args: unknown[] = []): Promise<unknown> {
  const { outcome } = await runTask(pool, spec(FIXTURES, 'stdlib_tasks.py', taskName, { args }));
  assert.equal(outcome.ok, true, `${taskName}: ${JSON.stringify(outcome.error)}`);
  return outcome.result;
}

describe('sandbox: standard library', () => {
  it('json', async () => assert.deepEqual(await result('use_json'), { a: [1, 2.5, null, true] }));
  it('math', async () => assert.deepEqual(await result('use_math'), [new ExactNumber('4.0'), 3628800, 3.14159]));
  it('re', async () => assert.deepEqual(await result('use_re'), [['a', 'b'], ['c', 'd']]));
  it('datetime', async () => assert.deepEqual(await result('use_datetime'), ['2024-03-01', new ExactNumber('1577836800.0')]));
  it('collections', async () => assert.deepEqual(await result('use_collections'), [[['a', 5], ['b', 2]], [2, 3]]));
  it('itertools', async () => assert.deepEqual(await result('use_itertools'), [[['a', 'b'], ['a', 'c'], ['b', 'a']], [1, 3, 6, 10]]));
  it('functools', async () => assert.deepEqual(await result('use_functools'), [new ExactNumber('23416728348467685'), 120]));
  it('dataclasses', async () => assert.deepEqual(await result('use_dataclasses'), { x: 1, y: 2 }));
  it('typing', async () => assert.deepEqual(await result('use_typing'), ['list', 'Box']));
  it('decimal', async () => assert.equal(await result('use_decimal'), '0.142857142857142857142857142857'));
  it('fractions', async () => assert.equal(await result('use_fractions'), '1/2'));
  it('statistics', async () => assert.deepEqual(await result('use_statistics'), [2.5, 2, 1.290994]));
  it('random (seeded generator is reproducible, module one is not)', async () => {
    const [a, b] = (await Promise.all([result('use_random'), result('use_random')])) as number[][];
    assert.deepEqual(a.slice(0, 3), [82, 15, 4]);
    assert.deepEqual(a.slice(0, 3), b.slice(0, 3));
    assert.notEqual(a[3], b[3]);
  });
  it('hashlib md5 / sha1 / sha256 (digests as native CPython computes them)', async () => assert.deepEqual(await result('use_hashlib'), [
    '2716373f1a0b85c7d8fb074fb4fc61c7',
    '073c5dc664c203bb8b58a8bb3ba7b5588f641a38',
    '881df12b68cd344e83f6b83d6e0eea5432aae64c332895aa4b1b51c7a24ac210',
  ]));
  it('base64', async () => assert.deepEqual(await result('use_base64'), ['Y2Fwc3VsZQ==', 'capsule']));
  it('zlib', async () => assert.deepEqual(await result('use_zlib'), [true, true, 3261636995]));
  it('textwrap', async () => assert.deepEqual(await result('use_textwrap'), ['the quick', 'brown fox', 'jumps over', 'the lazy', 'dog']));
  it('string', async () => assert.deepEqual(await result('use_string'), ['abcde', '1-2']));
  it('enum', async () => assert.deepEqual(await result('use_enum'), ['GREEN', [1, 2]]));
  it('pathlib (relative paths resolve in the project)', async () => assert.deepEqual(await result('use_pathlib'), ['.py', true, 'c.txt']));
  it('csv', async () => assert.deepEqual(await result('use_csv'), ['a,b\r\n1,"x,y"\r\n', [['a', 'b'], ['1', 'x,y']]]));
  it('io', async () => assert.deepEqual(await result('use_io'), ['hello', ['a\n', 'b\n']]));
  it('time.sleep waits', async () => {
    const slept = (await result('use_time_sleep')) as number;
    assert.ok(slept >= 0.045, `slept ${slept}s`);
  });
  it('asyncio runs a coroutine', async () => assert.deepEqual(await result('use_asyncio'), [2, 4]));
  it('an async def task is awaited', async () => assert.equal(await result('async_task', [41]), 42));
  it('zoneinfo (IANA data from the Debian tzdata source)', async () => assert.deepEqual(await result('use_zoneinfo'), nativeResult(FIXTURES, 'stdlib_tasks.py', 'use_zoneinfo')));
  it('sysconfig', async () => assert.deepEqual(await result('use_sysconfig'), nativeResult(FIXTURES, 'stdlib_tasks.py', 'use_sysconfig')));
  it('sqlite3 (in memory, and a file on a read-write grant)', async () => {
    const dir = tempDir('capsule-sqlite-');
    const mounts = [{ hostPath: dir, guestPath: '/project/out', readOnly: false }];
    const { outcome } = await runTask(pool, spec(FIXTURES, 'stdlib_tasks.py', 'use_sqlite3', { args: ['out'], mounts }));
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const nativeDir = tempDir('capsule-sqlite-native-');
    const expected = nativeResult(FIXTURES, 'stdlib_tasks.py', 'use_sqlite3', [nativeDir]) as unknown[];
    assert.deepEqual((outcome.result as unknown[]).slice(0, -1), expected.slice(0, -1));
    assert.equal((outcome.result as unknown[]).at(-1), '3.40.1'); // Debian bookworm's sqlite3 source
    // The file is a real SQLite database on the host: python3 reads what the task wrote.
    assert.ok(readFileSync(join(dir, 'app.db')).subarray(0, 16).toString() === 'SQLite format 3\0');
  });
  it('bz2', async () => assert.deepEqual(await result('use_bz2'), nativeResult(FIXTURES, 'stdlib_tasks.py', 'use_bz2')));
  it('lzma', async () => assert.deepEqual(await result('use_lzma'), nativeResult(FIXTURES, 'stdlib_tasks.py', 'use_lzma')));
  it('pwd, grp and getpass: one fixed user, uid 1000 "capsule", home /tmp', async () => assert.deepEqual(await result('use_pwd'), [
    'capsule', ['capsule', 'x', 1000, 1000, 'Capsule task', '/tmp', '/bin/sh'], '/tmp', 1000, 'capsule', '/tmp/x',
  ]));
});

describe('sandbox: text is UTF-8 and recursion is as deep as native (python3 -X utf8 is the oracle)', () => {
  const TEXT = 'Grüße ✓ 日本語 😀';
  const same = async (taskName: string, args: unknown[] = []) =>
    assert.deepEqual(await result(taskName, args), nativeResult(FIXTURES, 'stdlib_tasks.py', taskName, args));

  it('UTF-8 mode: file system, locale and stdio encodings', async () => {
    assert.deepEqual(await result('text_settings'), [1, 'utf-8', 'utf-8', 'utf-8', 'utf-8']);
    await same('text_settings');
  });

  it('print and stderr carry non-ASCII text', async () => {
    const { outcome, stdout, stderr } = await runTask(pool, spec(FIXTURES, 'stdlib_tasks.py', 'text_print'));
    assert.equal(outcome.result, TEXT, JSON.stringify(outcome.error));
    assert.equal(stdout, `${TEXT}\n`);
    assert.equal(stderr, `${TEXT}\n`);
  });

  it('a file with a non-ASCII name and content, written and read back', async () => {
    const dir = tempDir('capsule-utf8-');
    const mounts = [{ hostPath: dir, guestPath: '/project/out', readOnly: false }];
    const { outcome } = await runTask(pool, spec(FIXTURES, 'stdlib_tasks.py', 'text_files', { args: ['out'], mounts }));
    assert.deepEqual(outcome.result, [TEXT, [`${TEXT}.txt`], true], JSON.stringify(outcome.error));
    assert.equal(readFileSync(join(dir, `${TEXT}.txt`), 'utf8'), TEXT);
  });

  it('a non-ASCII environment variable', async () => {
    const { outcome } = await runTask(pool, spec(FIXTURES, 'stdlib_tasks.py', 'text_env', { env: { GREETING: TEXT } }));
    assert.deepEqual(outcome.result, [TEXT, TEXT], JSON.stringify(outcome.error));
    assert.deepEqual(outcome.result, nativeResult(FIXTURES, 'stdlib_tasks.py', 'text_env', [], { GREETING: TEXT }));
  });

  it("the recursion limit is CPython's default", () => same('recursion_default_limit'));
  it('plain recursion 5,000 deep', () => same('recursion_python', [5000]));
  it('memoised recursion 800 deep', () => same('recursion_memoised', [800]));
  it('lru_cache recursion 450 deep (C frames per level)', () => same('recursion_lru_cache', [450]));
  it('json.dumps of a list nested 900 deep', () => same('recursion_json', [900]));

  it('setrecursionlimit(10_000) and recursion through C: a result or a RecursionError, never a crash', async () => {
    const { outcome } = await runTask(pool, spec(FIXTURES, 'stdlib_tasks.py', 'recursion_c_paths', { args: [10_000], fuel: FUEL.HIGH }));
    assert.equal(outcome.ok, true, JSON.stringify(outcome.error));
    const got = outcome.result as [string, unknown][];
    assert.equal(got.length, 5);
    for (const [kind, value] of got) {
      if (kind === 'RecursionError') assert.match(String(value), /^maximum recursion depth exceeded/);
      else assert.equal(kind, 'ok');
    }
  });
});
