// FunctionMeter methods for calls, memory.grow and bulk memory ops (split
// out of meter.mjs for size; installed on its prototype).
import binaryen from 'binaryen';
import { mapOperands } from './children.mjs';
import { capMemoryGrow } from './memcap.mjs';
import { callWithFuel, withFuel } from './signatures.mjs';

const b = binaryen;
const NONE = Infinity;
/** The label of a function's cold out-of-fuel block (meter.mjs branches there too). */
export const OOF = 'capsule$out_of_fuel';

export const opMethods = {
  /** @param {number} expr @param {string | null} target null for call_indirect */
  visitCall(expr, target) {
    const acc = { e: expr, cost: 1, min: NONE, charges: false };
    mapOperands(expr, target === null ? b.CallIndirectId : b.CallId, (child) => this.fold(acc, this.visit(child)));
    const isReturn = target === null ? b.CallIndirect.isReturn(expr) : b.Call.isReturn(expr);
    const toImport = target !== null && this.s.imports.has(target);
    // Imports cost nothing; in register mode the balance is published around
    // them, so that a host call that ends the task (exit, a kill) leaves the
    // global current, and an export it calls back (cabi_realloc) is counted.
    if (!isReturn && toImport && !this.reg) return acc;
    const folded = target === null ? undefined : this.s.folded.get(target);
    if (folded !== undefined && !isReturn) {
      this.s.stats.foldedCalls++;
      acc.cost += folded;
      return acc;
    }
    if (folded !== undefined) acc.cost += folded;
    if (this.reg && !toImport) return this.regCall(acc, expr, target, isReturn);
    if (this.direct) return acc; // the callee charges the global itself
    this.s.stats.syncedCalls++;
    const m = this.m;
    const pre = acc.charges ? this.spillOperands(expr, target === null) : [];
    pre.push(this.syncOut());
    const type = b.getExpressionType(expr);
    if (isReturn) {
      acc.min = -1;
      acc.e = m.block(null, [...pre, expr], type);
    } else if (type === b.none) {
      acc.e = m.block(null, [...pre, expr, this.syncIn()], b.none);
    } else if (type === b.unreachable) {
      acc.e = m.block(null, [...pre, expr], b.unreachable);
    } else {
      const t = this.temp(type);
      acc.e = m.block(null, [...pre, m.local.set(t, expr), this.syncIn(), m.local.get(t, type)], type);
    }
    return acc;
  },

  /** Register mode: the balance goes in as the last operand and comes back with the result. */
  regCall(acc, expr, target, isReturn) {
    if (isReturn) throw new Error(`instrument: tail calls are not supported in register mode (in ${this.name})`);
    const m = this.m;
    this.s.stats.syncedCalls++;
    const indirect = target === null;
    const pre = acc.charges ? this.spillOperands(expr, indirect) : [];
    const cls = indirect ? b.CallIndirect : b.Call;
    const ops = [];
    for (let i = 0; i < cls.getNumOperands(expr); i++) ops.push(cls.getOperandAt(expr, i));
    let call;
    if (indirect) {
      const table = b.CallIndirect.getTable(expr), callee = b.CallIndirect.getTarget(expr);
      const params = withFuel(b.CallIndirect.getParams(expr)), results = b.CallIndirect.getResults(expr);
      call = callWithFuel(m, (o, t) => m.call_indirect(table, callee, o, params, t), ops, results, this.fl, (t) => this.temp(t));
    } else {
      const { results } = this.s.sigs.get(target);
      call = callWithFuel(m, (o, t) => m.call(target, o, t), ops, results, this.fl, (t) => this.temp(t));
    }
    acc.e = pre.length ? m.block(null, [...pre, call], b.getExpressionType(call)) : call;
    acc.charges = true; // the balance changes here: later operands of an enclosing call must see it
    return acc;
  },

  /**
   * Operands that contain charges must run before the pre-call sync, or the
   * sync would publish a stale balance: evaluate them into fresh locals first.
   */
  spillOperands(expr, indirect) {
    const cls = indirect ? b.CallIndirect : b.Call;
    const m = this.m;
    const pre = [];
    const n = cls.getNumOperands(expr);
    const slots = [];
    for (let i = 0; i < n; i++) slots.push([cls.getOperandAt(expr, i), (e) => cls.setOperandAt(expr, i, e)]);
    if (indirect) slots.push([b.CallIndirect.getTarget(expr), (e) => b.CallIndirect.setTarget(expr, e)]);
    for (const [child, set] of slots) {
      const type = b.getExpressionType(child);
      if (type === b.unreachable) continue;
      const t = this.freshTemp(type);
      pre.push(m.local.set(t, child));
      set(m.local.get(t, type));
    }
    return pre;
  },

  visitGrow(expr) {
    const acc = this.visitPlain(expr, b.MemoryGrowId);
    this.grows++;
    acc.e = capMemoryGrow(this.m, expr, this.temp(b.i32), this.s.limit);
    return acc;
  },

  /** memory.copy / memory.fill: charged by length, since they are one instruction. */
  visitBulk(expr, id) {
    const acc = this.visitPlain(expr, id);
    const m = this.m;
    const cls = id === b.MemoryCopyId ? b.MemoryCopy : b.MemoryFill;
    const slots = id === b.MemoryCopyId ? [['getDest', 'setDest'], ['getSource', 'setSource'], ['getSize', 'setSize']]
      : [['getDest', 'setDest'], ['getValue', 'setValue'], ['getSize', 'setSize']];
    const pre = [];
    let size = 0;
    for (const [get, set] of slots) {
      const child = cls[get](expr);
      const t = this.freshTemp(b.i32);
      pre.push(m.local.set(t, child));
      cls[set](expr, m.local.get(t, b.i32));
      size = t;
    }
    const cost = this.freshTemp(b.i64);
    pre.push(m.local.set(cost, m.i64.shr_u(m.i64.extend_u(m.local.get(size, b.i32)), this.i64(this.s.bulkShift))));
    // A dynamic charge can be large: an op that costs more than is left spends
    // what is left (the balance goes to -1) and traps before it runs, so the
    // reported consumption ends within one unit of the budget.
    this.s.stats.checks++;
    this.usesTrap = true;
    pre.push(m.if(
      m.i64.lt_s(this.balance(), m.local.get(cost, b.i64)),
      m.block(null, [this.setBalance(this.i64(-1)), m.br(OOF)], b.unreachable),
    ));
    pre.push(this.setBalance(m.i64.sub(this.balance(), m.local.get(cost, b.i64))));
    acc.e = m.block(null, [...pre, expr], b.none);
    acc.charges = true;
    return acc;
  },
};
