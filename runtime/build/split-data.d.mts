// Types for split-data.mjs (used by test/runtime/base-image.test.ts).
export declare const IMAGE_MAGIC: string;
export declare function splitDataSegments(wasm: Uint8Array): { module: Buffer; image: Buffer; skipped?: undefined } | { skipped: string; module?: undefined; image?: undefined };
