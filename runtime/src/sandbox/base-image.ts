// The main module's initial memory, kept out of the module by prepare.mjs
// (runtime/build/split-data.mjs has the format and why). Each sandbox worker
// reads it once and applies it, with one copy per run, to each new instance
// before any of its code runs. It is host data: no guest can reach it.
import { open } from 'node:fs/promises';
import type { WasmMemory } from './wasm';

const MAGIC = 'CAPIMG01';

export interface BaseImage {
  /** (offset, length) pairs, in address order. */
  runs: Uint32Array;
  /** The runs' bytes, back to back. */
  data: Uint8Array;
}

const corrupt = (file: string, why: string): Error =>
  new Error(`sandbox: ${file} is not a memory image (${why}); run \`node runtime/build/prepare.mjs\``);

/** Reads and checks an image file (into this thread's memory: copies from a SharedArrayBuffer are several times slower). */
export async function readBaseImage(file: string): Promise<BaseImage> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const all = new Uint8Array(size);
    for (let at = 0; at < size; ) {
      const { bytesRead } = await fh.read(all, at, size - at, at);
      if (bytesRead === 0) throw corrupt(file, 'it is shorter than its size');
      at += bytesRead;
    }
    if (size < 12 || Buffer.from(all.buffer, 0, 8).toString('latin1') !== MAGIC) throw corrupt(file, `no ${MAGIC} header`);
    const view = new DataView(all.buffer);
    const count = view.getUint32(8, true);
    const header = 12 + count * 8;
    if (header > size) throw corrupt(file, `${count} runs do not fit in ${size} bytes`);
    const runs = new Uint32Array(count * 2);
    let bytes = 0;
    for (let i = 0; i < count * 2; i++) runs[i] = view.getUint32(12 + i * 4, true);
    for (let i = 0; i < count; i++) bytes += runs[i * 2 + 1]!;
    if (header + bytes !== size) throw corrupt(file, `its runs hold ${bytes} bytes, the file ${size - header}`);
    return { runs, data: all.subarray(header) };
  } finally {
    await fh.close();
  }
}

/** Writes the image into a new instance's memory; a run past its end is refused, as instantiation would. */
export function applyBaseImage(memory: WasmMemory, image: BaseImage): void {
  const mem = new Uint8Array(memory.buffer);
  let at = 0;
  for (let i = 0; i < image.runs.length; i += 2) {
    const offset = image.runs[i]!;
    const length = image.runs[i + 1]!;
    if (offset + length > mem.length) throw new Error(`sandbox: the memory image writes ${offset + length} bytes into a memory of ${mem.length}`);
    mem.set(image.data.subarray(at, at + length), offset);
    at += length;
  }
}
