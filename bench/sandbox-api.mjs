// The sandbox API (runtime/src/sandbox/index.ts) bundled to plain CommonJS for the
// bench modules, which run without tsx. Returns the bundle's path.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleSandboxApi(name) {
  const out = join(root, 'dist', `${name}.cjs`);
  await esbuild.build({
    entryPoints: [join(root, 'runtime', 'src', 'sandbox', 'index.ts')], bundle: true, platform: 'node',
    format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning',
  });
  return out;
}
