import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseArgsInput } from '../../client/src/runs/args';

test('arguments: array = positional, object = keywords, both with args/kwargs, empty = none', () => {
  assert.deepEqual(parseArgsInput(''), { ok: true, args: [], kwargs: {} });
  assert.deepEqual(parseArgsInput(' [1, "a"] '), { ok: true, args: [1, 'a'], kwargs: {} });
  assert.deepEqual(parseArgsInput('{"dataset": [1, 2]}'), { ok: true, args: [], kwargs: { dataset: [1, 2] } });
  assert.deepEqual(parseArgsInput('{"args": [1], "kwargs": {"x": 2}}'), { ok: true, args: [1], kwargs: { x: 2 } });
});

test('bad arguments are refused before the run, saying what is accepted', () => {
  const notJson = parseArgsInput('[1, 2');
  assert.equal(notJson.ok, false);
  assert.match((notJson as { message: string }).message, /not valid JSON.*JSON array/);
  assert.match((parseArgsInput('42') as { message: string }).message, /must be a JSON array or object, got number/);
  assert.match((parseArgsInput('null') as { message: string }).message, /got null/);
  assert.match((parseArgsInput('{"args": 3}') as { message: string }).message, /"args" must be a JSON array/);
  assert.match((parseArgsInput('{"kwargs": [1]}') as { message: string }).message, /"kwargs" must be a JSON object/);
  assert.match((parseArgsInput('{"not valid": 1}') as { message: string }).message, /"not valid" is not a Python identifier/);
});
