// server/src/collect-after-close.ts: closing a large document runs one full, forced
// collection on the next turn (node started without --expose-gc, as the extension starts the server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { collectAfterClose } from '../../server/src/collect-after-close';

test('collectAfterClose runs a forced full collection on the next turn', async () => {
  assert.equal(process.execArgv.includes('--expose-gc'), false);
  const seen: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => seen.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const forced = () => seen.filter((e) => {
    const d = (e as PerformanceEntry & { detail?: { kind: number; flags: number } }).detail;
    return d !== undefined && d.kind === constants.NODE_PERFORMANCE_GC_MAJOR && (d.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0;
  });
  // GC entries are delivered asynchronously: poll for them, with a deadline.
  const until = async (what: string, ok: () => boolean) => {
    for (const deadline = Date.now() + 10_000; !ok(); await new Promise((r) => setTimeout(r, 10))) {
      assert.ok(Date.now() < deadline, `${what} (${seen.length} collections seen)`);
    }
  };
  try {
    collectAfterClose();
    await until('no forced major collection after the first close', () => forced().length >= 1);
    const first = forced().length;
    collectAfterClose(); // the exposed function is kept: a second close collects again
    await until('no forced major collection after the second close', () => forced().length > first);
  } finally {
    observer.disconnect();
  }
});
