// The main module's data segments, moved by prepare.mjs into a memory image
// (runtime/build/split-data.mjs, runtime/src/sandbox/base-image.ts): an instance
// of the stripped module with the image applied must hold exactly the memory an
// instance of the committed module gets from its segments.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { applyBaseImage, readBaseImage } from '../../runtime/src/sandbox/base-image';
import { coreModuleFiles, defaultArtifacts } from '../../runtime/src/sandbox/paths';
import { tempDir } from '../temp-dir';

const ROOT = join(__dirname, '..', '..');
const { splitDataSegments } = require(join(ROOT, 'runtime', 'build', 'split-data.mjs')) as typeof import('../../runtime/build/split-data.mjs');

type Wasm = {
  Module: (new (b: Uint8Array) => object) & { imports(m: object): Array<{ module: string; name: string; kind: string }> };
  Instance: new (m: object, i: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Table: new (d: { initial: number; element: string }) => object;
  Global: new (d: { value: string; mutable: boolean }, v: number) => object;
};
const W = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

/** An instance with inert imports: instantiating runs none of the module's code (it has no start function). */
function instantiate(bytes: Uint8Array): { buffer: ArrayBuffer } {
  const module = new W.Module(bytes);
  const imports: Record<string, Record<string, unknown>> = {};
  for (const i of W.Module.imports(module)) {
    const m = (imports[i.module] ??= {});
    if (i.kind === 'function') m[i.name] = () => 0;
    else if (i.kind === 'memory') m[i.name] = new W.Memory({ initial: 1 });
    else if (i.kind === 'table') m[i.name] = new W.Table({ initial: 16384, element: 'anyfunc' });
    else m[i.name] = new W.Global({ value: 'i32', mutable: true }, 0);
  }
  return new W.Instance(module, imports).exports.memory as { buffer: ArrayBuffer };
}

const committed = (variant: string) => new Uint8Array(gunzipSync(readFileSync(join(ROOT, 'runtime', 'artifacts', `python.${variant}.core.wasm.gz`))));

describe('sandbox: the memory image of the main module', () => {
  it('gives a new instance the same memory, byte for byte, as the data segments did', async () => {
    const full = committed('metered');
    const split = splitDataSegments(full);
    assert.ok(split.module && split.image, `not split: ${split.skipped}`);
    const file = join(tempDir('capsule-image-'), 'core.image');
    writeFileSync(file, split.image);
    const expected = new Uint8Array(instantiate(full).buffer);
    const memory = instantiate(split.module);
    assert.ok(new Uint8Array(memory.buffer).some((b, i) => b !== expected[i]), 'the stripped module still writes the data itself');
    applyBaseImage(memory, await readBaseImage(file));
    const actual = new Uint8Array(memory.buffer);
    assert.equal(actual.length, expected.length);
    assert.ok(Buffer.compare(actual, expected) === 0, 'memories differ');
  });

  it('the prepared sandbox uses it: both variants have an image and no data section of their own', () => {
    const { genDir } = defaultArtifacts();
    for (const variant of ['metered', 'unmetered'] as const) {
      const { modules, images } = coreModuleFiles(genDir, variant);
      assert.ok(images['python.core.wasm'], `${variant}: no image`);
      const again = splitDataSegments(readFileSync(modules['python.core.wasm']!));
      assert.equal(again.skipped, 'no data segments');
    }
  });

  it('refuses a damaged image, naming the file and what is wrong', async () => {
    const dir = tempDir('capsule-image-');
    const good = splitDataSegments(committed('unmetered')).image!;
    writeFileSync(join(dir, 'short.image'), good.subarray(0, good.length - 1));
    await assert.rejects(readBaseImage(join(dir, 'short.image')), /short\.image is not a memory image \(its runs hold \d+ bytes, the file \d+\)/);
    writeFileSync(join(dir, 'other.image'), Buffer.from('not an image at all'));
    await assert.rejects(readBaseImage(join(dir, 'other.image')), /other\.image is not a memory image \(no CAPIMG01 header\)/);
  });

  it('refuses to write past the end of the memory', () => {
    const image = { runs: new Uint32Array([65530, 10]), data: new Uint8Array(10) };
    assert.throws(() => applyBaseImage({ buffer: new ArrayBuffer(65536) }, image), /writes 65540 bytes into a memory of 65536/);
  });
});
