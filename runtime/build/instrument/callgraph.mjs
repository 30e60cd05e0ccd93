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
  let open = false, loops = false, indirect = false;
  const visit = (expr) => {
    const id = b.getExpressionId(expr);
    if (id === b.LoopId) loops = true;
    else if (id === b.CallIndirectId || id === b.CallRefId) indirect = true;
    if (UNBOUNDED.has(id)) open = true;
    else if (id === b.CallId) {
      callees.add(b.Call.getTarget(expr));
      if (b.Call.isReturn(expr)) open = true;
    }
    if (!mapChildren(expr, id, visit)) open = true;
    return expr;
  };
  visit(body);
  return { callees, open, loops, indirect };
}

/**
 * @typedef {{callees: Set<string>, open: boolean, loops: boolean, indirect: boolean, body: number}} FunctionFacts
 * @param {binaryen.Module} module @param {Set<string>} imports
 * @returns {Map<string, FunctionFacts>} defined function -> facts
 */
export function analyze(module, imports) {
  const info = new Map();
  const n = module.getNumFunctions();
  for (let i = 0; i < n; i++) {
    const f = module.getFunctionByIndex(i);
    const name = b.Function.getName(f);
    if (imports.has(name)) continue;
    const body = b.Function.getBody(f);
    info.set(name, { ...scan(body), body });
  }
  return info;
}

/** Functions reachable through the table (active or passive element segments). */
export function tableFunctions(module) {
  const out = new Set();
  for (let i = 0; i < module.getNumElementSegments(); i++) {
    for (const name of b.getElementSegmentInfo(module.getElementSegmentByIndex(i)).data) out.add(name);
  }
  return out;
}

/**
 * Functions that may be re-entered before they return (on a call-graph cycle,
 * counting call_indirect as a call to every table function): only these need
 * an exhaustion check at entry; everything else is bounded by loop checks.
 * @param {Map<string, FunctionFacts>} info @param {Set<string>} table
 */
export function recursiveFunctions(info, table) {
  const TABLE = '\0table';
  const edges = (v) => {
    if (v === TABLE) return [...table].filter((t) => info.has(t));
    const fi = info.get(v);
    const out = [...fi.callees].filter((c) => info.has(c));
    if (fi.indirect) out.push(TABLE);
    return out;
  };
  // Tarjan's SCC, iterative (CPython's call graph is deep).
  const index = new Map(), low = new Map(), onStack = new Set(), stack = [], result = new Set();
  let counter = 0;
  for (const start of [...info.keys(), TABLE]) {
    if (index.has(start)) continue;
    const work = [[start, edges(start), 0]];
    index.set(start, counter); low.set(start, counter); counter++;
    stack.push(start); onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const [v, out] = top;
      if (top[2] < out.length) {
        const w = out[top[2]++];
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter); counter++;
          stack.push(w); onStack.add(w);
          work.push([w, edges(w), 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
        continue;
      }
      work.pop();
      if (work.length) { const u = work[work.length - 1][0]; low.set(u, Math.min(low.get(u), low.get(v))); }
      if (low.get(v) === index.get(v)) {
        const scc = [];
        let w;
        do { w = stack.pop(); onStack.delete(w); scc.push(w); } while (w !== v);
        const selfLoop = scc.length === 1 && (v === TABLE ? false : edges(v).includes(v));
        if (scc.length > 1 || selfLoop) for (const x of scc) if (x !== TABLE) result.add(x);
      }
    }
  }
  return result;
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
 * @param {Map<string, FunctionFacts>} info from analyze()
 * @param {Set<string>} imports imported function names (cost 0 beyond the call)
 * @param {number} limit fold only functions whose worst case is at most this
 * @returns {Map<string, number>} folded function -> worst-case cost
 */
export function findFoldable(info, imports, limit) {
  const folded = new Map();
  if (limit <= 0) return folded;
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
