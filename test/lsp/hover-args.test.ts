// Each @task argument, and each entry of its lists, has a hover of its own saying what
// it does at run time; only the decorator itself and the def's name show the whole
// effective config.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hover, MarkupContent, Range } from 'vscode-languageserver-protocol';
import { startServer, uriOf, type TestServer } from './client';
import { rangeOf } from './text';
import { tempDir } from '../temp-dir';

const TEXT = `from capsule import task

@task(name="fetch", max_retries=3, allowed_files=["data", {"path": "data", "mode": "ro"}], allowed_hosts=["api.example.com", "*.example.org"], env_variables=["API_KEY", "TOKEN"], durable=True)
def fetch_data():
    return 1

@task(allowed_files=["missing"], allowed_hosts=["https://x.com"])
def bad():
    return 2
`;
const TABLE = /\| parameter \| effective value \| from \|/;

let s: TestServer;
let project: string;
let uri: string;
before(async () => {
  project = tempDir('capsule-hover-args-');
  mkdirSync(join(project, 'data'));
  writeFileSync(join(project, 'capsule.toml'), '[workflow]\nname = "hovers"\n');
  writeFileSync(join(project, '.env'), 'API_KEY=secret-value\n');
  s = await startServer(project);
  uri = uriOf(join(project, 'main.py'));
  await s.open(uri, TEXT, 1);
  await s.diagnosticsFor(uri, 1);
});
after(async () => {
  await s.stop();
});

/** The hover at `delta` characters into the `nth` occurrence of `needle`. */
async function hover(needle: string, delta = 1, nth = 0): Promise<{ value: string; range?: Range }> {
  const at = rangeOf(TEXT, needle, nth).start;
  const h = (await s.rpc.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: at.line, character: at.character + delta } })) as Hover | null;
  assert.ok(h, `a hover at ${needle}`);
  return { value: (h.contents as MarkupContent).value, ...(h.range ? { range: h.range } : {}) };
}

test('name, max_retries and durable: the value\'s meaning, on the keyword and on the value', async () => {
  const name = await hover('"fetch"');
  assert.match(name.value, /^\*\*name\*\* `fetch`: the task's name, not its function's \(`fetch_data`\): `capsule run --task fetch`/);
  assert.deepEqual(name.range, rangeOf(TEXT, 'name="fetch"'));
  for (const [needle, delta] of [['max_retries', 2], ['=3', 1]] as const) {
    const h = await hover(needle, delta);
    assert.match(h.value, /^\*\*max_retries\*\* `3`: Up to 3 more attempts after a failure, each in a fresh sandbox: at most 4 in all/, needle);
    assert.doesNotMatch(h.value, TABLE);
  }
  const durable = await hover('durable=True', 9);
  assert.match(durable.value, /^\*\*durable\*\* `True`: When a run with this task as its root is interrupted, the next run with the same arguments resumes it/);
});

test('an allowed_files entry shows the directory it mounts and its mode, on every part of a dict entry', async () => {
  const host = realpathSync(join(project, 'data'));
  const plain = await hover('"data"');
  assert.equal(plain.value, `**allowed_files** \`data\`: Mounted at \`/project/data\` in the sandbox, read-write: the task can read, create and change files in the directory.\n\nOn this machine: \`${host}\`.`);
  assert.deepEqual(plain.range, rangeOf(TEXT, '"data"'));
  const dict = '{"path": "data", "mode": "ro"}';
  for (const [needle, nth] of [['"path"', 0], ['"data"', 1], ['"mode"', 0], ['"ro"', 0]] as const) {
    const h = await hover(needle, 1, nth);
    assert.match(h.value, /^\*\*allowed_files\*\* `data`: Mounted at `\/project\/data` in the sandbox, read-only: the task can read the directory's files but not change them/, needle);
    assert.deepEqual(h.range, rangeOf(TEXT, dict), needle);
  }
  assert.match((await hover('"missing"')).value, /^\*\*allowed_files\*\* entry: allowed_files entry "missing" does not exist in the project/);
});

test('an allowed_hosts entry says what it matches; an env_variables entry whether .env sets it, never its value', async () => {
  assert.match((await hover('"api.example.com"')).value, /^\*\*allowed_hosts\*\* `api\.example\.com`: Allows `api\.example\.com` and its subdomains/);
  assert.match((await hover('"*.example.org"')).value, /^\*\*allowed_hosts\*\* `\*\.example\.org`: Allows hosts exactly one label below `example\.org`/);
  assert.match((await hover('"https://x.com"')).value, /^\*\*allowed_hosts\*\* entry: allowed_hosts entry "https:\/\/x\.com" has a scheme/);
  const key = await hover('"API_KEY"');
  assert.match(key.value, /^\*\*env_variables\*\* `API_KEY`: The project's `\.env` sets it/);
  assert.doesNotMatch(key.value, /secret/);
  assert.match((await hover('"TOKEN"')).value, /^\*\*env_variables\*\* `TOKEN`: The project's `\.env` does not set it: the task gets `TOKEN` only when the host environment sets it/);
});

test('the list keywords describe the list; the decorator and the def\'s name still show the effective config', async () => {
  const hosts = await hover('allowed_hosts', 3);
  assert.match(hosts.value, /^\*\*allowed_hosts\*\*: the hosts this task may call; a request to any other is refused before it leaves the sandbox; they replace capsule\.toml's `default_allowed_hosts`\./);
  assert.match(hosts.value, /\n- `api\.example\.com`: Allows .*\n- `\*\.example\.org`: Allows /);
  const env = await hover('env_variables', 3);
  assert.match(env.value, /^\*\*env_variables\*\*: the host environment variables this task sees/);
  assert.match(env.value, /\n- `API_KEY`: The project's `\.env` sets it.*\n- `TOKEN`: The project's `\.env` does not set it/);
  assert.doesNotMatch(env.value, /secret/);
  for (const h of [hosts, env]) assert.doesNotMatch(h.value, TABLE);
  const files = await hover('allowed_files', 3);
  assert.equal(files.value.split('\n\n')[1], '- `data`: Mounted at `/project/data` in the sandbox, read-write: the task can read, create and change files in the directory.\n- `data`: Mounted at `/project/data` in the sandbox, read-only: the task can read the directory\'s files but not change them.');
  const deco = await hover('@task(name', 2);
  assert.match(deco.value, /^\*\*@task `fetch`\*\*/);
  assert.match(deco.value, TABLE);
  const def = await hover('fetch_data', 2);
  assert.match(def.value, /^\*\*@task `fetch`\*\*/);
  assert.match(def.value, /\| max_retries \| 3 \| @task \|/);
});
