// The slice of the WebAssembly JS API the sandbox uses, typed locally: the
// project's lib settings (ES2022 + @types/node 20) do not declare it, and a
// global declaration here could clash with another module's.

export interface WasmModule { readonly __brand?: 'WebAssembly.Module' }
export interface WasmGlobal { value: unknown }
export interface WasmMemory { readonly buffer: ArrayBuffer }
export interface WasmInstance { readonly exports: Record<string, unknown> }
export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  Global: abstract new (...args: never[]) => WasmGlobal;
  Memory: abstract new (...args: never[]) => WasmMemory;
  RuntimeError: abstract new (...args: never[]) => Error;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function isGlobal(v: unknown): v is WasmGlobal {
  return v instanceof Wasm.Global;
}

export function isMemory(v: unknown): v is WasmMemory {
  return v instanceof Wasm.Memory;
}

export function isTrap(v: unknown): v is Error {
  return v instanceof Wasm.RuntimeError;
}
