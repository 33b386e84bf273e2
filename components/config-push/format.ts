import type { RevisionSource } from "@/lib/schemas/configs";

/** "2 min ago", "3 h ago", "yesterday 14:05"-ish: short relative time for tables. */
export function relativeTime(iso: string, now: number): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 45) return "just now";
  if (seconds < 90 * 60) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

/** Absolute local time, for titles and the 3 a.m. operator who needs the exact minute. */
export function exactTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export const SOURCE_LABEL: Record<RevisionSource, string> = {
  apply: "Applied from the editor",
  rollback: "Rollback",
  rollout: "Rollout",
  adopt: "Adopted (changed outside Minos)",
  reapply: "Re-applied after drift",
};
