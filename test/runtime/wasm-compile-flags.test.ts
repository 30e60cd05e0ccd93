// V8 flags set only while wasm compiles (runtime/src/sandbox/wasm-compile-flags.ts):
// a module compiled inside a window gets the tiering budget, and the process's
// own value is back afterwards (V8's default, or what node was started with).
// Which functions V8 optimised is read from its --trace-wasm-compilation-times.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const CHILD = join(__dirname, '..', 'fixtures', 'wasm-flags', 'child.ts');
const INLINING_CHILD = join(__dirname, '..', 'fixtures', 'wasm-flags', 'child-inlining.ts');

/** Which of the child's two loops V8 optimised with TurboFan. */
function optimised(budget: string, nodeFlags: string[] = [], mode = ''): { first: boolean; second: boolean } {
  const out = execFileSync(process.execPath, ['--trace-wasm-compilation-times', ...nodeFlags, '--require', 'tsx/cjs', CHILD, budget, mode], { encoding: 'utf8' });
  assert.match(out, /ran both/);
  return { first: /#0 using TurboFan/.test(out), second: /#1 using TurboFan/.test(out) };
}

describe('wasm compile flags', () => {
  it("V8's default budget: both 20M-iteration loops are optimised", () => {
    assert.deepEqual(optimised('none'), { first: true, second: true });
  });

  it('the largest budget applies to the module compiled in the window only', () => {
    assert.deepEqual(optimised(String(2 ** 31 - 1)), { first: false, second: true });
  });

  it('a budget node was started with is what the window restores', () => {
    assert.deepEqual(optimised('none', [`--wasm-tiering-budget=${2 ** 31 - 1}`]), { first: false, second: false });
  });

  it('an eager host window (SQLite on a large trace, in the CLI): its module never tiers up, however long its loop runs; the next module still does', () => {
    // A small budget, so that the same loop compiled in a usual window is optimised (checked first).
    assert.deepEqual(optimised('1000'), { first: true, second: true });
    assert.deepEqual(optimised('1000', [], 'eager'), { first: false, second: true });
  });

  it('without a budget (the extension) an eager host window is a usual one', () => {
    assert.deepEqual(optimised('none', [], 'eager'), { first: true, second: true });
  });

  it('a module compiled in the window gets wasm-into-wasm inlining (without a budget); one compiled after it does not', () => {
    const trace = (...args: string[]) => {
      const out = execFileSync(process.execPath, ['--trace-wasm-inlining', '--require', 'tsx/cjs', INLINING_CHILD, ...args], { encoding: 'utf8' });
      assert.match(out, /ran/);
      return out;
    };
    // V8 prints each call it considers when TurboFan optimises `run`, and "inlining!" when it inlines it.
    assert.match(trace('inside'), /index=0.*inlining!/);
    const after = trace('after');
    assert.doesNotMatch(after, /inlining!/);
    assert.doesNotMatch(after, /considering/);
    // The CLI's budget (a small one here, so TurboFan still runs): no inlining in its windows.
    const cli = trace('inside', '1000');
    assert.match(cli, /ran/);
    assert.doesNotMatch(cli, /inlining!/);
  });
});
