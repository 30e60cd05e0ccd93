// `npm run bench` module: importing packages from the project's virtualenv
// (issue 14). Fuel and wall time of `import yaml`, `import pyparsing` and
// pygments (lexer lookup and highlighting), on the first run (nothing cached:
// the task compiles every module) and on later runs (bytecode from the host's
// .capsule/pycache), each net of a task that imports nothing, beside native
// python3 from the same virtualenv and its -X importtime. Needs Debian's
// python3-yaml, python3-pyparsing and python3-pygments.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = '/usr/lib/python3/dist-packages';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const CASES = [
  { name: 'import yaml', code: 'import yaml' },
  { name: 'import pyparsing', code: 'import pyparsing' },
  { name: 'pygments: highlight + guess_lexer', code: 'import pygments, pygments.lexers, pygments.formatters\npygments.highlight("def f(x):\\n    return x + 1\\n", pygments.lexers.guess_lexer("#!/usr/bin/env python\\nimport os\\n"), pygments.formatters.HtmlFormatter())' },
];

function project() {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-bench-imports-'));
  execFileSync('python3', ['-m', 'venv', '--without-pip', join(dir, '.venv')]);
  const site = join(dir, '.venv', 'lib', 'python3.11', 'site-packages');
  for (const p of ['yaml', 'pyparsing', 'pygments']) cpSync(join(DIST, p), join(site, p), { recursive: true, filter: (s) => !s.includes('__pycache__') });
  const body = CASES.map((c, i) => `@task(name="case${i}", compute="HIGH")\ndef case${i}():\n    sys.path.append("/capsule/site-packages")  # until the driver does it\n${c.code.split('\n').map((l) => `    ${l}`).join('\n')}\n`).join('\n');
  writeFileSync(join(dir, 'main.py'), `import sys\nfrom capsule import task\n\n@task(name="nothing", compute="HIGH")\ndef nothing():\n    sys.path.append("/capsule/site-packages")\n\n${body}`);
  return dir;
}

function run(dir, task) {
  const started = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [join(root, 'bin', 'capsule.js'), 'run', 'main.py', '--task', task, '--json'], { cwd: dir, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const env = JSON.parse(out);
  if (!env.success) throw new Error(`${task}: ${env.error?.message}`);
  return { fuel: env.execution.fuel_consumed, ms: env.execution.duration_ms, wall: ms };
}

function native(dir, code) {
  const py = join(dir, '.venv', 'bin', 'python');
  const walls = [1, 2, 3].map(() => {
    const started = process.hrtime.bigint();
    execFileSync(py, ['-c', code], { cwd: dir });
    return Number(process.hrtime.bigint() - started) / 1e6;
  });
  const importtime = spawnSync(py, ['-X', 'importtime', '-c', code], { cwd: dir, encoding: 'utf8' }).stderr;
  return { ms: median(walls), importtime };
}

export default async function () {
  if (!existsSync(join(DIST, 'yaml'))) return { title: 'Package imports (skipped)', rows: [], notes: ['apt-get install python3-yaml python3-pyparsing python3-pygments'] };
  const rows = [];
  for (const [i, c] of CASES.entries()) {
    const dir = project();
    run(dir, 'nothing'); // the SDK's own bytecode, if it was edited since the build, gets cached here
    const bases = [1, 2, 3].map(() => run(dir, 'nothing'));
    const base = { fuel: median(bases.map((r) => r.fuel)), ms: median(bases.map((r) => r.ms)) };
    const first = run(dir, `case${i}`);
    const later = [1, 2, 3].map(() => run(dir, `case${i}`));
    const laterFuel = median(later.map((r) => r.fuel)) - base.fuel;
    const n = native(dir, c.code);
    const top = n.importtime.trim().split('\n').filter((l) => l.startsWith('import time:')).map((l) => Number(l.split('|')[1])).filter((v) => Number.isFinite(v)).reduce((a, b) => Math.max(a, b), 0);
    rows.push({
      case: c.name,
      'fuel, first run': `${((first.fuel - base.fuel) / 1e6).toFixed(0)}M`,
      'fuel, later runs': `${(laterFuel / 1e6).toFixed(0)}M`,
      'fewer x': (first.fuel - base.fuel) / laterFuel,
      'task ms, first': first.ms - base.ms,
      'task ms, later': median(later.map((r) => r.ms)) - base.ms,
      'native python3 ms': n.ms,
      'native importtime ms': top / 1000,
    });
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    title: 'Package imports from the project virtualenv: first run vs later runs (bytecode from .capsule/pycache)',
    rows,
    notes: ['fuel and task ms are net of a task that imports nothing (its start-up); native python3 ms is the whole process (start-up included), importtime the largest cumulative import',
      'LOW is 100M fuel: an import fits when its later-run fuel plus the start-up (about 1.5M on a current build) is under it'],
  };
}
