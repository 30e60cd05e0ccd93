// Hosts and env-variable names the project already has are offered inside
// allowed_hosts=[...] and env_variables=[...]: names its .env sets (and the hosts of URLs
// among the values), and those other tasks of the workspace list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompletionItem } from 'vscode-languageserver';
import { startServer, uriOf } from './client';
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
