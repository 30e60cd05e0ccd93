// V8 flags set only while wasm compiles (runtime/src/sandbox/wasm-compile-flags.ts):
// a module compiled inside a window gets the tiering budget, and the process's
// own value is back afterwards (V8's default, or what node was started with).
// Which functions V8 optimised is read from its --trace-wasm-compilation-times.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const CHILD = join(__dirname, '..', 'fixtures', 'wasm-flags', 'child.ts');

/** Which of the child's two loops V8 optimised with TurboFan. */
function optimised(budget: string, nodeFlags: string[] = []): { first: boolean; second: boolean } {
  const out = execFileSync(process.execPath, ['--trace-wasm-compilation-times', ...nodeFlags, '--import', 'tsx', CHILD, budget], { encoding: 'utf8' });
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
});
