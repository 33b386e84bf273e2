import "server-only";

import type { Backup } from "@/lib/schemas/backups";

/**
 * Which backups of one cluster retention removes (pure). Succeeded backups: the newest
 * `retainCount` stay, and of those any older than `maxAgeDays` go too, except the newest one (a
 * cluster whose schedule stalled keeps its last good backup rather than none). Failed backups have
 * no file: their rows follow the same count and age, counted among failed ones, so the record of
 * a failure stays for a while without growing for ever. Running ones are never touched.
 */
export function backupsToPrune(backups: Backup[], policy: { retainCount: number; maxAgeDays: number | null }, now: Date): Backup[] {
  const cutoff = policy.maxAgeDays === null ? null : now.getTime() - policy.maxAgeDays * 86_400_000;
  const newestFirst = (a: Backup, b: Backup) => b.startedAt.localeCompare(a.startedAt) || b.id.localeCompare(a.id);
  const out: Backup[] = [];
  for (const state of ["succeeded", "failed"] as const) {
    const list = backups.filter((b) => b.state === state).sort(newestFirst);
    list.forEach((b, i) => {
      const tooMany = i >= policy.retainCount;
      const tooOld = cutoff !== null && i > 0 && Date.parse(b.startedAt) < cutoff;
      if (tooMany || tooOld) out.push(b);
    });
  }
  return out;
}

/** When a schedule runs next: its interval after the newest backup, or now when there is none. */
export function nextRunAt(lastBackupAt: string | null, intervalMinutes: number, now: Date): Date {
  if (!lastBackupAt) return now;
  return new Date(Math.max(now.getTime(), Date.parse(lastBackupAt) + intervalMinutes * 60_000));
}

/** Whether a schedule is due now. */
export function isDue(lastBackupAt: string | null, intervalMinutes: number, now: Date): boolean {
  return !lastBackupAt || Date.parse(lastBackupAt) + intervalMinutes * 60_000 <= now.getTime();
}
