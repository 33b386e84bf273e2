/** An ISO time as "2025-01-31 14:02:09 UTC": the same on the server and in every browser. */
export { formatUtc } from "@/lib/utils/time";

/** "14:02:09" (UTC), for chart axes and timelines. */
export function formatClock(iso: string): string {
  return iso.slice(11, 19);
}

/** Kibibytes as "1.5 GiB" / "512 MiB". */
export function formatKb(kb: number): string {
  if (kb >= 1024 * 1024) return `${(kb / 1024 / 1024).toFixed(1)} GiB`;
  if (kb >= 1024) return `${Math.round(kb / 1024)} MiB`;
  return `${kb} KiB`;
}

/** Bytes as "12.3 MB" (etcd reports its database size in bytes). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}
