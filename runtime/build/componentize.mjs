// Stage 8: core python.wasm -> component -> transpiled JS (jco).
// Usage: node componentize.mjs <core.wasm> <component.wasm> [<transpile-out-dir>]
// embed (our WIT) -> new --wasi-command (jco's bundled preview1 adapter) ->
// transpile --instantiation async --minify, with no WASI shim: the sandbox worker
// supplies every import itself (runtime/src/sandbox/wasi/).
// The transpiler is jco 1.10.2's (npm alias `jco-1.10`); embed and new are the
// current jco's. Later transpilers wrap every import call in the component-model
// async task machinery (a task and a subtask object, a debug-log call, argument
// copies): 380 KB of glue instead of 76 KB, and in a fan-out of 100 sub-tasks the
// workers spent more time in that JS than in Python (measured with perf; the
// same fan-out took 2.2 s with jco 1.35's glue and 1.76 s with 1.10.2's).
import { readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { transpile } from 'jco-1.10';

const here = dirname(fileURLToPath(import.meta.url));
const [coreIn, componentOut, genDir] = process.argv.slice(2);
if (!coreIn || !componentOut) {
  console.error('usage: node componentize.mjs <core.wasm> <component.wasm> [<gen-dir>]');
  process.exit(2);
}

export async function transpileComponent(componentBytes, outDir) {
  const { files } = await transpile(componentBytes, {
    // minify: the generated JS is parsed by every sandbox worker (380 KB instead of 680 KB).
    name: 'python', instantiation: 'async', noWasiShim: true, noTypescript: true, quiet: true, minify: true,
  });
  await rm(outDir, { recursive: true, force: true });
  for (const [name, bytes] of Object.entries(files)) {
    const target = join(outDir, name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  return Object.keys(files);
}

const witSource = await readFile(join(here, 'wit', 'capsule.wit'), 'utf8');
const core = await readFile(coreIn);
const embedded = await componentEmbed({ binary: core, witSource, world: 'sandbox' });
const adapter = await readFile(fileURLToPath(preview1AdapterCommandPath()));
const component = await componentNew(embedded, [['wasi_snapshot_preview1', adapter]]);
await writeFile(componentOut, component);
console.log(`componentize: ${componentOut} (${component.length} bytes)`);
if (genDir) console.log(`transpile: ${(await transpileComponent(component, genDir)).length} files -> ${genDir}`);
