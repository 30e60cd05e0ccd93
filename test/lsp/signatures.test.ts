// Task signatures in the task list: what the server reads from each `def` matches what
// native python3's inspect.signature says about the same code.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskInfo } from '../../server/src/protocol';
import { parseSignature } from '../../server/src/signatures';
import { startServer } from './client';

const SOURCE = `from __future__ import annotations
from typing import Optional
from capsule import task

@task
def add(a: int, b: int) -> int:
    return a + b

@task(name="sq")
def square(x: float = 2.5, /, *, label: str = "a,b)", flag: bool = False):
    return x * x

@task
async def many(
    items: list[int],  # the items, (with a paren
    opts: Optional[dict] = None,
    *rest: str,
    scale: "float" = 1.0,
    **extra,
):
    return items

@task
def nothing():
    return 1
`;

/** What python3 says: [name, kind, annotation as written, repr(default)] per parameter. */
function pythonSignatures(file: string): Record<string, Array<[string, string, string | null, string | null]>> {
  const script = `
import inspect, json, sys, types
sys.modules['capsule'] = types.SimpleNamespace(task=lambda f=None, **k: f if f else (lambda g: g))
src = open(sys.argv[1]).read()
ns = {}
exec(compile(src, sys.argv[1], 'exec'), ns)
kinds = {'POSITIONAL_ONLY': 'positional-only', 'POSITIONAL_OR_KEYWORD': 'positional', 'KEYWORD_ONLY': 'keyword', 'VAR_POSITIONAL': 'varargs', 'VAR_KEYWORD': 'varkw'}
out = {}
for name in ('add', 'square', 'many', 'nothing'):
    sig = inspect.signature(ns[name])
    out[name] = [[p.name, kinds[p.kind.name], None if p.annotation is inspect.Parameter.empty else p.annotation,
                  None if p.default is inspect.Parameter.empty else repr(p.default)] for p in sig.parameters.values()]
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
}

/** repr() of a default as written, by python3 (so "2.5" and '"a,b)"' compare as Python sees them). */
function reprOf(texts: string[]): string[] {
  return JSON.parse(execFileSync('python3', ['-c', 'import json,sys; print(json.dumps([repr(eval(t)) for t in json.loads(sys.argv[1])]))', JSON.stringify(texts)], { encoding: 'utf8' }));
}

/** Python's own printing of annotation texts (it normalises quotes and spaces). */
function unparse(texts: Array<string | null>): Array<string | null> {
  return JSON.parse(execFileSync('python3', ['-c', 'import ast,json,sys; print(json.dumps([None if t is None else ast.unparse(ast.parse(t, mode="eval")) for t in json.loads(sys.argv[1])]))', JSON.stringify(texts)], { encoding: 'utf8' }));
}

let ws: string;
before(() => {
  ws = mkdtempSync(join(tmpdir(), 'capsule-sig-'));
  writeFileSync(join(ws, 'tasks.py'), SOURCE);
});
after(() => rmSync(ws, { recursive: true, force: true }));

test('parameters, kinds, annotations and defaults match python3 inspect.signature', () => {
  const expected = pythonSignatures(join(ws, 'tasks.py'));
  const lines = SOURCE.split('\n');
  for (const [fn, params] of Object.entries(expected)) {
    const defLine = lines.findIndex((l) => new RegExp(`def ${fn}\\(`).test(l));
    const got = parseSignature(SOURCE, fn, defLine);
    assert.ok(got, `no signature for ${fn}`);
    assert.deepEqual(got.map((p) => [p.name, p.kind]), params.map(([n, k]) => [n, k]), fn);
    // Annotations: python keeps the text (from __future__ import annotations), re-printed by ast.unparse.
    assert.deepEqual(unparse(got.map((p) => p.annotation ?? null)), params.map(([, , a]) => a), `${fn} annotations`);
    const defaults = got.map((p) => p.default).filter((d): d is string => d !== undefined);
    assert.deepEqual(reprOf(defaults), params.map(([, , , d]) => d).filter((d) => d !== null), `${fn} defaults`);
  }
});

test('the server sends each task with its params in capsule/listTasks', async () => {
  const s = await startServer(ws);
  try {
    const tasks = (await s.rpc.sendRequest('capsule/listTasks', {})) as TaskInfo[];
    const add = tasks.find((t) => t.taskName === 'add');
    assert.deepEqual(add?.params, [{ name: 'a', kind: 'positional', annotation: 'int' }, { name: 'b', kind: 'positional', annotation: 'int' }]);
    assert.deepEqual(tasks.find((t) => t.taskName === 'sq')?.params?.map((p) => p.name), ['x', 'label', 'flag']);
    assert.deepEqual(tasks.find((t) => t.taskName === 'nothing')?.params, []);
  } finally {
    await s.stop();
  }
});
