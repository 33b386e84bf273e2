/**
 * ts-proto keeps 64-bit integers as decimal strings (`forceLong=string`, so no precision is lost
 * on the wire); the values Minos shows (bytes, counters, seconds) fit a double, so they become
 * numbers here. An absent or empty field is 0, as in proto3.
 */
export const num = (s: string | undefined): number => (s === undefined || s === "" ? 0 : Number(s));

/** Every field of an all-int64 message (MemInfo, SoftIRQStat) as a number. */
export function mapNumbers<T extends Record<string, string>>(o: T): { [K in keyof T]: number } {
  const out = {} as { [K in keyof T]: number };
  for (const k of Object.keys(o) as (keyof T)[]) out[k] = num(o[k]);
  return out;
}
