/** Small statistics the benchmarks share. */

/** The p-th percentile (0–100) of samples, nearest rank; the input is not modified. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

export const mean = (samples: readonly number[]) => samples.reduce((a, b) => a + b, 0) / samples.length;

/** The median time of `run` in ms over `iterations` runs, after `warmup` unmeasured ones. */
export function p50(run: () => void, iterations: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  return median(times);
}
