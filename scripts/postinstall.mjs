// `npm install` leaves everything ready: the bundles in dist/ and the
// runtime's generated JS (transpiled from the committed sandbox component).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

const run = (file, args) => execFileSync(process.execPath, [file, ...args], { stdio: 'inherit' });

if (existsSync('runtime/build/prepare.mjs')) run('runtime/build/prepare.mjs', []);
// A packed copy (npm pack) ships dist/ built and no esbuild.mjs: nothing to bundle there.
if (existsSync('esbuild.mjs')) run('esbuild.mjs', []);
else useShellLauncher('bin/capsule.js');

/**
 * An installed copy on POSIX: the `capsule` bin starts through /bin/sh, whose line in
 * bin/capsule.js starts node without NODE_EXTRA_CA_CERTS (see that file). npm links a
 * POSIX bin as a symlink to this file, so its new first line takes effect; Windows'
 * shims were made from `#!/usr/bin/env node` and stay as they are. A new file is
 * renamed over the old one (pnpm hard-links files from its store). Any failure
 * leaves the node line, which works everywhere.
 */
function useShellLauncher(file) {
  if (process.platform === 'win32' || !existsSync('/bin/sh')) return;
  try {
    const text = readFileSync(file, 'utf8');
    const [first, second] = text.split('\n', 2);
    if (first !== '#!/usr/bin/env node' || !second.startsWith('":" //;')) return;
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `#!/bin/sh${text.slice(first.length)}`);
    chmodSync(tmp, 0o755);
    renameSync(tmp, file);
  } catch {
    /* the node line stays */
  }
}
