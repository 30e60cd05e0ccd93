// Metering overhead: fuel on vs fuel off, both through the same binaryen pass
// (runtime/build/instrument.mjs), on CPython for WASI (when built) and on small
// C programs. Runs plain core modules with node:wasi; prints one row per
// benchmark (median of several runs, the two variants alternating) and the
// fuel calibration. `node bench/metering.mjs` runs it alone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI } from 'node:wasi';
import { instrumentBytes } from '../runtime/build/instrument.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOW = 100_000_000n;
const BUDGET = 10n ** 15n;

/** A Python core module that imports WASI (before wizer / jco), and its stdlib zip. */
function findPython() {
  const wasm = process.env.CAPSULE_PYTHON_WASM ?? join(root, 'runtime/build/work/python-linked.wasm');
  const stdlib = process.env.CAPSULE_PYTHON_STDLIB ?? join(root, 'runtime/build/work/stdlib');
  return existsSync(wasm) && existsSync(join(stdlib, 'python311.zip')) ? { wasm, stdlib } : null;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const geomean = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

/**
 * One instance per run from a shared compiled module. `prepare(dir)` lays out
 * files; the guest reports its own timing so start-up is not measured.
 */
class Runner {
  constructor(bytes, { args = [], env = {}, preopens = {}, entry = '_start' } = {}) {
    this.module = new WebAssembly.Module(bytes);
    this.opts = { args, env, preopens, entry };
  }

  run(budget, call) {
    const out = join(this.opts.preopens['/bench'] ?? tmpdir(), `stdout-${process.pid}`);
    writeFileSync(out, '');
    const { openSync, closeSync } = awaitFs;
    const fd = openSync(out, 'w');
    const wasi = new WASI({ version: 'preview1', args: this.opts.args, env: this.opts.env, preopens: this.opts.preopens, stdout: fd, returnOnExit: true });
    const io = wasi.getImportObject();
    // Fixed "random" bytes: Python's hash seed comes from random_get, and
    // fuel counts are only reproducible with a fixed seed.
    let inst;
    io.wasi_snapshot_preview1.random_get = (ptr, len) => { new Uint8Array(inst.exports.memory.buffer, ptr, len).fill(7); return 0; };
    const imports = { ...io, 'capsule:host/host@0.1.0': { call: () => { throw new Error('no host here'); } } };
    inst = new WebAssembly.Instance(this.module, imports);
    inst.exports.capsule_fuel.value = budget;
    const started = performance.now();
    let rc;
    try {
      if (call) { wasi.initialize(inst); inst.exports.capsule_fuel.value = budget; rc = call(inst.exports); }
      else rc = wasi.start(inst);
    } catch (err) {
      rc = err;
    }
    const ms = performance.now() - started;
    closeSync(fd);
    const stdout = readFileSync(out, 'utf8');
    if (rc instanceof Error && inst.exports.capsule_fuel_exhausted.value !== 1) {
      throw new Error(`run trapped (${rc.message}); stdout: ${stdout.slice(-300)}`);
    }
    return { rc, ms, stdout, consumed: budget - inst.exports.capsule_fuel.value, exhausted: inst.exports.capsule_fuel_exhausted.value === 1 };
  }
}
const awaitFs = await import('node:fs');

/** Runs off/on alternately; returns medians. `measure(result)` extracts ms. */
function compare(runners, runs, budget, measure, call) {
  // Warm-up: V8 tiers hot functions up to TurboFan in the shared module.
  for (let i = 0; i < 2; i++) for (const v of ['off', 'on']) runners[v].run(budget, call);
  const t = { off: [], on: [] };
  let last;
  for (let i = 0; i < runs; i++) {
    for (const v of i % 2 ? ['on', 'off'] : ['off', 'on']) {
      const r = runners[v].run(budget, call);
      t[v].push(measure(r));
      if (v === 'on') last = r;
    }
  }
  // Speed drifts on shared cores: the ratio is the median of adjacent on/off pairs.
  return { off: median(t.off), on: median(t.on), ratio: median(t.on.map((x, i) => x / t.off[i])), consumed: last.consumed };
}

const PY_BENCHES = {
  loop: 'x = 0\nfor i in range(N): x += i',
  calls: 'def f(a, b):\n    return a * 2 + b\nx = 0\nfor i in range(N // 2): x = f(i, x) % 1000003',
  mixed: [
    'import json, re',
    'words = ["w%d" % (i % 997) for i in range(N // 20)]',
    'counts = {}',
    'for w in words: counts[w] = counts.get(w, 0) + 1',
    'data = json.dumps(sorted(counts.items()))',
    'rx = re.compile(r"w(\\d+)")',
    'total = sum(int(m.group(1)) for m in rx.finditer(" ".join(words)))',
    'xs = sorted((i * 7919) % 10007 for i in range(N // 20))',
    's = "".join(str(i) for i in range(N // 40))',
  ].join('\n'),
};

function pythonRunners(py, bytesOn, bytesOff, dir) {
  const mk = (bytes) => new Runner(bytes, {
    args: ['python'],
    env: { PYTHONHASHSEED: '0' },
    preopens: { '/usr/local/lib': py.stdlib, '/capsule/sdk': join(dir, 'sdk'), '/bench': dir },
  });
  return { on: mk(bytesOn), off: mk(bytesOff) };
}

/** A stand-in SDK: preload does nothing, main runs /bench/script.py and prints its time. */
function writeGuest(dir) {
  mkdirSync(join(dir, 'sdk', 'capsule'), { recursive: true });
  writeFileSync(join(dir, 'sdk', 'capsule', '__init__.py'), '');
  writeFileSync(join(dir, 'sdk', 'capsule', '_guest.py'), [
    'import sys, time',
    'def preload():',
    '    pass',
    'def main():',
    '    src = open("/bench/script.py").read()',
    '    g = {"__name__": "__bench__"}',
    '    t = time.perf_counter()',
    '    exec(compile(src, "script.py", "exec"), g)',
    '    print("ms=%.3f" % ((time.perf_counter() - t) * 1000))',
  ].join('\n'));
}

function pythonBenches(py, runs, rows, notes) {
  const input = readFileSync(py.wasm);
  const on = instrumentBytes(input, JSON.parse(process.env.CAPSULE_METER_OPTS ?? '{}'));
  const off = instrumentBytes(input, { metering: false });
  notes.push(`instrumenting ${py.wasm.replace(root + '/', '')} (${(input.length / 1e6).toFixed(1)} MB): ${on.stats.ms} ms metered, ${off.stats.ms} ms unmetered; ${on.stats.metered} functions metered, ${on.stats.folded} folded, ${on.stats.syncedCalls} synced calls, ${on.stats.foldedCalls} folded calls`);
  const dir = mkdtempSync(join(tmpdir(), 'capsule-metering-'));
  try {
    writeGuest(dir);
    const runners = pythonRunners(py, on.bytes, off.bytes, dir);
    const ms = (r) => {
      const m = /ms=([\d.]+)/.exec(r.stdout);
      if (!m) throw new Error(`python run failed (rc ${r.rc}): ${r.stdout.slice(-500)}`);
      return Number(m[1]);
    };
    const n = 2_000_000;
    const only = process.env.CAPSULE_BENCH_PY?.split(',');
    for (const [name, src] of Object.entries(PY_BENCHES).filter(([k]) => !only || only.includes(k))) {
      writeFileSync(join(dir, 'script.py'), `N = ${n}\n${src}\n`);
      const r = compare(runners, runs, BUDGET, ms);
      rows.push({ bench: `cpython: ${name}`, off: r.off, on: r.on, ratio: r.ratio, fuel: r.consumed });
    }
    // Calibration: fuel per iteration of `x += i`, from two loop lengths.
    const fuelFor = (k) => {
      writeFileSync(join(dir, 'script.py'), `N = ${k}\n${PY_BENCHES.loop}\n`);
      return runners.on.run(BUDGET).consumed;
    };
    const [a, b] = [fuelFor(100_000), fuelFor(1_100_000)];
    const perIter = Number(b - a) / 1_000_000;
    notes.push(`calibration: \`for i in range(n): x += i\` at module level costs ${perIter.toFixed(0)} fuel per iteration; LOW (1e8) allows about ${Math.round(Number(LOW) / perIter).toLocaleString('en-US')} iterations`);
    const inFunc = (k) => {
      writeFileSync(join(dir, 'script.py'), `def f(n):\n    x = 0\n    for i in range(n): x += i\n    return x\nf(${k})\n`);
      return runners.on.run(BUDGET).consumed;
    };
    const perIterF = Number(inFunc(1_100_000) - inFunc(100_000)) / 1_000_000;
    notes.push(`calibration: the same loop inside a function costs ${perIterF.toFixed(0)} fuel per iteration; LOW allows about ${Math.round(Number(LOW) / perIterF).toLocaleString('en-US')} iterations`);
    writeFileSync(join(dir, 'script.py'), `x = 0\nwhile True: x += 1\n`);
    const stopped = runners.on.run(LOW);
    notes.push(`a \`while True\` loop at LOW: ${stopped.exhausted ? 'stopped out of fuel' : 'NOT stopped'} after ${stopped.ms.toFixed(0)} ms (includes interpreter start-up), consumed ${stopped.consumed}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const C_BENCHES = [['interp', 30_000_000], ['fib', 30], ['sort', 1_000_000], ['copy', 64_000_000]];

function cBenches(runs, rows, notes) {
  const src = join(root, 'test/fixtures/wasm/programs.c');
  const dir = mkdtempSync(join(tmpdir(), 'capsule-metering-c-'));
  try {
    const wasm = join(dir, 'programs.wasm');
    execFileSync('clang-19', ['--target=wasm32-wasi', '-O2', '-mexec-model=reactor', '-o', wasm, src]);
    const input = readFileSync(wasm);
    const runners = { on: new Runner(instrumentBytes(input).bytes), off: new Runner(instrumentBytes(input, { metering: false }).bytes) };
    for (const [name, arg] of C_BENCHES) {
      const r = compare(runners, runs, BUDGET, (x) => x.ms, (e) => e[name](arg));
      rows.push({ bench: `c: ${name}(${arg})`, off: r.off, on: r.on, ratio: r.ratio, fuel: r.consumed });
    }
  } catch (err) {
    notes.push(`C benchmarks skipped: ${err.message.split('\n')[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Entry point for bench/run.mjs: returns { title, rows, notes } (the runner
 * prints the table). Rows: fuel off ms, fuel on ms, ratio, fuel consumed.
 */
export async function runMeteringBench({ runs = Number(process.env.CAPSULE_BENCH_RUNS ?? 5) } = {}) {
  const raw = [];
  const notes = [];
  const py = findPython();
  if (py) pythonBenches(py, runs, raw, notes);
  else notes.push('CPython benchmarks skipped: no runtime/build/work/python-linked.wasm (run the runtime build)');
  if (process.env.CAPSULE_BENCH_ONLY !== 'cpython') cBenches(runs, raw, notes);
  const rows = raw.map((r) => ({
    benchmark: r.bench, 'fuel off ms': r.off, 'fuel on ms': r.on, ratio: `${r.ratio.toFixed(2)}x`, 'fuel consumed': r.fuel.toLocaleString('en-US'),
  }));
  const py_ = raw.filter((r) => r.bench.startsWith('cpython'));
  if (py_.length) rows.push({ benchmark: 'cpython geomean (target <= 1.15x)', ratio: `${geomean(py_.map((r) => r.ratio)).toFixed(2)}x` });
  if (raw.length) rows.push({ benchmark: 'all geomean', ratio: `${geomean(raw.map((r) => r.ratio)).toFixed(2)}x` });
  return { title: `Fuel metering overhead (fuel on vs off, same binaryen pass; median of ${runs}, node:wasi)`, rows, notes };
}

export default runMeteringBench;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { title, rows, notes } = await runMeteringBench();
  console.log(`## ${title}`);
  console.log('| benchmark | fuel off ms | fuel on ms | ratio | fuel consumed |');
  for (const r of rows) console.log(`| ${Object.values(r).map((v) => (typeof v === 'number' ? v.toFixed(1) : v)).join(' | ')} |`);
  for (const n of notes) console.log(`- ${n}`);
}
