// `npm run bench` module: importing packages from the project's virtualenv
// Each case is a task file whose top-level imports are the case
// (what the import snapshot holds) and a task that uses them. Fuel and wall
// time of the first run (nothing cached: the task compiles every module and
// runs every import), of later runs (the import snapshot and the bytecode
// cache the first run left), and of later runs with snapshots off (bytecode
// cache only), each net of a file that imports nothing; beside native
// python3 from the same virtualenv and its -X importtime. Needs Debian's python3-yaml,
// python3-pyparsing and python3-pygments.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = '/usr/lib/python3/dist-packages';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const M = (n) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)}M`;

const CASES = [
  { name: 'import yaml', imports: 'import yaml', use: 'return None', today: 542e6 },
  { name: 'import pyparsing', imports: 'import pyparsing', use: 'return None', today: 684e6 },
  { name: 'import pygments.lexers.python', imports: 'import pygments.lexers.python', use: 'return None', today: 443e6 },
  {
    name: 'pygments: highlight + guess_lexer', imports: 'import pygments, pygments.lexers, pygments.formatters',
    use: 'return len(pygments.highlight("def f(x):\\n    return x + 1\\n", pygments.lexers.guess_lexer("#!/usr/bin/env python\\nimport os\\n"), pygments.formatters.HtmlFormatter()))',
    nativeCode: 'import pygments, pygments.lexers, pygments.formatters; pygments.highlight("def f(x):\\n    return x + 1\\n", pygments.lexers.guess_lexer("#!/usr/bin/env python\\nimport os\\n"), pygments.formatters.HtmlFormatter())',
    today: 2.9e9,
  },
];

function project(c) {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-imports-'));
  execFileSync('python3', ['-m', 'venv', '--without-pip', join(dir, '.venv')]);
  const site = join(dir, '.venv', 'lib', 'python3.11', 'site-packages');
  for (const p of ['yaml', 'pyparsing', 'pygments']) cpSync(join(DIST, p), join(site, p), { recursive: true, filter: (s) => !s.includes('__pycache__') });
  writeFileSync(join(dir, 'base.py'), 'from capsule import task\n\n@task(name="main", compute="HIGH")\ndef main():\n    return None\n');
  writeFileSync(join(dir, 'case.py'), `${c.imports}\nfrom capsule import task\n\n@task(name="main", compute="HIGH")\ndef main():\n    ${c.use}\n`);
  return dir;
}

function run(dir, file, env = {}) {
  const started = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [join(root, 'bin', 'capsule.js'), 'run', file, '--json'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  const e = JSON.parse(out);
  if (!e.success) throw new Error(`${file}: ${e.error?.message}`);
  return { fuel: e.execution.fuel_consumed, ms: e.execution.duration_ms, wall };
}

function native(dir, code) {
  const py = join(dir, '.venv', 'bin', 'python');
  const walls = [1, 2, 3].map(() => {
    const started = process.hrtime.bigint();
    execFileSync(py, ['-B', '-c', code], { cwd: dir });
    return Number(process.hrtime.bigint() - started) / 1e6;
  });
  const importtime = spawnSync(py, ['-B', '-X', 'importtime', '-c', code], { cwd: dir, encoding: 'utf8' }).stderr;
  const top = importtime.trim().split('\n').filter((l) => l.startsWith('import time:')).map((l) => Number(l.split('|')[1])).filter((v) => Number.isFinite(v)).reduce((a, b) => Math.max(a, b), 0);
  return { ms: median(walls), importtimeMs: top / 1000 };
}

const later = (dir, file, env) => {
  const rs = [1, 2, 3].map(() => run(dir, file, env));
  return { fuel: median(rs.map((r) => r.fuel)), ms: median(rs.map((r) => r.ms)), wall: median(rs.map((r) => r.wall)) };
};

export default async function () {
  if (!existsSync(join(DIST, 'pygments'))) return { title: 'Package imports (skipped)', rows: [], notes: ['apt-get install python3-yaml python3-pyparsing python3-pygments'] };
  const rows = [];
  const load = loadavg()[0];
  for (const c of CASES) {
    const dir = project(c);
    try {
      const first = run(dir, 'case.py'); // nothing cached: compiles and imports everything, then makes the snapshot
      run(dir, 'base.py');
      const base = later(dir, 'base.py');
      const warm = later(dir, 'case.py');
      const pycOnly = later(dir, 'case.py', { CAPSULE_IMPORT_SNAPSHOTS: '0' });
      const n = native(dir, c.nativeCode ?? c.imports);
      const net = (r) => r.fuel - base.fuel;
      rows.push({
        case: c.name,
        'import fuel before (issue)': M(c.today),
        'first run: import fuel': M(net(first)),
        'later runs: whole task fuel': M(warm.fuel),
        'x fewer than before': c.today / warm.fuel,
        'later, bytecode only: import fuel': M(net(pycOnly)),
        'LOW fits': warm.fuel < 1e8 ? 'yes' : 'no',
        'empty task fuel': M(base.fuel),
        'task ms first / later / empty': `${first.ms} / ${warm.ms} / ${base.ms}`,
        'CLI wall ms first / later': `${Math.round(first.wall)} / ${Math.round(warm.wall)}`,
        'native python3 ms': n.ms,
        'native importtime ms': n.importtimeMs,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    title: 'Package imports from the project virtualenv: first run vs later runs (import snapshot + bytecode cache)',
    rows,
    notes: [
      '"import fuel" is net of a file that imports nothing ("empty task fuel"); "later runs" start from the import snapshot the first run left and are counted whole, start-up included (the imports themselves cost nothing then), so "x fewer" is a lower bound; "bytecode only" is CAPSULE_IMPORT_SNAPSHOTS=0 (the .capsule/pycache alone)',
      '"LOW fits": the whole later run is under LOW\'s 100M fuel; task ms is the envelope\'s duration; native python3 ms is the whole process (start-up included), importtime the largest cumulative import',
      'CLI wall ms includes node start-up, the trace, and on the first run the snapshot run and bytecode compile after the task',
      `load average at start: ${load.toFixed(1)} (2 cores shared; wall times move with it, fuel does not)`,
    ],
  };
}
