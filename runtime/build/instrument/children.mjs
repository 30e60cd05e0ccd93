// Generic access to an expression's operands, in evaluation order, for the
// binaryen.js IR. Control structures (block, loop, if, br, br_table, return,
// call) are handled by the metering walk itself; this table covers the rest.
import binaryen from 'binaryen';

const b = binaryen;

/** Fixed-arity nodes: expression id -> [class, ...[getter, setter] names]. */
const FIXED = new Map([
  [b.LocalSetId, [b.LocalSet, ['getValue', 'setValue']]],
  [b.GlobalSetId, [b.GlobalSet, ['getValue', 'setValue']]],
  [b.LoadId, [b.Load, ['getPtr', 'setPtr']]],
  [b.StoreId, [b.Store, ['getPtr', 'setPtr'], ['getValue', 'setValue']]],
  [b.UnaryId, [b.Unary, ['getValue', 'setValue']]],
  [b.BinaryId, [b.Binary, ['getLeft', 'setLeft'], ['getRight', 'setRight']]],
  [b.SelectId, [b.Select, ['getIfTrue', 'setIfTrue'], ['getIfFalse', 'setIfFalse'], ['getCondition', 'setCondition']]],
  [b.DropId, [b.Drop, ['getValue', 'setValue']]],
  [b.MemoryGrowId, [b.MemoryGrow, ['getDelta', 'setDelta']]],
  [b.MemoryInitId, [b.MemoryInit, ['getDest', 'setDest'], ['getOffset', 'setOffset'], ['getSize', 'setSize']]],
  [b.MemoryCopyId, [b.MemoryCopy, ['getDest', 'setDest'], ['getSource', 'setSource'], ['getSize', 'setSize']]],
  [b.MemoryFillId, [b.MemoryFill, ['getDest', 'setDest'], ['getValue', 'setValue'], ['getSize', 'setSize']]],
  [b.AtomicRMWId, [b.AtomicRMW, ['getPtr', 'setPtr'], ['getValue', 'setValue']]],
  [b.AtomicCmpxchgId, [b.AtomicCmpxchg, ['getPtr', 'setPtr'], ['getExpected', 'setExpected'], ['getReplacement', 'setReplacement']]],
  [b.AtomicWaitId, [b.AtomicWait, ['getPtr', 'setPtr'], ['getExpected', 'setExpected'], ['getTimeout', 'setTimeout']]],
  [b.AtomicNotifyId, [b.AtomicNotify, ['getPtr', 'setPtr'], ['getNotifyCount', 'setNotifyCount']]],
  [b.SIMDExtractId, [b.SIMDExtract, ['getVec', 'setVec']]],
  [b.SIMDReplaceId, [b.SIMDReplace, ['getVec', 'setVec'], ['getValue', 'setValue']]],
  [b.SIMDShuffleId, [b.SIMDShuffle, ['getLeft', 'setLeft'], ['getRight', 'setRight']]],
  [b.SIMDTernaryId, [b.SIMDTernary, ['getA', 'setA'], ['getB', 'setB'], ['getC', 'setC']]],
  [b.SIMDShiftId, [b.SIMDShift, ['getVec', 'setVec'], ['getShift', 'setShift']]],
  [b.SIMDLoadId, [b.SIMDLoad, ['getPtr', 'setPtr']]],
  [b.SIMDLoadStoreLaneId, [b.SIMDLoadStoreLane, ['getPtr', 'setPtr'], ['getVec', 'setVec']]],
  [b.RefIsNullId, [b.RefIsNull, ['getValue', 'setValue']]],
  [b.RefAsId, [b.RefAs, ['getValue', 'setValue']]],
  [b.RefEqId, [b.RefEq, ['getLeft', 'setLeft'], ['getRight', 'setRight']]],
  [b.TableGetId, [b.TableGet, ['getIndex', 'setIndex']]],
  [b.TableSetId, [b.TableSet, ['getIndex', 'setIndex'], ['getValue', 'setValue']]],
  [b.TableGrowId, [b.TableGrow, ['getValue', 'setValue'], ['getDelta', 'setDelta']]],
  [b.TupleExtractId, [b.TupleExtract, ['getTuple', 'setTuple']]],
]);

/** Nodes with an operand list. */
const LISTS = new Map([
  [b.CallId, b.Call],
  [b.CallIndirectId, b.CallIndirect],
  [b.TupleMakeId, b.TupleMake],
  [b.ThrowId, b.Throw],
]);

/** Leaves: no operands. */
const LEAVES = new Set([
  b.NopId, b.LocalGetId, b.GlobalGetId, b.ConstId, b.MemorySizeId, b.UnreachableId,
  b.DataDropId, b.AtomicFenceId, b.PopId, b.RefNullId, b.RefFuncId, b.TableSizeId,
]);

/**
 * Calls `visit(child)` on every operand of `expr` in evaluation order and
 * stores what it returns back in place when it differs. Returns false when
 * the node kind is not known here (the caller decides what to do).
 * @param {number} expr
 * @param {number} id
 * @param {(child: number) => number} visit
 */
export function mapOperands(expr, id, visit) {
  if (LEAVES.has(id)) return true;
  const fixed = FIXED.get(id);
  if (fixed) {
    const cls = fixed[0];
    for (let i = 1; i < fixed.length; i++) {
      const [get, set] = fixed[i];
      const child = cls[get](expr);
      if (!child) continue;
      const next = visit(child);
      if (next !== child) cls[set](expr, next);
    }
    return true;
  }
  const list = LISTS.get(id);
  if (list) {
    const n = list.getNumOperands(expr);
    for (let i = 0; i < n; i++) {
      const child = list.getOperandAt(expr, i);
      const next = visit(child);
      if (next !== child) list.setOperandAt(expr, i, next);
    }
    if (id === b.CallIndirectId) {
      const target = b.CallIndirect.getTarget(expr);
      const next = visit(target);
      if (next !== target) b.CallIndirect.setTarget(expr, next);
    }
    return true;
  }
  return false;
}

/** Slots of the control structures, for walks that do not care about control flow. */
const CONTROL = new Map([
  [b.LoopId, [b.Loop, ['getBody', 'setBody']]],
  [b.IfId, [b.If, ['getCondition', 'setCondition'], ['getIfTrue', 'setIfTrue'], ['getIfFalse', 'setIfFalse']]],
  [b.BreakId, [b.Break, ['getValue', 'setValue'], ['getCondition', 'setCondition']]],
  [b.SwitchId, [b.Switch, ['getValue', 'setValue'], ['getCondition', 'setCondition']]],
  [b.ReturnId, [b.Return, ['getValue', 'setValue']]],
]);

/** Like mapOperands, but also descends into blocks, loops, ifs and branches. */
export function mapChildren(expr, id, visit) {
  if (id === b.BlockId) {
    const n = b.Block.getNumChildren(expr);
    for (let i = 0; i < n; i++) {
      const child = b.Block.getChildAt(expr, i);
      const next = visit(child);
      if (next !== child) b.Block.setChildAt(expr, i, next);
    }
    return true;
  }
  const ctl = CONTROL.get(id);
  if (!ctl) return mapOperands(expr, id, visit);
  const cls = ctl[0];
  for (let i = 1; i < ctl.length; i++) {
    const [get, set] = ctl[i];
    const child = cls[get](expr);
    if (!child) continue;
    const next = visit(child);
    if (next !== child) cls[set](expr, next);
  }
  return true;
}
