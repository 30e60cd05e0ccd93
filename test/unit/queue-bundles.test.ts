// BullMQ and ioredis live in dist/queue.js alone: the extension, the language server,
// the CLI and the host API load them only when a queue is used (queue/open.ts requires
// queue.js then). Built here with the project's own esbuild settings, so the check does
// not depend on a stale dist/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as esbuild from 'esbuild';

const QUEUE_DEPS = /node_modules\/(bullmq|ioredis|@ioredis)\//;

async function bundle(entry: string): Promise<{ inputs: string[]; text: string }> {
  const r = await esbuild.build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'],
    define: { 'import.meta.url': '__bundleUrl' }, write: false, metafile: true, logLevel: 'silent', outdir: 'out-test-bundles',
  });
  const js = r.outputFiles.find((f) => f.path.endsWith('.js'))!;
  return { inputs: Object.keys(r.metafile.inputs), text: js.text };
}

test('client.js, server.js, cli.js and runtime-api.js contain no BullMQ or ioredis; queue.js does, and the client loads it by path', { timeout: 120_000 }, async () => {
  for (const entry of ['client/src/extension.ts', 'server/src/server.ts', 'runtime/src/cli/main.ts', 'runtime/src/api/index.ts']) {
    const { inputs, text } = await bundle(entry);
    assert.deepEqual(inputs.filter((f) => QUEUE_DEPS.test(f)), [], `${entry} bundles the queue's dependencies`);
    assert.doesNotMatch(text, /bullmq/i, `${entry}'s bundle mentions bullmq`);
    if (entry.startsWith('client/')) {
      assert.ok(inputs.includes('runtime/src/queue/open.ts'), 'the client reaches the queue through queue/open.ts');
      assert.match(text, /"queue\.js"/, 'the client requires dist/queue.js by its path');
    }
  }
  const queue = await bundle('runtime/src/queue/index.ts');
  assert.ok(queue.inputs.some((f) => /node_modules\/bullmq\//.test(f)) && queue.inputs.some((f) => /node_modules\/ioredis\//.test(f)));
  // The VSIX ships it (the extension's "Run on queue" loads it).
  assert.match(readFileSync('.vscodeignore', 'utf8'), /^!dist\/queue\.js$/m);
});
