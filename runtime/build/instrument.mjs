// Build-time instrumentation of a core wasm module (python.wasm) for the
// sandbox: fuel metering and a memory cap, both controlled through exported
// globals only (no imports are added: the module becomes a component next).
//
//   capsule_fuel            mutable i64: remaining fuel. The host sets it after
//                           instantiation; consumed = what it set - what is left.
//                           Starts at 2^63-1 so pre-initialisation (wizer) runs.
//   capsule_fuel_exhausted  mutable i32: set to 1 just before the out-of-fuel trap
//                           (`unreachable`), so the host can tell it from a crash.
//   capsule_mem_limit_pages mutable i32: memory.grow returns -1 past this many
//                           64 KiB pages (default 65536, no limit).
//
// Usage: node runtime/build/instrument.mjs in.wasm out.wasm [--no-metering] [--fold=N]
import binaryen from 'binaryen';
import { readFile, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { analyze, findFoldable, recursiveFunctions, tableFunctions } from './instrument/callgraph.mjs';
import { FunctionMeter } from './instrument/meter.mjs';
import { capFunction } from './instrument/memcap.mjs';
import { addFuelParameter, resultWithFuel, returnsWithFuel, shiftLocals, withFuel, wrapExports } from './instrument/signatures.mjs';

const b = binaryen;

export const FUEL_GLOBAL = 'capsule_fuel';
export const EXHAUSTED_GLOBAL = 'capsule_fuel_exhausted';
export const MEM_LIMIT_GLOBAL = 'capsule_mem_limit_pages';
const TRAP_FUNC = 'capsule_out_of_fuel';
const IND_SUFFIX = '$capsule_indirect';
/** Default worst-case cost under which a bounded function is charged at its call sites. */
export const DEFAULT_FOLD_LIMIT = 64;
/** Default over-count allowed per branch to save a charge (0: exact per path). */
export const DEFAULT_SLACK = 0;

/**
 * @typedef {object} InstrumentOptions
 * @property {boolean} [metering=true]  false: only the memory cap (and the fuel globals, unused)
 * @property {boolean} [memCap=true]    false: leave memory.grow alone
 * @property {number} [foldLimit]       fold bounded functions up to this worst case (0: never)
 * @property {number} [bulkShift=3]     memory.copy/fill cost = length >> bulkShift
 * @property {number} [slack]         a branch may be over-charged by up to this to save a charge (0: exact)
 * @property {boolean} [direct=true]   loop-free functions charge the global directly (no local, no syncs)
 * @property {'recursive'|'all'} [entryChecks='recursive'] where function entries check the balance
 * @property {boolean} [validate=false] run binaryen's validator on the result (slow on big modules)
 */

/**
 * @typedef {object} InstrumentStats
 * @property {number} functions  defined functions
 * @property {number} metered    functions with a fuel local, checks and syncs
 * @property {number} folded     bounded functions charged at their call sites
 * @property {number} charges    charge points inserted
 * @property {number} checks     exhaustion checks (function entries + loop headers)
 * @property {number} syncedCalls calls wrapped with a fuel sync
 * @property {number} foldedCalls calls charged statically, without a sync
 * @property {number} refunds    branches that refund code paid up front but skipped
 * @property {number} memoryGrows memory.grow sites capped
 * @property {number} ms          time spent, read to write
 * @property {number} inputBytes
 * @property {number} outputBytes
 */

/**
 * Instruments a module file. See the header comment for the contract.
 * @param {string} inputPath @param {string} outputPath @param {InstrumentOptions} [opts]
 * @returns {Promise<InstrumentStats>}
 */
export async function instrument(inputPath, outputPath, opts = {}) {
  const started = performance.now();
  const input = await readFile(inputPath);
  const { bytes, stats } = instrumentBytes(input, opts);
  await writeFile(outputPath, bytes);
  stats.ms = Math.round(performance.now() - started);
  return stats;
}

/**
 * The same, in memory.
 * @param {Uint8Array} input @param {InstrumentOptions} [opts]
 * @returns {{bytes: Uint8Array, stats: InstrumentStats}}
 */
export function instrumentBytes(input, opts = {}) {
  const started = performance.now();
  const options = checkOptions(opts);
  const module = b.readBinary(input);
  try {
    const stats = transform(module, options);
    if (options.validate) validate(module);
    const bytes = module.emitBinary();
    stats.inputBytes = input.byteLength;
    stats.outputBytes = bytes.byteLength;
    stats.ms = Math.round(performance.now() - started);
    return { bytes, stats };
  } finally {
    module.dispose();
  }
}

/**
 * binaryen's validator, with bulk memory allowed: wizer writes segment flags
 * that need it without listing it in target_features (V8 has it on by
 * default). The features written out stay as they were.
 */
function validate(module) {
  const features = module.getFeatures();
  module.setFeatures(features | b.Features.BulkMemory);
  const ok = module.validate();
  module.setFeatures(features);
  if (!ok) throw new Error('instrument: binaryen rejected the instrumented module (see the validator output above)');
}

/** @param {InstrumentOptions} opts */
function checkOptions(opts) {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`instrument: opts must be an object, got ${opts}`);
  const flag = (key, dflt) => {
    const v = opts[key] ?? dflt;
    if (typeof v !== 'boolean') throw new TypeError(`instrument: opts.${key} must be a boolean, got ${JSON.stringify(v)}`);
    return v;
  };
  const count = (key, dflt, max) => {
    const v = opts[key] ?? dflt;
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`instrument: opts.${key} must be an integer from 0 to ${max}, got ${JSON.stringify(v)}`);
    return v;
  };
  const oneOf = (key, dflt, allowed) => {
    const v = opts[key] ?? dflt;
    if (!allowed.includes(v)) throw new TypeError(`instrument: opts.${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v;
  };
  return {
    metering: flag('metering', true),
    memCap: flag('memCap', true),
    validate: flag('validate', false),
    foldLimit: count('foldLimit', DEFAULT_FOLD_LIMIT, 1_000_000),
    bulkShift: count('bulkShift', 3, 32),
    slack: count('slack', DEFAULT_SLACK, 1000),
    direct: flag('direct', true),
    register: flag('register', true),
    entryChecks: oneOf('entryChecks', 'recursive', ['recursive', 'all']),
  };
}

/** @param {binaryen.Module} module */
function transform(module, options) {
  for (let i = 0; i < module.getNumExports(); i++) {
    const name = b.getExportInfo(module.getExportByIndex(i)).name;
    if ([FUEL_GLOBAL, EXHAUSTED_GLOBAL, MEM_LIMIT_GLOBAL].includes(name)) {
      throw new Error(`instrument: the module already exports ${name} (instrumented twice?)`);
    }
  }
  // Exporting a mutable global needs this one feature; keep all others as read.
  module.setFeatures(module.getFeatures() | b.Features.MutableGlobals);

  const imports = new Set();
  const defined = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const f = module.getFunctionByIndex(i);
    const info = b.getFunctionInfo(f);
    if (info.module) imports.add(info.name);
    else defined.push(f);
  }

  module.addGlobal(FUEL_GLOBAL, b.i64, true, module.i64.const(0x7fffffffffffffffn));
  module.addGlobal(EXHAUSTED_GLOBAL, b.i32, true, module.i32.const(0));
  module.addGlobal(MEM_LIMIT_GLOBAL, b.i32, true, module.i32.const(65536));
  addTrapFunction(module);

  const facts = options.metering ? analyze(module, imports) : new Map();
  const folded = options.metering ? findFoldable(facts, imports, options.foldLimit) : new Map();
  const recursive = options.metering ? recursiveFunctions(facts, tableFunctions(module)) : new Set();
  const shared = {
    module, fuel: FUEL_GLOBAL, trap: TRAP_FUNC, limit: MEM_LIMIT_GLOBAL, imports, folded,
    bulkShift: options.bulkShift,
    slack: options.slack,
    sigs: null,
    stats: { charges: 0, checks: 0, syncedCalls: 0, foldedCalls: 0, refunds: 0 },
  };
  let metered = 0, memoryGrows = 0;
  const names = defined.map((f) => b.Function.getName(f));
  const register = options.metering && options.register;
  if (register) {
    module.setFeatures(module.getFeatures() | b.Features.Multivalue); // the extra result
    shared.sigs = addFuelParameter(module, names.filter((n) => !folded.has(n)));
  }
  for (const name of names) {
    const f = module.getFunction(name);
    if (options.metering && !folded.has(name)) {
      const fi = facts.get(name);
      const sig = register ? shared.sigs.get(name) : null;
      const meter = new FunctionMeter(shared, f, {
        direct: options.direct && !fi.loops,
        entryCheck: options.entryChecks === 'all' || recursive.has(name),
        ...(sig ? { reg: true, nParams: sig.nParams, results: sig.results } : {}),
      });
      meter.run();
      memoryGrows += meter.grows;
      metered++;
    } else if (options.memCap) {
      memoryGrows += capFunction(module, f, MEM_LIMIT_GLOBAL);
    }
  }
  if (options.metering) redirectIndirectTargets(module, folded, register);
  if (register) wrapExports(module, shared.sigs, FUEL_GLOBAL);

  module.addGlobalExport(FUEL_GLOBAL, FUEL_GLOBAL);
  module.addGlobalExport(EXHAUSTED_GLOBAL, EXHAUSTED_GLOBAL);
  module.addGlobalExport(MEM_LIMIT_GLOBAL, MEM_LIMIT_GLOBAL);
  const { charges, checks, syncedCalls, foldedCalls, refunds } = shared.stats;
  return {
    functions: defined.length, metered, folded: folded.size, charges, checks, syncedCalls, foldedCalls, refunds,
    memoryGrows, ms: 0, inputBytes: 0, outputBytes: 0,
  };
}

/** (param i64): publishes the balance, raises the flag, traps. Kept out of line: it is cold. */
function addTrapFunction(module) {
  const m = module;
  m.addFunction(TRAP_FUNC, b.i64, b.none, [], m.block(null, [
    m.global.set(FUEL_GLOBAL, m.local.get(0, b.i64)),
    m.global.set(EXHAUSTED_GLOBAL, m.i32.const(1)),
    m.unreachable(),
  ]));
}

/**
 * A folded function is charged by its direct callers, but not when it is
 * called through the table: the table gets a copy that charges the balance
 * itself (the global, or in register mode the balance it is passed and returns).
 */
function redirectIndirectTargets(module, folded, register) {
  const m = module;
  const copies = new Map();
  const copyOf = (name) => {
    let copy = copies.get(name);
    if (copy) return copy;
    const f = m.getFunction(name);
    const info = b.getFunctionInfo(f);
    copy = name + IND_SUFFIX;
    const cost = BigInt(folded.get(name));
    let body = m.copyExpression(info.body);
    if (register) {
      // Same signature as every other table function: the balance in and out.
      const fl = b.expandType(info.params).length;
      shiftLocals(body, fl);
      body = returnsWithFuel(m, body, info.results, fl);
      const charge = m.local.set(fl, m.i64.sub(m.local.get(fl, b.i64), m.i64.const(cost)));
      m.addFunction(copy, withFuel(info.params), withFuel(info.results), info.vars, m.block(null, [charge, resultWithFuel(m, body, info.results, fl)], withFuel(info.results)));
    } else {
      const charge = m.global.set(FUEL_GLOBAL, m.i64.sub(m.global.get(FUEL_GLOBAL, b.i64), m.i64.const(cost)));
      m.addFunction(copy, info.params, info.results, info.vars, m.block(null, [charge, body], info.results));
    }
    copies.set(name, copy);
    return copy;
  };
  const segments = [];
  for (let i = 0; i < m.getNumElementSegments(); i++) segments.push(b.getElementSegmentInfo(m.getElementSegmentByIndex(i)));
  // In register mode the table's functions changed type: its references are re-made too.
  if (!register && !segments.some((seg) => seg.data.some((n) => folded.has(n)))) return 0;
  // Segments may overlap, so all are re-added in their original order.
  const offsets = segments.map((seg) => (seg.table ? m.copyExpression(seg.offset) : 0));
  for (const seg of segments) m.removeElementSegment(seg.name);
  segments.forEach((seg, i) => {
    const data = seg.data.map((n) => (folded.has(n) ? copyOf(n) : n));
    if (seg.table) m.addActiveElementSegment(seg.table, seg.name, data, offsets[i]);
    else m.addPassiveElementSegment(seg.name, data);
  });
  return copies.size;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [input, output, ...flags] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: node runtime/build/instrument.mjs in.wasm out.wasm [--no-metering] [--fold=N] [--validate]');
    process.exit(2);
  }
  const opts = { metering: !flags.includes('--no-metering'), validate: flags.includes('--validate') };
  const fold = flags.find((f) => f.startsWith('--fold='));
  if (fold) opts.foldLimit = Number(fold.slice('--fold='.length));
  const stats = await instrument(input, output, opts);
  console.log(JSON.stringify(stats));
}
