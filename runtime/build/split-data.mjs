// Takes a core module's data segments out of it, into a memory image file
// (runtime/src/sandbox/base-image.ts reads and applies it). The wizer snapshot
// puts Python's initialised heap into ~100,000 active data segments (9.4 MB);
// V8 copies and hashes them with the module at every compile and walks them at
// every instantiation: 16.5 MB compiled in ~25 ms and instantiated in ~21 ms,
// against ~8 ms and ~3 ms without them (runtime/build/README.md). Applying the
// same bytes with one copy per run costs a few ms.
//
// Image format: "CAPIMG01", u32 run count, then (u32 offset, u32 length) per
// run, then the runs' bytes; little-endian. Segments closer than RUN_GAP bytes
// share a run (the gap's zeros are written too: the memory is new, so they are
// zeros already). Segments are applied in order, as instantiation would.

export const IMAGE_MAGIC = 'CAPIMG01';
const RUN_GAP = 4096;

function reader(bytes) {
  let p = 0;
  const r = {
    get pos() { return p; },
    set pos(v) { p = v; },
    byte: () => bytes[p++],
    u32() {
      let result = 0;
      let shift = 0;
      for (;;) {
        const b = bytes[p++];
        result += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(b & 0x80)) return result;
      }
    },
    i32() {
      let result = 0;
      let shift = 0;
      let b;
      do {
        b = bytes[p++];
        result |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      if (shift < 32 && b & 0x40) result |= -1 << shift;
      return result;
    },
  };
  return r;
}

/**
 * Splits `wasm` (a core module) into the module without its data and datacount
 * sections, and the image of what its segments write. Returns null, with the
 * reason, when the module is not one this can do exactly: a passive segment, a
 * segment into another memory or at a computed offset, no data at all.
 */
export function splitDataSegments(wasm) {
  const bytes = wasm instanceof Uint8Array ? wasm : new Uint8Array(wasm);
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) return { skipped: 'not a wasm module' };
  const r = reader(bytes);
  r.pos = 8;
  const kept = [bytes.subarray(0, 8)];
  let segments = null;
  while (r.pos < bytes.length) {
    const start = r.pos;
    const id = r.byte();
    const len = r.u32();
    const end = r.pos + len;
    if (id === 11) {
      segments = [];
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const kind = r.u32();
        if (kind !== 0) return { skipped: `data segment ${i} is not an active segment of memory 0 (kind ${kind})` };
        if (r.byte() !== 0x41) return { skipped: `data segment ${i}'s offset is not an i32.const` };
        const offset = r.i32() >>> 0;
        if (r.byte() !== 0x0b) return { skipped: `data segment ${i}'s offset is not a constant expression` };
        const size = r.u32();
        segments.push({ offset, data: bytes.subarray(r.pos, r.pos + size) });
        r.pos += size;
      }
      if (r.pos !== end) return { skipped: 'the data section has trailing bytes' };
    } else if (id !== 12) {
      kept.push(bytes.subarray(start, end));
    }
    r.pos = end;
  }
  if (!segments || segments.length === 0) return { skipped: 'no data segments' };
  return { module: Buffer.concat(kept), image: encodeImage(segments) };
}

function encodeImage(segments) {
  // Runs over the segments in address order; each run's bytes are then written in segment order.
  const byAddress = [...segments].sort((a, b) => a.offset - b.offset);
  const runs = [];
  for (const s of byAddress) {
    const last = runs[runs.length - 1];
    const end = s.offset + s.data.length;
    if (last && s.offset <= last.end + RUN_GAP) last.end = Math.max(last.end, end);
    else runs.push({ start: s.offset, end });
  }
  const header = 8 + 4 + runs.length * 8;
  const total = header + runs.reduce((n, run) => n + run.end - run.start, 0);
  const out = Buffer.alloc(total);
  out.write(IMAGE_MAGIC, 0, 'latin1');
  out.writeUInt32LE(runs.length, 8);
  let at = header;
  runs.forEach((run, i) => {
    out.writeUInt32LE(run.start, 12 + i * 8);
    out.writeUInt32LE(run.end - run.start, 16 + i * 8);
    run.at = at;
    at += run.end - run.start;
  });
  for (const s of segments) {
    const run = runs.find((x) => s.offset >= x.start && s.offset + s.data.length <= x.end);
    out.set(s.data, run.at + (s.offset - run.start));
  }
  return out;
}
