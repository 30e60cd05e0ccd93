// capsule.http inside the sandbox, through the engine's host calls and the HTTP gate,
// against a loopback server: allowed, denied (PermissionError, no request sent), recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { echo, loopbackServer, type LoopbackServer } from '../http-server';
import type { Engine } from '../../runtime/src/engine/engine';
import { engineFor, tempProject } from './helpers';

let project: ReturnType<typeof tempProject>;
let engine: Engine;
let server: LoopbackServer;
let url = '';

before(async () => {
  server = await loopbackServer(echo);
  url = `${server.base}/data`;
  project = tempProject('test/engine/fixtures/proj');
  ({ engine } = await engineFor(project.dir));
});
after(async () => {
  await engine?.dispose();
  project?.done();
  await server?.close();
});

test('an allowed host answers, and each request is in execution.host_requests', async () => {
  const env = await engine.start({ file: 'tasks.py', taskName: 'fetch', args: [url] }).result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.deepEqual(env.result, {
    status: 200,
    ok: true,
    body: { method: 'GET', url: '/data', task: 'fetch', body: '' },
    post: { method: 'POST', url: '/data', task: null, body: '{"n": 1}' },
  });
  assert.deepEqual(env.execution.host_requests.map((r) => [r.method, r.url, r.status]), [['GET', url, 200], ['POST', url, 200]]);
});

test('a host not in allowed_hosts is a PermissionError in the task, and nothing is sent', async () => {
  const before = server.hits.length;
  const env = await engine.start({ file: 'tasks.py', taskName: 'fetch_denied', args: [url] }).result;
  assert.equal(env.success, true, JSON.stringify(env.error));
  assert.match(String(env.result), /^PermissionError: capsule\.http: request to "127\.0\.0\.1" denied: task "fetch_denied" does not allow this host/);
  assert.equal(server.hits.length, before);
  assert.equal(env.execution.host_requests[0]?.status, null);
});
