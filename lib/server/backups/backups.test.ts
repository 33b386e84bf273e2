/**
 * Backups over the real store (SQLite and PostgreSQL projects) and a real directory, with etcd
 * faked behind the Talos calls: files, rows, retention, failures, the scheduler's lease.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { beforeEach, describe, expect, it } from "vitest";

import type { Actor } from "@/lib/server/auth/actor";
import type { Db } from "@/lib/server/platform/db/db";
import { cps, fakeEtcd, three, withEtcdChecksum, type FakeEtcd } from "@/test/etcd/fake-etcd";
import { testDb } from "@/test/db";

import { getBackup, insertBackup, listBackups, putSchedule } from "./repository";
import { AppError } from "@/lib/server/platform/errors";
import { toAppError } from "@/lib/server/talos/errors";

import { applyRetention, takeBackup, type BackupEvent } from "./run";
import { BackupScheduler } from "./scheduler";
import { createBackup, deleteBackup, downloadBackup, type BackupServiceDeps } from "./service";

/** Deterministic snapshot bytes for (member, revision): a header, 64 KiB of sha256 stream, etcd's trailer; in 3 chunks. */
function snapshotBytes(member: string, revision: number): Buffer[] {
  const head = Buffer.from(`fake-etcd-snapshot member=${member} revision=${revision}\n`);
  const body: Buffer[] = [];
  for (let i = 0; body.length < 2048; i++) body.push(createHash("sha256").update(`${member}/${revision}/${i}`).digest());
  const all = withEtcdChecksum(Buffer.concat([head, ...body]));
  return [all.subarray(0, 1000), all.subarray(1000, 40_000), all.subarray(40_000)];
}
const sha = (chunks: Buffer[]) => createHash("sha256").update(Buffer.concat(chunks)).digest("hex");

let db: Db;
let dir: string;
let f: FakeEtcd;
let revision: number;
let t: number;
let events: BackupEvent[];

function deps(host = "minos-a"): BackupServiceDeps {
  return {
    db,
    dir,
    host,
    etcd: async (cluster) => ({ client: f.client, cluster, controlPlanes: cps(f.members) }),
    publish: (e) => events.push(e),
    now: () => new Date(t),
    talosRoles: async () => ["os:admin"],
    controlPlaneAddresses: async () => f.members.map((m) => m.address),
    clusterNames: async () => ["prod"],
  };
}

const operator: Actor = { label: "ops@example.com", role: "operator" } as Actor;

beforeEach(async () => {
  db = await testDb();
  dir = mkdtempSync(path.join(tmpdir(), "minos-backups-"));
  f = fakeEtcd(three());
  revision = 100;
  t = Date.parse("2026-01-01T00:00:00Z");
  events = [];
  // Each snapshot sees a later revision, as etcd moves on between backups.
  f.snapshot = (address) => ({ chunks: snapshotBytes(f.members.find((m) => m.address === address)!.id, revision++) });
});

describe("backups", () => {
  it("retention 3 leaves exactly the 3 newest files, each with the sha256 of the snapshot's bytes", async () => {
    await putSchedule(db, "prod", { enabled: true, intervalMinutes: 60, retainCount: 3, maxAgeDays: null }, "admin", new Date(t));
    const taken = [];
    for (let i = 0; i < 5; i++) {
      t += 60 * 60_000;
      taken.push(await takeBackup(deps(), { cluster: "prod", actor: "minos (schedule)", origin: "schedule" }));
    }
    expect(taken.every((b) => b.state === "succeeded")).toBe(true);
    const rows = await listBackups(db, "prod");
    expect(rows.map((r) => r.id)).toEqual(taken.slice(2).map((b) => b.id).reverse());
    expect(readdirSync(dir).sort()).toEqual(rows.map((r) => r.fileName!).sort());
    for (const [i, r] of rows.entries()) {
      const expected = snapshotBytes("102", 104 - i);
      expect(r.sha256).toBe(sha(expected));
      expect(createHash("sha256").update(readFileSync(path.join(dir, r.fileName!))).digest("hex")).toBe(r.sha256);
      expect(r).toMatchObject({ sizeBytes: Buffer.concat(expected).length, memberId: "102", memberHostname: "cp-b", node: "10.0.0.2@prod", raftIndex: "1000", host: "minos-a" });
    }
    expect(events.filter((e) => e.type === "removed")).toHaveLength(2);
    const audit = await db.selectFrom("audit_log").select(["action", "result", "details"]).where("action", "like", "backup.%").execute();
    expect(audit.filter((a) => a.action === "backup.create" && a.result === "ok")).toHaveLength(5);
    expect(audit.filter((a) => a.action === "backup.prune")).toHaveLength(2);
  });

  it("retention by age drops old backups but keeps the newest even when it is old", async () => {
    await putSchedule(db, "prod", { enabled: true, intervalMinutes: 60, retainCount: 10, maxAgeDays: 2 }, "admin", new Date(t));
    const a = await takeBackup(deps(), { cluster: "prod", actor: "x", origin: "manual" });
    t += 86_400_000;
    const b = await takeBackup(deps(), { cluster: "prod", actor: "x", origin: "manual" });
    t += 10 * 86_400_000;
    expect(await applyRetention(deps(), "prod")).toEqual([a.id]);
    expect((await listBackups(db, "prod")).map((r) => r.id)).toEqual([b.id]);
  });

  it("an EtcdSnapshot error mid-stream is a failed backup: recorded with the reason, audited, published, no partial file left", async () => {
    f.snapshot = () => ({ chunks: snapshotBytes("102", 1), failAfter: 2, error: new Error("EtcdSnapshot: etcdserver: request timed out") });
    const b = await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" });
    expect(b).toMatchObject({ state: "failed", error: expect.stringContaining("request timed out"), memberId: "102", fileName: null, sha256: null });
    expect(readdirSync(dir)).toEqual([]);
    expect(events.map((e) => (e.type === "backup" ? e.backup.state : e.type))).toEqual(["running", "failed"]);
    const audit = await db.selectFrom("audit_log").selectAll().where("action", "=", "backup.create").execute();
    expect(audit).toMatchObject([{ result: "failed", target: "prod" }]);
  });

  it("a snapshot cut short (a clean end without etcd's trailing sha256) or damaged is a failed backup, its file removed", async () => {
    const whole = Buffer.concat(snapshotBytes("102", 7));
    f.snapshot = () => ({ chunks: [whole.subarray(0, 30_000)] });
    expect(await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" })).toMatchObject({ state: "failed", error: expect.stringContaining("does not end with etcd's sha256"), fileName: null });
    const damaged = Buffer.from(whole);
    damaged[5000] = damaged[5000]! ^ 0xff;
    f.snapshot = () => ({ chunks: [damaged] });
    expect(await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" })).toMatchObject({ state: "failed", error: expect.stringContaining("cut short or the data is damaged") });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a refused snapshot (Talos's error before any byte) and an empty one are failed backups", async () => {
    f.snapshot = () => ({ chunks: [], failAfter: 0, error: new Error("etcd is not running on this node") });
    expect(await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" })).toMatchObject({ state: "failed", error: expect.stringContaining("etcd is not running") });
    f.snapshot = () => ({ chunks: [] });
    expect(await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" })).toMatchObject({ state: "failed", error: expect.stringContaining("empty snapshot is not a backup") });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("download answers the file here, and clearly on a replica that does not hold it; delete removes file and row", async () => {
    const b = await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" });
    const res = await downloadBackup(operator, b.id, deps());
    expect(res.headers.get("content-disposition")).toContain(b.fileName!);
    expect(createHash("sha256").update(Buffer.from(await res.arrayBuffer())).digest("hex")).toBe(b.sha256);
    const elsewhere = { ...deps("minos-b"), dir: mkdtempSync(path.join(tmpdir(), "minos-backups-b-")) };
    await expect(downloadBackup(operator, b.id, elsewhere)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining('on Minos host "minos-a"') });
    await expect(deleteBackup(operator, b.id, elsewhere)).rejects.toMatchObject({ code: "conflict" });
    expect(await deleteBackup(operator, b.id, deps())).toEqual({ id: b.id, fileRemoved: true });
    expect(readdirSync(dir)).toEqual([]);
    expect(await getBackup(db, b.id)).toBeNull();
  });

  it("the scheduler backs up due clusters only, on the replica that holds its lease", async () => {
    await putSchedule(db, "prod", { enabled: true, intervalMinutes: 60, retainCount: 3, maxAgeDays: null }, "admin", new Date(t));
    await putSchedule(db, "off", { enabled: false, intervalMinutes: 60, retainCount: 3, maxAgeDays: null }, "admin", new Date(t));
    const a = new BackupScheduler(deps("minos-a"), { owner: "replica-a", tickMs: 60_000 });
    const b = new BackupScheduler(deps("minos-b"), { owner: "replica-b", tickMs: 60_000 });
    expect(await a.tick()).toEqual(["prod"]);
    expect(await b.tick()).toEqual([]);
    t += 30 * 60_000;
    expect(await a.tick()).toEqual([]); // not due yet
    t += 31 * 60_000;
    expect(await a.tick()).toEqual(["prod"]);
    expect((await listBackups(db, "prod")).every((r) => r.origin === "schedule" && r.host === "minos-a")).toBe(true);
  });

  it("a backup this host left running when it stopped becomes failed; partial files idle for an hour go, fresh ones stay", async () => {
    const stuck = await insertBackup(db, { id: "bk_stuck0001", cluster: "prod", origin: "schedule", actor: "minos", host: "minos-a", startedAt: new Date(t - 60_000) });
    const elsewhere = await insertBackup(db, { id: "bk_other0001", cluster: "prod", origin: "schedule", actor: "minos", host: "minos-b", startedAt: new Date(t - 60_000) });
    writeFileSync(path.join(dir, ".old.partial"), "x");
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(path.join(dir, ".old.partial"), old, old);
    writeFileSync(path.join(dir, ".fresh.partial"), "x");
    const s = new BackupScheduler(deps("minos-a"), { owner: "replica-a", tickMs: 60_000 });
    t = Date.now(); // the partial files' ages are real file times
    await s.tick();
    expect(await getBackup(db, stuck.id)).toMatchObject({ state: "failed", error: expect.stringContaining("Minos stopped while writing") });
    expect(await getBackup(db, elsewhere.id)).toMatchObject({ state: "running" });
    expect(readdirSync(dir)).toEqual([".fresh.partial"]);
  });

  it("one backup of a cluster at a time, across requests and replicas: the second is refused (409) before any row", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const snap = f.client.etcdSnapshot;
    f.client = {
      ...f.client,
      etcdSnapshot: (node, opts) =>
        (async function* () {
          await gate;
          yield* snap(node, opts);
        })(),
    };
    const first = createBackup(operator, { cluster: "prod" }, deps("minos-a"));
    await expect.poll(async () => (await listBackups(db, "prod")).length, { timeout: 2_000 }).toBe(1);
    // The same replica (same host) and another one are both refused while it runs.
    await expect(createBackup(operator, { cluster: "prod" }, deps("minos-a"))).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("already running") });
    await expect(takeBackup(deps("minos-b"), { cluster: "prod", actor: "minos (schedule)", origin: "schedule" })).rejects.toMatchObject({ code: "conflict" });
    expect(await listBackups(db, "prod")).toHaveLength(1);
    release();
    expect((await first).status).toBe(201);
    // Free again once it ended.
    t += 60_000;
    expect(await takeBackup(deps("minos-b"), { cluster: "prod", actor: "ops", origin: "manual" })).toMatchObject({ state: "succeeded" });
  });

  it("the scheduler skips a cluster whose manual backup is running, and goes on with the others", async () => {
    await putSchedule(db, "prod", { enabled: true, intervalMinutes: 60, retainCount: 3, maxAgeDays: null }, "admin", new Date(t));
    await putSchedule(db, "stage", { enabled: true, intervalMinutes: 60, retainCount: 3, maxAgeDays: null }, "admin", new Date(t));
    await db.insertInto("leases").values({ name: "etcd-backup:prod", owner: "minos-b/bk_manual", expires_at: Date.now() + 3_600_000, fence: 1 }).execute();
    const s = new BackupScheduler(deps("minos-a"), { owner: "replica-a", tickMs: 60_000 });
    expect(await s.tick()).toEqual(["stage"]);
  });

  it("manual backups, failed ones too, are pruned by the cluster's schedule retention; without a schedule they stay", async () => {
    for (let i = 0; i < 4; i++) {
      t += 60_000;
      await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" });
    }
    expect(await listBackups(db, "prod")).toHaveLength(4);
    expect(readdirSync(dir)).toHaveLength(4);
    await putSchedule(db, "prod", { enabled: false, intervalMinutes: 60, retainCount: 2, maxAgeDays: null }, "admin", new Date(t));
    t += 60_000;
    const last = await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" });
    expect((await listBackups(db, "prod")).map((b) => b.id)[0]).toBe(last.id);
    expect(await listBackups(db, "prod")).toHaveLength(2);
    expect(readdirSync(dir)).toHaveLength(2);
    f.snapshot = () => ({ chunks: [], failAfter: 0, error: new Error("etcd is not running on this node") });
    for (let i = 0; i < 3; i++) {
      t += 60_000;
      expect(await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" })).toMatchObject({ state: "failed" });
    }
    const rows = await listBackups(db, "prod");
    expect(rows.filter((b) => b.state === "failed")).toHaveLength(2);
    expect(rows.filter((b) => b.state === "succeeded")).toHaveLength(2);
  });

  it("refuses a backup when the disk has less free space than the last snapshot took: a failed row saying so, no file", async () => {
    let free = 1_000_000_000;
    const d = { ...deps(), freeBytes: async () => free };
    const ok = await takeBackup(d, { cluster: "prod", actor: "ops", origin: "manual" });
    expect(ok.state).toBe("succeeded");
    free = ok.sizeBytes! - 1;
    t += 60_000;
    const refused = await takeBackup(d, { cluster: "prod", actor: "ops", origin: "manual" });
    expect(refused).toMatchObject({ state: "failed", fileName: null, error: expect.stringContaining("Not enough free disk space") });
    expect(readdirSync(dir)).toEqual([ok.fileName]);
    expect(f.calls.filter((c) => c.method === "EtcdSnapshot")).toHaveLength(1);
  });

  it("a replica that lost the scheduler lease still prunes its own files by the cluster's retention", async () => {
    await putSchedule(db, "prod", { enabled: true, intervalMinutes: 60, retainCount: 2, maxAgeDays: null }, "admin", new Date(t));
    const a = new BackupScheduler(deps("minos-a"), { owner: "replica-a", tickMs: 60_000 });
    expect(await a.tick()).toEqual(["prod"]);
    const fromA = (await listBackups(db, "prod"))[0]!;
    await a.stop(); // the lease moves on
    const b = new BackupScheduler(deps("minos-b"), { owner: "replica-b", tickMs: 60_000 });
    for (let i = 0; i < 2; i++) {
      t += 61 * 60_000;
      expect(await b.tick()).toEqual(["prod"]);
    }
    // minos-b counted minos-a's backup out but may not remove its file.
    expect(readdirSync(dir)).toContain(fromA.fileName);
    expect(await getBackup(db, fromA.id)).not.toBeNull();
    // minos-a again (a new process), without the lease: its tick sweeps its own files.
    const a2 = new BackupScheduler(deps("minos-a"), { owner: "replica-a2", tickMs: 60_000 });
    expect(await a2.tick()).toEqual([]);
    expect(readdirSync(dir)).not.toContain(fromA.fileName);
    expect(await getBackup(db, fromA.id)).toBeNull();
    expect((await listBackups(db, "prod")).every((r) => r.host === "minos-b")).toBe(true);
  });

  it("a failed backup shows viewers no transport detail (ECONNREFUSED and the address), only that Talos did not answer", async () => {
    const refused = toAppError({ code: 14, details: "No connection established. Last error: connect ECONNREFUSED 10.0.0.2:50000. Resolution note: ", metadata: undefined }, "10.0.0.2");
    expect(refused.message).toContain("ECONNREFUSED 10.0.0.2:50000");
    f.snapshot = () => ({ chunks: [], failAfter: 0, error: refused });
    const b = await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" });
    expect(b).toMatchObject({ state: "failed", error: "No answer from the Talos API" });
    expect(JSON.stringify(await listBackups(db, "prod"))).not.toMatch(/ECONNREFUSED|10\.0\.0\.2:50000/);
    // An answer from the node is not a transport failure: its words stay.
    f.snapshot = () => ({ chunks: [], failAfter: 0, error: new AppError("forbidden", "etcd snapshot needs os:operator") });
    t += 60_000;
    expect(await takeBackup(deps(), { cluster: "prod", actor: "ops", origin: "manual" })).toMatchObject({ error: "etcd snapshot needs os:operator" });
  });
});
