import "server-only";

import type { HistoryPoint } from "@/lib/schemas/fleet";

/**
 * A fixed-size ring of (time, memory available, load1) samples. Typed arrays keep 1,000 nodes ×
 * 30 minutes of samples at a few MB and out of the garbage collector's way.
 */
export class HistoryRing {
  private readonly t: Float64Array;
  private readonly mem: Float64Array;
  private readonly load: Float64Array;
  private start = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.t = new Float64Array(capacity);
    this.mem = new Float64Array(capacity);
    this.load = new Float64Array(capacity);
  }

  /** Adds a sample; null readings are stored as NaN. */
  push(t: number, memAvailableKb: number | null, load1: number | null): void {
    if (this.capacity === 0) return;
    const i = (this.start + this.size) % this.capacity;
    this.t[i] = t;
    this.mem[i] = memAvailableKb ?? Number.NaN;
    this.load[i] = load1 ?? Number.NaN;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
  }

  get length(): number {
    return this.size;
  }

  /** Samples at or after `since`, oldest first. */
  points(since = -Infinity): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.start + k) % this.capacity;
      if (this.t[i]! < since) continue;
      const m = this.mem[i]!;
      const l = this.load[i]!;
      out.push({ t: new Date(this.t[i]!).toISOString(), memAvailableKb: Number.isNaN(m) ? null : m, load1: Number.isNaN(l) ? null : l });
    }
    return out;
  }
}
