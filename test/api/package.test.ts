// The TypeScript host API as a user gets it: `npm pack` of this repository, installed
// offline into a fresh project (no sources of ours on its path), then
// `capsule-vscode/runtime` imported and run against the real sandbox, and its shipped
// types checked with tsc (a correct use passes, a misspelt option fails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', timeout: 300_000 });

const USE = `import { createSandboxPool, runCode, shutdown, type CodeResult, type Envelope } from 'capsule-vscode/runtime';
import { writeFileSync } from 'node:fs';
writeFileSync('hello.py', 'from capsule import task\\n\\n@task(name="main", compute="LOW")\\ndef main(who="world"):\\n    return f"hello {who}"\\n');
const pool = createSandboxPool();
const events: string[] = [];
const env: Envelope = await pool.run({ file: 'hello.py', args: ['pack'], onEvent: (e) => { events.push(e.type); } });
const cell: CodeResult = await pool.runCode('print("out")\\n2**64', { compute: 'LOW' });
await pool.dispose();
const shared = await runCode('"shared"');
await shutdown();
console.log(JSON.stringify({ result: env.result, state: env.state, events, cell: String(cell.result), stdout: cell.stdout, shared: shared.result }));
`;

test('npm pack, installed offline in a fresh project: capsule-vscode/runtime runs tasks and code, and its types check', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-pack-'));
  try {
    // prepack's bundles and prepared sandbox are npm test's own (pretest, npm install): rebuilding
    // them here would rewrite dist/ under the other suites' feet. Only the declarations are made.
    // The sandbox ships prepared (an install has no esbuild to prepare it): a no-op when npm install already did.
    const prepared = spawnSync(process.execPath, ['runtime/build/prepare.mjs'], { encoding: 'utf8' });
    assert.equal(prepared.status, 0, prepared.stderr);
    const types = npm(['run', 'build:types'], resolve('.'));
    assert.equal(types.status, 0, types.stdout + types.stderr);
    const pack = npm(['pack', '--ignore-scripts', '--pack-destination', dir], resolve('.'));
    assert.equal(pack.status, 0, pack.stderr);
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }));
    const install = npm(['install', join(dir, tgz), '--offline', '--no-audit', '--no-fund'], app);
    assert.equal(install.status, 0, install.stderr);

    // The `capsule` bin: on POSIX, postinstall made it start through /bin/sh (bin/capsule.js), and it runs.
    const bin = join(app, 'node_modules', 'capsule-vscode', 'bin', 'capsule.js');
    if (process.platform !== 'win32') assert.equal(readFileSync(bin, 'utf8').split('\n')[0], '#!/bin/sh');
    const version = spawnSync(join(app, 'node_modules', '.bin', 'capsule'), ['--version'], { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: resolve('test/fixtures/tls/ca.pem') } });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /\d+\.\d+\.\d+/);

    // Run through the package alone: tsx strips the types, node resolves capsule-vscode from node_modules.
    writeFileSync(join(app, 'use.ts'), USE);
    const run = spawnSync(process.execPath, ['--import', resolve('node_modules/tsx/dist/esm/index.mjs'), 'use.ts'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!);
    assert.equal(out.result, 'hello pack');
    assert.equal(out.state, 'completed');
    assert.deepEqual(out.events.slice(0, 2), ['created', 'running']);
    assert.equal(out.cell, '18446744073709551616');
    assert.equal(out.stdout, 'out\n');
    assert.equal(out.shared, 'shared');

    // The shipped declarations: the use above type-checks; a misspelt option does not.
    const tsc = resolve('node_modules/.bin/tsc');
    const flags = ['--ignoreConfig', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--noEmit', '--types', 'node', '--typeRoots', resolve('node_modules/@types')];
    const good = spawnSync(tsc, [...flags, 'use.ts'], { cwd: app, encoding: 'utf8' });
    assert.equal(good.status, 0, good.stdout + good.stderr);
    writeFileSync(join(app, 'bad.ts'), "import { createSandboxPool } from 'capsule-vscode/runtime';\ncreateSandboxPool().run({ fil: 'hello.py' });\n");
    const bad = spawnSync(tsc, [...flags, 'bad.ts'], { cwd: app, encoding: 'utf8' });
    assert.notEqual(bad.status, 0, bad.stdout);
    assert.match(bad.stdout, /'fil' does not exist in type 'RunOptions'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
