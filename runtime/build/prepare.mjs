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
import { splitDataSegments } from './split-data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const artifactsDir = process.argv[2] ?? join(here, '..', 'artifacts');
const manifestFile = join(artifactsDir, 'manifest.json');
const genDir = join(artifactsDir, 'gen');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
// Part of the stamp: a gen/ made by an older prepare.mjs is made again.
const PREPARE_FORMAT = 'data-split-1';

if (!existsSync(manifestFile)) {
  console.warn(`prepare: no ${manifestFile}; the sandbox is not built (npm run build:sandbox)`);
  process.exit(0);
}
const manifestText = readFileSync(manifestFile, 'utf8');
const manifest = JSON.parse(manifestText);
const stamp = join(genDir, '.manifest-sha256');
const stampText = sha256(`${PREPARE_FORMAT}\n${manifestText}`);
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === stampText) {
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
// The main module's data segments go to a memory image (split-data.mjs): the
// worker applies it after instantiating, which is much cheaper than V8's
// handling of 100,000 segments. The stripped module is validated in full here.
const images = { metered: {}, unmetered: {} };
const imageFiles = new Map(); // sha256 -> file: the variants share the same data
for (const [variant, files] of Object.entries(modules)) {
  const file = files['python.core.wasm'];
  if (!file) continue;
  const split = splitDataSegments(readFileSync(join(genDir, file)));
  if (split.skipped || !WebAssembly.validate(split.module)) {
    console.warn(`prepare: ${file} keeps its data segments (${split.skipped ?? 'the module without them does not validate'})`);
    continue;
  }
  const hash = sha256(split.image);
  if (!imageFiles.has(hash)) {
    const name = `python.core${imageFiles.size ? imageFiles.size + 1 : ''}.image`;
    writeFileSync(join(genDir, name), split.image);
    imageFiles.set(hash, name);
  }
  writeFileSync(join(genDir, file), split.module);
  images[variant]['python.core.wasm'] = imageFiles.get(hash);
}
// The worker loads the glue with require(): an import() would load Node's ESM
// loader into every worker (runtime/src/sandbox/glue.ts); jco emits an ES module.
const { transformSync } = await import('esbuild');
const glue = readFileSync(join(genDir, 'python.mjs'), 'utf8');
writeFileSync(join(genDir, 'python.cjs'), transformSync(glue, { format: 'cjs', platform: 'node', target: 'node20', minify: true, logLevel: 'error' }).code);
writeFileSync(join(genDir, 'modules.json'), JSON.stringify({ modules, images, sdkFingerprint: manifest.sdkFingerprint ?? null }, null, 2) + '\n');
writeFileSync(stamp, stampText);
console.log(`prepare: sandbox ready in ${genDir}`);
