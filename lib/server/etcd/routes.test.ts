/**
 * The etcd routes over HTTP semantics against the simulated fleet (3 control planes, 1 worker):
 * the view, each action's role floor (Talos's: operator for defragment, disarm and snapshot, admin
 * for forfeit and remove), validation, and forfeiting leadership on the simulator's etcd.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-etcd-routes-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3228";

import * as defragRoute from "@/app/api/clusters/[cluster]/etcd/defragment/route";
import * as disarmRoute from "@/app/api/clusters/[cluster]/etcd/disarm/route";
import * as forfeitRoute from "@/app/api/clusters/[cluster]/etcd/forfeit-leadership/route";
import * as removeRoute from "@/app/api/clusters/[cluster]/etcd/remove-member/route";
import * as etcdRoute from "@/app/api/clusters/[cluster]/etcd/route";
import * as snapshotRoute from "@/app/api/clusters/[cluster]/etcd/snapshot/route";
import type { EtcdCluster } from "@/lib/schemas/etcd";
import { authConfig } from "@/lib/server/auth/config";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
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
});
