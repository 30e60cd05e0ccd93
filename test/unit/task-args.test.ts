// Task arguments as JSON: one reader (runtime/src/values/task-args.ts) for the CLI's
// --args-file and the editor's "Run with arguments" box.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTaskArgs } from '../../runtime/src/values/task-args';
import { toExactJson } from '../../runtime/src/values/exact-json';

const ok = (text: string) => {
  const r = parseTaskArgs(text, 'Arguments');
  assert.ok(r.ok, JSON.stringify(r));
  return { args: r.args, kwargs: r.kwargs };
};
const message = (text: string) => {
  const r = parseTaskArgs(text, 'Arguments');
  assert.ok(!r.ok, `${text} was accepted`);
  return r.message;
};

test('arguments: array = positional, object = keywords, both with args/kwargs, empty = none', () => {
  assert.deepEqual(ok(''), { args: [], kwargs: {} });
  assert.deepEqual(ok(' [1, "a"] '), { args: [1, 'a'], kwargs: {} });
  assert.deepEqual(ok('{"dataset": [1, 2]}'), { args: [], kwargs: { dataset: [1, 2] } });
  assert.deepEqual(ok('{"args": [1], "kwargs": {"x": 2}}'), { args: [1], kwargs: { x: 2 } });
  assert.deepEqual(ok('{"args": [1]}'), { args: [1], kwargs: {} });
});

test('values are read exactly, as the task will see them', () => {
  // The JSON text going to the task is the text typed: no rounding through JS numbers.
  assert.equal(toExactJson(ok('[12345678901234567890, 1.0, 1e2]').args, 'args'), '[12345678901234567890,1.0,1e2]');
});

test('bad arguments are refused before the run, saying what is accepted', () => {
  assert.match(message('[1, 2'), /^Arguments: not valid JSON.*; expected a JSON list of positional arguments/);
  assert.match(message('42'), /^Arguments: expected a JSON list .*; got a number$/);
  assert.match(message('null'), /got null$/);
  assert.match(message('"x"'), /got a string$/);
  assert.match(message('{"args": 3}'), /^Arguments: "args" must be a JSON list/);
  assert.match(message('{"kwargs": [1]}'), /^Arguments: "kwargs" must be a JSON object/);
  assert.match(message('{"kwargs": 5}'), /^Arguments: "kwargs" must be a JSON object/);
  assert.match(message('{"not valid": 1}'), /^Arguments: keyword "not valid" is not a Python identifier/);
  assert.match(message('{"args": [], "kwargs": {"a b": 1}}'), /keyword names must be Python identifiers/);
  assert.match(message('[1e400]'), /1e400 is too large for a float/);
});
