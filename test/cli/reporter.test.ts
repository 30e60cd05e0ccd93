// What `capsule run` prints around a run: attempts shown from 1 (the engine counts
// from 0), and the final line's state taken from the envelope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Reporter } from '../../runtime/src/cli/reporter';
import { makeStyle } from '../../runtime/src/cli/style';
import type { Envelope, LifecycleEvent } from '../../runtime/src/engine/types';

function reporter() {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = (s: PassThrough) => (s.read() as Buffer | null)?.toString() ?? '';
  return { r: new Reporter({ out, err }, makeStyle(false), { json: false, verbose: true }), out: () => text(out), err: () => text(err) };
}

const base = { instanceId: 'i1', runId: 'i1', taskName: 'flaky', file: 'f.py', at: 0 };

test('the first try is attempt 1 in every line the CLI prints', () => {
  const { r, err } = reporter();
  r.event({ ...base, type: 'running', attempt: 0 } as LifecycleEvent, 'i1');
  r.event({ ...base, type: 'retrying', attempt: 0, error: { error_type: 'task_error', message: 'boom' } } as LifecycleEvent, 'i1');
  r.event({ ...base, type: 'running', attempt: 1 } as LifecycleEvent, 'i1');
  assert.deepEqual(err().trimEnd().split('\n'), [
    '· flaky #i1 attempt 1: running',
    '↻ flaky: attempt 1 failed (task_error): boom; retrying',
    '· flaky #i1 attempt 2: running',
  ]);
});

test("the final line says the envelope's state", () => {
  const { r, err } = reporter();
  const env: Envelope = { success: false, state: 'timed_out', result: null, error: { error_type: 'timeout', message: 'timed out' }, execution: { task_name: 'flaky', duration_ms: 2000, retries: 1, fuel_consumed: 5, ram_used: 1024, host_requests: [] } };
  r.finish(env);
  assert.match(err(), /^⏱ flaky timed_out · in 2 s · fuel 5 · ram 1 KB · 1 retry$/m);
});
