// `npm install` leaves everything ready: the bundles in dist/ and the
// runtime's generated JS (transpiled from the committed sandbox component).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (file, args) => execFileSync(process.execPath, [file, ...args], { stdio: 'inherit' });

if (existsSync('runtime/build/prepare.mjs')) run('runtime/build/prepare.mjs', []);
// A packed copy (npm pack) ships dist/ built and no esbuild.mjs: nothing to bundle there.
if (existsSync('esbuild.mjs')) run('esbuild.mjs', []);
