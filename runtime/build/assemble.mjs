// Final stage: instruments the transpiled core module (metered + unmetered
// variants through the same binaryen pass), then writes the committed
// artifacts and manifest.json (sources, tool versions, flags, sha256).
// Usage: node assemble.mjs <work-dir> <out-dir>
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const [work, out] = process.argv.slice(2);
if (!work || !out) {
  console.error('usage: node assemble.mjs <work-dir> <out-dir>');
  process.exit(2);
}
const gen = join(work, 'gen');
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const sh = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
};
const pkgVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const debVersion = (pkg) => sh('dpkg-query', ['-W', '-f=${Version}', pkg]);
const srcVersion = (dsc) => {
  const file = readdirSync(join(work, 'src')).find((f) => f.startsWith(dsc) && f.endsWith('.dsc'));
  return file ? file.slice(dsc.length + 1, -4) : 'unknown';
};

// 1. binaryen's optimiser on the core module, before the instrumentation (so fuel
// counts what runs): CAPSULE_WASM_OPT, default -O3, `none` to skip. The effect on
// speed and fuel is in runtime/build/README.md. npm's binaryen (the JS build: ~2 min
// of CPU, single-threaded, deterministic). It takes the module's features from its
// target_features section (what clang was told), so it adds none of its own.
const wasmOpt = (process.env.CAPSULE_WASM_OPT ?? '-O3').trim();
let core = join(gen, 'python.core.wasm');
if (wasmOpt !== 'none') {
  const optimised = join(work, 'python.opt.core.wasm');
  execFileSync(process.execPath, [join(root, 'node_modules', 'binaryen', 'bin', 'wasm-opt'), ...wasmOpt.split(/\s+/), core, '-o', optimised], { stdio: 'inherit' });
  core = optimised;
}

// 2. Instrument (the contract is runtime/build/instrument.mjs's header).
const variants = { metered: join(work, 'python.metered.core.wasm'), unmetered: join(work, 'python.unmetered.core.wasm') };
const instrumentFile = join(here, 'instrument.mjs');
const stats = {};
if (existsSync(instrumentFile)) {
  const { instrument } = await import(pathToFileURL(instrumentFile).href);
  stats.metered = await instrument(core, variants.metered, {});
  stats.unmetered = await instrument(core, variants.unmetered, { metering: false });
} else {
  console.warn('assemble: runtime/build/instrument.mjs is missing: both variants are uninstrumented');
  copyFileSync(core, variants.metered);
  copyFileSync(core, variants.unmetered);
}

// 3. Artifacts: big files gzipped; the stdlib zip stays as is (mounted directly).
mkdirSync(join(out, 'stdlib'), { recursive: true });
const artifacts = {};
const put = (name, bytes, meta) => {
  writeFileSync(join(out, name), bytes);
  artifacts[name] = { sha256: sha256(bytes), bytes: bytes.length, ...meta };
};
const gz = (buf) => gzipSync(buf, { level: 9 });
put('python.metered.core.wasm.gz', gz(readFileSync(variants.metered)), { gen: 'python.metered.core.wasm', variant: 'metered', as: 'python.core.wasm' });
put('python.unmetered.core.wasm.gz', gz(readFileSync(variants.unmetered)), { gen: 'python.unmetered.core.wasm', variant: 'unmetered', as: 'python.core.wasm' });
for (const f of readdirSync(gen).filter((f) => /^python\.core\d+\.wasm$/.test(f)).sort()) {
  put(f, readFileSync(join(gen, f)), { gen: f, as: f });
}
put('python.mjs.gz', gz(readFileSync(join(gen, 'python.js'))), { gen: 'python.mjs' });
put('stdlib/python311.zip', readFileSync(join(work, 'stdlib', 'python311.zip')), {});
for (const stale of readdirSync(out)) {
  if (!(stale in artifacts) && !['stdlib', 'gen', 'manifest.json', '.gitignore'].includes(stale)) rmSync(join(out, stale));
}

// The SDK the snapshot imported (same scheme as runtime/src/sandbox/sdk-fingerprint.ts).
const sdkDir = join(root, 'python-sdk', 'capsule');
const sdkHash = createHash('sha1');
for (const n of readdirSync(sdkDir).filter((f) => f.endsWith('.py')).sort()) sdkHash.update(`${n}\0`).update(readFileSync(join(sdkDir, n)));

// The instrumentation pass is part of the build: record which version ran.
const instrumentHash = createHash('sha256');
const instrumentDir = join(here, 'instrument');
for (const f of [instrumentFile, ...(existsSync(instrumentDir) ? readdirSync(instrumentDir) : []).filter((n) => n.endsWith('.mjs')).sort().map((n) => join(instrumentDir, n))]) {
  if (existsSync(f)) instrumentHash.update(readFileSync(f));
}

// What link-python.sh passed (it records the stack size next to its output).
function linkFlags() {
  const stack = Number(readFileSync(join(work, 'python-linked.wasm.stack'), 'utf8').trim());
  return `-z stack-size=${stack} -Wl,--stack-first -Wl,--initial-memory=${stack + 9 * 1048576} -Wl,--strip-debug`;
}
const manifest = {
  format: 1,
  description: 'CPython 3.11 for wasm32-wasi as a jco component (see runtime/README.md); rebuild with `npm run build:sandbox`.',
  sources: {
    python3: `python3.11 ${srcVersion('python3.11')} (Debian bookworm, apt-get source, Debian patches applied)`,
    zlib: `zlib ${srcVersion('zlib')} (Debian bookworm, apt-get source)`,
    bzip2: `bzip2 ${srcVersion('bzip2')} (Debian bookworm, apt-get source)`,
    'xz-utils': `xz-utils ${srcVersion('xz-utils')} (Debian bookworm, apt-get source; liblzma only)`,
    sqlite3: `sqlite3 ${srcVersion('sqlite3')} (Debian bookworm, apt-get source; amalgamation, unix-none VFS: see src/sqlite-wasi-init.c)`,
    tzdata: `tzdata ${srcVersion('tzdata')} (Debian bookworm, apt-get source; compiled with zic -b slim into the stdlib zip as the tzdata package)`,
    patches: 'CPython: patches/apply-cpython.py (C-stack guard raising RecursionError)',
    'wasi-libc': `wasi-libc ${debVersion('wasi-libc')} (apt; preopens.c from its source, patched: see link-python.sh)`,
  },
  tools: {
    clang: sh('clang-19', ['--version']),
    'wasm-ld': sh('wasm-ld-19', ['--version']),
    'libclang-rt-19-dev-wasm32': debVersion('libclang-rt-19-dev-wasm32'),
    'build-python': sh('/usr/bin/python3.11', ['--version']),
    wizer: pkgVersion('@bytecodealliance/wizer'),
    jco: pkgVersion('@bytecodealliance/jco'),
    jcoTranspile: pkgVersion('jco-1.10'),
    binaryen: pkgVersion('binaryen'),
    node: process.version,
  },
  flags: {
    // What CPython's configure recorded (env.sh's wasm_cflags as that build saw them).
    cflags: (readFileSync(join(work, 'cpython-build', 'Makefile'), 'utf8').match(/^CONFIGURE_CFLAGS=\s*(.*)$/m) ?? [])[1],
    ldflags: linkFlags(),
    configure: '--host=wasm32-unknown-wasi --with-build-python=/usr/bin/python3.11 --prefix=/usr/local --disable-ipv6 --disable-test-modules --without-ensurepip --disable-shared --with-pymalloc (CONFIG_SITE=Tools/wasm/config.site-wasm32-wasi)',
    wizer: '--allow-wasi --init-func wizer.initialize --mapdir /usr/local/lib::stdlib --mapdir /capsule/sdk::python-sdk --preload capsule:host/host@0.1.0=src/host-stub.wat',
    component: 'jco embed --wit wit/capsule.wit; jco new --wasi-command (bundled preview1 command adapter); jco 1.10 transpile --instantiation async --no-wasi-shim --minify',
    wasmOpt: wasmOpt === 'none' ? null : `${wasmOpt} (binaryen ${pkgVersion('binaryen')}, before the instrumentation)`,
    instrument: { metered: {}, unmetered: { metering: false }, sourceSha256: instrumentHash.digest('hex'), env: process.env.CAPSULE_METER_EXP ?? null },
  },
  guest: { project: '/project', stdlib: '/usr/local/lib/python311.zip', sdk: '/capsule/sdk' },
  sdkFingerprint: sdkHash.digest('hex'),
  instrumentStats: stats,
  artifacts,
};
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`assemble: ${Object.keys(artifacts).length} artifacts -> ${out}`);
