/**
 * The etcd service over the real store (both projects) with etcd faked: one defragmentation per
 * cluster at a time, the talosconfig's Talos role checked before any call, every action audited.
 */
import { beforeEach, describe, expect, it } from "vitest";

import type { Actor } from "@/lib/server/auth/actor";
import type { Db } from "@/lib/server/platform/db/db";
import { testDb } from "@/test/db";
import { cps, fakeEtcd, three, type FakeEtcd } from "@/test/etcd/fake-etcd";
import { toAppError } from "@/lib/server/talos/errors";

import { defragmentEtcd, disarmEtcd, getEtcd, removeEtcdMember, type EtcdServiceDeps } from "./service";

let db: Db;
let f: FakeEtcd;
let roles: string[];
const operator = { label: "ops@example.com", role: "operator" } as Actor;
const admin = { label: "root@example.com", role: "admin" } as Actor;

const deps = (owner = "replica-a"): EtcdServiceDeps => ({ db, client: async () => f.client, controlPlanes: async () => cps(f.members), talosRoles: async () => roles, owner });

beforeEach(async () => {
  db = await testDb();
  f = fakeEtcd(three());
  roles = ["os:admin"];
});

describe("etcd service", () => {
  it("runs one defragmentation per cluster at a time, across replicas", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const defrag = f.client.etcdDefragment;
    f.client = { ...f.client, etcdDefragment: async (node, opts) => (await gate, defrag(node, opts)) };
    const first = defragmentEtcd(operator, "prod", undefined, deps("replica-a"));
    await expect
      .poll(() => f.calls.length, { timeout: 2_000 })
      .toBeGreaterThan(0);
    await expect(defragmentEtcd(operator, "prod", undefined, deps("replica-b"))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("already running") });
    // Another request on the same replica too.
    await expect(defragmentEtcd(operator, "prod", undefined, deps("replica-a"))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("already running") });
    release();
    expect((await first).steps.map((s) => s.state)).toEqual(["done", "done", "done"]);
    // Free again once it ended.
    expect((await defragmentEtcd(operator, "prod", "102", deps("replica-b"))).steps).toHaveLength(1);
  });

  it("a talosconfig without os:operator refuses before any Talos call, with the reason", async () => {
    roles = ["os:reader"];
    await expect(disarmEtcd(operator, "prod", deps())).rejects.toMatchObject({ code: "forbidden", message: expect.stringContaining("Talos needs os:operator for EtcdDefragment and EtcdAlarmDisarm") });
    roles = ["os:operator"];
    await expect(removeEtcdMember(admin, "prod", "103", deps())).rejects.toMatchObject({ code: "forbidden", message: expect.stringContaining("os:admin") });
    expect(f.calls).toEqual([]);
  });

  it("audits ok and failed actions without bytes or secrets", async () => {
    await disarmEtcd(operator, "prod", deps());
    f.failDefrag.add("10.0.0.2");
    await expect(defragmentEtcd(operator, "prod", undefined, deps())).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("Defragmenting cp-b failed: context deadline exceeded") });
    const rows = await db.selectFrom("audit_log").select(["action", "result", "actor", "target", "details"]).orderBy("id").execute();
    expect(rows.map((r) => [r.action, r.result, r.actor, r.target])).toEqual([
      ["etcd.disarm", "ok", "ops@example.com", "prod"],
      ["etcd.defragment", "failed", "ops@example.com", "prod"],
    ]);
    expect(JSON.parse(rows[1]!.details!)).toMatchObject({ member: "all", error: { code: "conflict" }, steps: [{ hostname: "cp-b", state: "failed" }, { state: "skipped" }, { state: "skipped" }] });
  });

  it("the view shows viewers no transport detail (ECONNREFUSED and the address) for an unreachable member or control plane", async () => {
    const refused = (node: string) => toAppError({ code: 14, details: `No connection established. Last error: connect ECONNREFUSED ${node}:50000. Resolution note: `, metadata: undefined }, node);
    const status = f.client.etcdStatus;
    f.client = { ...f.client, etcdStatus: async (node, opts) => (node === "10.0.0.3" ? Promise.reject(refused(node)) : status(node, opts)) };
    const v = await getEtcd("prod", deps());
    expect(v.members.find((m) => m.id === "103")).toMatchObject({ reachable: false, error: "No answer from the Talos API" });
    expect(JSON.stringify(v)).not.toContain("ECONNREFUSED");
    f.client = { ...f.client, etcdMemberList: async (node) => Promise.reject(refused(node!)) };
    const none = await getEtcd("prod", deps());
    expect(none.error).toBe("cp-c: No answer from the Talos API");
    expect(JSON.stringify(none)).not.toMatch(/ECONNREFUSED|:50000/);
  });
});
