// The escape suite: every script under attacks/ is a task that tries one way out
// of the sandbox. Each declares, in `# expect:` lines, exactly how it must end;
// after each one the host must still be healthy and able to run a task.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { loopbackServer, type LoopbackServer } from '../http-server';
import { join } from 'node:path';
import { Engine, type Envelope } from '../../runtime/src/engine';
import { createDefaultPool } from '../../runtime/src/engine/default-pool';
import type { SandboxPoolLike } from '../../runtime/src/engine/sandbox-port';
import { tempDir } from '../temp-dir';

const ATTACKS = join(__dirname, 'attacks');
const FIXTURE = join(__dirname, '..', 'fixtures', 'security', 'project');

interface Expectation {
  kind: 'result' | 'error' | 'config';
  op: '=' | '~' | '!~';
  errorTypes?: string[];
  value: string;
}

function parseExpectations(source: string): Expectation[] {
  const out: Expectation[] = [];
  for (const m of source.matchAll(/^# expect: (.*)$/gm)) {
    const line = m[1]!;
    let r: RegExpExecArray | null;
    if ((r = /^result (=|~|!~) (.*)$/.exec(line))) out.push({ kind: 'result', op: r[1] as Expectation['op'], value: r[2]! });
    else if ((r = /^error (\S+) ~ (.*)$/.exec(line))) out.push({ kind: 'error', op: '~', errorTypes: r[1]!.split('|'), value: r[2]! });
    else if ((r = /^config ~ (.*)$/.exec(line))) out.push({ kind: 'config', op: '~', value: r[1]! });
    else throw new Error(`bad expectation: ${line}`);
  }
  return out;
}

let server: LoopbackServer;
let port = 0;
let engineRoot: string;
// One pool for the whole suite, as the extension shares one across projects: each attack
// still gets a fresh sandbox, and the last test checks that the pool every attack went
// through still runs a task.
let pool: SandboxPoolLike;
const outside = tempDir('capsule-outside-');
writeFileSync(join(outside, 'secret.txt'), 'OUTSIDE-SECRET');

const SPECIAL_FILES = `
import os, socket, stat, sys
d = sys.argv[1]
os.mkfifo(os.path.join(d, 'pipe'))
socket.socket(socket.AF_UNIX).bind(os.path.join(d, 'sock'))
if sys.argv[2] == 'true': os.mknod(os.path.join(d, 'zero'), stat.S_IFCHR | 0o666, os.makedev(1, 5))
`;

/** A fresh copy of the fixture project, with the links an attacker would find. */
function makeProject(attack: string): string {
  const root = tempDir('capsule-escape-');
  cpSync(FIXTURE, root, { recursive: true });
  const source = readFileSync(join(ATTACKS, attack), 'utf8');
  cpSync(join(ATTACKS, attack), join(root, 'main.py'));
  // `# dotenv: LINE` lines replace the project's .env.
  const dotenv = [...source.matchAll(/^# dotenv: (.*)$/gm)].map((m) => m[1]);
  if (dotenv.length > 0) writeFileSync(join(root, '.env'), `${dotenv.join('\n')}\n`);
  symlinkSync(join(outside, 'secret.txt'), join(root, 'data_rw', 'abs-link'));
  symlinkSync(`../../${outside.split('/').pop()}/secret.txt`, join(root, 'data_rw', 'rel-link'));
  symlinkSync('../secret_data', join(root, 'data_rw', 'to-secret-data'));
  // Files that are neither regular files nor directories: opening some of them blocks.
  // One python3 makes them all (a fifo, a socket, and /dev/zero's device when root).
  execFileSync('python3', ['-c', SPECIAL_FILES, join(root, 'data_rw'), String(process.getuid?.() === 0)]);
  // `# toml: <line>` lines of the attack become the project's capsule.toml.
  const toml = [...readFileSync(join(ATTACKS, attack), 'utf8').matchAll(/^# toml: (.*)$/gm)].map((m) => m[1]).join('\n');
  if (toml) appendFileSync(join(root, 'capsule.toml'), `${toml}\n`);
  return root;
}

function deepArg(depth: number): unknown {
  return JSON.parse('['.repeat(depth) + ']'.repeat(depth));
}

before(async () => {
  server = await loopbackServer((req, res, _body, self) => {
    if (req.url === '/redirect-to-localhost') res.writeHead(302, { location: `http://localhost:${self.port}/` }).end();
    else res.end('hello from loopback');
  });
  port = server.port;
  process.env.TEST_URL = `http://127.0.0.1:${port}`;
  process.env.TEST_PORT = String(port);
  process.env.CAPSULE_TEST_SECRET = 'host-secret';
  engineRoot = makeProject('import_sibling.py');
  pool = createDefaultPool();
});
after(async () => {
  server?.close();
  await pool?.dispose();
});

async function runAttack(attack: string): Promise<{ envelope?: Envelope; configError?: string }> {
  const root = makeProject(attack);
  const engine = await Engine.create({ projectRoot: root, tracePath: join(root, '.capsule', 'trace.db'), sandbox: pool });
  try {
    const source = readFileSync(join(ATTACKS, attack), 'utf8');
    const args = /^# args: deep$/m.test(source) ? [deepArg(5000)] : [];
    try {
      const handle = engine.start({ file: join(root, 'main.py'), taskName: 'main', args });
      return { envelope: await handle.result };
    } catch (err) {
      return { configError: String((err as Error).message ?? err) };
    }
  } finally {
    await engine.dispose();
  }
}

function check(e: Expectation, got: { envelope?: Envelope; configError?: string }) {
  const env = got.envelope;
  const shown = JSON.stringify(env?.error ?? env?.result ?? got.configError)?.slice(0, 300);
  if (e.kind === 'config') {
    const message = got.configError ?? (env && !env.success ? env.error?.message : undefined);
    assert.ok(message, `expected a config error, got ${shown}`);
    assert.match(message, new RegExp(e.value));
    return;
  }
  assert.ok(env, `expected the task to run, got a config error: ${got.configError}`);
  if (e.kind === 'error') {
    assert.equal(env.success, false, `expected ${e.errorTypes!.join('|')}, the task succeeded with ${shown}`);
    assert.ok(e.errorTypes!.includes(env.error!.error_type), `expected ${e.errorTypes!.join('|')}, got ${env.error!.error_type}: ${shown}`);
    assert.match(env.error!.message, new RegExp(e.value));
    return;
  }
  assert.equal(env.success, true, `expected a result, the task failed: ${shown}`);
  const text = typeof env.result === 'string' ? env.result : JSON.stringify(env.result);
  if (e.op === '=') assert.equal(text, e.value);
  else if (e.op === '~') assert.match(text, new RegExp(e.value));
  else assert.doesNotMatch(text, new RegExp(e.value));
}

const attacks = readdirSync(ATTACKS).filter((f) => f.endsWith('.py')).sort();

test('the suite has at least 40 attacks, each with an expectation', () => {
  assert.ok(attacks.length >= 40, `${attacks.length} attacks`);
  for (const a of attacks) assert.ok(parseExpectations(readFileSync(join(ATTACKS, a), 'utf8')).length > 0, `${a} declares no expectation`);
});

for (const attack of attacks) {
  // The timeout only turns a hang (a blocked host) into a failure; no attack comes near it.
  test(`escape: ${attack.replace(/\.py$/, '')}`, { timeout: 300_000 }, async () => {
    const expectations = parseExpectations(readFileSync(join(ATTACKS, attack), 'utf8'));
    const got = await runAttack(attack);
    for (const e of expectations) check(e, got);
  });
}

test('the host is healthy after every attack: a task still runs, nothing leaked outside', async () => {
  const engine = await Engine.create({ projectRoot: engineRoot, tracePath: null as unknown as string, sandbox: pool });
  try {
    const env = await engine.start({ file: join(engineRoot, 'main.py'), taskName: 'main' }).result;
    assert.equal(env.success, true);
    assert.equal(env.result, 'sibling ok');
  } finally {
    await engine.dispose();
  }
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'OUTSIDE-SECRET');
  assert.ok(process.memoryUsage().rss < 2 * 1024 ** 3, `host RSS ${process.memoryUsage().rss}`);
});
