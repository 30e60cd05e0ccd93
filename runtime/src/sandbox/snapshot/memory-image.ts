// An instance's linear memory as the pages that differ from a fresh instance
// of the same module (its data segments, then zeros). Made once, after the
// snapshot run has returned from _start (no wasm frame is live, the stack
// pointer is back at its initial value: the module's only other mutable
// globals are the fuel and memory-cap ones, which the worker sets per task);
// copied into each later instance before its _start.
import type { WasmMemory } from '../wasm';

export const IMAGE_PAGE = 4096;

export interface MemoryImage {
  /** Linear memory size at the snapshot (a multiple of 64 KB). */
  byteLength: number;
  /** Indexes of the 4 KB pages held, ascending. */
  pages: Uint32Array;
  /** Their bytes, pages.length * IMAGE_PAGE. */
  data: Uint8Array;
}

/** The pages of `now` that differ from `pristine` (shorter: the rest was zeros). */
export function diffImage(pristine: Uint8Array, now: Uint8Array): MemoryImage {
  const count = Math.ceil(now.length / IMAGE_PAGE);
  const changed: number[] = [];
  const zero = new Uint8Array(IMAGE_PAGE);
  for (let i = 0; i < count; i++) {
    const at = i * IMAGE_PAGE;
    const page = now.subarray(at, at + IMAGE_PAGE);
    const before = at < pristine.length ? pristine.subarray(at, at + IMAGE_PAGE) : zero.subarray(0, page.length);
    if (Buffer.compare(page, before) !== 0) changed.push(i);
  }
  const data = new Uint8Array(changed.length * IMAGE_PAGE);
  changed.forEach((p, k) => data.set(now.subarray(p * IMAGE_PAGE, (p + 1) * IMAGE_PAGE), k * IMAGE_PAGE));
  return { byteLength: now.length, pages: Uint32Array.from(changed), data };
}

/** Makes a fresh instance's memory what the snapshot's was. */
export function applyImage(memory: WasmMemory & { grow(pages: number): number }, image: MemoryImage): void {
  const have = memory.buffer.byteLength;
  if (image.byteLength > have) memory.grow((image.byteLength - have) / 65536);
  const mem = new Uint8Array(memory.buffer);
  const { pages, data } = image;
  // Runs of consecutive pages are one copy each (their bytes are consecutive in `data` too).
  for (let k = 0; k < pages.length; ) {
    let end = k + 1;
    while (end < pages.length && pages[end] === pages[end - 1]! + 1) end++;
    mem.set(data.subarray(k * IMAGE_PAGE, end * IMAGE_PAGE), pages[k]! * IMAGE_PAGE);
    k = end;
  }
}
