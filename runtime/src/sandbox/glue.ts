// Loads jco's generated glue (gen/python.cjs, ~400 KB of JS) with a V8 code
// cache beside it. Parsing and compiling it cost each cold process ~30 ms of
// the sandbox thread's critical path; with the cache, a few. The cache is made
// by the first worker that has none (after its first instantiation, so that the
// big instantiate() function is in it) and is keyed by V8's version tag, which
// covers the V8 build and its flags: a cache from another Node or Electron is
// never offered, and one V8 rejects is replaced. Failing to write it is harmless.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cachedDataVersionTag } from 'node:v8';
import { Script } from 'node:vm';
import type { WasmImports, WasmInstance, WasmModule } from './wasm';

export interface Generated {
  instantiate(get: (name: string) => WasmModule, imports: object, inst: (m: WasmModule, i: WasmImports) => WasmInstance): Promise<unknown>;
}

export interface Glue {
  gen: Generated;
  /** Writes the code cache if there was none or V8 rejected it; call after the first instantiation. */
  saveCache(): void;
}

export function loadGlue(genDir: string): Glue {
  const file = join(genDir, 'python.cjs');
  const cacheFile = join(genDir, `python.cjs.${cachedDataVersionTag()}.v8cache`);
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // none yet
  }
  const script = new Script(`(function (exports, require, module) {${source}\n})`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} as Generated };
  (script.runInThisContext() as (e: object, r: NodeRequire, m: object) => void)(module.exports, createRequire(file), module);
  let needed = !cachedData || script.cachedDataRejected === true;
  return {
    gen: module.exports,
    saveCache: () => {
      if (!needed) return;
      needed = false;
      const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
      try {
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // a read-only install: every cold start compiles the glue
      }
    },
  };
}
