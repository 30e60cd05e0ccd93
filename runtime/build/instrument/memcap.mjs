// The memory cap: every memory.grow fails (returns -1, as when the engine
// refuses) if the new size would pass the exported page limit. malloc then
// returns NULL and CPython raises MemoryError; nothing traps.
import binaryen from 'binaryen';
import { mapChildren } from './children.mjs';

const b = binaryen;

/**
 * Wraps one memory.grow node. `temp` is an i32 local of the enclosing function.
 * @param {binaryen.Module} m @param {number} grow @param {number} temp @param {string} limit
 */
export function capMemoryGrow(m, grow, temp, limit) {
  const delta = b.MemoryGrow.getDelta(grow);
  b.MemoryGrow.setDelta(grow, m.local.get(temp, b.i32));
  // In i64 so that a huge unsigned delta cannot wrap around the comparison.
  const after = m.i64.add(m.i64.extend_u(m.memory.size()), m.i64.extend_u(m.local.get(temp, b.i32)));
  const tooBig = m.i64.gt_u(after, m.i64.extend_u(m.global.get(limit, b.i32)));
  return m.block(null, [m.local.set(temp, delta), m.if(tooBig, m.i32.const(-1), grow)], b.i32);
}

/**
 * Caps every memory.grow in a function that is not otherwise rewritten.
 * Returns how many it wrapped.
 * @param {binaryen.Module} m @param {number} func @param {string} limit
 */
export function capFunction(m, func, limit) {
  let temp = -1;
  let count = 0;
  const visit = (expr) => {
    const id = b.getExpressionId(expr);
    if (!mapChildren(expr, id, visit)) throw new Error(`instrument: expression kind ${id} is not supported (in function ${b.Function.getName(func)})`);
    if (id !== b.MemoryGrowId) return expr;
    if (temp < 0) temp = b._BinaryenFunctionAddVar(func, b.i32);
    count++;
    return capMemoryGrow(m, expr, temp, limit);
  };
  const body = b.Function.getBody(func);
  const next = visit(body);
  if (next !== body) b.Function.setBody(func, next);
  return count;
}
