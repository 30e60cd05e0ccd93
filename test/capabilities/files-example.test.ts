// examples/files through the engine and the real sandbox (on a temporary copy, so
// the repository stays clean): a task reads ./data/input.txt through a read-only
// grant and cannot write there; a sub-task granted read-write on ./data writes
// ./data/output.txt, which lands in the project's data directory on the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineFor, tempProject } from '../engine/helpers';

const EXAMPLE = 'examples/files';

test('examples/files: read-only read, refused write, sub-task writes ./data/output.txt', async () => {
  const project = tempProject(EXAMPLE);
  const { engine, events } = await engineFor(project.dir);
  try {
    const env = await engine.start({ file: 'main.py' }).result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    const expected = '1. apples\n2. pears\n3. plums\n';
    const result = env.result as { lines: number; bytes_written: number; write_refused: string | null; report: string };
    assert.equal(result.lines, 3);
    assert.equal(result.bytes_written, expected.length);
    assert.match(result.write_refused ?? 'the write went through', /^PermissionError: /);
    assert.equal(result.report, expected);
    // The file is on the host, in the copy's data directory.
    assert.equal(readFileSync(join(project.dir, 'data', 'output.txt'), 'utf8'), expected);
    // The sub-task ran as a child of main, in its own sandbox.
    const child = events.find((e) => e.type === 'completed' && e.taskName === 'write_report');
    assert.ok(child?.parentId, 'write_report ran as a sub-task');
  } finally {
    await engine.dispose();
    project.done();
  }
  assert.equal(existsSync(join(EXAMPLE, 'data', 'output.txt')), false, 'the example in the repository is untouched');
});
