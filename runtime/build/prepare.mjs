// Run by `npm install` (scripts/postinstall.mjs): turns the committed sandbox
// artifacts (runtime/artifacts/, listed with their sha256 in manifest.json)
// into what the runtime loads (runtime/artifacts/gen/, git-ignored). No
// compiler needed; takes well under a second. Skips work when gen/ is current.
// Usage: node runtime/build/prepare.mjs [artifacts-dir]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const artifactsDir = process.argv[2] ?? join(here, '..', 'artifacts');
const manifestFile = join(artifactsDir, 'manifest.json');
const genDir = join(artifactsDir, 'gen');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

if (!existsSync(manifestFile)) {
  console.warn(`prepare: no ${manifestFile}; the sandbox is not built (npm run build:sandbox)`);
  process.exit(0);
}
const manifestText = readFileSync(manifestFile, 'utf8');
const manifest = JSON.parse(manifestText);
const stamp = join(genDir, '.manifest-sha256');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === sha256(manifestText)) {
  process.exit(0); // already prepared from this manifest
}

rmSync(genDir, { recursive: true, force: true });
mkdirSync(genDir, { recursive: true });
const modules = { metered: {}, unmetered: {} };
for (const [name, meta] of Object.entries(manifest.artifacts)) {
  const bytes = readFileSync(join(artifactsDir, name));
  const actual = sha256(bytes);
  if (actual !== meta.sha256) {
    console.error(`prepare: ${name} is corrupt: sha256 ${actual}, manifest says ${meta.sha256}`);
    process.exit(1);
  }
  if (!meta.gen) continue; // used in place (the stdlib zip)
  writeFileSync(join(genDir, meta.gen), name.endsWith('.gz') ? gunzipSync(bytes) : bytes);
  if (meta.as) {
    for (const variant of meta.variant ? [meta.variant] : Object.keys(modules)) modules[variant][meta.as] = meta.gen;
  }
}
// The worker loads the glue with require(): an import() would load Node's ESM
// loader into every worker (runtime/src/sandbox/glue.ts); jco emits an ES module.
const { transformSync } = await import('esbuild');
const glue = readFileSync(join(genDir, 'python.mjs'), 'utf8');
writeFileSync(join(genDir, 'python.cjs'), transformSync(glue, { format: 'cjs', platform: 'node', target: 'node20', minify: true, logLevel: 'error' }).code);
writeFileSync(join(genDir, 'modules.json'), JSON.stringify({ modules, sdkFingerprint: manifest.sdkFingerprint ?? null }, null, 2) + '\n');
writeFileSync(stamp, sha256(manifestText));
console.log(`prepare: sandbox ready in ${genDir}`);
