// The run's cap on bytes written through grants. One counter, in a
// SharedArrayBuffer, is shared by every sandbox of a run (root and sub-tasks,
// whichever worker they run on). What counts: every byte written (overwrites
// too), any growth of a file past its end (truncate up, a write past the end:
// sparse holes count in full), and 4 KB for each file or directory created.
// Deleting gives nothing back: it caps what a run may write, not what it keeps.

/** The built-in cap when capsule.toml sets no `[tasks] default_disk`. */
export const DEFAULT_DISK_BYTES = 1024 ** 3;
/** What creating one file or directory costs (a disk block): caps the entries a run can make. */
export const ENTRY_BYTES = 4096;

/** The run's budget: its cap, and the counter its sandboxes share (8 bytes). */
export interface DiskBudget { limitBytes: number; used: SharedArrayBuffer }

export function newDiskBudget(limitBytes: number = DEFAULT_DISK_BYTES): DiskBudget {
  return { limitBytes, used: new SharedArrayBuffer(8) };
}

export function diskUsed(budget: DiskBudget): number {
  return Number(Atomics.load(new BigInt64Array(budget.used), 0));
}

function mb(n: number): string {
  return n >= 1024 ** 3 ? `${+(n / 1024 ** 3).toFixed(2)} GB` : `${+(n / 1024 ** 2).toFixed(2)} MB`;
}

export class DiskQuota {
  private readonly used: BigInt64Array;
  private readonly limit: bigint;
  private told = false;

  /** onFull: told once per sandbox, with a line for the task's stderr. */
  constructor(private readonly budget: DiskBudget, private readonly onFull: (message: string) => void = () => {}) {
    this.used = new BigInt64Array(budget.used);
    this.limit = BigInt(budget.limitBytes);
  }

  /** Takes `bytes` from the budget, or throws the wasi error `insufficient-space` (ENOSPC). */
  charge(bytes: number): void {
    if (!(bytes > 0)) return;
    const n = BigInt(Math.ceil(bytes));
    for (;;) {
      const now = Atomics.load(this.used, 0);
      if (now + n > this.limit) {
        if (!this.told) {
          this.told = true;
          this.onFull(`capsule: write refused (ENOSPC): this run has used ${mb(Number(now))} of its disk cap of ${mb(this.budget.limitBytes)} `
            + `written through its grants (it asked for ${mb(bytes)} more); raise [tasks] default_disk in capsule.toml\n`);
        }
        throw 'insufficient-space';
      }
      if (Atomics.compareExchange(this.used, 0, now, now + n) === now) return;
    }
  }

  /** Gives back a charge whose write then failed. */
  refund(bytes: number): void {
    if (bytes > 0) Atomics.sub(this.used, 0, BigInt(Math.ceil(bytes)));
  }

  /** Charges a write of `length` bytes at `offset` into a file of `size` bytes: the bytes, plus any hole it opens. */
  chargeWrite(length: number, offset: number, size: number): number {
    const cost = length + Math.max(0, offset - size);
    this.charge(cost);
    return cost;
  }
}
