// Shared by the instrumentation tests: instantiate a (possibly instrumented)
// core module in V8 with node:wasi, and run one export under a fuel budget.
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { Worker } from 'node:worker_threads';
import type { InstrumentOptions, InstrumentStats } from '../../runtime/build/instrument.mjs';

// binaryen.js runs in a worker without the tsx loader (see binaryen-worker.mjs).
let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

function call(op: 'wat' | 'instrument', input: Uint8Array | string, opts: unknown): Promise<any> {
  if (!worker) {
    worker = new Worker(join(__dirname, '..', 'fixtures', 'wasm', 'binaryen-worker.mjs'), { execArgv: [] });
    worker.unref();
    worker.on('message', ({ id, result, error }) => {
      const p = pending.get(id);
      pending.delete(id);
      if (error) p?.reject(new Error(error));
      else p?.resolve(result);
    });
    worker.on('error', (err) => {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    });
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage({ id, op, input, opts });
  });
}

/** Ends the binaryen worker, so the test process can exit. */
export async function closeBinaryen(): Promise<void> {
  await worker?.terminate();
  worker = undefined;
}

/** The pass on bytes, with binaryen's validator on. */
export function instrumentBytes(input: Uint8Array, opts: InstrumentOptions = {}): Promise<{ bytes: Uint8Array; stats: InstrumentStats }> {
  return call('instrument', input, { validate: true, ...opts });
}

// The project's libs (ES2022 + @types/node 20) do not declare WebAssembly.
interface Global { value: any }
interface Descriptor { module?: string; name: string; kind: string }
interface Api {
  Module: { new (bytes: Uint8Array): object; exports(m: object): Descriptor[]; imports(m: object): Descriptor[] };
  Instance: new (m: object, imports: object) => { exports: Record<string, any> };
  RuntimeError: new () => Error;
}
export const Wasm = (globalThis as unknown as { WebAssembly: Api }).WebAssembly;

export interface Instrumented {
  exports: Record<string, any>;
  fuel: Global;
  exhausted: Global;
  memLimit: Global;
}

export const exportNames = (bytes: Uint8Array) => Wasm.Module.exports(new Wasm.Module(bytes)).map((e) => `${e.kind}:${e.name}`).sort();
export const importList = (bytes: Uint8Array) => JSON.stringify(Wasm.Module.imports(new Wasm.Module(bytes)));

export function instantiate(bytes: Uint8Array): Instrumented {
  const module = new Wasm.Module(bytes);
  const needsWasi = Wasm.Module.imports(module).some((i) => i.module === 'wasi_snapshot_preview1');
  const wasi = needsWasi ? new WASI({ version: 'preview1', returnOnExit: true }) : undefined;
  const instance = new Wasm.Instance(module, wasi ? wasi.getImportObject() : {});
  if (wasi && 'initialize' in wasi && instance.exports._initialize) wasi.initialize(instance);
  const e = instance.exports as Record<string, any>;
  return { exports: e, fuel: e.capsule_fuel, exhausted: e.capsule_fuel_exhausted, memLimit: e.capsule_mem_limit_pages };
}

export interface Run {
  value?: unknown;
  error?: Error;
  consumed: bigint;
  exhausted: boolean;
}

/** Calls `name(...args)` with `budget` fuel; reports what it returned or threw and what it used. */
export function run(inst: Instrumented, budget: bigint, name: string, ...args: unknown[]): Run {
  inst.fuel.value = budget;
  inst.exhausted.value = 0;
  try {
    const value = inst.exports[name](...args);
    return { value, consumed: budget - (inst.fuel.value as bigint), exhausted: inst.exhausted.value === 1 };
  } catch (error) {
    return { error: error as Error, consumed: budget - (inst.fuel.value as bigint), exhausted: inst.exhausted.value === 1 };
  }
}

/** Binary of a module written in the text format (binaryen's parser). */
export async function wat(text: string, features = 0): Promise<Uint8Array> {
  return (await call('wat', text, features)).bytes;
}

export const BIG = 10n ** 15n;
