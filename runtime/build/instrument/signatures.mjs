// Register mode: the balance travels between functions as an extra i64
// parameter and an extra i64 result of every metered function, so a call costs
// no global traffic at all (the global is what V8 cannot keep in a register).
// Exports get adapters with their original signature that read and write the
// `capsule_fuel` global; calls to imports publish the balance around them.
import binaryen from 'binaryen';
import { mapChildren } from './children.mjs';

const b = binaryen;
export const EXPORT_SUFFIX = '$capsule_export';

/** `type` with one more i64 at the end. */
export const withFuel = (type) => b.createType([...b.expandType(type), b.i64]);

/** Adds 1 to every local index >= `from` (a parameter was inserted there). */
export function shiftLocals(expr, from) {
  const visit = (e) => {
    const id = b.getExpressionId(e);
    if (id === b.LocalGetId) {
      const i = b.LocalGet.getIndex(e);
      if (i >= from) b.LocalGet.setIndex(e, i + 1);
    } else if (id === b.LocalSetId) {
      const i = b.LocalSet.getIndex(e);
      if (i >= from) b.LocalSet.setIndex(e, i + 1);
    }
    if (!mapChildren(e, id, visit)) throw new Error(`instrument: expression kind ${id} cannot be walked`);
    return e;
  };
  visit(expr);
}

/**
 * Gives each named function a last i64 parameter and a last i64 result.
 * @returns {Map<string, {nParams: number, params: number, results: number}>} original signatures
 */
export function addFuelParameter(module, names) {
  const sigs = new Map();
  for (const name of names) {
    const info = b.getFunctionInfo(module.getFunction(name));
    const nParams = b.expandType(info.params).length;
    if (b.expandType(info.results).length > 1) throw new Error(`instrument: ${name} returns several values (register mode supports one)`);
    shiftLocals(info.body, nParams);
    module.removeFunction(name);
    module.addFunction(name, withFuel(info.params), withFuel(info.results), info.vars, info.body);
    sigs.set(name, { nParams, params: info.params, results: info.results });
  }
  return sigs;
}

/**
 * A call of a register-mode function, as an expression of the original result
 * type that also stores the balance it returns into local `fl`.
 * @param {(operands: number[], type: number) => number} make builds the call with the extended operands and type
 */
export function callWithFuel(m, make, operands, results, fl, temp) {
  const call = make([...operands, m.local.get(fl, b.i64)], withFuel(results));
  if (results === b.none) return m.local.set(fl, call);
  const t = temp(withFuel(results));
  return m.block(null, [
    m.local.set(t, call),
    m.local.set(fl, m.tuple.extract(m.local.get(t, withFuel(results)), 1)),
    m.tuple.extract(m.local.get(t, withFuel(results)), 0),
  ], results);
}

/** `value` (of the original result type) with the balance appended: the function's new result. */
export function resultWithFuel(m, value, results, fl) {
  if (b.getExpressionType(value) === b.unreachable) return value;
  if (results === b.none) return m.block(null, [value, m.local.get(fl, b.i64)], b.i64);
  return m.tuple.make([value, m.local.get(fl, b.i64)]);
}

/** Rewrites every `return` in `body` (of an uninstrumented function) to hand the balance back too. */
export function returnsWithFuel(m, body, results, fl) {
  const visit = (e) => {
    const id = b.getExpressionId(e);
    if (!mapChildren(e, id, visit)) throw new Error(`instrument: expression kind ${id} cannot be walked`);
    if (id !== b.ReturnId) return e;
    const v = b.Return.getValue(e);
    if (v && b.getExpressionType(v) === b.unreachable) return e;
    return m.return(v ? resultWithFuel(m, v, results, fl) : m.local.get(fl, b.i64));
  };
  return visit(body);
}

/** Exports keep their signature: an adapter passes the global in and stores what comes back. */
export function wrapExports(module, sigs, fuelGlobal) {
  const m = module;
  for (let i = module.getNumExports() - 1; i >= 0; i--) {
    const e = b.getExportInfo(module.getExportByIndex(i));
    if (e.kind !== b.ExternalFunction || !sigs.has(e.value)) continue;
    const { nParams, params, results } = sigs.get(e.value);
    const args = b.expandType(params).map((t, k) => m.local.get(k, t));
    const call = m.call(e.value, [...args, m.global.get(fuelGlobal, b.i64)], withFuel(results));
    let body;
    if (results === b.none) body = m.global.set(fuelGlobal, call);
    else {
      const tuple = nParams; // the adapter's one var
      body = m.block(null, [
        m.local.set(tuple, call),
        m.global.set(fuelGlobal, m.tuple.extract(m.local.get(tuple, withFuel(results)), 1)),
        m.tuple.extract(m.local.get(tuple, withFuel(results)), 0),
      ], results);
    }
    const adapter = e.value + EXPORT_SUFFIX;
    m.addFunction(adapter, params, results, results === b.none ? [] : [withFuel(results)], body);
    m.removeExport(e.name);
    m.addFunctionExport(adapter, e.name);
  }
}
