/**
 * The etcd and backup routes over HTTP semantics against the simulated fleet (3 control planes,
 * 1 worker): the view, each action's role floor (Talos's: operator for defragment, disarm and
 * snapshot, admin for forfeit and remove), validation, and each action on the simulator's etcd;
 * backups now and by schedule with retention, their bytes checked against the simulator's.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-etcd-routes-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3228";
process.env.MINOS_BACKUP_DIR = path.join(stateDir, "backups");

import * as defragRoute from "@/app/api/clusters/[cluster]/etcd/defragment/route";
import * as disarmRoute from "@/app/api/clusters/[cluster]/etcd/disarm/route";
import * as forfeitRoute from "@/app/api/clusters/[cluster]/etcd/forfeit-leadership/route";
import * as removeRoute from "@/app/api/clusters/[cluster]/etcd/remove-member/route";
import * as etcdRoute from "@/app/api/clusters/[cluster]/etcd/route";
import * as snapshotRoute from "@/app/api/clusters/[cluster]/etcd/snapshot/route";
import * as backupsRoute from "@/app/api/backups/route";
import * as downloadRoute from "@/app/api/backups/[id]/download/route";
import type { Backup } from "@/lib/schemas/backups";
import type { EtcdCluster } from "@/lib/schemas/etcd";
import { putSchedule } from "@/lib/server/backups/repository";
import { BackupScheduler } from "@/lib/server/backups/scheduler";
import { defaultBackupDeps } from "@/lib/server/backups/service";
import { parseSnapshotHeader, simulatedSnapshot } from "@/lib/simulator/etcd-ops";
import { authConfig } from "@/lib/server/auth/config";
import { RATE_LIMITS, rateLimiter } from "@/lib/server/auth/rate-limit";
import { stopFleetPoller } from "@/lib/server/fleet/service";
import { getDb } from "@/lib/server/platform/db/db";
import { BASE, seedPrincipals, type Handler, type Principal } from "@/test/auth/matrix";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

let t: TestFleet;
let cluster: string;
let who: Record<"viewer" | "operator" | "admin", Principal>;

type Body = Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };

async function call(p: Principal, handler: Handler, sub: string, init: { method: string; body?: unknown } = { method: "GET" }) {
  const headers = new Headers({ host: "127.0.0.1:3228", authorization: `Bearer ${p.bearer}` });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const url = `${BASE}/api/clusters/${encodeURIComponent(cluster)}/etcd${sub}`;
  return handler(new Request(url, { method: init.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }), { params: Promise.resolve({ cluster }) });
}
async function callApi(p: Principal, handler: Handler, url: string, params: Record<string, string>, init: { method: string; body?: unknown } = { method: "GET" }) {
  const headers = new Headers({ host: "127.0.0.1:3228", authorization: `Bearer ${p.bearer}` });
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return handler(new Request(`${BASE}${url}`, { method: init.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) }), { params: Promise.resolve(params) });
}
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
/** The sha256 the simulator's snapshot named by these bytes' header must have. */
function simulatorSha(bytes: Buffer): string {
  const h = parseSnapshotHeader(bytes)!;
  return sha(simulatedSnapshot(h.cluster, h.memberId, h.revision));
}
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as Body });
const view = async () => (await json(await call(who.viewer, etcdRoute.GET, ""))).body as unknown as EtcdCluster;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.228.1", controlPlanes: 3, workers: 1 });
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  cluster = t.fleet.clusters[0]!;
  who = await seedPrincipals(getDb(), authConfig(), new Date());
}, 60_000);

afterAll(async () => {
  await stopFleetPoller();
  await t?.stop();
});

beforeEach(() => rateLimiter().reset());

describe("etcd routes", () => {
  it("GET shows the three control planes' members, one leader, and a healthy quorum (viewer)", async () => {
    const v = await view();
    expect(v.members).toHaveLength(3);
    expect(v.members.filter((m) => m.leader)).toHaveLength(1);
    expect(v.leaderId).toBe(v.members.find((m) => m.leader)!.id);
    expect(v.quorum).toMatchObject({ state: "healthy", voters: 3, healthy: 3, needed: 2, tolerates: 1 });
    for (const m of v.members) {
      expect(m.node).toBe(`${m.address}@${cluster}`);
      expect(m).toMatchObject({ reachable: true, errors: [], alarms: [] });
      expect(v.notMembers).toEqual([]);
      expect(m.dbSize).toBeGreaterThan(0);
      expect(m.raftIndex).toMatch(/^\d+$/);
    }
  });

  it("holds each action to the role Talos requires, and validates the member", async () => {
    expect((await call(who.viewer, defragRoute.POST, "/defragment", { method: "POST", body: {} })).status).toBe(403);
    expect((await call(who.viewer, disarmRoute.POST, "/disarm", { method: "POST" })).status).toBe(403);
    expect((await call(who.viewer, snapshotRoute.POST, "/snapshot", { method: "POST", body: {} })).status).toBe(403);
    const leader = (await view()).leaderId!;
    expect((await call(who.operator, forfeitRoute.POST, "/forfeit-leadership", { method: "POST", body: { member: leader } })).status).toBe(403);
    expect((await call(who.operator, removeRoute.POST, "/remove-member", { method: "POST", body: { member: leader } })).status).toBe(403);
    const bad = await json(await call(who.admin, removeRoute.POST, "/remove-member", { method: "POST", body: { member: "cp-1" } }));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "validation_failed", message: expect.stringContaining("decimal") });
    const unknown = await json(await call(who.admin, removeRoute.POST, "/remove-member", { method: "POST", body: { member: "1" } }));
    expect(unknown.status).toBe(404);
  });

  it("forfeit-leadership (admin) moves leadership off the leader; a follower is refused with who leads", async () => {
    const before = await view();
    const leader = before.members.find((m) => m.leader)!;
    const follower = before.members.find((m) => !m.leader)!;
    const refused = await json(await call(who.admin, forfeitRoute.POST, "/forfeit-leadership", { method: "POST", body: { member: follower.id } }));
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toContain(`${leader.hostname} does`);
    const ok = await json(await call(who.admin, forfeitRoute.POST, "/forfeit-leadership", { method: "POST", body: { member: leader.id } }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const after = await view();
    expect(after.leaderId).not.toBe(leader.id);
    expect(after.members.find((m) => m.leader)!.hostname).toBe(ok.body.newLeader);
    const audit = await getDb().selectFrom("audit_log").select(["action", "result", "actor"]).where("action", "like", "etcd.%").execute();
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ action: "etcd.forfeit_leadership", result: "failed" }), expect.objectContaining({ action: "etcd.forfeit_leadership", result: "ok" })]));
  });

  it("defragment (operator) goes follower, follower, leader, one at a time, and shrinks each database", async () => {
    const before = await view();
    const since = Date.now();
    const res = await json(await call(who.operator, defragRoute.POST, "/defragment", { method: "POST", body: {} }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const steps = res.body.steps as { memberId: string; leader: boolean; state: string; dbSizeBefore: number; dbSizeAfter: number }[];
    expect(steps.map((x) => x.state)).toEqual(["done", "done", "done"]);
    expect(steps.map((x) => x.leader)).toEqual([false, false, true]);
    for (const x of steps) expect(x.dbSizeAfter).toBeLessThan(x.dbSizeBefore);
    // The simulator saw them in that order.
    const addressOf = new Map(before.members.map((m) => [m.id, m.address]));
    const seen = t.fleet
      .timeline()
      .filter((e) => e.event === "etcd-defragment" && e.time >= since)
      .map((e) => e.node);
    expect(seen).toEqual(steps.map((x) => addressOf.get(x.memberId)));
  });

  it("a NOSPACE alarm shows on its member and disarm (operator) clears it", async () => {
    const target = (await view()).members[1]!;
    t.fleet.setFault({ node: target.address!, fault: "etcd-nospace" });
    try {
      expect((await view()).members.find((m) => m.id === target.id)!.alarms).toEqual(["nospace"]);
      const res = await json(await call(who.operator, disarmRoute.POST, "/disarm", { method: "POST" }));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.disarmed).toEqual([{ memberId: target.id, alarm: "nospace" }]);
      expect((await view()).members.every((m) => m.alarms.length === 0)).toBe(true);
    } finally {
      t.fleet.clearFaults(target.address!);
    }
  });

  it("snapshot (operator) streams the simulator's bytes as a download", async () => {
    const res = await call(who.operator, snapshotRoute.POST, "/snapshot", { method: "POST", body: {} });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="etcd-.+\.snapshot"$/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBeGreaterThan(1_000_000);
    expect(sha(bytes)).toBe(simulatorSha(bytes));
  });

  it("POST /api/backups (operator) keeps the snapshot with its sha256; an EtcdSnapshot error or a cut stream is a failed backup", async () => {
    expect((await callApi(who.viewer, backupsRoute.POST, "/api/backups", {}, { method: "POST", body: { cluster } })).status).toBe(403);
    const ok = await json(await callApi(who.operator, backupsRoute.POST, "/api/backups", {}, { method: "POST", body: { cluster } }));
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    const b = ok.body as unknown as Backup;
    expect(b).toMatchObject({ state: "succeeded", origin: "manual", cluster });
    const file = readFileSync(path.join(stateDir, "backups", b.fileName!));
    expect(sha(file)).toBe(b.sha256);
    expect(b.sha256).toBe(simulatorSha(file));
    const dl = await callApi(who.operator, downloadRoute.GET, `/api/backups/${b.id}/download`, { id: b.id });
    expect(sha(Buffer.from(await dl.arrayBuffer()))).toBe(b.sha256);
    expect((await callApi(who.viewer, downloadRoute.GET, `/api/backups/${b.id}/download`, { id: b.id })).status).toBe(403);

    for (const mode of ["error", "truncated", "empty"] as const) {
      const cps = (await view()).members.map((m) => m.address!);
      for (const node of cps) t.fleet.setFault({ node, fault: "etcd-snapshot-fails", mode });
      try {
        const failed = await json(await callApi(who.operator, backupsRoute.POST, "/api/backups", {}, { method: "POST", body: { cluster } }));
        expect(failed.status).toBe(201);
        expect(failed.body, mode).toMatchObject({ state: "failed", fileName: null, error: expect.stringMatching({ error: /failed reading etcd snapshot/, truncated: /does not end with etcd's sha256/, empty: /sent no bytes/ }[mode]) });
      } finally {
        for (const node of cps) t.fleet.clearFaults(node);
      }
    }
    expect(readdirSync(path.join(stateDir, "backups")).filter((n) => n.startsWith("."))).toEqual([]);
    const listed = await json(await callApi(who.viewer, backupsRoute.GET, `/api/backups?cluster=${cluster}`, {}));
    expect((listed.body.backups as Backup[]).map((x) => x.state)).toEqual(["failed", "failed", "failed", "succeeded"]);
  });

  it("a schedule with retention 3 leaves exactly the 3 newest files, each with the simulator's sha256", async () => {
    await getDb().deleteFrom("etcd_backups").execute();
    for (const n of readdirSync(path.join(stateDir, "backups"))) rmSync(path.join(stateDir, "backups", n));
    await putSchedule(getDb(), cluster, { enabled: true, intervalMinutes: 60, retainCount: 3, maxAgeDays: null }, "admin", new Date());
    let now = Date.now();
    const scheduler = new BackupScheduler({ ...defaultBackupDeps(), now: () => new Date(now) }, { owner: "routes-test", tickMs: 60_000 });
    // The file each tick wrote, oldest first.
    const taken: string[] = [];
    for (let i = 0; i < 5; i++) {
      const before = new Set(readdirSync(path.join(stateDir, "backups")));
      expect(await scheduler.tick()).toEqual([cluster]);
      const added = readdirSync(path.join(stateDir, "backups")).filter((n) => !before.has(n));
      expect(added).toHaveLength(1);
      taken.push(added[0]!);
      now += 61 * 60_000;
    }
    const rows = await getDb().selectFrom("etcd_backups").selectAll().orderBy("started_at", "desc").execute();
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.state === "succeeded" && r.origin === "schedule")).toBe(true);
    // The 3 left are the 3 newest, newest first.
    expect(rows.map((r) => r.file_name)).toEqual(taken.slice(2).reverse());
    expect(readdirSync(path.join(stateDir, "backups")).sort()).toEqual(taken.slice(2).sort());
    for (const r of rows) {
      const file = readFileSync(path.join(stateDir, "backups", r.file_name!));
      expect(sha(file)).toBe(r.sha256);
      expect(r.sha256).toBe(simulatorSha(file));
    }
    await getDb().deleteFrom("etcd_backup_schedules").execute();
  });

  it("remove-member (admin) removes a follower through another member; the view shows two members", async () => {
    const before = await view();
    const follower = before.members.find((m) => !m.leader)!;
    const res = await json(await call(who.admin, removeRoute.POST, "/remove-member", { method: "POST", body: { member: follower.id } }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ member: follower.id, hostname: follower.hostname });
    expect(res.body.askedNode).not.toBe(follower.node);
    const after = await view();
    expect(after.members.map((m) => m.id)).not.toContain(follower.id);
    expect(after.members).toHaveLength(2);
    // The node is still a control plane Minos knows, now outside etcd, and the view says so.
    expect(after.notMembers).toEqual([{ node: follower.node, address: follower.address, hostname: follower.hostname }]);
  });

  it("POST /api/backups is rate-limited per client (each one writes a whole snapshot to this host's disk)", async () => {
    // Invalid bodies are cheap and count the same: the limit is taken before validation.
    for (let i = 0; i < RATE_LIMITS.manage.capacity; i++) expect((await callApi(who.operator, backupsRoute.POST, "/api/backups", {}, { method: "POST", body: {} })).status).toBe(400);
    const refused = await json(await callApi(who.operator, backupsRoute.POST, "/api/backups", {}, { method: "POST", body: { cluster } }));
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe("rate_limited");
  });

  it("a viewer sees that a member's Talos API did not answer, never the transport's words (ECONNREFUSED <ip>:50000)", async () => {
    const before = await view();
    const target = before.members.find((m) => m.id !== before.leaderId) ?? before.members[0]!;
    t.fleet.setFault({ node: target.address!, fault: "down" });
    try {
      const res = await call(who.viewer, etcdRoute.GET, "");
      const text = await res.text();
      expect(res.status).toBe(200);
      const v = JSON.parse(text) as EtcdCluster;
      expect(v.members.find((m) => m.id === target.id)).toMatchObject({ reachable: false, error: "No answer from the Talos API" });
      expect(text).not.toMatch(/ECONNREFUSED|connection refused|:50000/);
    } finally {
      t.fleet.clearFaults(target.address!);
    }
  });
});
