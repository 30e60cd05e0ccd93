// The metering walk over one function body (binaryen.js IR, rewritten in place).
//
// Scheme: remaining fuel lives in an i64 function local `fl` while the function
// runs (V8 keeps it in a register; a global would be reloaded every time).
// - Every straight-line region (function entry, loop body, if arm, the rest of
//   a block after a possible branch out) is charged its static cost once, at
//   its start. Cost = number of IR nodes, except block/loop (pure structure).
// - Function entry and every loop header compare `fl` with 0 and trap.
// - Register mode (the default): `fl` is the function's last parameter, and
//   every call passes it in and takes it back with the result (signatures.mjs),
//   so no call touches memory for fuel. Otherwise, around calls that can
//   consume fuel, `fl` is written to the exported global and read back, and it
//   is written back before returns.
// - Calls to small bounded functions ("folded": no loops, no indirect calls,
//   only bounded callees) pass nothing: their worst-case cost is charged at the
//   call site instead. Calls to imports cost nothing (register mode publishes
//   the balance around them).
import binaryen from 'binaryen';
import { mapOperands } from './children.mjs';
import { OOF, opMethods } from './meter-ops.mjs';
import { resultWithFuel, withFuel } from './signatures.mjs';

const b = binaryen;

/** Thrown for IR this pass does not meter (e.g. exception handling). */
export class UnsupportedExpression extends Error {}

/**
 * @typedef {object} Shared
 * @property {binaryen.Module} module
 * @property {string} fuel          exported i64 global: remaining fuel
 * @property {string} trap          function (param i64) that records exhaustion and traps
 * @property {string} limit         exported i32 global: memory cap in pages
 * @property {Set<string>} imports  imported function names (host calls: free)
 * @property {Map<string, number>} folded  bounded functions charged at call sites
 * @property {number} bulkShift     bulk memory ops cost (length >> bulkShift)
 * @property {number} slack         max over-count per branch to save a charge (0: exact)
 * @property {{charges: number, checks: number, syncedCalls: number, foldedCalls: number, refunds: number}} stats
 */

/** @typedef {{e: number, cost: number, min: number, charges: boolean}} Visit */

const NONE = Infinity;
const DONE = 'capsule$done';

export class FunctionMeter {
  /**
   * @param {Shared} shared @param {number} func
   * @param {{direct: boolean, entryCheck: boolean}} mode direct: charge the
   *   global itself (loop-free functions: no local, so no syncs around calls);
   *   entryCheck: compare at entry (needed where recursion is possible)
   */
  constructor(shared, func, mode) {
    this.s = shared;
    this.m = shared.module;
    this.func = func;
    this.name = b.Function.getName(func);
    this.results = b.Function.getResults(func);
    // reg: the balance is the function's last parameter and last result (signatures.mjs).
    this.reg = !!mode.reg;
    this.results = this.reg ? mode.results : this.results;
    this.direct = mode.direct && !this.reg;
    this.entryCheck = mode.entryCheck;
    this.fl = this.direct ? -1 : this.reg ? mode.nParams : b._BinaryenFunctionAddVar(func, b.i64);
    /** @type {Map<string, number>} label -> depth */
    this.labels = new Map();
    this.depth = 0;
    /** @type {Map<number, number>} type -> reusable temp local */
    this.temps = new Map();
    this.grows = 0;
    this.usesTrap = false;
  }

  /** Instruments the whole function. */
  run() {
    const m = this.m;
    const body = b.Function.getBody(this.func);
    const r = this.visit(body);
    if (this.reg) return this.runReg(r);
    const type = b.getExpressionType(r.e);
    const entry = this.direct
      ? (r.cost > 0 ? [this.charge(r.cost)] : [])
      : [m.local.set(this.fl, m.i64.sub(m.global.get(this.s.fuel, b.i64), this.i64(r.cost)))];
    if (this.entryCheck) entry.push(this.check());
    if (!this.usesTrap) {
      if (this.direct) { if (entry.length) b.Function.setBody(this.func, this.prepend(entry, r.e)); return; }
    }
    // Checks branch out to one cold trap call at the end of the function, so
    // loops hold a plain conditional branch and no call.
    let inner;
    if (type === b.none) inner = [...entry, r.e, this.syncOut(), m.br(DONE)];
    else if (type === b.unreachable) inner = [...entry, r.e];
    else {
      const t = this.temp(type);
      inner = [...entry, m.local.set(t, r.e), this.syncOut(), m.br(DONE, 0, m.local.get(t, type))];
    }
    const result = type === b.unreachable ? this.results : type;
    b.Function.setBody(this.func, this.usesTrap ? this.withTrapBlock(inner, result) : m.block(DONE, inner, result));
  }

  /** `inner` (which ends by branching to DONE) followed by the cold block its checks branch to. */
  withTrapBlock(inner, type) {
    const m = this.m;
    return m.block(DONE, [m.block(OOF, inner, b.none), m.call(this.s.trap, [this.balance()], b.none), m.unreachable()], type);
  }

  /** Register mode: charge at entry, hand the balance back with the result. */
  runReg(r) {
    const m = this.m;
    const entry = r.cost > 0 ? [this.charge(r.cost)] : [];
    if (this.entryCheck) entry.push(this.check());
    const type = withFuel(this.results);
    const last = resultWithFuel(m, r.e, this.results, this.fl);
    if (!this.usesTrap) {
      b.Function.setBody(this.func, entry.length ? m.block(null, [...entry, last], type) : last);
      return;
    }
    const inner = b.getExpressionType(last) === b.unreachable ? [...entry, last] : [...entry, m.br(DONE, 0, last)];
    b.Function.setBody(this.func, this.withTrapBlock(inner, type));
  }

  /** @param {number} n */
  i64(n) {
    return this.m.i64.const(BigInt(n));
  }

  /** @param {number} type */
  temp(type) {
    let t = this.temps.get(type);
    if (t === undefined) {
      t = b._BinaryenFunctionAddVar(this.func, type);
      this.temps.set(type, t);
    }
    return t;
  }

  /** @param {number} type */
  freshTemp(type) {
    return b._BinaryenFunctionAddVar(this.func, type);
  }

  /** The balance: the local, or the global itself in direct mode. */
  balance() {
    return this.direct ? this.m.global.get(this.s.fuel, b.i64) : this.m.local.get(this.fl, b.i64);
  }

  /** @param {number} value i64 expression */
  setBalance(value) {
    return this.direct ? this.m.global.set(this.s.fuel, value) : this.m.local.set(this.fl, value);
  }

  /** @param {number} cost */
  charge(cost) {
    this.s.stats.charges++;
    return this.setBalance(this.m.i64.sub(this.balance(), this.i64(cost)));
  }

  check() {
    this.s.stats.checks++;
    this.usesTrap = true;
    return this.m.br(OOF, this.m.i64.lt_s(this.balance(), this.i64(0)));
  }

  /** Publishes the balance before a call or return (nothing to do in direct mode). */
  syncOut() {
    return this.direct ? this.m.nop() : this.m.global.set(this.s.fuel, this.m.local.get(this.fl, b.i64));
  }

  syncIn() {
    return this.direct ? this.m.nop() : this.m.local.set(this.fl, this.m.global.get(this.s.fuel, b.i64));
  }

  /** Puts `pre` statements in front of `expr`, keeping its type. */
  prepend(pre, expr) {
    if (b.getExpressionId(expr) === b.BlockId && !b.Block.getName(expr)) {
      for (let i = pre.length - 1; i >= 0; i--) b.Block.insertChildAt(expr, 0, pre[i]);
      return expr;
    }
    return this.m.block(null, [...pre, expr], b.getExpressionType(expr));
  }

  /** @param {number} expr @returns {Visit} */
  visit(expr) {
    const id = b.getExpressionId(expr);
    switch (id) {
      case b.BlockId: return this.visitBlock(expr);
      case b.LoopId: return this.visitLoop(expr);
      case b.IfId: return this.visitIf(expr);
      case b.BreakId: return this.visitBreak(expr);
      case b.SwitchId: return this.visitSwitch(expr);
      case b.ReturnId: return this.visitReturn(expr);
      case b.CallId: return this.visitCall(expr, b.Call.getTarget(expr));
      case b.CallIndirectId: return this.visitCall(expr, null);
      case b.MemoryGrowId: return this.visitGrow(expr);
      case b.MemoryCopyId:
      case b.MemoryFillId: return this.visitBulk(expr, id);
      default: return this.visitPlain(expr, id);
    }
  }

  /** Operands only: cost 1 plus theirs. */
  visitPlain(expr, id) {
    const acc = { e: expr, cost: 1, min: NONE, charges: false };
    const known = mapOperands(expr, id, (child) => this.fold(acc, this.visit(child)));
    if (!known) throw new UnsupportedExpression(`instrument: expression kind ${id} is not supported (in function ${this.name})`);
    return acc;
  }

  /** Adds a child's visit into an accumulator; returns the child's new expression. */
  fold(acc, r) {
    acc.cost += r.cost;
    if (r.min < acc.min) acc.min = r.min;
    if (r.charges) acc.charges = true;
    return r.e;
  }

  pushLabel(name) {
    const prev = this.labels.get(name);
    this.labels.set(name, ++this.depth);
    return prev;
  }

  popLabel(name, prev) {
    this.depth--;
    if (prev === undefined) this.labels.delete(name);
    else this.labels.set(name, prev);
  }

  visitBlock(expr) {
    const name = b.Block.getName(expr);
    const prev = name ? this.pushLabel(name) : undefined;
    // A child escapes when it may branch to this block's end or further out.
    const own = name ? this.depth : this.depth + 0.5;
    const n = b.Block.getNumChildren(expr);
    const out = [];
    const costs = [];
    /** @type {Array<[number, number]>} segment start, end (exclusive) */
    const segments = [];
    /** children that are `br_if` to this block's own end, kept inside their segment */
    const refunds = [];
    let segStart = 0, min = NONE, charges = false;
    for (let i = 0; i < n; i++) {
      const child = b.Block.getChildAt(expr, i);
      const r = this.visit(child);
      out.push(r.e);
      costs.push(r.cost);
      if (r.charges) charges = true;
      if (r.min < own && r.min < min) min = r.min;
      if (r.min <= own && i < n - 1) {
        // The common `if (!c) { rest }` shape, br_if to the own end: the rest is
        // paid up front with the segment, and refunded on the (rarer) taken edge.
        if (r.min === own && this.isPlainBrIf(r.e)) refunds.push(i);
        else { segments.push([segStart, i + 1]); segStart = i + 1; }
      }
    }
    segments.push([segStart, n]);
    if (name) this.popLabel(name, prev);
    const sum = (from, to) => { let c = 0; for (let k = from; k < to; k++) c += costs[k]; return c; };
    const segmentOf = (i) => segments.find(([s0, s1]) => i >= s0 && i < s1);
    for (const i of refunds) {
      const refund = sum(i + 1, segmentOf(i)[1]);
      if (refund > 0) { out[i] = this.refundedBranch(out[i], refund); charges = true; }
    }
    const firstCost = sum(segments[0][0], segments[0][1]);
    const inserts = segments.slice(1).map(([s0, s1]) => [s0, sum(s0, s1)]).filter(([, c]) => c > 0);
    if (inserts.length) {
      charges = true;
      const list = [];
      let k = 0;
      for (let i = 0; i < out.length; i++) {
        if (k < inserts.length && inserts[k][0] === i) list.push(this.charge(inserts[k++][1]));
        list.push(out[i]);
      }
      b.Block.setChildren(expr, list);
    } else {
      for (let i = 0; i < n; i++) if (out[i] !== b.Block.getChildAt(expr, i)) b.Block.setChildAt(expr, i, out[i]);
    }
    return { e: expr, cost: firstCost, min, charges };
  }

  /** A `br_if` without a value, as a statement. */
  isPlainBrIf(e) {
    return b.getExpressionId(e) === b.BreakId && !b.Break.getValue(e) && !!b.Break.getCondition(e);
  }

  /** `br_if $l c` -> `if c { balance += refund; br $l }` */
  refundedBranch(brIf, refund) {
    this.s.stats.refunds++;
    const m = this.m;
    const cond = b.Break.getCondition(brIf);
    const br = m.br(b.Break.getName(brIf));
    return m.if(cond, m.block(null, [this.setBalance(m.i64.add(this.balance(), this.i64(refund))), br], b.unreachable));
  }

  visitLoop(expr) {
    const name = b.Loop.getName(expr);
    const prev = name ? this.pushLabel(name) : undefined;
    const own = name ? this.depth : this.depth + 0.5;
    const r = this.visit(b.Loop.getBody(expr));
    if (name) this.popLabel(name, prev);
    b.Loop.setBody(expr, this.prepend([this.charge(r.cost), this.check()], r.e));
    return { e: expr, cost: 0, min: r.min < own ? r.min : NONE, charges: true };
  }

  visitIf(expr) {
    const acc = { e: expr, cost: 1, min: NONE, charges: false };
    const cond = b.If.getCondition(expr);
    const c = this.fold(acc, this.visit(cond));
    if (c !== cond) b.If.setCondition(expr, c);
    const t = this.visit(b.If.getIfTrue(expr));
    const f0 = b.If.getIfFalse(expr);
    const f = f0 ? this.visit(f0) : { e: 0, cost: 0, min: NONE, charges: false };
    // The cheaper arm's cost is paid before the branch; each arm pays its excess.
    // Arms within `slack` of each other are paid in full up front (a bounded
    // over-count) so the arm needs no charge of its own.
    const common = Math.max(t.cost, f.cost) - Math.min(t.cost, f.cost) <= this.s.slack ? Math.max(t.cost, f.cost) : Math.min(t.cost, f.cost);
    acc.cost += common;
    for (const r of [t, f]) {
      if (r.min < acc.min) acc.min = r.min;
      if (r.charges) acc.charges = true;
    }
    let te = t.e, fe = f.e;
    if (t.cost > common) { te = this.prepend([this.charge(t.cost - common)], te); acc.charges = true; }
    if (f.cost > common) { fe = this.prepend([this.charge(f.cost - common)], fe); acc.charges = true; }
    if (te !== b.If.getIfTrue(expr)) b.If.setIfTrue(expr, te);
    if (f0 && fe !== f0) b.If.setIfFalse(expr, fe);
    return acc;
  }

  visitBreak(expr) {
    const acc = { e: expr, cost: 1, min: this.labels.get(b.Break.getName(expr)) ?? NONE, charges: false };
    const v = b.Break.getValue(expr);
    if (v) { const e = this.fold(acc, this.visit(v)); if (e !== v) b.Break.setValue(expr, e); }
    const c = b.Break.getCondition(expr);
    if (c) { const e = this.fold(acc, this.visit(c)); if (e !== c) b.Break.setCondition(expr, e); }
    return acc;
  }

  visitSwitch(expr) {
    let min = this.labels.get(b.Switch.getDefaultName(expr)) ?? NONE;
    for (const n of b.Switch.getNames(expr)) min = Math.min(min, this.labels.get(n) ?? NONE);
    const acc = { e: expr, cost: 1, min, charges: false };
    const v = b.Switch.getValue(expr);
    if (v) { const e = this.fold(acc, this.visit(v)); if (e !== v) b.Switch.setValue(expr, e); }
    const c = b.Switch.getCondition(expr);
    const e = this.fold(acc, this.visit(c));
    if (e !== c) b.Switch.setCondition(expr, e);
    return acc;
  }

  visitReturn(expr) {
    const m = this.m;
    const acc = { e: expr, cost: 1, min: -1, charges: false };
    const v = b.Return.getValue(expr);
    if (this.reg) {
      const ve = v ? this.fold(acc, this.visit(v)) : 0;
      if (v && b.getExpressionType(ve) === b.unreachable) {
        if (ve !== v) b.Return.setValue(expr, ve);
        return acc;
      }
      acc.e = m.return(v ? resultWithFuel(m, ve, this.results, this.fl) : m.local.get(this.fl, b.i64));
      return acc;
    }
    if (this.direct) {
      if (v) { const e = this.fold(acc, this.visit(v)); if (e !== v) b.Return.setValue(expr, e); }
      return acc;
    }
    if (!v) {
      acc.e = m.block(null, [this.syncOut(), expr], b.unreachable);
      return acc;
    }
    const ve = this.fold(acc, this.visit(v));
    if (b.getExpressionType(ve) === b.unreachable) {
      if (ve !== v) b.Return.setValue(expr, ve);
      return acc;
    }
    const t = this.temp(this.results);
    b.Return.setValue(expr, m.local.get(t, this.results));
    acc.e = m.block(null, [m.local.set(t, ve), this.syncOut(), expr], b.unreachable);
    return acc;
  }
}

// Calls, memory.grow and bulk memory live in meter-ops.mjs (same class).
Object.assign(FunctionMeter.prototype, opMethods);
