/**
 * One measured figure. A benchmark file (`*.bench.ts` anywhere under lib/ or scripts/) default-exports
 * an async function returning rows; `npm run bench` runs each file in turn and prints one table.
 */
export interface BenchRow {
  suite: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export type Bench = () => Promise<BenchRow[]>;
