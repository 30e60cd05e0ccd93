// Runs every test file under test/ (but the end-to-end suite, which has its own
// runner) with Node's test runner, through tsx's require hook so tests import
// TypeScript sources. Not `--import tsx`: its ESM hooks start a loader thread in
// every test process, ~0.35 s of CPU each here; the sources are CommonJS.
// Fails when a test fails, and when no test ran at all.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ['test'];
const skip = new Set(['e2e', 'fixtures', 'node_modules']);

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!skip.has(name)) collect(p, out);
    } else if (/\.test\.(ts|mjs|js)$/.test(name)) {
      out.push(p);
    }
  }
  return out;
}

const files = roots.flatMap((r) => (statSync(r).isDirectory() ? collect(r, []) : [r]));
if (files.length === 0) {
  console.error(`run-tests: no test files under ${roots.join(', ')}`);
  process.exit(1);
}

// Test files run one more at a time than there are cores: many spend part of their time
// waiting on a child process, a timer or a queue, and node's default (cores - 1) is one
// file at a time on a 2-core box. On 2 cores, idle machine: 2 at a time 299 s, 3 at a
// time 280 s (both cores busy 1.86 s per second). CAPSULE_TEST_CONCURRENCY=1 runs them one by one.
const concurrency = Number(process.env.CAPSULE_TEST_CONCURRENCY) || availableParallelism() + 1;
const summaryFile = join(mkdtempSync(join(tmpdir(), 'capsule-tests-')), 'summary.tap');
// The tests reach nothing but loopback, so they need no extra CA certificates. With
// NODE_EXTRA_CA_CERTS set (as on these machines), node parses its whole root store at
// every start, ~60 ms of CPU, and the suite starts ~900 node processes. The tests of
// that variable set it themselves.
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const child = spawn(process.execPath, ['--require', 'tsx/cjs', '--require', join(import.meta.dirname, '..', 'test', 'one-off-tiering.ts'), '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', `--test-reporter-destination=${summaryFile}`, ...files], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env,
});
child.on('exit', async (code, signal) => {
  const { readFileSync, rmSync } = await import('node:fs');
  const tap = readFileSync(summaryFile, 'utf8');
  rmSync(dirname(summaryFile), { recursive: true, force: true });
  const count = (k) => Number((tap.match(new RegExp(`^# ${k} (\\d+)$`, 'm')) ?? [])[1] ?? NaN);
  const [tests, pass, fail] = [count('tests'), count('pass'), count('fail')];
  console.log(`\n${pass} passed, ${fail} failed`);
  if (!(tests > 0)) {
    console.error('run-tests: the runner executed no test');
    process.exit(1);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
