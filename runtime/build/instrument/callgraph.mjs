// Which functions are "bounded" (cannot run long: no loops, no indirect or
// bulk-memory ops, no recursion, only bounded callees) and their worst-case
// cost. Small bounded functions are not instrumented at all: their callers
// charge that worst case at the call site and need no fuel sync around it.
import binaryen from 'binaryen';
import { mapChildren } from './children.mjs';

const b = binaryen;
const UNBOUNDED = new Set([b.LoopId, b.CallIndirectId, b.CallRefId, b.MemoryCopyId, b.MemoryFillId, b.MemoryInitId, b.TryId, b.TryTableId, b.ThrowId]);

/** Loops, indirect calls and direct callees of one function body. */
function scan(body) {
  const callees = new Set();
  let open = false;
  const visit = (expr) => {
    const id = b.getExpressionId(expr);
    if (UNBOUNDED.has(id)) open = true;
    else if (id === b.CallId) {
      callees.add(b.Call.getTarget(expr));
      if (b.Call.isReturn(expr)) open = true;
    }
    if (!mapChildren(expr, id, visit)) open = true;
    return expr;
  };
  visit(body);
  return { callees, open };
}

/** Worst-case cost of a bounded body, with the same unit as the meter. */
function maxCost(body, calleeCost) {
  const visit = (expr) => {
    const id = b.getExpressionId(expr);
    if (id === b.IfId) {
      const f = b.If.getIfFalse(expr);
      return 1 + visit(b.If.getCondition(expr)) + Math.max(visit(b.If.getIfTrue(expr)), f ? visit(f) : 0);
    }
    let sum = id === b.BlockId || id === b.LoopId ? 0 : 1;
    if (id === b.CallId) sum += calleeCost(b.Call.getTarget(expr));
    mapChildren(expr, id, (child) => { sum += visit(child); return child; });
    return sum;
  };
  return visit(body);
}

/**
 * @param {binaryen.Module} module
 * @param {Set<string>} imports imported function names (cost 0 beyond the call)
 * @param {number} limit fold only functions whose worst case is at most this
 * @returns {Map<string, number>} folded function -> worst-case cost
 */
export function findFoldable(module, imports, limit) {
  const folded = new Map();
  if (limit <= 0) return folded;
  /** @type {Map<string, {callees: Set<string>, open: boolean, body: number}>} */
  const info = new Map();
  const n = module.getNumFunctions();
  for (let i = 0; i < n; i++) {
    const f = module.getFunctionByIndex(i);
    const name = b.Function.getName(f);
    if (imports.has(name)) continue;
    const body = b.Function.getBody(f);
    info.set(name, { ...scan(body), body });
  }
  /** @type {Map<string, number>} name -> cost, Infinity when unbounded */
  const cost = new Map();
  const visiting = new Set();
  const costOf = (name) => {
    if (imports.has(name)) return 0;
    const known = cost.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return Infinity; // recursion
    const fi = info.get(name);
    if (!fi || fi.open) { cost.set(name, Infinity); return Infinity; }
    visiting.add(name);
    let ok = true;
    for (const c of fi.callees) if (costOf(c) === Infinity) { ok = false; break; }
    visiting.delete(name);
    const result = ok ? maxCost(fi.body, costOf) : Infinity;
    cost.set(name, result);
    return result;
  };
  for (const name of info.keys()) {
    const c = costOf(name);
    if (c <= limit) folded.set(name, c);
  }
  return folded;
}
