// Runs the same in-host suite (test/e2e/suite) in a downloaded VS Code with
// @vscode/test-electron, for machines that can download VS Code. (These machines
// cannot: there the suite runs in code-server through test/e2e/inhost.e2e.ts.)
// Usage: npm run test:electron [-- --version 1.100.3]
import { runTests } from '@vscode/test-electron';
import { build } from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const versionArg = process.argv.indexOf('--version');
const version = versionArg > 0 ? process.argv[versionArg + 1] : 'stable';

const suite = join(repo, 'out/e2e-suite/index.js');
await build({
  entryPoints: [join(repo, 'test/e2e/suite/index.ts')], outfile: suite,
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', external: ['vscode'], logLevel: 'warning',
});

// The same workspace the code-server run uses: fixtures plus examples/hello.py.
const tmp = mkdtempSync(join(tmpdir(), 'capsule-electron-'));
const workspace = join(tmp, 'workspace');
cpSync(join(repo, 'test/e2e/fixtures/workspace'), workspace, { recursive: true });
mkdirSync(join(workspace, 'examples'), { recursive: true });
cpSync(join(repo, 'examples/hello.py'), join(workspace, 'examples/hello.py'));

let code = 0;
try {
  await runTests({
    version,
    extensionDevelopmentPath: repo,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(tmp, 'user-data')],
  });
} catch (err) {
  console.error(`run-electron: ${err instanceof Error ? err.message : err}`);
  code = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
