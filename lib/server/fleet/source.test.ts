/**
 * Uploaded talosconfigs live in the database, shared by every replica: what one replica stores,
 * another sees on its next read, with no restart and no message between them. Two stores opened
 * on one database act as two replicas: the process's own (getDb) and a second handle, on one
 * SQLite file in the sqlite project, on the file's PostgreSQL database in the postgres project.
 */
import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-fleet-source-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.MINOS_SECRET_KEY = "cd".repeat(32);
process.env.TALOSCONFIG = path.join(stateDir, "talosconfig");

import { getClusterClient } from "@/lib/server/fleet/clients";
import { addUploadedTalosconfig, insertCheckedUpload, removeUploadedTalosconfig, storeUpload, syncClusters, watchClusterUploads, type ClustersChangedEvent, type NewUpload } from "@/lib/server/fleet/cluster-admin";
import { getFleetPoller, stopFleetPoller } from "@/lib/server/fleet/service";
import { createFleetSourceReader, getFleetSource, type FleetSource, type FleetSourceDeps } from "@/lib/server/fleet/source";
import { listAudit } from "@/lib/server/platform/audit";
import { dbLocation, getDb, openDb, type Db } from "@/lib/server/platform/db/db";
import { env } from "@/lib/server/platform/env";
import { deliver, setEventRelay, subscribe } from "@/lib/server/platform/events";
import { getSecretBox, SecretBox } from "@/lib/server/platform/secret-box";
import { createCa, issueClientCert, toTalosKeyPem, type CertAndKey } from "@/lib/talos/pki";
import { testStore } from "@/test/db";
import { waitFor } from "@/test/talos/fleet";

const b64 = (s: string) => Buffer.from(s).toString("base64");
let ca: CertAndKey;
let client: CertAndKey;
let other: CertAndKey;

/** A talosconfig of one context, as talosctl writes it. */
function talosconfig(name: string, cert = client, endpoint = "10.9.0.1"): string {
  return stringify({ context: name, contexts: { [name]: { endpoints: [endpoint], nodes: [endpoint], ca: b64(ca.certPem), crt: b64(cert.certPem), key: b64(toTalosKeyPem(cert.keyPem)) } } });
}

const stores: Db[] = [];
/** Another replica's handle on the process's database. */
function replica(): Db {
  const db = openDb(dbLocation());
  stores.push(db);
  return db;
}

const box = () => getSecretBox(env());
const upload = (name: string, yaml = talosconfig(name)): NewUpload => ({ actor: null, label: name, contexts: [name], talosconfig: yaml });
const names = (s: FleetSource) => s.config?.contexts.map((c) => c.name);
const noRefresh = async () => undefined;

beforeAll(async () => {
  ca = await createCa();
  [client, other] = await Promise.all([issueClientCert(ca, { roles: ["os:admin"] }), issueClientCert(ca, { roles: ["os:reader"] })]);
  await writeFile(process.env.TALOSCONFIG!, talosconfig("file-1"));
});

afterAll(async () => {
  await Promise.all(stores.map((d) => d.destroy()));
  await rm(stateDir, { recursive: true, force: true });
});

describe("the fleet source on two replicas of one database", () => {
  it("sees another replica's uploads and removals on its next read, keeping what it parsed of unchanged uploads", async () => {
    const a = getDb();
    const b = replica();
    const deps: FleetSourceDeps = { db: () => b, box, path: () => process.env.TALOSCONFIG!, simulated: () => false };
    const onB = createFleetSourceReader(deps);
    expect(names(await onB.read())).toEqual(["file-1"]);

    const lab = await storeUpload(a, box(), upload("lab"));
    const first = await onB.read();
    expect(names(first)).toEqual(["file-1", "lab"]);
    expect(first.origins.lab).toEqual({ source: "upload", uploadId: lab.id });
    expect(first.error).toBeUndefined();

    await storeUpload(a, box(), upload("edge"));
    const second = await onB.read();
    expect(names(second)).toEqual(["file-1", "lab", "edge"]);
    // An upload is never updated in place: B parsed "lab" once and keeps that context.
    expect(second.config!.contexts[1]).toBe(first.config!.contexts[1]);
    // Nothing changed: the same source, not a re-read.
    expect(await onB.read()).toBe(second);

    await removeUploadedTalosconfig(null, lab.id, { db: a, box: box(), afterChange: noRefresh });
    expect(names(await onB.read())).toEqual(["file-1", "edge"]);
  });

  it("keeps serving the uploads it read when the database cannot be read, says so, and recovers", async () => {
    const a = getDb();
    const broken = replica();
    // Used once: Kysely only tears down a store it has started.
    await broken.selectFrom("cluster_uploads").select("id").execute();
    await broken.destroy();
    let db = replica();
    const reader = createFleetSourceReader({ db: () => db, box, path: () => process.env.TALOSCONFIG!, simulated: () => false });
    const before = names(await reader.read());
    expect(before).toContain("edge");

    db = broken;
    const during = await reader.read();
    expect(names(during)).toEqual(before);
    expect(during.error).toMatch(/^The uploaded talosconfigs could not be read: /);

    db = replica();
    await storeUpload(a, box(), upload("later"));
    const after = await reader.read();
    expect(names(after)).toEqual([...before!, "later"]);
    expect(after.error).toBeUndefined();
  });

  it("reports an upload sealed under another replica's key instead of hiding the file's clusters", async () => {
    const db = replica();
    const reader = createFleetSourceReader({ db: () => db, box: () => new SecretBox(Buffer.alloc(32, 9)), path: () => process.env.TALOSCONFIG!, simulated: () => false });
    const s = await reader.read();
    expect(names(s)).toEqual(["file-1"]);
    expect(s.error).toMatch(/could not be read: .*another key/);
  });
});

describe("the process's clusters follow the database", () => {
  it("finds a cluster another replica uploaded, and builds a new client when it is re-uploaded with other credentials", async () => {
    const b = replica();
    const remote = await storeUpload(b, box(), upload("remote"));
    expect(names(await getFleetSource())).toContain("remote");
    const c1 = await getClusterClient("remote");
    expect(await getClusterClient("remote")).toBe(c1);

    await removeUploadedTalosconfig(null, remote.id, { db: b, box: box(), afterChange: noRefresh });
    await expect(getClusterClient("remote")).rejects.toMatchObject({ code: "not_found" });
    await storeUpload(b, box(), upload("remote", talosconfig("remote", other)));
    const c2 = await getClusterClient("remote");
    expect(c2).not.toBe(c1);
    expect(await getClusterClient("remote")).toBe(c2);
  });

  it("reports a change once, whoever notices it first (the watch, or the replica that made it)", async () => {
    await syncClusters();
    const b = replica();
    const u = await storeUpload(b, box(), upload("once"));
    const seen = await Promise.all([syncClusters(), syncClusters(["once"])]);
    expect(seen).toEqual([["once"], []]);
    await removeUploadedTalosconfig(null, u.id, { db: b, box: box(), afterChange: noRefresh });
    expect(await syncClusters()).toEqual(["once"]);
    expect(await syncClusters()).toEqual([]);
  });

  it("the upload watch announces, to this replica only, the clusters another replica added and removed", async () => {
    const changes: ClustersChangedEvent[] = [];
    const unsubscribe = subscribe("clusters", (e) => void changes.push(e));
    const relayed: string[] = [];
    setEventRelay((topic) => void relayed.push(topic));
    const stop = watchClusterUploads(20);
    try {
      await syncClusters();
      const b = replica();
      const u = await storeUpload(b, box(), upload("watched"));
      await waitFor(async () => changes.some((c) => c.clusters.includes("watched")), 5_000);
      await removeUploadedTalosconfig(null, u.id, { db: b, box: box(), afterChange: noRefresh });
      await waitFor(async () => changes.filter((c) => c.clusters.includes("watched")).length === 2, 5_000);
      expect(changes).toEqual([{ clusters: ["watched"] }, { clusters: ["watched"] }]);
      // The replica that made the change told the others; the watch does not tell them again.
      expect(relayed).toEqual([]);
    } finally {
      setEventRelay(null);
      stop();
      unsubscribe();
    }
  });

  it("a change whose event was relayed here reaches this replica's poller, and is not announced again by the watch", async () => {
    const changes: ClustersChangedEvent[] = [];
    const unsubscribe = subscribe("clusters", (e) => void changes.push(e));
    // A long interval: after its first run, the watch only follows events.
    const stop = watchClusterUploads(60_000);
    const poller = getFleetPoller({ watchEvents: false, intervalMs: 60_000, discoveryIntervalMs: 3_600_000 });
    try {
      await poller.start();
      await syncClusters();
      await storeUpload(replica(), box(), upload("relayed"));
      // As platform/relay.ts does with another replica's event.
      deliver("clusters", { clusters: ["relayed"] });
      await waitFor(async () => poller.clusterNames().includes("relayed"), 5_000);
      expect(await syncClusters()).toEqual([]);
      expect(changes).toEqual([{ clusters: ["relayed"] }]);
    } finally {
      await stopFleetPoller();
      stop();
      unsubscribe();
    }
  });
});

describe("adding and removing an upload with the process's store", () => {
  it("stores, audits and lists it; refuses a name another replica took; removes it", async () => {
    const changes: ClustersChangedEvent[] = [];
    const unsubscribe = subscribe("clusters", (e) => void changes.push(e));
    try {
      const added = await addUploadedTalosconfig(null, { talosconfig: talosconfig("added"), label: "added fleet" });
      expect(added.upload).toMatchObject({ name: "added fleet", contexts: ["added"], uploadedBy: "local user" });
      expect(added.clusters.map((c) => [c.name, c.source, c.uploadId])).toEqual([["added", "upload", added.upload.id]]);

      // Taken through another replica a moment ago: this one's source is read afresh, so the check sees it.
      await storeUpload(replica(), box(), upload("taken"));
      await expect(addUploadedTalosconfig(null, { talosconfig: talosconfig("taken") })).rejects.toMatchObject({ code: "conflict", details: { contexts: ["taken"] } });
      await expect(addUploadedTalosconfig(null, { talosconfig: talosconfig("file-1") })).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining('"file-1" (the talosconfig file)') as string });

      expect(await removeUploadedTalosconfig(null, added.upload.id)).toEqual({ id: added.upload.id, removed: ["added"] });
      await expect(removeUploadedTalosconfig(null, added.upload.id)).rejects.toMatchObject({ code: "not_found" });
      expect(names(await getFleetSource())).not.toContain("added");
      expect(changes.filter((c) => c.clusters.includes("added"))).toHaveLength(2);

      const audit = (await listAudit(getDb(), { limit: 20 })).filter((e) => e.target === "added");
      expect(audit.map((e) => [e.action, e.result, e.details?.uploadId])).toEqual([
        ["cluster.remove", "ok", added.upload.id],
        ["cluster.add", "ok", added.upload.id],
      ]);
    } finally {
      unsubscribe();
    }
  });
});

describe("two replicas uploading one name at once", () => {
  // SQLite's BEGIN IMMEDIATE excludes a second writer outright; two handles in one process would
  // only block its one thread, so the race is shown where it can happen: PostgreSQL's READ COMMITTED.
  it.skipIf(testStore() === "sqlite")("one stores it; the other waits for the first's transaction and is told the name is taken", async () => {
    const [a, b, probe] = [replica(), replica(), replica()];
    let second: Promise<unknown> | undefined;
    await a.transaction().execute(async (trx) => {
      await insertCheckedUpload(trx, box(), upload("race"));
      second = storeUpload(b, box(), upload("race")).then(
        () => "stored",
        (e: unknown) => e,
      );
      // B is held at A's table lock; without it B would read past A's uncommitted row and insert.
      await waitFor(async () => {
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'cluster_uploads'::regclass`.execute(probe);
        return rows[0]!.n > 0;
      }, 5_000);
    });
    expect(await second).toMatchObject({ code: "conflict" });
    const rows = await probe.selectFrom("cluster_uploads").select("contexts").execute();
    expect(rows.filter((r) => r.contexts === JSON.stringify(["race"]))).toHaveLength(1);
  });
});
