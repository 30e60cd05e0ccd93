import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CRASH_WINDOW_MS, MAX_CRASHES, onServerCrash } from '../../client/src/restart-policy';

test('crashes restart with a doubling delay, then give up after a burst', () => {
  let recent: number[] = [];
  const delays: number[] = [];
  for (let i = 0; i < MAX_CRASHES - 1; i++) {
    const r = onServerCrash(recent, 1000 + i);
    recent = r.recent;
    assert.equal(r.decision.action, 'restart');
    if (r.decision.action === 'restart') delays.push(r.decision.delayMs);
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000]);
  assert.deepEqual(onServerCrash(recent, 2000).decision, { action: 'giveUp', crashes: MAX_CRASHES });
});

test('crashes older than the window are forgotten', () => {
  const old = [0, 1, 2, 3];
  const r = onServerCrash(old, CRASH_WINDOW_MS + 10);
  assert.deepEqual(r.recent, [CRASH_WINDOW_MS + 10]);
  assert.deepEqual(r.decision, { action: 'restart', delayMs: 500 });
});
