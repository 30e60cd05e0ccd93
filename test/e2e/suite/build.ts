// Bundles the in-host suite for the extension host (cjs, `vscode` external).
import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO } from '../code-server';

export const SUITE_OUT = join(REPO, 'out/e2e-suite/index.js');

export async function buildSuite(): Promise<string> {
  await build({
    entryPoints: [join(REPO, 'test/e2e/suite/index.ts')],
    outfile: SUITE_OUT,
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline',
    external: ['vscode'], logLevel: 'warning',
  });
  return SUITE_OUT;
}
