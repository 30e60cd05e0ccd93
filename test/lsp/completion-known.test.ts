// Hosts and env-variable names the project already has are offered inside
// allowed_hosts=[...] and env_variables=[...]: names its .env sets (and the hosts of URLs
// among the values), and those other tasks of the workspace list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompletionItem } from 'vscode-languageserver';
import { startServer, uriOf, type TestServer } from './client';
import { positionAt } from './text';
import { tempDir } from '../temp-dir';

test('allowed_hosts and env_variables entries complete from .env and from other tasks', async () => {
  const project = tempDir('capsule-known-');
  writeFileSync(join(project, 'capsule.toml'), '[workflow]\nname = "known"\n');
  writeFileSync(join(project, '.env'), 'API_KEY=secret\nSERVICE_URL=https://api.example.com/v1\nbroken line\n');
  writeFileSync(join(project, 'other.py'), 'from capsule import task\n\n@task(allowed_hosts=["files.example.org"], env_variables=["TOKEN"])\ndef other():\n    return 1\n');
  const s = await startServer(project);
  try {
    await s.rpc.sendRequest('capsule/listTasks', {}); // the workspace index is built
    const uri = uriOf(join(project, 'main.py'));
    const complete = async (text: string, version: number) => {
      await s.open(uri, text, version);
      const r = (await s.rpc.sendRequest('textDocument/completion', { textDocument: { uri }, position: positionAt(text, text.indexOf('|')) })) as CompletionItem[];
      return r.map((c) => c.label).sort();
    };
    const head = 'from capsule import task\n\n';
    assert.deepEqual(await complete(`${head}@task(env_variables=["|"])\ndef f(): pass\n`, 1), ['API_KEY', 'SERVICE_URL', 'TOKEN']);
    assert.deepEqual(await complete(`${head}@task(env_variables=["API_KEY", "|"])\ndef f(): pass\n`, 2), ['SERVICE_URL', 'TOKEN']);
    assert.deepEqual(await complete(`${head}@task(allowed_hosts=[|])\ndef f(): pass\n`, 3), ['api.example.com', 'files.example.org']);
  } finally {
    await s.stop();
  }
});

/** Labels and items at the "|" of `marked` (the document holds the text without it). */
async function completeMarked(s: TestServer, uri: string, marked: string, version: number): Promise<CompletionItem[]> {
  const at = marked.indexOf('|');
  const text = marked.slice(0, at) + marked.slice(at + 1);
  await s.open(uri, text, version);
  await s.diagnosticsFor(uri, version); // the index has the document as it is now
  return (await s.rpc.sendRequest('textDocument/completion', { textDocument: { uri }, position: positionAt(text, at) })) as CompletionItem[];
}

/** A project with a .env and another task granting a host and a variable, its server, and main.py's uri. */
async function knownProject(prefix: string, env: string, host: string): Promise<{ s: TestServer; uri: string }> {
  const project = tempDir(prefix);
  writeFileSync(join(project, 'capsule.toml'), '[workflow]\nname = "known"\n');
  writeFileSync(join(project, '.env'), env);
  writeFileSync(join(project, 'other.py'), `from capsule import task\n\n@task(allowed_hosts=["${host}"], env_variables=["TOKEN"])\ndef other():\n    return 1\n`);
  const s = await startServer(project);
  await s.rpc.sendRequest('capsule/listTasks', {});
  return { s, uri: uriOf(join(project, 'main.py')) };
}

test('the entry being typed is not offered back, nor entries written after it, nor hosts the schema refuses', async () => {
  const { s, uri } = await knownProject('capsule-known-self-', 'API_KEY=secret\nSERVICE_URL=https://api.example.com/v1\nBAD_URL=http://under_score.example/\n', 'files.example.org');
  try {
    const head = 'from capsule import task\n\n';
    const labels = async (marked: string, version: number) => (await completeMarked(s, uri, head + marked, version)).map((i) => `${i.label} (${i.detail})`).sort();
    assert.deepEqual(await labels('@task(env_variables=["A|"])\ndef f(): pass\n', 1), ['API_KEY (set in .env)', 'BAD_URL (set in .env)', 'SERVICE_URL (set in .env)', 'TOKEN (used by task other)'], 'not "A", used by task f (itself)');
    assert.deepEqual(await labels('@task(env_variables=["A|", "TOKEN"])\ndef f(): pass\n', 2), ['API_KEY (set in .env)', 'BAD_URL (set in .env)', 'SERVICE_URL (set in .env)'], 'TOKEN is written after the cursor');
    // "zz." is what is being typed; under_score.example is no valid host (hosts.ts)
    assert.deepEqual(await labels('@task(allowed_hosts=["zz.|"])\ndef f(): pass\n', 3), ['api.example.com (from SERVICE_URL in .env)', 'files.example.org (allowed for task other)']);
    // Another task that names the same variable still has it offered.
    assert.deepEqual(await labels('@task(env_variables=["TOKEN"])\ndef g(): pass\n\n@task(env_variables=["TOK|"])\ndef f(): pass\n', 4), ['API_KEY (set in .env)', 'BAD_URL (set in .env)', 'SERVICE_URL (set in .env)', 'TOKEN (used by task g)']);
  } finally {
    await s.stop();
  }
});

test('every value offered carries markdown documentation', async () => {
  const { s, uri } = await knownProject('capsule-known-docs-', 'API_KEY=secret\nSERVICE_URL=https://api.example.com/v1\n', '*.example.org');
  try {
    const head = 'from capsule import task\n\n';
    const docs = async (marked: string, version: number) => {
      const items = await completeMarked(s, uri, head + marked, version);
      assert.ok(items.length > 0, marked);
      const out: Record<string, string> = {};
      for (const i of items) {
        const d = i.documentation as { kind?: string; value?: string } | undefined;
        assert.equal(d?.kind, 'markdown', `${marked}: ${i.label} has markdown documentation`);
        out[i.label] = d!.value!;
      }
      return out;
    };
    const retries = await docs('@task(max_retries=|)\ndef f(): pass\n', 1);
    assert.match(retries['0']!, /^No retry/);
    assert.match(retries['3']!, /up to 3 more attempts.*at most 4 in all/i);
    assert.match(retries['1']!, /not retried.*out of fuel, running out of memory/i, 'what is not retried');
    const durable = await docs('@task(durable=|)\ndef f(): pass\n', 2);
    assert.match(durable.True!, /resumes/);
    assert.match(durable.False!, /afresh/);
    const env = await docs('@task(env_variables=[|])\ndef f(): pass\n', 3);
    assert.match(env.API_KEY!, /`\.env` sets it/);
    assert.doesNotMatch(env.API_KEY!, /secret/, 'never the value');
    assert.match(env.TOKEN!, /`\.env` does not set it/);
    const hosts = await docs('@task(allowed_hosts=[|])\ndef f(): pass\n', 4);
    assert.match(hosts['api.example.com']!, /and its subdomains/);
    assert.match(hosts['*.example.org']!, /exactly one label/);
    const modes = await docs('@task(allowed_files=[{"path": "data", "mode": "|"}])\ndef f(): pass\n', 5);
    assert.match(modes.ro!, /read-only/);
  } finally {
    await s.stop();
  }
});
