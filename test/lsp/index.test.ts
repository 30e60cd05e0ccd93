// The workspace index is bounded: it honours .gitignore and files.exclude, skips large
// files, stops at its file cap (saying so), and follows files changed on disk.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, uriOf, type TestServer } from './client';

const task = (name: string) => `from capsule import task\n\n@task\ndef ${name}(): pass\n`;
let ws: string;

before(() => {
  ws = mkdtempSync(join(tmpdir(), 'capsule-index-'));
  const files: Record<string, string> = {
    'a.py': task('alpha'),
    'src/b.py': task('beta'),
    'src/gen/c.py': task('generated'),
    'build/d.py': task('built'),
    'vendor/e.py': task('vendored'),
    'node_modules/pkg/f.py': task('in_node_modules'),
    'big.py': `${task('too_big')}${'# padding\n'.repeat(2000)}`,
    '.gitignore': 'build/\n*.tmp.py\n',
    'src/.gitignore': 'gen/\n',
    'x.tmp.py': task('temp'),
    'big.skip': '',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(ws, rel, '..'), { recursive: true });
    writeFileSync(join(ws, rel), text);
  }
});
after(() => rmSync(ws, { recursive: true, force: true }));

async function listed(s: TestServer): Promise<string[]> {
  const tasks = (await s.rpc.sendRequest('capsule/listTasks', {})) as Array<{ taskName: string }>;
  return tasks.map((t) => t.taskName).sort();
}

test('only tasks outside .gitignore, files.exclude and the size cap are indexed', async () => {
  const s = await startServer(ws, { index: { exclude: ['vendor/**'], maxFileBytes: 4096 } });
  try {
    assert.deepEqual(await listed(s), ['alpha', 'beta']);
    const status = await s.waitFor('server status', () => s.notifications.find((n) => n.method === 'capsule/serverStatus'));
    assert.deepEqual(status.params, { health: 'ok', indexedFiles: 2 });
    // A file created on disk shows up after the client reports it.
    const changed = () => s.notifications.filter((n) => n.method === 'capsule/tasksChanged').length;
    let seen = changed();
    writeFileSync(join(ws, 'src', 'new.py'), task('gamma'));
    await s.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(join(ws, 'src', 'new.py')), type: 1 }] });
    await s.waitFor('tasksChanged', () => changed() > seen);
    seen = changed();
    assert.deepEqual(await listed(s), ['alpha', 'beta', 'gamma']);
    rmSync(join(ws, 'src', 'new.py'));
    await s.rpc.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(join(ws, 'src', 'new.py')), type: 3 }] });
    await s.waitFor('tasksChanged', () => changed() > seen);
    assert.deepEqual(await listed(s), ['alpha', 'beta']);
  } finally {
    await s.stop();
  }
});

test('VS Code\'s files.exclude, read through workspace/configuration, is honoured', async () => {
  const s = await startServer(ws, {}, { 'files.exclude': { 'src/**': true, '**/*.tmp.py': false } });
  try {
    assert.deepEqual(await listed(s), ['alpha', 'too_big', 'vendored']);
  } finally {
    await s.stop();
  }
});

test('a task list asked for before the client has answered with files.exclude waits for it', async () => {
  const s = await startServer(ws, {}, { 'files.exclude': { 'src/**': true, 'vendor/**': true } }, { configDelayMs: 1_000 });
  try {
    assert.deepEqual(await listed(s), ['alpha', 'too_big']);
  } finally {
    await s.stop();
  }
});

test('files.exclude takes VS Code\'s glob syntax: character ranges and a `when` sibling clause', async () => {
  const excludes = { 'src/**': true, 've[!a-m]dor': true, '**/*.py': { when: '$(basename).skip' } };
  const s = await startServer(ws, {}, { 'files.exclude': excludes });
  try {
    // vendor/ by its range, big.py beside big.skip; a.py has no a.skip beside it.
    assert.deepEqual(await listed(s), ['alpha']);
  } finally {
    await s.stop();
  }
});

test('the file cap stops the walk and the status says so', async () => {
  const s = await startServer(ws, { index: { maxFiles: 1 } });
  try {
    assert.equal((await listed(s)).length, 1);
    const status = await s.waitFor('server status', () => s.notifications.find((n) => n.method === 'capsule/serverStatus'));
    assert.deepEqual(status.params, { health: 'warning', indexedFiles: 1, message: 'the index stopped at its cap of 1 files' });
  } finally {
    await s.stop();
  }
});

test('the task list follows an edit and its revert: no stale problem count', async () => {
  const s = await startServer(ws, { index: { exclude: ['vendor/**'], maxFileBytes: 4096 } });
  try {
    const uri = uriOf(join(ws, 'a.py'));
    const problems = async () => ((await s.rpc.sendRequest('capsule/listTasks', {})) as Array<{ taskName: string; problems: number }>).find((t) => t.taskName === 'alpha')?.problems;
    const changed = () => s.notifications.filter((n) => n.method === 'capsule/tasksChanged').length;
    const good = 'from capsule import task\n\n@task(ram="64MB")\ndef alpha(): pass\n';
    await s.open(uri, good);
    assert.equal(await problems(), 0);
    let seen = changed();
    await s.change(uri, 2, [{ text: good.replace('64MB', '64XB') }]);
    await s.waitFor('tasksChanged after the bad edit', () => changed() > seen);
    assert.equal(await problems(), 1);
    seen = changed();
    await s.change(uri, 3, [{ text: good }]);
    await s.waitFor('tasksChanged after the revert', () => changed() > seen);
    assert.equal(await problems(), 0);
  } finally {
    await s.stop();
  }
});
