import "server-only";

import { randomUUID } from "node:crypto";

import { bootIdentity, sameBoot, type BootTalos } from "@/lib/server/jobs/boot-identity";
import type { Db } from "@/lib/server/platform/db/db";
import { holdLease, listLeases, type HeldLease } from "@/lib/server/platform/leases";
import type { EtcdFacts } from "@/lib/server/upgrades/plan";

/**
 * Why two control planes cannot go down together through node actions, across requests and
 * replicas. The per-node apply slot is in-process and ends when Talos answers, and a node keeps
 * answering etcd as healthy for a while after Talos accepted its reboot (during its own shutdown
 * sequence), so the quorum check alone lets a second reboot through. Two things close that:
 * 1. a per-cluster lease (`node-power:<cluster>`, in the database, so every replica sees it) held
 *    from the quorum check until Talos accepted the call: one control plane is checked and sent
 *    at a time;
 * 2. a mark per control plane sent down (`node-down:<cluster>:<address>`, a row of the same
 *    leases table with a bounded expiry) carrying its boot identity before the action: until its
 *    boot identity changes the quorum check counts it unhealthy, whatever etcd still says. Once it
 *    booted again the mark goes and etcd's own answer decides (healthy only once it is back).
 */

const POWER_LEASE = "node-power:";
const DOWN_MARK = "node-down:";

/**
 * A mark outlives a normal reboot by far; past it the node's etcd answer alone counts. A node
 * that was shut down or hangs is unreachable by then, so etcd counts it out anyway.
 */
export const DOWN_MARK_TTL_MS = 15 * 60_000;

export interface DownMark {
  address: string;
  hostname: string;
  /** Boot identity before the action; null when it could not be read (then the mark holds until it expires). */
  bootIdBefore: string | null;
  /** What was sent and by whom (`reboot by user:ada`). */
  what: string;
  atMs: number;
  expiresAt: number;
}

/** Holds the cluster's power lease, or null when another action holds it now (its description). */
export async function takePowerLease(db: Db, cluster: string, description: string): Promise<{ held: HeldLease } | { busy: string }> {
  const owner = `${randomUUID()} ${description}`;
  const held = await holdLease(db, `${POWER_LEASE}${cluster}`, owner);
  if (held) return { held };
  const other = (await listLeases(db, Date.now(), { prefix: `${POWER_LEASE}${cluster}` })).find((l) => l.name === `${POWER_LEASE}${cluster}`);
  return {
    busy: other ? other.owner.slice(other.owner.indexOf(" ") + 1) : "another action",
  };
}

/** Records that a control plane was sent down (after Talos accepted), replacing an older mark. */
export async function markDown(db: Db, cluster: string, mark: Omit<DownMark, "expiresAt">, ttlMs = DOWN_MARK_TTL_MS): Promise<void> {
  const expiresAt = mark.atMs + ttlMs;
  const owner = JSON.stringify({
    hostname: mark.hostname,
    bootIdBefore: mark.bootIdBefore,
    what: mark.what,
    atMs: mark.atMs,
  });
  await db
    .insertInto("leases")
    .values({
      name: markName(cluster, mark.address),
      owner,
      expires_at: expiresAt,
      fence: 1,
    })
    .onConflict((oc) => oc.column("name").doUpdateSet({ owner, expires_at: expiresAt }))
    .execute();
}

/** The live marks of `cluster`. */
export async function downMarks(db: Db, cluster: string, nowMs: number): Promise<DownMark[]> {
  const prefix = `${DOWN_MARK}${cluster}:`;
  const rows = await listLeases(db, nowMs, { prefix });
  const marks: DownMark[] = [];
  for (const r of rows) {
    try {
      const o = JSON.parse(r.owner) as {
        hostname: string;
        bootIdBefore: string | null;
        what: string;
        atMs: number;
      };
      marks.push({
        address: r.name.slice(prefix.length),
        hostname: o.hostname,
        bootIdBefore: o.bootIdBefore,
        what: o.what,
        atMs: o.atMs,
        expiresAt: r.expiresAt,
      });
    } catch {
      // not a mark of this shape: ignored
    }
  }
  return marks;
}

async function clearMark(db: Db, cluster: string, mark: DownMark): Promise<void> {
  await db.updateTable("leases").set({ expires_at: 0 }).where("name", "=", markName(cluster, mark.address)).where("expires_at", "=", mark.expiresAt).execute();
}

/** A control plane sent down that has not booted since, as the quorum check names it. */
export interface GoingDown {
  member: string;
  why: string;
}

/**
 * The marked control planes (other than `subject`) that have not booted since their action, and
 * the etcd facts with them counted unhealthy. A mark whose node booted again is cleared.
 */
export async function withDownMarks(
  db: Db,
  client: BootTalos,
  cluster: string,
  etcd: EtcdFacts,
  subjectAddress: string,
  opts: { timeoutMs: number; signal?: AbortSignal; nowMs: number },
): Promise<{ etcd: EtcdFacts; down: GoingDown[] }> {
  const down: GoingDown[] = [];
  for (const mark of await downMarks(db, cluster, opts.nowMs)) {
    if (mark.address === subjectAddress) continue;
    if (mark.bootIdBefore !== null) {
      const now = await bootIdentity(client, mark.address, {
        like: mark.bootIdBefore,
        timeoutMs: opts.timeoutMs,
        signal: opts.signal,
      }).catch(() => null);
      if (now !== null && !sameBoot(now, mark.bootIdBefore)) {
        await clearMark(db, cluster, mark);
        continue;
      }
    }
    const member = etcd.members.find((m) => m === mark.hostname || m === mark.address);
    // No longer a voting member (a graceful reset left etcd): quorum does not depend on it.
    if (member === undefined) continue;
    const seconds = Math.max(0, Math.round((opts.nowMs - mark.atMs) / 1000));
    down.push({
      member,
      why: `${mark.hostname} was sent a ${mark.what} ${seconds} s ago and has not booted since`,
    });
  }
  const names = new Set(down.map((d) => d.member));
  return {
    etcd: { ...etcd, healthy: etcd.healthy.filter((m) => !names.has(m)) },
    down,
  };
}

function markName(cluster: string, address: string): string {
  return `${DOWN_MARK}${cluster}:${address}`;
}
