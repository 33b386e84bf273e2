/**
 * Uploading a talosconfig through the route handlers, end to end in-process: a second simulated
 * fleet's talosconfig is uploaded, the running poller starts polling its nodes (GET /api/nodes),
 * GET /api/clusters lists it as an upload, and deleting it makes its nodes go.
 */
import { mkdtempSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

// The route modules use the process database and config: point them at a temporary state dir.
const stateDir = mkdtempSync(path.join(tmpdir(), "minos-cluster-admin-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.MINOS_SECRET_KEY = "ab".repeat(32);
process.env.PORT = "3215";

import { DELETE as deleteUpload } from "@/app/api/clusters/talosconfig/[id]/route";
import { POST as postUpload } from "@/app/api/clusters/talosconfig/route";
import { GET as getClusters } from "@/app/api/clusters/route";
import { GET as getNodes } from "@/app/api/nodes/route";
import { listAudit } from "@/lib/server/platform/audit";
import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { clustersResponseSchema, nodesResponseSchema, type FleetEvent, removeUploadResponseSchema, uploadTalosconfigResponseSchema } from "@/lib/schemas/fleet";
import { authConfig } from "@/lib/server/auth/config";
import { authedRequest } from "@/test/auth/credentials";
import { BASE, seedPrincipals, type Principal } from "@/test/auth/matrix";
import { getDb } from "@/lib/server/platform/db/db";
import { subscribe } from "@/lib/server/platform/events";
import { uploadPortProblem, type ClustersChangedEvent } from "@/lib/server/fleet/cluster-admin";
import { getFleetPoller, stopFleetPoller } from "@/lib/server/fleet/service";
import { parseTalosEndpoint, type TalosContext } from "@/lib/server/talos/talosconfig";
import { startTestFleet, waitFor, type TestFleet } from "@/test/talos/fleet";

let home: TestFleet;
let other: TestFleet;
let admin: Principal;
let viewer: Principal;
let otherYaml: string;

beforeAll(async () => {
  [home, other] = await Promise.all([
    startTestFleet({ firstAddress: "127.0.212.1", controlPlanes: 1, workers: 1 }),
    startTestFleet({ firstAddress: "127.0.213.1", controlPlanes: 1, workers: 1 }),
  ]);
  process.env.TALOSCONFIG = home.fleet.talosconfig.admin;
  // Both simulators name their context "sim-1": the upload renames its own.
  const doc = parse(await readFile(other.fleet.talosconfig.admin, "utf8")) as { context: string; contexts: Record<string, unknown> };
  doc.contexts = { "sim-other": doc.contexts[doc.context] };
  doc.context = "sim-other";
  otherYaml = stringify(doc);
  const principals = await seedPrincipals(getDb(), authConfig(), new Date());
  admin = principals.admin;
  viewer = principals.viewer;
  getFleetPoller({ intervalMs: 500, callTimeoutMs: 1_000, publishDelayMs: 20, discoveryIntervalMs: 1_000 });
});

afterAll(async () => {
  await stopFleetPoller();
  await Promise.all([home?.stop(), other?.stop()]);
  await rm(stateDir, { recursive: true, force: true });
});

function send(method: string, p: string, who: Principal, body?: unknown): Request {
  const headers = new Headers({ host: "127.0.0.1:3215", "x-forwarded-proto": "http", authorization: `Bearer ${who.bearer}` });
  if (body !== undefined) headers.set("content-type", "application/json");
  return new Request(`${BASE}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const nodeAddresses = async () => nodesResponseSchema.parse(await (await getNodes(await authedRequest(`${BASE}/api/nodes`))).json()).nodes.map((n) => `${n.address}@${n.cluster}:${n.reachable}`);

describe("POST and DELETE /api/clusters/talosconfig", () => {
  it("refuses a viewer (403), an invalid talosconfig naming the field (422), and a taken name (409)", async () => {
    const asViewer = await postUpload(send("POST", "/api/clusters/talosconfig", viewer, { talosconfig: otherYaml }));
    expect(asViewer.status).toBe(403);

    const broken = otherYaml.replace(/crt: \S+/, `crt: ${Buffer.from("not a certificate").toString("base64")}`);
    const bad = await postUpload(send("POST", "/api/clusters/talosconfig", admin, { talosconfig: broken }));
    const badBody = errorEnvelopeSchema.parse(await bad.json());
    expect(bad.status, badBody.error.message).toBe(422);
    expect(badBody.error.code).toBe("invalid_config");
    expect(badBody.error.message).toMatch(/"sim-other".*crt/);

    const noEndpoints = await postUpload(send("POST", "/api/clusters/talosconfig", admin, { talosconfig: otherYaml.replace(/endpoints:/, "endpointz:") }));
    expect(noEndpoints.status).toBe(422);
    expect(errorEnvelopeSchema.parse(await noEndpoints.json()).error.message).toBe('Uploaded talosconfig: context "sim-other": endpoints is empty; Minos needs at least one Talos API endpoint to reach the cluster');

    const same = await postUpload(send("POST", "/api/clusters/talosconfig", admin, { talosconfig: await readFile(other.fleet.talosconfig.admin, "utf8") }));
    const sameBody = errorEnvelopeSchema.parse(await same.json());
    expect(same.status).toBe(409);
    expect(sameBody.error.message).toContain('"sim-1" (the talosconfig file)');
  });

  it("refuses endpoints and nodes on any port but 50000, so an upload cannot make Minos probe ports", async () => {
    const withPort = (field: "endpoints" | "nodes", value: string) => {
      const doc = parse(otherYaml) as { contexts: Record<string, Record<string, unknown>> };
      doc.contexts["sim-other"]![field] = [value];
      return stringify(doc);
    };
    const cases: [string, string, string][] = [
      [withPort("endpoints", "127.0.213.1:22"), "endpoints[0]", "port 22"],
      [withPort("endpoints", "[::1]:443"), "endpoints[0]", "port 443"],
      [withPort("nodes", "127.0.213.2:6443"), "nodes[0]", "port 6443"],
    ];
    for (const [yaml, field, port] of cases) {
      const res = await postUpload(send("POST", "/api/clusters/talosconfig", admin, { talosconfig: yaml }));
      const body = errorEnvelopeSchema.parse(await res.json());
      expect(res.status, body.error.message).toBe(422);
      expect(body.error).toMatchObject({ code: "invalid_config", details: { context: "sim-other", field } });
      expect(body.error.message).toContain(port);
    }
    // Nothing was stored or dialed.
    expect(clustersResponseSchema.parse(await (await getClusters(await authedRequest(`${BASE}/api/clusters`))).json()).clusters.map((c) => c.name)).toEqual(["sim-1"]);
  });

  it("accepts Talos endpoint syntax on port 50000: host, host:50000, [v6]:50000, a bare IPv6 address", () => {
    const ctx = (endpoints: string[], nodes: string[] = []) => ({
      source: "upload",
      current: null,
      contexts: [{ name: "c", endpoints: endpoints.map((e) => parseTalosEndpoint(e)!), nodes } as TalosContext],
    });
    expect(uploadPortProblem(ctx(["10.0.0.1", "10.0.0.2:50000", "[fd00::1]:50000", "fd00::2", "cp.example.com"], ["10.0.0.5", "10.0.0.6:50000", "node-1"]))).toBeNull();
    expect(uploadPortProblem(ctx(["10.0.0.1", "10.0.0.2:50001"]))).toEqual({ context: "c", field: "endpoints[1]", value: "10.0.0.2:50001", port: 50001 });
    expect(uploadPortProblem(ctx(["10.0.0.1"], ["10.0.0.5", "[fd00::5]:22"]))).toEqual({ context: "c", field: "nodes[1]", value: "[fd00::5]:22", port: 22 });
  });

  it("uploads a second fleet: its nodes are polled, then deleting it makes them go", async () => {
    await waitFor(async () => (await nodeAddresses()).length === 2, 10_000);
    // Other features (the certificate scanner) learn of the change from the bus, not from a call.
    const changes: ClustersChangedEvent[] = [];
    const stopChanges = subscribe("clusters", (e) => void changes.push(e));

    const res = await postUpload(send("POST", "/api/clusters/talosconfig", admin, { talosconfig: otherYaml, label: "lab fleet" }));
    const created = uploadTalosconfigResponseSchema.parse(await res.json());
    expect(res.status).toBe(200);
    expect(created.upload).toMatchObject({ name: "lab fleet", contexts: ["sim-other"], uploadedBy: expect.stringMatching(/^token:admin-token-/) as string });
    expect(created.clusters.map((c) => [c.name, c.source, c.uploadId])).toEqual([["sim-other", "upload", created.upload.id]]);
    expect(changes).toEqual([{ clusters: ["sim-other"] }]);

    const otherAddresses = other.fleet.nodes.map((n) => `${n.address}@sim-other:true`).sort();
    await waitFor(async () => {
      const all = await nodeAddresses();
      return otherAddresses.every((a) => all.includes(a)) ? all : undefined;
    }, 10_000);

    const listed = clustersResponseSchema.parse(await (await getClusters(await authedRequest(`${BASE}/api/clusters`))).json());
    expect(listed.clusters.map((c) => [c.name, c.source])).toEqual([
      ["sim-1", "file"],
      ["sim-other", "upload"],
    ]);

    const events: FleetEvent[] = [];
    const unsubscribe = subscribe("fleet", (e) => void events.push(e));
    const del = await deleteUpload(send("DELETE", `/api/clusters/talosconfig/${created.upload.id}`, admin), { params: Promise.resolve({ id: created.upload.id }) });
    expect(removeUploadResponseSchema.parse(await del.json())).toEqual({ id: created.upload.id, removed: ["sim-other"] });
    const after = await nodeAddresses();
    expect(after.filter((a) => a.includes("@sim-other"))).toEqual([]);
    expect(after).toHaveLength(2);
    expect(changes).toEqual([{ clusters: ["sim-other"] }, { clusters: ["sim-other"] }]);
    stopChanges();
    // SSE clients learn it from one event: the removed ids, and roll-ups without the cluster.
    unsubscribe();
    const removal = events.find((e) => e.type === "nodes" && e.removed.length > 0);
    expect(removal?.type === "nodes" && removal.removed.sort()).toEqual(other.fleet.nodes.map((n) => `${n.address}@sim-other`).sort());
    expect(removal?.clusters.map((c) => c.name)).toEqual(["sim-1"]);

    const again = await deleteUpload(send("DELETE", `/api/clusters/talosconfig/${created.upload.id}`, admin), { params: Promise.resolve({ id: created.upload.id }) });
    expect(again.status).toBe(404);

    const audit = (await listAudit(getDb(), { limit: 10 })).filter((e) => e.action.startsWith("cluster."));
    expect(audit.map((e) => [e.action, e.target, e.result])).toEqual([
      ["cluster.remove", "sim-other", "ok"],
      ["cluster.add", "sim-other", "ok"],
    ]);
  });
});
