import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatBytes, formatDuration, formatEventLines, formatFuel, formatMetrics, formatResultLine } from '../../client/src/runs/format';

const base = { instanceId: 'inst-0123456789abcdef', taskName: 'main', file: '/w/examples/hello.py', attempt: 0, at: Date.UTC(2026, 0, 1, 10, 0, 0, 5) };

test('durations, sizes and fuel read as the CLI and the lenses write them', () => {
  assert.equal(formatDuration(12.4), '12 ms');
  assert.equal(formatDuration(1500), '1.5 s');
  assert.equal(formatDuration(75_000), '1 m 15 s');
  assert.equal(formatBytes(8 * 1024 * 1024), '8 MB');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatFuel(1_234_567), '1.2M');
  assert.equal(formatFuel(2_000_000_000), '2B');
  assert.equal(formatFuel(999), '999');
  assert.equal(formatMetrics({ durationMs: 12, fuelConsumed: 1_200_000, peakMemoryBytes: 8 * 1024 * 1024 }), '12 ms · fuel 1.2M · ram 8 MB');
  assert.equal(formatMetrics({}), '');
});

test('lifecycle events become one tagged line each; output keeps its own lines', () => {
  const [created] = formatEventLines({ ...base, type: 'created' });
  assert.match(created, /^\[\d\d:\d\d:\d\d\.\d{3}\] main#abcdef created \(\/w\/examples\/hello\.py\)$/);
  assert.match(formatEventLines({ ...base, type: 'running', attempt: 1 })[0], / running attempt 2$/);
  assert.match(formatEventLines({ ...base, type: 'created', taskName: 'square', args: { args: [], kwargs: { x: 3 } } })[0], / square#abcdef created square\(x=3\) \(\/w\/examples\/hello\.py\)$/);
  assert.match(formatEventLines({ ...base, type: 'failed', error: { error_type: 'out_of_fuel', message: 'out of fuel (budget 100)' }, durationMs: 3 })[0], /failed: out of fuel \(budget 100\) \(3 ms\)$/);
  assert.deepEqual(formatEventLines({ ...base, type: 'stdout', text: 'a\nb\n' }), ['main#abcdef | a', 'main#abcdef | b']);
  assert.deepEqual(formatEventLines({ ...base, type: 'stderr', text: 'oops' }), ['main#abcdef ! oops']);
  assert.equal(formatResultLine('main', base.instanceId, 'Hello from Capsule!'), 'main#abcdef result: "Hello from Capsule!"');
});

test('the output grammar colours every line shape the formatter writes', () => {
  const grammar = JSON.parse(readFileSync('syntaxes/capsule-output.tmLanguage.json', 'utf8'));
  const re = (name: string) => new RegExp(grammar.repository[name].match);
  const lines: [string, string, string][] = [
    ['lifecycle', formatEventLines({ ...base, type: 'completed', durationMs: 12 })[0], 'completed'],
    ['lifecycle', formatEventLines({ ...base, type: 'failed', error: { error_type: 'task_error', message: 'x' } })[0], 'failed'],
    ['lifecycle', formatEventLines({ ...base, type: 'timed_out' })[0], 'timed_out'],
    ['lifecycle', formatEventLines({ ...base, type: 'interrupted' })[0], 'interrupted'],
    ['lifecycle', formatEventLines({ ...base, type: 'running' })[0], 'running'],
    ['stdout', formatEventLines({ ...base, type: 'stdout', text: 'hi | there' })[0], 'hi | there'],
    ['stderr', formatEventLines({ ...base, type: 'stderr', text: 'Traceback' })[0], 'Traceback'],
    ['result', formatResultLine('main', base.instanceId, { ok: true }), '{"ok":true}'],
  ];
  for (const [rule, line, captured] of lines) {
    const m = re(rule).exec(line);
    assert.ok(m, `${rule} should match ${JSON.stringify(line)}`);
    assert.ok(m.slice(1).includes(captured), `${rule} should capture ${captured} in ${JSON.stringify(line)}`);
  }
  // Each state lands in its own capture group, so each gets its own colour.
  const lc = re('lifecycle');
  assert.equal(lc.exec(lines[0][1])![3], 'completed');
  assert.equal(lc.exec(lines[1][1])![4], 'failed');
  assert.equal(lc.exec(lines[3][1])![5], 'interrupted');
});
