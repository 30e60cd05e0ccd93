// `npm run bench` module: CPU-bound Python, the same code in native python3, Pyodide
// (npm, dev only) and the Capsule sandbox with fuel on and off. Four workloads from the
// issue and four from pyperformance's families, each timed inside its interpreter
// (start-up excluded): wall time with time.perf_counter, as the issue defines it, and on
// Linux CPU time: native's time.process_time, Pyodide's thread (the main one), the sandbox
// worker's thread (/proc/self/task/<tid>/schedstat) minus an empty task's.
//
// One run must be trustworthy on a shared, loaded machine, where a single timing moved up
// to 2x between runs. So every ratio is taken within a round: a round runs each workload
// once in each of the four (their order rotates from round to round), after two warm-up
// rounds that let V8 tier the hot wasm code (the sandbox's, Pyodide's) up. A ratio is the median over the rounds, given
// with its min-max; a geometric mean is that of the medians, given with the min-max of the
// rounds' own geometric means. The four run side by side in one process (native in a child
// process kept open): what changes on the machine during the run changes all four alike.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSandboxApi } from './sandbox-api.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
/** Measured rounds, after the warm-up ones. */
const ROUNDS = Number(process.env.CAPSULE_BENCH_CPU_RUNS ?? 6);
/** V8 tiers a workload's hot sandbox code up over its first two runs (its third is steady). */
const WARMUP = 2;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`CAPSULE_BENCH_CPU_RUNS must be a whole number of rounds, at least 1 (got ${process.env.CAPSULE_BENCH_CPU_RUNS})`);

const WORKLOADS = `
import json, re, pickle, time

def primes_dict():
    primes = [p for p in range(2, 8000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]
    d = {}
    for i in range(300000):
        d["k%d" % i] = i
    return len(primes) + len(d)

def nbody():
    bodies = [[float(i), float(i * 2), float(i * 3), 0.1 * i, 0.2, 0.3, 1.0 + i] for i in range(5)]
    for _ in range(4000):
        for i, a in enumerate(bodies):
            for b in bodies[i + 1:]:
                dx, dy, dz = a[0] - b[0], a[1] - b[1], a[2] - b[2]
                mag = 0.01 / ((dx * dx + dy * dy + dz * dz + 0.01) ** 1.5)
                a[3] -= dx * b[6] * mag; a[4] -= dy * b[6] * mag; a[5] -= dz * b[6] * mag
                b[3] += dx * a[6] * mag; b[4] += dy * a[6] * mag; b[5] += dz * a[6] * mag
        for a in bodies:
            a[0] += 0.01 * a[3]; a[1] += 0.01 * a[4]; a[2] += 0.01 * a[5]
    return bodies[0][0]

def json_records():
    records = [{"id": i, "name": "user%d" % i, "score": i * 1.5, "tags": ["a", "b", str(i)], "ok": i % 2 == 0} for i in range(20000)]
    n = 0
    for _ in range(5):
        n += len(json.loads(json.dumps(records)))
    return n

def regex_lines():
    text = "\\n".join("line %d: user%d@example.org visited /page/%d at 12:%02d" % (i, i, i % 97, i % 60) for i in range(20000))
    return len(re.findall(r"(\\w+)@(\\w+)\\.org", text)) + len(re.findall(r"/page/(\\d+)", text))

class Point:
    __slots__ = ("x", "y", "z")
    def __init__(self, i):
        import math
        self.x = x = math.sin(i); self.y = math.cos(i) * 3; self.z = (x * x) / 2
    def normalize(self):
        norm = (self.x ** 2 + self.y ** 2 + self.z ** 2) ** 0.5
        self.x /= norm; self.y /= norm; self.z /= norm
    def maximize(self, other):
        self.x = max(self.x, other.x); self.y = max(self.y, other.y); self.z = max(self.z, other.z)
        return self

def float_points():
    points = [Point(i) for i in range(100000)]
    for p in points:
        p.normalize()
    best = points[0]
    for p in points[1:]:
        best = best.maximize(p)
    return best.x

def unpack_sequence():
    t = tuple(range(10)); l = list(range(10)); total = 0
    for _ in range(200000):
        a, b, c, d, e, f, g, h, i, j = t
        a, b, c, d, e, f, g, h, i, j = l
        total += a + j
    return total

def pickle_roundtrip():
    data = [{"id": i, "name": "x" * (i % 20), "vals": list(range(i % 10)), "f": i / 3, "t": (i, str(i))} for i in range(5000)]
    n = 0
    for _ in range(10):
        n += len(pickle.loads(pickle.dumps(data, 4)))
    return n

def generators():
    def numbers(n):
        for i in range(n):
            yield i
    def squares(it):
        for x in it:
            yield x * x
    def evens(it):
        return (x for x in it if x % 2 == 0)
    total = 0
    for _ in range(10):
        total += sum(evens(squares(numbers(100000))))
    return total

WORKLOADS = ["primes_dict", "nbody", "json_records", "regex_lines", "float_points", "unpack_sequence", "pickle_roundtrip", "generators"]

def noop():
    return 0

def timed(name):
    fn = globals()[name]
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started

def cpu_timed(name):
    fn = globals()[name]
    started = time.process_time()
    fn()
    return time.process_time() - started
`;

const TASK_FILE = `from capsule import task\n${WORKLOADS}\n@task\ndef bench(name):\n    return timed(name)\n`;
const NAMES = ['primes_dict', 'nbody', 'json_records', 'regex_lines', 'float_points', 'unpack_sequence', 'pickle_roundtrip', 'generators'];
const KINDS = ['on', 'off', 'native', 'pyodide'];

/** Thread CPU time is read from /proc (Linux); elsewhere only wall times are given. */
const HAS_THREAD_CPU = existsSync(`/proc/self/task/${process.pid}/schedstat`);
const threadNs = (tid) => Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);

/** Each thread's CPU time so far, ns. */
function threadCpu() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(tid, threadNs(tid));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** The busiest thread's CPU seconds between two samples: the worker that ran the task. */
function busiestThread(before, after) {
  let max = 0;
  for (const [tid, ns] of after) max = Math.max(max, ns - (before.get(tid) ?? 0));
  return max / 1e9;
}

/** Native python3, kept open: one line in (a workload's name), one JSON line out. */
function nativeRunner() {
  const loop = `${WORKLOADS}\nimport sys, json as _j\nfor _line in sys.stdin:\n    _fn = globals()[_line.strip()]\n    _w, _c = time.perf_counter(), time.process_time()\n    _fn()\n    _c, _w = time.process_time() - _c, time.perf_counter() - _w\n    print(_j.dumps({"wall": _w, "cpu": _c}), flush=True)\n`;
  const child = spawn('/usr/bin/python3', ['-c', loop], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()?.resolve(JSON.parse(l)));
  child.on('exit', (code) => { for (const w of waiting.splice(0)) w.reject(new Error(`native python3 exited (${code})`)); });
  return {
    run: (name) => new Promise((resolve, reject) => { waiting.push({ resolve, reject }); child.stdin.write(`${name}\n`); }),
    close: () => child.stdin.end(),
  };
}

async function pyodideRunner() {
  const { loadPyodide } = await import(join(root, 'node_modules', 'pyodide', 'pyodide.mjs'));
  const py = await loadPyodide();
  py.runPython(WORKLOADS);
  return {
    version: py.version,
    run: async (name) => {
      const before = HAS_THREAD_CPU ? threadNs(process.pid) : 0;
      const wall = py.runPython(`timed(${JSON.stringify(name)})`);
      return { wall, cpu: HAS_THREAD_CPU ? (threadNs(process.pid) - before) / 1e9 : NaN };
    },
  };
}

function sandboxRunner(SandboxPool, variant, dir) {
  const pool = new SandboxPool({ spares: 1, variant });
  return {
    pool,
    run: async (name) => {
      const before = HAS_THREAD_CPU ? threadCpu() : null;
      const o = await pool.run({ projectRoot: dir, file: 'cpu_tasks.py', taskName: 'bench', args: [name], kwargs: {}, fuel: Infinity, memoryLimitBytes: 512 * 2 ** 20, env: {}, mounts: [] }).outcome;
      const cpu = before ? busiestThread(before, threadCpu()) : NaN;
      if (!o.ok) throw new Error(`${name} (${variant}): ${JSON.stringify(o.error)}`);
      return { wall: Number(o.result), cpu };
    },
  };
}

const span = (xs) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
const RATIOS = [['on/pyodide', 'on', 'pyodide'], ['on/native', 'on', 'native'], ['on/off', 'on', 'off']];

/** t[kind][name][round] seconds -> one row per workload and the geometric means. */
function ratioRows(t, unit) {
  const perRound = (a, b, n) => t[a][n].map((x, r) => x / t[b][n][r]);
  const rows = NAMES.map((n) => ({
    workload: n,
    ...Object.fromEntries(KINDS.map((k) => [`${k === 'on' || k === 'off' ? `fuel ${k}` : k} ${unit}`, median(t[k][n]) * 1000])),
    ...Object.fromEntries(RATIOS.map(([label, a, b]) => [label, span(perRound(a, b, n))])),
  }));
  const geo = { workload: 'geometric mean' };
  for (const [label, a, b] of RATIOS) {
    const med = geomean(NAMES.map((n) => median(perRound(a, b, n))));
    const rounds = t[a][NAMES[0]].map((_, r) => geomean(NAMES.map((n) => perRound(a, b, n)[r])));
    geo[label] = `${med.toFixed(2)} (${Math.min(...rounds).toFixed(2)}-${Math.max(...rounds).toFixed(2)})`;
  }
  rows.push(geo);
  return rows;
}

export default async function run() {
  const started = performance.now();
  const api = await bundleSandboxApi('bench-cpu-sandbox');
  const { SandboxPool } = await import(api);
  const load = () => (HAS_THREAD_CPU ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a');
  const loadBefore = load();
  // A project per variant: a file's import snapshot replaces the other build's.
  const project = () => {
    const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-cpu-'));
    writeFileSync(join(dir, 'cpu_tasks.py'), TASK_FILE);
    return dir;
  };
  const runners = {
    on: sandboxRunner(SandboxPool, 'metered', project()), off: sandboxRunner(SandboxPool, 'unmetered', project()),
    native: nativeRunner(), pyodide: await pyodideRunner(),
  };
  const pools = [runners.on.pool, runners.off.pool];
  // Nothing else of ours runs while a sample is taken: the pools' background work
  // (import snapshot, bytecode cache, the next spare's boot) is done first.
  const quiet = async () => { for (const p of pools) { await p.settled(); await p.warm(); } };
  const wall = Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(NAMES.map((n) => [n, []]))]));
  const cpu = Object.fromEntries(KINDS.map((k) => [k, Object.fromEntries(NAMES.map((n) => [n, []]))]));
  const noop = { on: [], off: [] };
  try {
    for (let round = -WARMUP; round < ROUNDS; round++) { // rounds below 0 are not kept
      const kept = round >= 0;
      const order = KINDS.map((_, i) => KINDS[(i + round + WARMUP) % KINDS.length]);
      for (const n of NAMES) {
        for (const k of order) {
          if (!kept && k === 'native') continue; // no JIT to warm
          await quiet();
          const s = await runners[k].run(n);
          if (kept) { wall[k][n].push(s.wall); cpu[k][n].push(s.cpu); }
        }
      }
      // An empty task's CPU (start, arguments, result: ~5-10 ms), taken off the sandbox's.
      for (const k of ['on', 'off']) {
        await quiet();
        const s = await runners[k].run('noop');
        if (kept) noop[k].push(s.cpu);
      }
    }
  } finally {
    runners.native.close();
    for (const p of pools) await p.dispose();
  }
  for (const k of ['on', 'off']) for (const n of NAMES) cpu[k][n] = cpu[k][n].map((x) => x - median(noop[k]));
  const how = `median of ${ROUNDS} interleaved rounds after ${WARMUP} warm-up rounds, (min-max) over the rounds`;
  const tables = [{
    title: `CPU: native python3 vs Pyodide ${runners.pyodide.version} vs the Capsule sandbox, wall time (${how})`,
    rows: ratioRows(wall, 'ms'),
    notes: [
      'timed inside each interpreter (time.perf_counter): start-up excluded; the sandbox keeps V8 default tiering here (a warm pool, not the CLI)',
      'a ratio is taken within each round; the geometric mean is that of the medians, (min-max) that of the rounds',
    ],
  }];
  if (HAS_THREAD_CPU) {
    tables.push({
      title: `The same workloads in CPU time (${how}; load average ${loadBefore} before, ${load()} after; ${((performance.now() - started) / 1000).toFixed(0)} s in all)`,
      rows: ratioRows(cpu, 'cpu ms'),
      notes: [
        `native: time.process_time; Pyodide: its (main) thread's CPU time; sandbox: the worker thread's, minus an empty task's (on ${(median(noop.on) * 1000).toFixed(1)} ms, off ${(median(noop.off) * 1000).toFixed(1)} ms)`,
        'less sensitive than wall time to other processes on the machine; V8 compiles on other threads, counted in neither',
      ],
    });
  }
  return tables;
}
