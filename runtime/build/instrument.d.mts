// Types for instrument.mjs (plain ESM, run by Node at build time).
export const FUEL_GLOBAL: 'capsule_fuel';
export const EXHAUSTED_GLOBAL: 'capsule_fuel_exhausted';
export const MEM_LIMIT_GLOBAL: 'capsule_mem_limit_pages';
export const DEFAULT_FOLD_LIMIT: number;

export interface InstrumentOptions {
  /** false: the module only goes through binaryen (plus the memory cap). Default true. */
  metering?: boolean;
  /** false: memory.grow is left alone. Default true. */
  memCap?: boolean;
  /** Bounded functions whose worst case is at most this are charged at call sites (0: never). */
  foldLimit?: number;
  /** memory.copy / memory.fill cost length >> bulkShift. Default 3. */
  bulkShift?: number;
  /** Over-count allowed per if/else to save a charge (0: exact). Default 0. */
  slack?: number;
  /** Loop-free functions charge the exported global directly (no local, no syncs). Default true. */
  direct?: boolean;
  /** Where function entries check the balance: only possibly recursive functions, or all. */
  entryChecks?: 'recursive' | 'all';
  /** Run binaryen's validator on the result. Default false. */
  validate?: boolean;
}

export interface InstrumentStats {
  functions: number;
  metered: number;
  folded: number;
  charges: number;
  checks: number;
  syncedCalls: number;
  foldedCalls: number;
  refunds: number;
  memoryGrows: number;
  ms: number;
  inputBytes: number;
  outputBytes: number;
}

export function instrument(inputPath: string, outputPath: string, opts?: InstrumentOptions): Promise<InstrumentStats>;
export function instrumentBytes(input: Uint8Array, opts?: InstrumentOptions): { bytes: Uint8Array; stats: InstrumentStats };
