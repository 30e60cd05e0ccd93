// The HTTP gate against real servers on loopback. "Hosts" other than 127.0.0.1
// are names that resolve to loopback (localhost) or that must never be contacted:
// a denied request fails before any connection is made, which the server counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loopbackServer, type LoopbackServer } from '../http-server';
import { HttpGate, GuestError } from '../../runtime/src/capabilities/http-gate';

let server: LoopbackServer;
let base: string;
let port: number;

before(async () => {
  server = await loopbackServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, method: req.method }));
    } else if (url.pathname === '/echo') {
      res.end(`${req.method} ${body} ${req.headers['x-test'] ?? ''}`);
    } else if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/json' });
      res.end();
    } else if (url.pathname === '/big') {
      res.end(Buffer.alloc(2 * 1024 * 1024, 97));
    } else if (url.pathname === '/slow') {
      setTimeout(() => res.end('late'), 2_000).unref();
    } else {
      res.writeHead(404);
      res.end('nope');
    }
  });
  ({ port, base } = server);
});
after(() => server?.close());

async function denied(p: Promise<unknown>, pattern: RegExp, type = 'PermissionError') {
  const before = server.hits.length;
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof GuestError, `expected a GuestError, got ${err}`);
    assert.equal(err.pythonType, type);
    assert.match(err.message, pattern);
    return true;
  });
  if (type === 'PermissionError') assert.equal(server.hits.length, before, 'a denied request must not reach the server');
}

test('an allowed IP literal is fetched and recorded', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['127.0.0.1'] });
  const res = await gate.request({ method: 'get', url: `${base}/json` });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(Buffer.from(res.bodyBase64, 'base64').toString()), { ok: true, method: 'GET' });
  assert.equal(gate.records.length, 1);
  assert.equal(gate.records[0]!.status, 200);
  assert.equal(gate.records[0]!.method, 'GET');
});

test('headers and a body go through', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['127.0.0.1'] });
  const res = await gate.request({ method: 'POST', url: `${base}/echo`, headers: { 'x-test': 'hdr' }, bodyBase64: Buffer.from('payload').toString('base64') });
  assert.equal(Buffer.from(res.bodyBase64, 'base64').toString(), 'POST payload hdr');
});

test('deny by default: no grant means no packet', async () => {
  const gate = new HttpGate({ taskName: 'fetcher', allowedHosts: [] });
  await denied(gate.request({ method: 'GET', url: `${base}/json` }), /"127\.0\.0\.1" denied: task "fetcher".*allowed_hosts=\["127\.0\.0\.1"\]/);
  assert.equal(gate.records[0]!.status, null);
  assert.match(gate.records[0]!.error ?? '', /denied/);
});

test('localhost is not 127.0.0.1, and vice versa', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['127.0.0.1'] });
  await denied(gate.request({ method: 'GET', url: `http://localhost:${port}/json` }), /"localhost" denied/);
  const byName = new HttpGate({ taskName: 't', allowedHosts: ['localhost'] });
  assert.equal((await byName.request({ method: 'GET', url: `http://localhost:${port}/json` })).status, 200);
  await denied(byName.request({ method: 'GET', url: `${base}/json` }), /"127\.0\.0\.1" denied/);
});

test('a redirect to a denied host is stopped before the hop', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['127.0.0.1'] });
  const before = server.hits.length;
  await assert.rejects(gate.request({ method: 'GET', url: `${base}/redirect?to=${encodeURIComponent(`http://localhost:${port}/json`)}` }), /"localhost" denied/);
  assert.equal(server.hits.length, before + 1, 'only the first, allowed hop reaches a server');
});

test('an allowed redirect is followed', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['127.0.0.1'] });
  const res = await gate.request({ method: 'GET', url: `${base}/redirect?to=/json` });
  assert.equal(res.status, 200);
  assert.equal(res.url, `${base}/json`);
});

test('the userinfo trick is refused', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['127.0.0.1'] });
  await denied(gate.request({ method: 'GET', url: `http://127.0.0.1@localhost:${port}/json` }), /credentials.*"localhost"/);
});

test('an entry with a scheme never matches', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: [`http://127.0.0.1`] });
  await denied(gate.request({ method: 'GET', url: `${base}/json` }), /denied/);
});

test('wildcards: "*" allows all, "*.x" needs exactly one extra label', () => {
  assert.doesNotThrow(() => new HttpGate({ taskName: 't', allowedHosts: ['*'] }).check('https://anything.example/'));
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['*.example.com'] });
  assert.doesNotThrow(() => gate.check('https://api.example.com/'));
  assert.throws(() => gate.check('https://a.b.example.com/'), /denied/);
  assert.throws(() => gate.check('https://example.com/'), /denied/);
  const sub = new HttpGate({ taskName: 't', allowedHosts: ['example.com'] });
  assert.doesNotThrow(() => sub.check('https://example.com/'));
  assert.doesNotThrow(() => sub.check('https://deep.api.example.com/'));
  assert.throws(() => sub.check('https://notexample.com/'), /denied/);
  assert.throws(() => sub.check('https://example.com.evil.io/'), /denied/);
});

test('non-http schemes are refused', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['*'] });
  await denied(gate.request({ method: 'GET', url: 'file:///etc/passwd' }), /unsupported scheme "file"/, 'ValueError');
});

test('the response size is capped', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['127.0.0.1'], maxResponseBytes: 1024 * 1024 });
  await denied(gate.request({ method: 'GET', url: `${base}/big` }), /exceeds the 1048576-byte limit/, 'OSError');
});

test('a request times out within its limit', async () => {
  const gate = new HttpGate({ taskName: 't', allowedHosts: ['127.0.0.1'], timeoutMs: 200 });
  await denied(gate.request({ method: 'GET', url: `${base}/slow` }), /timed out after 200 ms/, 'TimeoutError');
});
