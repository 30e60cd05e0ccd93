// Entry of dist/cli.js: runs the CLI's bundle (dist/cli-main.js) from a V8 code
// cache. Compiling the 650 KB bundle, and then each function it runs, cost a
// cold `capsule run` ~30-60 ms of the main thread, which is its critical path
// (runtime/build/README.md). The cache is made at the end of the first run
// (so it holds the functions that run used), and again whenever V8 refuses it
// (another Node, other flags). It lives in the user's cache directory, never
// in a project (a cloned repository must not be able to hand the CLI code),
// and its name is a hash of the bundle's text, the Node version and the flags:
// a changed bundle never meets an old cache. Any failure to read or write it
// only costs the speed-up. Imports nothing but Node's modules and one small module
// of ours (it is compiled without a cache itself).
import { adoptDeferredCaCerts } from '../capabilities/extra-ca-certs';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';

/** CAPSULE_CODE_CACHE=0 turns it off; XDG_CACHE_HOME is honoured (as for host.key). */
function cacheDir(): string | null {
  if (process.env.CAPSULE_CODE_CACHE === '0') return null;
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'capsule', 'code-cache');
}

/** Caches kept: one per bundle text, so a few installs or Node versions can alternate; older ones go. */
const KEEP = 4;

function save(dir: string, file: string, data: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
    const old = readdirSync(dir).filter((n) => /^cli-[0-9a-f]{32}\.v8$/.test(n)).map((n) => ({ p: join(dir, n), at: statSync(join(dir, n)).mtimeMs }));
    for (const o of old.sort((a, b) => b.at - a.at).slice(KEEP)) rmSync(o.p, { force: true });
  } catch {
    /* only the speed-up is lost */
  }
}

export function runCached(file: string): void {
  const source = readFileSync(file, 'utf8');
  const dir = cacheDir();
  const key = createHash('sha256').update(`${process.version} ${process.arch} ${process.execArgv.join(' ')}\n`).update(source).digest('hex').slice(0, 32);
  const cacheFile = dir ? join(dir, `cli-${key}.v8`) : null;
  let cachedData: Buffer | undefined;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {
    /* none yet */
  }
  // The wrapper Node's own CommonJS loader puts around a file.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (dir && cacheFile && (!cachedData || script.cachedDataRejected)) process.once('exit', () => save(dir, cacheFile, script.createCachedData()));
  const mod = { exports: {}, filename: file, id: file };
  (script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, join(file, '..'));
}

// First: NODE_EXTRA_CA_CERTS back for child processes, if bin/capsule.js's shell line moved it.
adoptDeferredCaCerts();
runCached(join(__dirname, 'cli-main.js'));
