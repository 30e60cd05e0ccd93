// Loads jco's generated glue (gen/python.cjs, 76 KB). prepare.mjs turns jco's ES
// module into CommonJS: an import() would load Node's ESM loader into every
// worker, ~5 ms of each boot. (A V8 code cache for it was measured too and
// gained nothing at this size: cold `capsule run` 0.36-0.39 s with or without.)
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { WasmImports, WasmInstance, WasmModule } from './wasm';

export interface Generated {
  instantiate(get: (name: string) => WasmModule, imports: object, inst: (m: WasmModule, i: WasmImports) => WasmInstance): Promise<unknown>;
}

export function loadGlue(genDir: string): Generated {
  const file = join(genDir, 'python.cjs');
  return createRequire(file)(file) as Generated;
}
