// http.client and urllib.request inside the real sandbox: both go through the
// host's gate (allowed_hosts on the first URL and on every redirect hop), against
// a loopback server. A refusal is a PermissionError naming the host, and the
// server sees nothing. (capsule.http itself is covered by http.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { echo, loopbackServer, type LoopbackServer } from '../http-server';
import type { Engine } from '../../runtime/src/engine/engine';
import { hostAllowed } from '../../runtime/src/config/hosts';
import { engineFor, tempProject } from './helpers';

let project: ReturnType<typeof tempProject>;
let engine: Engine;
let server: LoopbackServer;
let port = 0;

before(async () => {
  server = await loopbackServer((req, res, body, self) => {
    if (req.url === '/hop') res.writeHead(302, { location: '/data?from=hop' }).end();
    else if (req.url === '/away') res.writeHead(302, { location: `http://localhost:${self.port}/data` }).end();
    else echo(req, res, body);
  });
  port = server.port;
  project = tempProject('test/engine/fixtures/http');
  ({ engine } = await engineFor(project.dir));
});
after(async () => {
  await engine?.dispose();
  project?.done();
  await server?.close();
});

const run = (taskName: string, args: unknown[] = [port]) => engine.start({ file: 'tasks.py', taskName, args }).result;
const denial = (host: string, task: string) =>
  new RegExp(`^PermissionError: capsule\\.http: request to "${host.replace(/\./g, '\\.')}" denied: task "${task}" does not allow this host\\. To allow it, add it to the decorator: @task\\(\\.\\.\\., allowed_hosts=\\["${host.replace(/\./g, '\\.')}"\\]\\)`);

test('http.client: GET, POST and the low-level calls reach an allowed host, and are recorded', async () => {
  const env = await run('client_get');
  assert.equal(env.success, true, JSON.stringify(env.error));
  const r = env.result as { first: Record<string, unknown>; posted: string; put: string };
  assert.deepEqual(r.first, {
    status: 200, reason: 'OK', type: 'application/json',
    body: JSON.stringify({ method: 'GET', url: '/data?x=1', task: 'client_get', body: '' }),
  });
  assert.deepEqual(JSON.parse(r.posted), { method: 'POST', url: '/post', task: null, body: '{"n": 1}' });
  assert.deepEqual(JSON.parse(r.put), { method: 'PUT', url: '/put', task: null, body: 'abc' });
  const base = `http://127.0.0.1:${port}`;
  assert.deepEqual(env.execution.host_requests.map((q) => [q.method, q.url, q.status]), [
    ['GET', `${base}/data?x=1`, 200], ['POST', `${base}/post`, 200], ['PUT', `${base}/put`, 200],
  ]);
});

test('http.client: a host not in allowed_hosts is a PermissionError, and nothing is sent', async () => {
  const before = server.hits.length;
  const env = await run('client_denied');
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.match(String(env.result), denial('127.0.0.1', 'client_denied'));
  assert.equal(server.hits.length, before);
  assert.equal(env.execution.host_requests[0]?.status, null);
});

test('http.client: HTTPSConnection exists (the host does TLS) and goes through the same gate', async () => {
  const env = await run('https_denied', ['denied.example']);
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.match(String(env.result), denial('denied.example', 'https_denied'));
  assert.deepEqual(env.execution.host_requests.map((q) => [q.url, q.status]), [['https://denied.example/', null]]);
});

test('redirects: an allowed hop is followed; a hop to a denied host stops before it is sent (http.client and urllib)', async () => {
  const before = server.hits.length;
  const env = await run('follow');
  assert.equal(env.success, true, JSON.stringify(env.error));
  const r = env.result as { hop: string; away_client: string; away_urllib: string };
  assert.equal(JSON.parse(r.hop).url, '/data?from=hop');
  assert.match(r.away_client, denial('localhost', 'follow'));
  assert.match(r.away_urllib, denial('localhost', 'follow'));
  // /hop, /data?from=hop, then /away twice: /data on localhost never arrives.
  assert.deepEqual(server.hits.slice(before), ['GET /hop', 'GET /data?from=hop', 'GET /away', 'GET /away']);
});

test('urllib.request: allowed host answers; localhost is not 127.0.0.1', async () => {
  const before = server.hits.length;
  const env = await run('via_urllib');
  assert.equal(env.success, true, JSON.stringify(env.error));
  const r = env.result as { status: number; body: string; denied: string };
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body).url, '/data');
  assert.match(r.denied, denial('localhost', 'via_urllib'));
  assert.deepEqual(server.hits.slice(before), ['GET /data']);
});

test('wildcards and subdomains in the sandbox: "*.x" needs exactly one label, "x" is not a suffix match', async () => {
  const env = await run('wildcard', []);
  assert.equal(env.success, true, JSON.stringify(env.error));
  const r = env.result as Record<string, string>;
  for (const host of ['example.com', 'a.b.example.com', 'evilexample.org', 'example.org.evil.net']) {
    assert.match(r[host] ?? '', denial(host, 'wildcard'), host);
  }
  // What the same rules allow (no network here beyond loopback, so checked at the gate).
  const rules = ['*.example.com', 'example.org'];
  assert.equal(hostAllowed('api.example.com', rules), true);
  assert.equal(hostAllowed('example.org', rules), true);
  assert.equal(hostAllowed('api.example.org', rules), true);
});
