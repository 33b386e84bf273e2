/**
 * Phase 2 of access control, over the whole API: every route file under app/api declares the role
 * an independent policy table says; every route × role × credential (cookie, bearer, none) gets
 * exactly the guard verdict the table implies; every mutating route refuses cross-site requests,
 * a wrong Host and a missing or wrong CSRF token; and no response a viewer or operator can get
 * carries a secret of the simulated clusters.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

// The route modules use the process database and config: point them at a temporary state dir.
const stateDir = mkdtempSync(path.join(tmpdir(), "minos-access-"));
process.env.MINOS_STATE_DIR = stateDir;
process.env.MINOS_DB = path.join(stateDir, "minos.db");
process.env.PORT = "3215";

import type { RouteRole } from "@/lib/schemas/auth";
import { authConfig } from "@/lib/server/auth/config";
import { rateLimiter } from "@/lib/server/auth/rate-limit";
import { BASE, call, CREDENTIALS, expectedGuard, guardVerdict, makeRequest, ROLES, seedPrincipals, type Handler, type Principal, type RouteCase } from "@/test/auth/matrix";
import { getDb } from "@/lib/server/platform/db/db";
import { stopFleetPoller } from "@/lib/server/fleet/service";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * The policy, written from docs/access-control.md rather than from the routes: "METHOD path" → the
 * weakest role. An action route whose actions differ is listed per action.
 */
const POLICY: Record<string, RouteRole> = {
  "GET /api/health": "public",
  "GET /api/[...path]": "public",
  "POST /api/[...path]": "public",
  "PUT /api/[...path]": "public",
  "PATCH /api/[...path]": "public",
  "DELETE /api/[...path]": "public",
  "GET /api/auth/session": "public",
  "POST /api/auth/sign-out": "public",
  "POST /api/auth/bootstrap": "public",
  "POST /api/auth/links/preview": "public",
  "POST /api/auth/invitations/accept": "public",
  "POST /api/auth/passkeys/authenticate/options": "public",
  "POST /api/auth/passkeys/authenticate": "public",
  "GET /api/auth/oidc/start": "public",
  "GET /api/auth/oidc/callback": "public",
  "POST /api/auth/passkeys/register/options": "viewer",
  "POST /api/auth/passkeys/register": "viewer",
  "DELETE /api/users/[id]/passkeys/[passkeyId]": "viewer",
  "GET /api/auth/invitations": "admin",
  "POST /api/auth/invitations": "admin",
  "DELETE /api/auth/invitations/[id]": "admin",
  "GET /api/users": "admin",
  "PATCH /api/users/[id]": "admin",
  "DELETE /api/users/[id]": "admin",
  "GET /api/tokens": "admin",
  "POST /api/tokens": "admin",
  "DELETE /api/tokens/[id]": "admin",
  // Reads, and the two previews that change nothing.
  "GET /api/clusters": "viewer",
  "GET /api/nodes": "viewer",
  "GET /api/nodes/[node]": "viewer",
  "GET /api/nodes/[node]/config": "viewer",
  "GET /api/nodes/[node]/config/drift": "viewer",
  "GET /api/nodes/[node]/config/revisions": "viewer",
  "GET /api/nodes/[node]/config/revisions/[id]": "viewer",
  "GET /api/nodes/[node]/config/revisions/diff": "viewer",
  "GET /api/certificates": "viewer",
  "GET /api/upgrades": "viewer",
  "GET /api/upgrades/[id]": "viewer",
  "GET /api/rollouts": "viewer",
  "GET /api/rollouts/[id]": "viewer",
  "GET /api/bulk": "viewer",
  "GET /api/bulk/[id]": "viewer",
  "GET /api/events": "viewer",
  "GET /api/nodes/[node]/logs/[service]": "viewer",
  "GET /api/nodes/[node]/dmesg": "viewer",
  "GET /api/nodes/[node]/events": "viewer",
  "GET /api/metrics": "viewer",
  "GET /api/audit": "viewer",
  "GET /api/config/template": "viewer",
  "POST /api/config/validate": "viewer",
  "POST /api/upgrades/plan": "viewer",
  // Cluster manifests: reads, renders and checks change nothing; the secrets bundle is an admin's.
  "GET /api/clusters/[cluster]/manifest": "viewer",
  "POST /api/clusters/[cluster]/manifest/render": "viewer",
  "POST /api/clusters/[cluster]/manifest/validate": "viewer",
  "GET /api/clusters/[cluster]/manifest/revisions": "viewer",
  "GET /api/clusters/[cluster]/manifest/revisions/[id]": "viewer",
  "GET /api/clusters/[cluster]/drift": "viewer",
  // Kubernetes: where a cluster's kubeconfig comes from (never the file).
  "GET /api/clusters/[cluster]/kubeconfig": "viewer",
  "GET /api/kubernetes-upgrades": "viewer",
  "GET /api/kubernetes-upgrades/[id]": "viewer",
  "POST /api/kubernetes-upgrades/plan": "viewer",
  "GET /api/ca-rotations": "viewer",
  "GET /api/ca-rotations/[id]": "viewer",
  // Steering what runs: operators, except cancelling.
  "POST /api/upgrades/[id]/[action]": "operator",
  "POST /api/rollouts/[id]/[action]": "operator",
  // Answering a blocked drain (retry, force, skip): operators, audited.
  "POST /api/upgrades/[id]/nodes/[node]/[action]": "operator",
  "POST /api/rollouts/[id]/nodes/[node]/[action]": "operator",
  "POST /api/kubernetes-upgrades/[id]/[action]": "operator",
  // Kubernetes node operations: scheduling, not configuration.
  "POST /api/nodes/[node]/cordon": "operator",
  "POST /api/nodes/[node]/uncordon": "operator",
  "POST /api/nodes/[node]/drain": "operator",
  // Node actions Talos allows os:operator: reboot, shutdown, service start/stop/restart.
  "POST /api/nodes/[node]/reboot": "operator",
  "POST /api/nodes/[node]/shutdown": "operator",
  "POST /api/nodes/[node]/services/[service]/[action]": "operator",
  // Bulk actions: operators reboot, restart services, cordon; the route asks admin for upgrade and apply-patch (app/api/bulk/route.test.ts).
  "POST /api/bulk": "operator",
  "POST /api/bulk/[id]/[action]": "operator",
  // Changing what runs, and fault injection.
  "POST /api/upgrades": "admin",
  "POST /api/kubernetes-upgrades": "admin",
  // CA rotation: machine.ca and cluster.ca are an admin's, its dry run reads every config.
  "POST /api/ca-rotations": "admin",
  "POST /api/ca-rotations/dry-run": "admin",
  "POST /api/ca-rotations/[id]/[action]": "admin",
  "POST /api/ca-rotations/[id]/talosconfig": "admin",
  "POST /api/rollouts": "admin",
  "POST /api/clusters/[cluster]/manifest/plan": "admin",
  "POST /api/clusters/[cluster]/manifest/apply": "admin",
  "POST /api/nodes/[node]/config/preflight": "admin",
  "POST /api/nodes/[node]/config/apply": "admin",
  // Reset wipes the node: Talos allows os:admin only.
  "POST /api/nodes/[node]/reset": "admin",
  "POST /api/nodes/[node]/config/drift/adopt": "admin",
  "POST /api/nodes/[node]/config/drift/reapply": "admin",
  "POST /api/nodes/[node]/config/revisions/[id]/preflight": "admin",
  "POST /api/nodes/[node]/config/revisions/[id]/rollback": "admin",
  "GET /api/sim": "admin",
  // Benchmark hook (404 unless MINOS_BENCH_ROUTES=1): reads as /api/nodes does; storing bytes is an admin's.
  "GET /api/bench-echo": "viewer",
  "POST /api/bench-echo": "admin",
  "POST /api/clusters/talosconfig": "admin",
  "DELETE /api/clusters/talosconfig/[id]": "admin",
  "PUT /api/clusters/[cluster]/manifest": "admin",
  "POST /api/clusters/[cluster]/manifest/adopt": "admin",
  "GET /api/clusters/[cluster]/secrets": "admin",
  "PUT /api/clusters/[cluster]/kubeconfig": "admin",
  "DELETE /api/clusters/[cluster]/kubeconfig": "admin",
  // etcd care and backups (issue 18): reads for viewers; what Talos allows os:operator
  // (EtcdDefragment, EtcdAlarmDisarm, EtcdSnapshot) for operators; forfeit and remove for admins.
  // Backup files hold every Kubernetes Secret: downloading one is an operator's.
  "GET /api/clusters/[cluster]/etcd": "viewer",
  "POST /api/clusters/[cluster]/etcd/defragment": "operator",
  "POST /api/clusters/[cluster]/etcd/disarm": "operator",
  "POST /api/clusters/[cluster]/etcd/snapshot": "operator",
  "POST /api/clusters/[cluster]/etcd/forfeit-leadership": "admin",
  "POST /api/clusters/[cluster]/etcd/remove-member": "admin",
  "GET /api/backups": "viewer",
  "GET /api/backups/[id]": "viewer",
  "GET /api/backups/schedules": "viewer",
  "POST /api/backups": "operator",
  "GET /api/backups/[id]/download": "operator",
  "DELETE /api/backups/[id]": "operator",
  "PUT /api/backups/schedules/[cluster]": "admin",
  // Alerts (issue 19): viewers read; operators acknowledge and silence; admins change rules.
  "GET /api/alerts": "viewer",
  "POST /api/alerts/[id]/ack": "operator",
  "GET /api/alerts/rules": "viewer",
  "GET /api/alerts/rules/[id]": "viewer",
  "PATCH /api/alerts/rules/[id]": "admin",
  "GET /api/alerts/silences": "viewer",
  "POST /api/alerts/silences": "operator",
  "DELETE /api/alerts/silences": "operator",
  "GET /api/alerts/channels": "viewer",
  "POST /api/alerts/channels": "admin",
  "PATCH /api/alerts/channels/[id]": "admin",
  "DELETE /api/alerts/channels/[id]": "admin",
  "POST /api/alerts/channels/[id]/test": "admin",
  "GET /api/alerts/deliveries": "viewer",
  "GET /api/alerts/prometheus-rules": "viewer",
};

/** What the guard verdict must be per action, for the routes declared weaker than some of their actions. */
const ACTIONS: Record<string, Record<string, RouteRole>> = {
  "POST /api/upgrades/[id]/[action]": { pause: "operator", resume: "operator", cancel: "admin" },
  "POST /api/rollouts/[id]/[action]": { pause: "operator", resume: "operator", cancel: "admin" },
  "POST /api/kubernetes-upgrades/[id]/[action]": { pause: "operator", resume: "operator", cancel: "admin" },
};

// ---- every route file, found on disk -------------------------------------------------------

const API_DIR = path.resolve(__dirname, "../../../app/api");

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(full);
    return e.name === "route.ts" ? [full] : [];
  });
}

interface Export {
  key: string;
  pattern: string;
  method: (typeof METHODS)[number];
  handler: Handler;
}

const files = routeFiles(API_DIR).sort();
const EXPORTS: Export[] = [];
for (const file of files) {
  const pattern = `/api/${path.relative(API_DIR, path.dirname(file)).split(path.sep).join("/")}`.replace(/\/$/, "");
  const mod = (await import(file)) as Record<string, unknown>;
  for (const method of METHODS) {
    const handler = mod[method] as Handler | undefined;
    if (typeof handler === "function") EXPORTS.push({ key: `${method} ${pattern}`, pattern, method, handler });
  }
}

// ---- the fleet and the values that must never leak -------------------------------------------

let t: TestFleet;
let nodes: string[] = [];
let secrets: string[] = [];

const BOGUS_NODE = "10.255.255.1@nowhere";
const BOGUS_ID = "00000000-0000-4000-8000-000000000000";
const BOGUS_CLUSTER = "nowhere";
/** The simulated fleet's one cluster. */
const CLUSTER = "sim-1";

/** Concrete params for a pattern: a node that does not exist, so mutations go nowhere. */
function paramsFor(pattern: string, action?: string): Record<string, string> {
  const p: Record<string, string> = {};
  if (pattern.includes("[node]")) p.node = BOGUS_NODE;
  if (pattern.includes("[cluster]")) p.cluster = BOGUS_CLUSTER;
  if (pattern.includes("[id]")) p.id = pattern.includes("revisions") ? "1" : BOGUS_ID;
  if (pattern.includes("[passkeyId]")) p.passkeyId = "nope";
  if (pattern.includes("[service]")) p.service = "machined";
  if (pattern.includes("[action]")) p.action = action ?? "pause";
  if (pattern.includes("[...path]")) p.path = "nope";
  return p;
}

function pathFor(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\[\.\.\.path\]|\[(\w+)\]/g, (_, name: string | undefined) => encodeURIComponent(params[name ?? "path"]!));
}

/** Bodies that get the auth routes past validation where cheap (as routes.test.ts); others stay invalid so nothing runs. */
const BODIES: Record<string, unknown> = {
  "POST /api/auth/bootstrap": { token: "x".repeat(43), name: "nobody" },
  "POST /api/auth/links/preview": { token: "x".repeat(43) },
  "POST /api/auth/invitations": { role: "viewer" },
  "POST /api/auth/invitations/accept": { token: "x".repeat(43), name: "nobody" },
  "PATCH /api/users/[id]": { role: "viewer" },
  "POST /api/tokens": { name: "ci", role: "viewer" },
  "POST /api/nodes/[node]/config/drift/reapply": {},
  "POST /api/nodes/[node]/config/revisions/[id]/preflight": {},
  "POST /api/nodes/[node]/config/revisions/[id]/rollback": {},
};

function casesFor(e: Export): (RouteCase & { name: string })[] {
  const actions = ACTIONS[e.key];
  const variants = actions ? Object.entries(actions) : [[undefined, POLICY[e.key]!] as const];
  return variants.map(([action, role]) => {
    const params = paramsFor(e.pattern, action);
    if (e.key === "DELETE /api/users/[id]/passkeys/[passkeyId]") params.id = "self";
    const p = pathFor(e.pattern, params);
    const body = e.method === "GET" || e.method === "DELETE" ? undefined : (BODIES[e.key] ?? (e.key.includes("[...path]") || e.key.endsWith("/drift/adopt") || e.key.includes("/auth/") || e.key.includes("[action]") ? undefined : {}));
    return {
      name: `${e.method} ${p}`,
      role,
      method: e.method,
      path: p,
      handler: e.handler,
      // The passkey route checks ownership: each principal deletes from their own account.
      params: (pr: Principal) => (params.id === "self" ? { ...params, id: pr.userId } : params),
      body,
    };
  });
}

const CASES = EXPORTS.flatMap(casesFor);
const principals = () => seedPrincipals(getDb(), authConfig(), new Date());

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.181.1", controlPlanes: 1, workers: 1 });
  process.env.TALOSCONFIG = t.fleet.talosconfig.admin;
  nodes = t.fleet.nodes.map((n) => `${n.address}@sim-1`);
  secrets = await collectSecrets();
});

afterAll(async () => {
  await stopFleetPoller();
  await t?.stop();
});

beforeEach(() => rateLimiter().reset());

/** Drains or cancels a body so streams (SSE) end. */
async function text(res: Response): Promise<string> {
  if ((res.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    return new TextDecoder().decode(value);
  }
  return res.text();
}

describe("the policy table covers every route file", () => {
  it("lists every exported method, and nothing that does not exist", () => {
    expect(files.length).toBeGreaterThanOrEqual(50);
    expect(EXPORTS.map((e) => e.key).sort()).toEqual(Object.keys(POLICY).sort());
  });

  it.each(EXPORTS.map((e) => [e.key, e] as const))("%s declares the policy's role", (key, e) => {
    expect(e.handler.role).toBe(POLICY[key]);
  });
});

describe("route × role × credential over the whole API", () => {
  const rows = CASES.flatMap((c) => ROLES.flatMap((role) => CREDENTIALS.map((cred) => [`${c.name} as ${role} via ${cred}`, c, role, cred] as const)));
  it.each(rows)("%s", async (_, c, role, cred) => {
    const p = (await principals())[role];
    const res = await call(c, makeRequest(c, cred, p), p);
    const verdict = await guardVerdict(res);
    await text(res);
    expect({ status: res.status, verdict }).toMatchObject({ verdict: expectedGuard(c.role, cred, role) });
    expect(res.status).toBeLessThan(500);
  });
});

describe("cross-site protection on every mutating route", () => {
  const mutating = CASES.filter((c) => c.method !== "GET");
  it.each(mutating.map((c) => [c.name, c] as const))("%s refuses a foreign Origin and a wrong Host", async (_, c) => {
    const p = (await principals()).admin;
    const foreign = await call(c, makeRequest(c, "cookie", p, { origin: "http://evil.example" }), p);
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { message: string } }).error.message).toMatch(/^Cross-site request refused/);
    const rebound = await call(c, makeRequest(c, "cookie", p, { host: "evil.example:3215" }), p);
    expect(rebound.status).toBe(403);
    expect(((await rebound.json()) as { error: { message: string } }).error.message).toMatch(/^Minos does not answer/);
  });

  it.each(mutating.filter((c) => c.role !== "public").map((c) => [c.name, c] as const))("%s needs the CSRF token with a cookie, not with a bearer token", async (_, c) => {
    const p = (await principals()).admin;
    for (const csrf of ["missing", "wrong"] as const) {
      const res = await call(c, makeRequest(c, "cookie", p, { csrf }), p);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/CSRF/);
    }
    const bearer = await call(c, makeRequest(c, "bearer", p), p);
    expect(await guardVerdict(bearer)).toBe("pass");
  });
});

// ---- the response scan ------------------------------------------------------------------------

/** A leaf of a parsed YAML document, by dotted path. */
function at(doc: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), doc);
}

/** Where Talos machine configs keep secrets (v1alpha1 `machine.*`/`cluster.*` and the Kube*Config documents), independent of lib/config/redact. */
const SECRET_PATHS = [
  "machine.token",
  "machine.ca.key",
  "cluster.secret",
  "cluster.token",
  "cluster.ca.key",
  "cluster.aggregatorCA.key",
  "cluster.etcd.ca.key",
  "cluster.serviceAccount.key",
  "cluster.secretboxEncryptionSecret",
  "cluster.aescbcEncryptionSecret",
];

/** Every secret value in the simulator's machine configs, read with the admin credentials. */
async function collectSecrets(): Promise<string[]> {
  const found = new Set<string>();
  for (const n of t.fleet.nodes) {
    const { yaml } = await t.clients.admin.machineConfig(n.address);
    for (const doc of parseAllDocuments(yaml)) {
      const js = doc.toJS() as unknown;
      for (const p of SECRET_PATHS) {
        const v = at(js, p);
        if (typeof v === "string" && v.length >= 8) found.add(v);
      }
    }
  }
  return [...found];
}

function bearer(p: Principal): Record<string, string> {
  return { host: "127.0.0.1:3215", authorization: `Bearer ${p.bearer}` };
}

async function callAs(p: Principal, key: string, urlPath: string, params: Record<string, string>, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const e = EXPORTS.find((x) => x.key === key);
  if (!e) throw new Error(`no route ${key}`);
  const headers = new Headers(bearer(p));
  if (init.body !== undefined) headers.set("content-type", "application/json");
  const req = new Request(`${BASE}${urlPath}`, { method: init.method ?? e.method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return e.handler(req, { params: Promise.resolve(params) });
}

describe("no secret reaches a viewer or an operator", () => {
  it("finds the simulator's secrets to look for", () => {
    // A control plane has machine token + CA key, cluster secret/token, four CA/account keys and an encryption secret.
    expect(secrets.length).toBeGreaterThanOrEqual(8);
  });

  it("walks every GET route plus preflight, revision, diff and audit responses", async () => {
    const { admin, operator, viewer } = await principals();
    const worker = nodes[1]!;
    const enc = encodeURIComponent(worker);
    // As admin: make a revision, a preflight and an apply (audit records) so there is something to read.
    const running = await callAs(admin, "GET /api/nodes/[node]/config", `/api/nodes/${enc}/config`, { node: worker });
    const redacted = ((await running.json()) as { yaml: string }).yaml;
    const changed = redacted.replace(/hostname: (\S+)/, "hostname: $1-scan");
    const pre = await callAs(admin, "POST /api/nodes/[node]/config/preflight", `/api/nodes/${enc}/config/preflight`, { node: worker }, { body: { yaml: changed, mode: "no-reboot" } });
    expect(pre.status).toBe(200);
    const adminPreflight = await pre.text();
    const applied = await callAs(admin, "POST /api/nodes/[node]/config/apply", `/api/nodes/${enc}/config/apply`, { node: worker }, { body: { yaml: changed, mode: "no-reboot" } });
    expect(applied.status).toBe(200);
    const revealed = await (await callAs(admin, "GET /api/nodes/[node]/config", `/api/nodes/${enc}/config?reveal=1`, { node: worker })).text();
    // The scan means something: an admin who asks does get the secrets; nobody else, ever.
    expect(secrets.some((s) => revealed.includes(s))).toBe(true);
    expect(secrets.filter((s) => redacted.includes(s) || adminPreflight.includes(s))).toEqual([]);
    // The cluster's manifest: adopted (its secrets bundle sealed), then edited once, so revisions,
    // their diff, drift and the bundle export have something to show.
    const cl = { cluster: CLUSTER };
    const adopted = await callAs(admin, "POST /api/clusters/[cluster]/manifest/adopt", `/api/clusters/${CLUSTER}/manifest/adopt`, cl, { body: {} });
    expect(adopted.status, await adopted.clone().text()).toBe(200);
    const manifest = ((await adopted.json()) as { yaml: string }).yaml;
    const put = await callAs(admin, "PUT /api/clusters/[cluster]/manifest", `/api/clusters/${CLUSTER}/manifest`, cl, { body: { yaml: `${manifest}\n# edited\n`, baseRevision: 1 } });
    expect(put.status, await put.clone().text()).toBe(200);
    const exported = await (await callAs(admin, "GET /api/clusters/[cluster]/secrets", `/api/clusters/${CLUSTER}/secrets`, cl)).text();
    expect(secrets.some((s) => exported.includes(s))).toBe(true);

    const gets: [string, string, Record<string, string>][] = [];
    for (const e of EXPORTS.filter((x) => x.method === "GET" && !x.key.includes("/auth/") && !x.key.includes("[...path]"))) {
      const perNode = e.pattern.includes("[node]") ? nodes : [null];
      for (const node of perNode) {
        const params: Record<string, string> = node ? { node } : {};
        if (e.pattern.includes("[cluster]")) params.cluster = CLUSTER;
        if (e.pattern.includes("[service]")) params.service = "machined";
        if (e.pattern.includes("[id]")) params.id = e.pattern.includes("revisions") ? "1" : BOGUS_ID;
        let p = pathFor(e.pattern, params);
        if (e.key === "GET /api/clusters/[cluster]/manifest/revisions/[id]") p += "?against=2&reveal=1";
        if (e.key === "GET /api/clusters/[cluster]/manifest") p += "?reveal=1";
        if (e.key.endsWith("/revisions/diff")) p += "?from=1&to=running";
        if (e.key === "GET /api/nodes/[node]/config") p += "?reveal=1";
        if (e.key === "GET /api/bench-echo") p += "?variant=x";
        gets.push([e.key, p, params]);
      }
    }
    const scanned: string[] = [];
    for (const who of [viewer, operator]) {
      for (const [key, p, params] of gets) {
        const res = await callAs(who, key, p, params);
        const body = await text(res);
        expect(res.status, `${key} as ${who.role}`).toBeLessThan(500);
        expect(secrets.filter((s) => body.includes(s)), `${p} as ${who.role}`).toEqual([]);
        scanned.push(`${who.role} ${p} ${res.status}`);
      }
      // Rolling back previews a revision's config: refused below admin, and the refusal carries nothing.
      const rb = await callAs(who, "POST /api/nodes/[node]/config/revisions/[id]/preflight", `/api/nodes/${enc}/config/revisions/1/preflight`, { node: worker, id: "1" }, { body: {} });
      expect(rb.status).toBe(403);
      const refusal = await rb.text();
      expect(secrets.filter((s) => refusal.includes(s))).toEqual([]);
      // A render asked to reveal, as a viewer: the config comes back redacted.
      const rendered = await callAs(who, "POST /api/clusters/[cluster]/manifest/render", `/api/clusters/${CLUSTER}/manifest/render`, cl, { body: { yaml: manifest, node: nodes[0], reveal: true } });
      expect(rendered.status).toBe(200);
      const renderedBody = await rendered.text();
      expect(renderedBody).toContain("******");
      expect(secrets.filter((s) => renderedBody.includes(s))).toEqual([]);
    }
    // Every GET route (per node for node routes) for both roles: 200 except the admin-only reads and
    // what does not exist (made-up plan and rollout IDs, the control plane that has no revision).
    const notOk = scanned.filter((s) => !/ 200$/.test(s)).map((s) => s.replace(/^(viewer|operator) /, ""));
    const adminOnly = ["/api/sim 403", "/api/tokens 403", "/api/users 403", `/api/clusters/${CLUSTER}/secrets 403`];
    const missing = [`/api/nodes/${encodeURIComponent(nodes[0]!)}/config/revisions/1 404`, `/api/nodes/${encodeURIComponent(nodes[0]!)}/config/revisions/diff?from=1&to=running 404`, `/api/rollouts/${BOGUS_ID} 404`, `/api/upgrades/${BOGUS_ID} 404`, `/api/kubernetes-upgrades/${BOGUS_ID} 404`, `/api/backups/${BOGUS_ID} 404`, `/api/backups/${BOGUS_ID}/download 403`, `/api/backups/${BOGUS_ID}/download 404`, `/api/bulk/${BOGUS_ID} 404`, `/api/ca-rotations/${BOGUS_ID} 404`, `/api/alerts/rules/${BOGUS_ID} 404`, "/api/bench-echo?variant=x 404"];
    expect(new Set(notOk)).toEqual(new Set([...adminOnly, ...missing]));
    expect(scanned).toEqual(expect.arrayContaining([expect.stringMatching(/^viewer \/api\/nodes\/.*\/config\/revisions\/1 200$/), expect.stringMatching(/^viewer \/api\/nodes\/.*\/config\/revisions\/diff\?from=1&to=running 200$/), "viewer /api/audit 200"]));
  }, 120_000);
});
