// Property-based tests of the host-call interface, seeded: random and malformed
// payloads for every call. The host never crashes or hangs, and every call
// answers with a valid reply or a clear error (a "[PythonType] op: ..." message,
// never a raw Node error or a stack). Driven from inside a real sandbox through
// the real engine, and, in larger numbers, against the handler in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Engine } from '../../runtime/src/engine';
import { attemptServices, type SpawnRequest } from '../../runtime/src/engine/host-calls';
import type { InstanceInfo } from '../../runtime/src/engine/instance';
import type { Envelope } from '../../runtime/src/engine/types';
import { resolveTaskConfig } from '../../runtime/src/config/schema';
import { tempDir } from '../temp-dir';

const SEED = 20261127;
const OPS = ['http.request', 'task.spawn', 'task.submit', 'task.wait'] as const;

const json = fc.jsonValue({ maxDepth: 3 });
/** A field: usually plausible, often the wrong type. */
const field = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: json }, { weight: 1, arbitrary: fc.constant(undefined) });
const timeout = fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double({ noNaN: true }), fc.constantFrom(-1, 0, 2 ** 31, 1e308, '100', true, null));
const file = fc.constantFrom('', 'main.py', '/project/main.py', '../x.py', 'data/evil.py', '/etc/passwd', 'nope.py', '.env', 'a/../main.py', '/project//main.py');

const payloads: Record<(typeof OPS)[number], fc.Arbitrary<unknown>> = {
  'http.request': fc.record({
    method: field(fc.constantFrom('GET', 'POST', 'get', 'BREW', '')),
    url: field(fc.oneof(fc.webUrl(), fc.constantFrom('http://127.0.0.1:1/', 'ftp://x', 'http://user@x/', 'not a url'))),
    headers: field(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 })),
    bodyBase64: field(fc.oneof(fc.base64String({ maxLength: 16 }), fc.string({ maxLength: 8 }))),
    timeoutMs: field(timeout),
  }, { requiredKeys: [] }),
  'task.spawn': fc.record({
    task: field(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('child', 'main'))),
    file: field(file),
    args: field(fc.array(json, { maxLength: 3 })),
    kwargs: field(fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 2 })),
    extra: fc.option(json, { nil: undefined }),
  }, { requiredKeys: [] }),
  'task.submit': fc.record({ task: field(fc.constantFrom('child', 'nope', '')), file: field(file), args: field(fc.array(fc.integer(), { maxLength: 2 })) }, { requiredKeys: [] }),
  'task.wait': fc.record({ ids: field(fc.array(fc.constantFrom('s0', 's1', 's9', '', 'x'), { maxLength: 4 })), timeoutMs: field(fc.oneof(fc.integer({ min: -3, max: 20 }), timeout)) }, { requiredKeys: [] }),
};

/** [op, payload text]: well-formed JSON of the right or wrong shape, other JSON, or text that is not JSON. */
const call = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...OPS).chain((op) => payloads[op].map((p) => [op, JSON.stringify(p)] as [string, string])) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...OPS), json.map((v) => JSON.stringify(v))) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...OPS), fc.string({ maxLength: 20 })) },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('http.get', 'task.result', 'TASK.SPAWN')), fc.constant('{}')) },
);

const CLEAR_ERROR = /^(\[(ValueError|PermissionError|TimeoutError|ConnectionError|OSError)\] \S+|invalid host op |the payload of \S+ is not valid JSON$)/;
const RAW = /RangeError|TypeError|ReferenceError|SyntaxError|ERR_[A-Z_]+|\n\s+at |\.ts:\d+/;

function checkAnswer(op: string, kind: 'ok' | 'error', text: string): void {
  const where = `${op}: ${text.slice(0, 300)}`;
  if (kind === 'error') {
    assert.match(text, CLEAR_ERROR, where);
    assert.doesNotMatch(text, RAW, where);
    return;
  }
  // The driver's own calls, which the sandbox answers itself (the task's own spec, or nothing).
  if (op === 'task.result' || op === 'task.run') return assert.equal(text, '', where);
  if (op === 'task.start') return assert.equal(typeof JSON.parse(text), 'object', where);
  const reply = JSON.parse(text) as Record<string, unknown>;
  if (op === 'task.spawn') {
    assert.equal(typeof reply.ok, 'boolean', where);
    if (!reply.ok) {
      const err = reply.error as { error_type: string; message: string };
      assert.ok(['permission_denied', 'task_error', 'timeout', 'out_of_fuel', 'out_of_memory', 'wasm_error'].includes(err.error_type), where);
      assert.doesNotMatch(err.message, RAW, where);
    }
  } else if (op === 'task.submit') assert.equal(typeof reply.id, 'string', where);
  else if (op === 'task.wait') assert.ok(Array.isArray(reply.done), where);
  else if (op === 'http.request') assert.fail(`${where}: answered, but no host is allowed`);
  else assert.fail(`${where}: an unknown call was answered`);
}

test('fuzz, inside a real sandbox: 1,200 seeded host calls each get a valid reply or a clear error; the host stays up', { timeout: 600_000 }, async () => {
  const cases = fc.sample(call, { seed: SEED, numRuns: 1_200 });
  const root = tempDir('capsule-fuzz-');
  writeFileSync(join(root, 'main.py'), `from capsule import task
import _capsule_host

@task(name="child")
def child(*args, **kwargs) -> str:
    return "child ran"

@task(name="fuzz_root_7f3a", compute="HIGH")
def fuzz_root_7f3a(cases: list) -> list:
    out = []
    for op, payload in cases:
        try:
            out.append(["ok", _capsule_host.call(op, payload)])
        except Exception as e:
            out.append(["error", str(e)])
    return out
`);
  const engine = await Engine.create({ projectRoot: root, tracePath: null, onWarning: () => {} });
  try {
    const env = await engine.start({ file: join(root, 'main.py'), taskName: 'fuzz_root_7f3a', args: [cases] }).result;
    assert.equal(env.success, true, JSON.stringify(env.error));
    const answers = env.result as Array<['ok' | 'error', string]>;
    assert.equal(answers.length, cases.length);
    answers.forEach(([kind, text], i) => checkAnswer(cases[i]![0], kind, text));
    // Both kinds of answer were exercised, and some spawns really ran.
    assert.ok(answers.some(([k]) => k === 'ok') && answers.some(([k]) => k === 'error'));
    // The engine is still healthy.
    const after = await engine.start({ file: join(root, 'main.py'), taskName: 'child' }).result;
    assert.equal(after.result, 'child ran');
  } finally {
    await engine.dispose();
  }
});

test('fuzz, the handler in-process: 5,000 seeded calls; only payloads that fit the schema reach the engine', { timeout: 300_000 }, async () => {
  const config = resolveTaskConfig({ functionName: 'main', args: {} }).config!;
  const info: InstanceInfo = { id: 'i', runId: 'r', depth: 0, taskName: 'main', file: 'main.py', config, args: [], kwargs: {}, extraMounts: [] } as unknown as InstanceInfo;
  const spawned: SpawnRequest[] = [];
  const refusal: Envelope = { success: false, state: 'failed', result: null, error: { error_type: 'permission_denied', message: 'refused' }, execution: { task_name: 'x', duration_ms: 0, retries: 0, fuel_consumed: 0, ram_used: 0, host_requests: [] } };
  const services = attemptServices({ maxDepth: 8, spawn: async (_p, req) => (spawned.push(req), refusal) }, info, new AbortController().signal);
  try {
    for (const [op, payload] of fc.sample(call, { seed: SEED + 1, numRuns: 5_000 })) {
      let kind: 'ok' | 'error' = 'ok';
      let text: string;
      try {
        // What the pool does with the guest's text before the handler sees it.
        const parsed = payload === '' ? null : (JSON.parse(payload) as unknown);
        text = JSON.stringify((await services.onHostCall(op, parsed)) ?? null);
      } catch (e) {
        kind = 'error';
        text = e instanceof SyntaxError ? `the payload of ${op} is not valid JSON` : (e as Error).message;
      }
      checkAnswer(op, kind, text);
    }
  } finally {
    services.close();
  }
  assert.ok(spawned.length > 50, `${spawned.length} spawns reached the engine`);
  for (const req of spawned) {
    assert.equal(typeof req.task, 'string');
    assert.ok(req.task.length > 0);
    assert.equal(typeof req.file, 'string');
    assert.ok(Array.isArray(req.args));
    assert.ok(req.kwargs !== null && typeof req.kwargs === 'object' && !Array.isArray(req.kwargs));
  }
});
