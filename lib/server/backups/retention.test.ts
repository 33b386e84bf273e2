import { describe, expect, it } from "vitest";

import type { Backup } from "@/lib/schemas/backups";

import { backupsToPrune, isDue, nextRunAt } from "./retention";

const now = new Date("2026-03-10T00:00:00Z");
const day = 86_400_000;
function b(id: string, state: Backup["state"], daysAgo: number): Backup {
  return { id, cluster: "prod", state, origin: "schedule", actor: "minos", host: "h", fileName: state === "succeeded" ? `${id}.snapshot` : null, sizeBytes: null, sha256: null, revision: null, raftIndex: null, memberId: null, memberHostname: null, node: null, error: null, startedAt: new Date(now.getTime() - daysAgo * day).toISOString(), finishedAt: null };
}

describe("retention", () => {
  it("keeps the newest N succeeded and, separately, the newest N failed; never a running one", () => {
    const all = [b("s1", "succeeded", 1), b("s2", "succeeded", 2), b("s3", "succeeded", 3), b("f1", "failed", 1.5), b("f2", "failed", 2.5), b("f3", "failed", 3.5), b("r", "running", 9)];
    expect(backupsToPrune(all, { retainCount: 2, maxAgeDays: null }, now).map((x) => x.id)).toEqual(["s3", "f3"]);
  });

  it("drops what is older than the age, but never the newest succeeded backup", () => {
    const all = [b("s1", "succeeded", 10), b("s2", "succeeded", 20), b("f1", "failed", 40)];
    expect(backupsToPrune(all, { retainCount: 10, maxAgeDays: 5 }, now).map((x) => x.id)).toEqual(["s2"]);
  });

  it("is due after the interval since the newest backup, and at once when there is none", () => {
    const last = new Date(now.getTime() - 59 * 60_000).toISOString();
    expect(isDue(last, 60, now)).toBe(false);
    expect(isDue(last, 59, now)).toBe(true);
    expect(isDue(null, 60, now)).toBe(true);
    expect(nextRunAt(last, 60, now).toISOString()).toBe("2026-03-10T00:01:00.000Z");
  });
});
