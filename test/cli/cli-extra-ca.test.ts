// NODE_EXTRA_CA_CERTS and the CLI: an installed `capsule` on POSIX starts node through
// bin/capsule.js's shell line without the variable (Node 20 would build its whole root
// store at start), and its HTTPS still trusts the file's CAs. A real HTTPS server on
// loopback whose certificate only a test CA (test/fixtures/tls) vouches for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { adoptDeferredCaCerts, deferredCaFile, DEFERRED_VAR } from '../../runtime/src/capabilities/extra-ca-certs';

const BIN = resolve('bin/capsule.js');
const TLS = resolve('test/fixtures/tls');
const CA = join(TLS, 'ca.pem');

/** The environment without either variable, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const k of ['NODE_EXTRA_CA_CERTS', DEFERRED_VAR, 'FORCE_COLOR']) if (!(k in extra)) delete env[k];
  return env;
}

/** Async: the HTTPS server answers from this process's event loop. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const p = spawn(cmd, args, { cwd, env });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (err += c));
    p.on('close', (code) => done({ code, out, err }));
  });
}

test("the shell line starts node without NODE_EXTRA_CA_CERTS, under the launcher's name, with the same arguments", { skip: process.platform === 'win32' }, () => {
  // A `node` first on PATH that reports what it was given: the line's contract, not the CLI.
  const dir = mkdtempSync(join(tmpdir(), 'capsule-launch-'));
  try {
    writeFileSync(join(dir, 'node'), '#!/bin/sh\nprintf "%s|%s|%s\\n" "${NODE_EXTRA_CA_CERTS-unset}" "${CAPSULE_DEFERRED_CA_CERTS-unset}" "$*"\n');
    chmodSync(join(dir, 'node'), 0o755);
    const line = (env: NodeJS.ProcessEnv) => spawnSync('/bin/sh', [BIN, 'run', 'a b.py', '--json'], { env: { ...env, PATH: `${dir}${delimiter}${process.env.PATH}` }, encoding: 'utf8' }).stdout;
    assert.equal(line(envWith({ NODE_EXTRA_CA_CERTS: '/etc/x y.pem' })), `unset|/etc/x y.pem|${BIN} run a b.py --json\n`);
    // Without the variable, a stray CAPSULE_DEFERRED_CA_CERTS does not pass for one.
    assert.equal(line(envWith({ [DEFERRED_VAR]: '/tmp/evil.pem' })), `unset|unset|${BIN} run a b.py --json\n`);
    // Set but empty: node loads nothing for it either; left alone.
    assert.equal(line(envWith({ NODE_EXTRA_CA_CERTS: '' })), `|unset|${BIN} run a b.py --json\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the launcher puts NODE_EXTRA_CA_CERTS back for child processes and notes the file; one node loaded itself is not noted', () => {
  const saved = { n: process.env.NODE_EXTRA_CA_CERTS, d: process.env[DEFERRED_VAR] };
  const noted = Symbol.for('capsule.deferredExtraCaCerts');
  try {
    delete process.env.NODE_EXTRA_CA_CERTS;
    process.env[DEFERRED_VAR] = CA;
    adoptDeferredCaCerts();
    assert.equal(process.env.NODE_EXTRA_CA_CERTS, CA);
    assert.equal(process.env[DEFERRED_VAR], undefined);
    assert.equal(deferredCaFile(), CA);
    delete (globalThis as Record<symbol, unknown>)[noted];
    process.env.NODE_EXTRA_CA_CERTS = '/loaded/by/node.pem';
    process.env[DEFERRED_VAR] = CA;
    adoptDeferredCaCerts();
    assert.equal(process.env.NODE_EXTRA_CA_CERTS, '/loaded/by/node.pem');
    assert.equal(process.env[DEFERRED_VAR], undefined);
    assert.equal(deferredCaFile(), null);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[noted];
    for (const [k, v] of [['NODE_EXTRA_CA_CERTS', saved.n], [DEFERRED_VAR, saved.d]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test("a task's HTTPS trusts NODE_EXTRA_CA_CERTS's CA through the shell launcher and through node; without it, a clear TLS error", { skip: process.platform === 'win32', timeout: 240_000 }, async () => {
  const server = createServer({ key: readFileSync(join(TLS, 'server.key')), cert: readFileSync(join(TLS, 'server.pem')) }, (_req, res) => res.end('hello over tls'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const dir = mkdtempSync(join(tmpdir(), 'capsule-extra-ca-'));
  try {
    writeFileSync(
      join(dir, 'fetch.py'),
      `from capsule import task, http\n\n@task(compute="LOW", allowed_hosts=["127.0.0.1"])\ndef main():\n    return http.get(${JSON.stringify(url)}).text\n`,
    );
    const withCa = envWith({ NODE_EXTRA_CA_CERTS: CA });
    // As an installed POSIX bin runs (postinstall makes its first line #!/bin/sh): node starts without the variable.
    const viaShell = await run('/bin/sh', [BIN, 'run', 'fetch.py', '--json'], dir, withCa);
    assert.equal(viaShell.code, 0, viaShell.err);
    assert.equal(JSON.parse(viaShell.out).result, 'hello over tls');
    // As Windows' shims and `node bin/capsule.js` run: node loads the variable itself.
    const viaNode = await run(process.execPath, [BIN, 'run', 'fetch.py', '--json'], dir, withCa);
    assert.equal(viaNode.code, 0, viaNode.err);
    assert.equal(JSON.parse(viaNode.out).result, 'hello over tls');
    // The CA is trusted because of the variable, not otherwise.
    for (const [how, cmd, args] of [['shell', '/bin/sh', [BIN]], ['node', process.execPath, [BIN]]] as const) {
      const without = await run(cmd, [...args, 'run', 'fetch.py', '--json'], dir, envWith({}));
      assert.equal(without.code, 1, `${how}: ${without.err}`);
      const error = JSON.parse(without.out).error;
      assert.equal(error.error_type, 'task_error', how);
      assert.match(error.message, /ConnectionError: capsule\.http: request to https:\/\/127\.0\.0\.1:\d+\/ failed: the server's TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate\)\. A private CA is trusted when its certificate is in the file NODE_EXTRA_CA_CERTS names/, how);
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
