// `npm run bench` module: the Python sandbox. Cold start (a fresh node process
// running hello), warm per-task start, CPU against native python3 with fuel
// metering on and off, and the fuel calibration. All ratios from this run.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSandboxApi } from './sandbox-api.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const CPU_SCRIPT = `
def work():
    total = 0
    words = {}
    for i in range(300000):
        total += (i * i) % 7
        key = "k" + str(i % 1000)
        words[key] = words.get(key, 0) + 1
    parts = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ",".join(k for k, _ in parts[:200])
    return total, len(text)

def timed():
    import time
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
`;

const PROJECT_FILE = `from capsule import task
${CPU_SCRIPT}

@task
def hello():
    print("hello")
    return "hello"

@task
def cpu():
    return timed()

@task
def count_for(n):
    for _ in range(n):
        pass

@task
def count_while(n):
    i = 0
    while i < n:
        i += 1
`;


function project() {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bench_tasks.py'), PROJECT_FILE);
  return dir;
}

const spec = (dir, taskName, over = {}) => ({
  projectRoot: dir, file: 'bench_tasks.py', taskName, args: [], kwargs: {}, fuel: 5e10,
  memoryLimitBytes: 256 * 1024 * 1024, env: {}, mounts: [], ...over,
});

/** One task on a fresh pool in a fresh node process: the wall time and what the process measured. */
function freshProcessRun(api, dir, taskName, flags = []) {
  const script = `
    const t0 = performance.now();
    const { SandboxPool } = require(${JSON.stringify(api)});
    const pool = new SandboxPool({ spares: 0 });
    pool.run(${JSON.stringify(spec(dir, taskName))}).outcome.then((o) => {
      if (!o.ok) throw new Error(JSON.stringify(o.error));
      console.log(JSON.stringify({ inProcessMs: performance.now() - t0, startMs: o.startMs, result: o.result }));
      return pool.dispose();
    });`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${taskName} in a fresh process failed: ${r.stderr}`);
  return { wall: performance.now() - t0, ...JSON.parse(r.stdout.trim().split('\n').pop()) };
}

function coldStart(api, dir, runs = 5) {
  return Array.from({ length: runs }, () => freshProcessRun(api, dir, 'hello'));
}

async function warmStarts(SandboxPool, dir, runs = 50) {
  const pool = new SandboxPool({ spares: 1 });
  const starts = [];
  const totals = [];
  try {
    for (let i = 0; i < runs + 5; i++) {
      await pool.warm(); // a warm host: a spare is booted before the task arrives
      const t0 = performance.now();
      const o = await pool.run(spec(dir, 'hello')).outcome;
      if (!o.ok) throw new Error(JSON.stringify(o.error));
      if (i >= 5) {
        starts.push(o.startMs);
        totals.push(performance.now() - t0);
      }
    }
  } finally {
    await pool.dispose();
  }
  return { start: median(starts), total: median(totals), p90: [...starts].sort((a, b) => a - b)[Math.floor(runs * 0.9)] };
}

/** `capsule run hello.py` as a user types it: a fresh process each time, from spawn to exit. */
/**
 * `capsule run hello.py`, spawn to exit. `shell`: as an installed bin starts on POSIX
 * (postinstall makes bin/capsule.js's first line #!/bin/sh: node starts without
 * NODE_EXTRA_CA_CERTS, whose CAs the CLI adds on its first HTTPS request); otherwise as
 * `node bin/capsule.js` (Windows' npm shims, or an install without scripts).
 */
function cliCold(dir, env, { shell = true, runs = 7 } = {}) {
  const file = join(dir, 'hello.py');
  writeFileSync(file, 'from capsule import task\n\n@task(compute="LOW")\ndef main():\n    return "hello"\n');
  const samples = [];
  const launcher = join(root, 'bin', 'capsule.js');
  const [cmd, args] = shell && process.platform !== 'win32' ? ['/bin/sh', [launcher]] : [process.execPath, [launcher]];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, [...args, 'run', file], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(`capsule run failed: ${r.stderr}`);
    if (i > 0) samples.push(performance.now() - t0); // run 0 warms the file cache
  }
  return median(samples);
}

function nodeBaseline(env, runs = 7) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { env });
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/**
 * The CPU script's first run in a fresh process (what `capsule run` sees), with
 * V8's default wasm tiering and with the CLI's (runtime/src/cli/tiering.ts).
 */
function cpuFreshProcess(api, dir, flags, runs = 3) {
  return median(Array.from({ length: runs }, () => freshProcessRun(api, dir, 'cpu', flags).result));
}

/** Fuel on and fuel off, alternated run by run so machine noise hits both alike. */
async function sandboxCpu(SandboxPool, dir, runs = 11) {
  const pools = { metered: new SandboxPool({ spares: 1, variant: 'metered' }), unmetered: new SandboxPool({ spares: 1, variant: 'unmetered' }) };
  const times = { metered: [], unmetered: [] };
  let fuel = 0;
  try {
    for (let i = 0; i < runs + 1; i++) {
      for (const variant of i % 2 ? ['metered', 'unmetered'] : ['unmetered', 'metered']) {
        await pools[variant].warm();
        const o = await pools[variant].run(spec(dir, 'cpu')).outcome;
        if (!o.ok) throw new Error(JSON.stringify(o.error));
        if (i > 0) times[variant].push(o.result); // run 0 warms the compiled code up
        if (variant === 'metered') fuel = o.fuelConsumed;
      }
    }
  } finally {
    await Promise.all(Object.values(pools).map((p) => p.dispose()));
  }
  // The machine's speed drifts (shared cores): each metered run is compared with
  // the unmetered run next to it, and the overhead is the median of those ratios.
  const pairs = times.metered.map((t, i) => t / times.unmetered[i]);
  return { metered: median(times.metered), unmetered: median(times.unmetered), overhead: median(pairs), fuel };
}

function nativeCpu(runs = 7) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    times.push(Number(execFileSync('python3', ['-c', `${CPU_SCRIPT}\nprint(timed())`], { encoding: 'utf8' }).trim()));
  }
  return median(times);
}

async function calibrate(SandboxPool, dir) {
  const pool = new SandboxPool({ spares: 1 });
  const fuelOf = async (task, n) => (await pool.run(spec(dir, task, { args: [n] })).outcome).fuelConsumed;
  try {
    // Every count below from the host's bytecode cache, as a project's later runs are, not
    // from source for some runs and from the cache for others (it is filled in the background).
    await fuelOf('count_for', 0);
    await pool.settled();
    const rows = [];
    for (const [task, label] of [['count_for', 'for _ in range(n): pass'], ['count_while', 'while i < n: i += 1']]) {
      const perIter = ((await fuelOf(task, 1_000_000)) - (await fuelOf(task, 0))) / 1_000_000;
      rows.push({ loop: label, 'fuel/iteration': perIter, 'LOW (1e8) allows': Math.floor(1e8 / perIter), 'MEDIUM (2e9) allows': Math.floor(2e9 / perIter) });
    }
    rows.push({ loop: 'task overhead (empty task: start-up after the snapshot)', 'fuel/iteration': await fuelOf('count_for', 0) });
    return rows;
  } finally {
    await pool.dispose();
  }
}

export default async function run() {
  const api = await bundleSandboxApi('bench-sandbox');
  const { SandboxPool } = await import(api);
  const dir = project();
  const cold = coldStart(api, dir);
  const cli = cliCold(dir, process.env);
  const node = nodeBaseline(process.env);
  // NODE_EXTRA_CA_CERTS (set on some machines) makes a node process started with it build
  // its whole root store first; the installed launcher starts node without it.
  const { NODE_EXTRA_CA_CERTS, ...plainEnv } = process.env;
  const cliNode = NODE_EXTRA_CA_CERTS ? cliCold(dir, process.env, { shell: false }) : null;
  const cliPlain = NODE_EXTRA_CA_CERTS ? cliCold(dir, plainEnv) : null;
  const nodePlain = NODE_EXTRA_CA_CERTS ? nodeBaseline(plainEnv) : null;
  const cpuDefault = cpuFreshProcess(api, dir, []);
  const cpuCli = cpuFreshProcess(api, dir, ['--wasm-tiering-budget=2147483647']);
  const warm = await warmStarts(SandboxPool, dir);
  const native = nativeCpu();
  const cpu = await sandboxCpu(SandboxPool, dir);
  const metered = { seconds: cpu.metered, fuel: cpu.fuel };
  const unmetered = { seconds: cpu.unmetered };
  const calibration = await calibrate(SandboxPool, dir);
  return [
    {
      title: 'Sandbox start-up (ms)',
      rows: [
        { measure: `\`capsule run hello.py\` as installed${NODE_EXTRA_CA_CERTS ? ', this environment (NODE_EXTRA_CA_CERTS set)' : ''}: fresh process, spawn to exit (wall, median of 7)`, ms: cli },
        { measure: '  `node -e 0` in this environment (median of 7)', ms: node },
        ...(cliPlain !== null
          ? [
              { measure: '`capsule run hello.py` started as `node bin/capsule.js` (Windows shims, no install scripts): node loads NODE_EXTRA_CA_CERTS', ms: cliNode },
              { measure: '`capsule run hello.py` as installed, without NODE_EXTRA_CA_CERTS', ms: cliPlain },
              { measure: '  `node -e 0` without NODE_EXTRA_CA_CERTS', ms: nodePlain },
            ]
          : []),
        { measure: 'cold: fresh node process, sandbox API only (V8 default flags), hello task, exit (wall, median of 5)', ms: median(cold.map((c) => c.wall)) },
        { measure: 'cold: in-process, require() to result (median of 5)', ms: median(cold.map((c) => c.inProcessMs)) },
        { measure: 'warm: run() to user code, spare ready (median of 50)', ms: warm.start },
        { measure: 'warm: run() to user code, p90 of 50', ms: warm.p90 },
        { measure: 'warm: run() to outcome, hello task (median of 50)', ms: warm.total },
      ],
    },
    {
      title: 'Sandbox CPU: the same script, native python3 vs the sandbox',
      rows: [
        { run: 'native python3', seconds: native, ratio: 1 },
        { run: 'sandbox, fuel off (unmetered variant)', seconds: unmetered.seconds, ratio: unmetered.seconds / native },
        { run: 'sandbox, fuel on (metered variant)', seconds: metered.seconds, ratio: metered.seconds / native },
        { run: 'metering overhead (fuel on / fuel off, median of adjacent pairs)', seconds: '', ratio: cpu.overhead },
        { run: 'fuel on, first run in a fresh process, V8 default tiering', seconds: cpuDefault, ratio: cpuDefault / native },
        { run: "fuel on, first run in a fresh process, the CLI's tiering budget", seconds: cpuCli, ratio: cpuCli / native },
      ],
      notes: [`fuel consumed by the CPU task: ${metered.fuel}`, 'both variants went through the same binaryen pass (instrument.mjs, metering off for fuel off)'],
    },
    { title: 'Fuel calibration (metered variant)', rows: calibration },
  ];
}
