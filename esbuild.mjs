// One bundle per process: the extension client, the language server, the
// sandbox worker and the CLI. `tsc --noEmit` type-checks; esbuild only bundles.
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  { entryPoints: { client: 'client/src/extension.ts' }, external: ['vscode'] },
  { entryPoints: { server: 'server/src/server.ts' } },
  // The sandbox worker and the CLI use no import.meta.url: without the banner they do not load node:url.
  { entryPoints: { worker: 'runtime/src/sandbox/worker.ts' }, define: {}, banner: {} },
  // dist/cli.js is the launcher: it runs dist/cli-main.js from a V8 code cache (cli/launcher.ts). There
  // web-tree-sitter is its CommonJS build: the ES one's import() calls fail in code run from a cache.
  { entryPoints: { cli: 'runtime/src/cli/launcher.ts' }, define: {}, banner: {} },
  { entryPoints: { 'cli-main': 'runtime/src/cli/main.ts' }, alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' }, define: {}, banner: {} },
  // The queue backend (BullMQ, ioredis): required by the CLI only when a queue is used.
  { entryPoints: { queue: 'runtime/src/queue/index.ts' } },
  // The host API (`capsule-vscode/runtime`: run, runCode, createSandboxPool); its types come from tsconfig.types.json.
  { entryPoints: { 'runtime-api': 'runtime/src/api/index.ts' } },
  // The run details webview's script and stylesheet (loaded by the page, not by Node).
  { entryPoints: { details: 'client/src/details/webview.ts', 'details-style': 'client/media/details.css' }, platform: 'browser', format: 'iife', define: {}, banner: {}, sourcemap: false },
];

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outdir: 'dist',
  sourcemap: true,
  logLevel: 'warning',
  // ESM dependencies (web-tree-sitter) find their files from import.meta.url, which a
  // cjs bundle leaves undefined: point it at the bundle's own file.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

// web-tree-sitter loads its runtime wasm next to the bundle.
function copyAssets() {
  mkdirSync('dist', { recursive: true });
  cpSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm');
  // node-sqlite3-wasm (the trace) also loads its wasm next to the bundle.
  cpSync('node_modules/node-sqlite3-wasm/dist/node-sqlite3-wasm.wasm', 'dist/node-sqlite3-wasm.wasm');
}

const started = Date.now();
copyAssets();
if (watch) {
  for (const b of bundles) {
    const ctx = await esbuild.context({ ...common, ...b });
    await ctx.watch();
  }
  console.log('esbuild: watching client, server, worker, cli, details');
} else {
  await Promise.all(bundles.map((b) => esbuild.build({ ...common, ...b })));
  console.log(`esbuild: ${bundles.length} bundles in ${Date.now() - started} ms -> dist/`);
}
if (!existsSync('dist/client.js')) process.exit(1);
