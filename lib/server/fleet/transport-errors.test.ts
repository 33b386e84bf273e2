/**
 * Whoever picks a cluster's endpoints (an upload) must not learn through Minos which ports are
 * closed and which run something else: four "nodes" on :50000 (nothing listening, an SSH-like
 * banner, an HTTP server, TLS from another CA) fail in different words at the transport, and
 * viewers see the same words for all of them in the poller's snapshot (GET /api/nodes), the
 * certificate scan and route errors. Admins still get the transport's words in route errors.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";

const stateDir = mkdtempSync(path.join(tmpdir(), "minos-transport-errors-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3215";

import { GET as getNodeConfig } from "@/app/api/nodes/[node]/config/route";
import { GET as getNodes } from "@/app/api/nodes/route";
import { errorEnvelopeSchema } from "@/lib/schemas/error";
import { nodesResponseSchema } from "@/lib/schemas/fleet";
import { authedRequest } from "@/test/auth/credentials";
import { scanCertificates } from "@/lib/server/certs/scanner";
import { AppError } from "@/lib/server/platform/errors";
import { getFleetPoller, stopFleetPoller } from "@/lib/server/fleet/service";
import { closeAllConnections } from "@/lib/server/talos/channel";
import { createTalosClient } from "@/lib/server/talos";
import { NO_ANSWER_MESSAGE, publicFailure } from "@/lib/server/talos/errors";
import { loadTalosconfig } from "@/lib/server/talos/talosconfig";
import { startStubServer, type StubServer } from "@/test/talos/stub-server";
import { waitFor } from "@/test/talos/fleet";
import { contextFrom, createTestPki, type TestPki } from "@/test/talos/pki";
import { issueServerCert } from "@/lib/talos/pki";

const TARGETS = { closed: "127.0.41.1", banner: "127.0.41.2", http: "127.0.41.3", foreignTls: "127.0.41.4" } as const;
type Kind = keyof typeof TARGETS;
const KINDS = Object.keys(TARGETS) as Kind[];

let pki: TestPki;
const servers: net.Server[] = [];
let tlsStub: StubServer;
let talosconfigPath: string;

function listen(host: string, onConnection: (s: net.Socket) => void): Promise<void> {
  const server = net.createServer(onConnection);
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(50000, host, () => resolve());
  });
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

beforeAll(async () => {
  pki = await createTestPki();
  // Something that is not Talos: a banner-first protocol (SSH), and a request-response one (HTTP).
  await listen(TARGETS.banner, (s) => {
    s.on("error", () => {});
    s.write("SSH-2.0-OpenSSH_9.6\r\n");
    s.on("data", () => s.end());
  });
  await listen(TARGETS.http, (s) => {
    s.on("error", () => {});
    s.once("data", () => s.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
  });
  const foreign = await issueServerCert(pki.foreignCa, { commonName: "other", ipAddresses: [TARGETS.foreignTls] });
  tlsStub = await startStubServer({ host: TARGETS.foreignTls, port: 50000, caPem: pki.foreignCa.certPem, ...foreign });

  const contexts = Object.fromEntries(
    KINDS.map((k) => [k, { endpoints: [TARGETS[k]], nodes: [TARGETS[k]], ca: b64(pki.ca.certPem), crt: b64(pki.admin.certPem), key: b64(pki.admin.keyPem) }]),
  );
  talosconfigPath = path.join(stateDir, "talosconfig");
  writeFileSync(talosconfigPath, stringify({ context: "closed", contexts }));
  process.env.TALOSCONFIG = talosconfigPath;
});

afterAll(async () => {
  await stopFleetPoller();
  closeAllConnections();
  await tlsStub?.stop();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

async function transportErrors(): Promise<Record<Kind, AppError>> {
  const out = {} as Record<Kind, AppError>;
  for (const k of KINDS) {
    const client = createTalosClient(contextFrom({ name: k, caPem: pki.ca.certPem, client: pki.admin, endpoints: [{ host: TARGETS[k], port: 50000 }] }));
    out[k] = await client.version(undefined, { timeoutMs: 3_000 }).then(
      () => {
        throw new Error(`${k}: expected the call to fail`);
      },
      (e: unknown) => e as AppError,
    );
  }
  return out;
}

describe("a closed port and a service that is not Talos look the same to viewers", () => {
  it("the transport tells them apart, publicFailure does not", { timeout: 60_000 }, async () => {
    const errors = await transportErrors();
    const raw = KINDS.map((k) => errors[k].message);
    // The premise: left alone, the messages would map the ports.
    expect(new Set(raw).size, raw.join(" | ")).toBeGreaterThanOrEqual(3);
    for (const k of KINDS) {
      expect(errors[k].code, `${k}: ${errors[k].message}`).toBe("node_unreachable");
      expect(publicFailure(errors[k])).toEqual({ code: "node_unreachable", message: NO_ANSWER_MESSAGE });
    }
  });

  it("GET /api/nodes shows every one of them with the same error and problem", async () => {
    getFleetPoller({ intervalMs: 500, callTimeoutMs: 2_000, publishDelayMs: 20 });
    const nodes = await waitFor(async () => {
      const res = nodesResponseSchema.parse(await (await getNodes(await authedRequest("http://127.0.0.1:3215/api/nodes"))).json());
      const down = res.nodes.filter((n) => n.lastError !== null);
      return down.length === KINDS.length ? down : undefined;
    }, 15_000);
    const shown = nodes.map((n) => JSON.stringify({ lastError: n.lastError, problems: n.problems }));
    expect(new Set(shown).size, shown.join("\n")).toBe(1);
    expect(nodes[0]!.lastError).toEqual({ code: "node_unreachable", message: NO_ANSWER_MESSAGE });
  }, 30_000);

  it("route errors read the same for a viewer; an admin gets the transport's words", async () => {
    const viewer: string[] = [];
    const admin: string[] = [];
    for (const k of KINDS) {
      const id = encodeURIComponent(`${TARGETS[k]}@${k}`);
      const url = `http://127.0.0.1:3215/api/nodes/${id}/config`;
      const params = { params: Promise.resolve({ node: `${TARGETS[k]}@${k}` }) };
      const v = await getNodeConfig(await authedRequest(url, {}, "viewer"), params);
      const a = await getNodeConfig(await authedRequest(url, {}, "admin"), params);
      expect([v.status, a.status]).toEqual([503, 503]);
      viewer.push(errorEnvelopeSchema.parse(await v.json()).error.message);
      admin.push(errorEnvelopeSchema.parse(await a.json()).error.message);
    }
    expect(new Set(viewer)).toEqual(new Set([NO_ANSWER_MESSAGE]));
    expect(new Set(admin).size, admin.join(" | ")).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it("the certificate scan reports a closed port and a non-TLS service in the same words", async () => {
    const config = await loadTalosconfig(talosconfigPath);
    const contexts = config.contexts.filter((c) => c.name !== "foreignTls").map((c) => ({ ...c, roles: [] }));
    const inventory = await scanCertificates({ contexts, client: (c) => createTalosClient(c), timeoutMs: 3_000 });
    const handshake = inventory.errors.filter((e) => e.source === "tls-handshake");
    expect(handshake.map((e) => e.cluster).sort()).toEqual(["banner", "closed", "http"]);
    expect(new Set(handshake.map((e) => `${e.code} ${e.message}`))).toEqual(new Set([`node_unreachable ${NO_ANSWER_MESSAGE}`]));
  }, 30_000);
});
