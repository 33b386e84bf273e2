import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";

import type { NodesResponse } from "../lib/schemas/fleet";
import type { HealthResponse } from "../lib/schemas/health";
import { bootstrapToken, leaseReader, startReplicaStack, type LeaseReader, type MinosReplica, type ReplicaStack } from "../test/replicas/stack";
import { OverviewPage } from "./pages/fleet";

/*
 * Three real Minos servers (the production build) on one PostgreSQL database, behind no load
 * balancer: the spec talks to each directly, as a balancer would send a user's requests to any.
 * The simulated fleet runs as its own process with three clusters. Cookies are per host, not per
 * port, so one browser (or request) context signed in on A sends its session to B and C as well.
 */

test.describe.configure({ mode: "serial" });

const CLUSTERS = 3;
const NODES = CLUSTERS * 2;

let stack: ReplicaStack;
let leases: LeaseReader;
let a: MinosReplica;
let b: MinosReplica;
let c: MinosReplica;
/** Signed in on A; its cookies go to every replica. */
let admin: APIRequestContext;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const started = Date.now();
  // Each stage's deadline is short of the hook's, so a stuck start cleans up after itself before Playwright gives up.
  stack = await startReplicaStack({ replicas: 3, clusters: CLUSTERS, controlPlanes: 1, workers: 1, readyTimeoutMs: 60_000 });
  console.log(`[replicas] PostgreSQL, the simulator and three Minos servers ready in ${Date.now() - started} ms`);
  [a, b, c] = stack.replicas as [MinosReplica, MinosReplica, MinosReplica];
  leases = leaseReader(stack.databaseUrl);
});

test.afterAll(async () => {
  await admin?.dispose().catch(() => undefined);
  await leases?.close().catch(() => undefined);
  await stack?.stop();
});

/** On failure, the servers' own words. */
test.afterEach(async ({}, info) => {
  if (info.status !== info.expectedStatus && stack) {
    for (const r of stack.replicas) await info.attach(`replica-${r.name}.log`, { body: r.output(), contentType: "text/plain" });
  }
});

async function csrf(context: APIRequestContext): Promise<Record<string, string>> {
  const value = (await context.storageState()).cookies.find((k) => k.name === "minos_csrf")?.value;
  if (!value) throw new Error("no minos_csrf cookie: not signed in");
  return { "x-minos-csrf": value };
}

async function health(r: MinosReplica): Promise<HealthResponse> {
  const res = await fetch(`${r.baseURL}/api/health`);
  expect(res.status, `GET /api/health on ${r.name}`).toBe(200);
  return (await res.json()) as HealthResponse;
}

async function nodesOn(r: MinosReplica, cluster?: string): Promise<NodesResponse> {
  const res = await admin.get(`${r.baseURL}/api/nodes${cluster ? `?cluster=${cluster}` : ""}`);
  expect(res.status(), `GET /api/nodes on ${r.name}`).toBe(200);
  return (await res.json()) as NodesResponse;
}

/** Polls until `check` holds, and returns when it first did (epoch ms). */
async function firstTime(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("a session made on replica A works on B and C, and what is changed on one is seen on the others", async () => {
  admin = await playwrightRequest.newContext();
  const token = await bootstrapToken(a);
  const redeemed = await admin.post(`${a.baseURL}/api/auth/bootstrap`, { data: { token, name: "ada" } });
  expect(redeemed.status(), await redeemed.text()).toBe(200);

  for (const r of [b, c]) {
    const session = await admin.get(`${r.baseURL}/api/auth/session`);
    expect(await session.json(), `the session on ${r.name}`).toMatchObject({ user: { name: "ada", role: "admin" }, setupRequired: false });
  }

  // A change on B (an API token), listed on C, used on A, revoked on C, refused on B.
  const created = await admin.post(`${b.baseURL}/api/tokens`, { data: { name: "ci", role: "viewer" }, headers: await csrf(admin) });
  expect(created.status(), await created.text()).toBe(200);
  const { token: secret, apiToken } = (await created.json()) as { token: string; apiToken: { id: string } };
  const { tokens: listed } = (await (await admin.get(`${c.baseURL}/api/tokens`)).json()) as { tokens: { id: string; revokedAt: string | null }[] };
  expect(listed.find((t) => t.id === apiToken.id)).toMatchObject({ revokedAt: null });
  const bearer = { authorization: `Bearer ${secret}` };
  expect((await fetch(`${a.baseURL}/api/nodes`, { headers: bearer })).status).toBe(200);
  const revoked = await admin.delete(`${c.baseURL}/api/tokens/${apiToken.id}`, { headers: await csrf(admin) });
  expect(revoked.status(), await revoked.text()).toBe(200);
  expect((await fetch(`${b.baseURL}/api/nodes`, { headers: bearer })).status).toBe(401);

  // The CSRF token is the session's, wherever it is checked: without it C refuses the change.
  const forged = await admin.post(`${c.baseURL}/api/tokens`, { data: { name: "no-csrf", role: "viewer" } });
  expect(forged.status()).toBe(403);
});

test("a sign-in rate limit spent on replica A is 429 on B and C", async () => {
  const anonymous = await playwrightRequest.newContext();
  try {
    const path = "/api/auth/passkeys/authenticate/options";
    // Spend the client's bucket on A (capacity 10, one back every 6 s) until A itself refuses.
    let spent = 0;
    for (; spent < 40; spent++) {
      const res = await anonymous.post(`${a.baseURL}${path}`);
      if (res.status() === 429) break;
      expect(res.status(), await res.text()).toBe(200);
    }
    expect(spent, "A refused once its bucket was empty").toBeGreaterThanOrEqual(10);
    expect(spent).toBeLessThan(40);
    for (const r of [b, c]) {
      const res = await anonymous.post(`${r.baseURL}${path}`);
      expect(res.status(), `${r.name} shares A's bucket`).toBe(429);
      expect(Number(res.headers()["retry-after"])).toBeGreaterThan(0);
      expect(await res.json()).toMatchObject({ error: { code: "rate_limited" } });
    }
  } finally {
    await anonymous.dispose();
  }
});

test("each replica names itself on /api/health and the PostgreSQL store; every cluster is polled by exactly one, spread out", async () => {
  const all = await Promise.all(stack.replicas.map(health));
  expect(all.map((h) => h.store.dialect)).toEqual(["postgres", "postgres", "postgres"]);
  expect(new Set(all.map((h) => h.replica.id)).size).toBe(3);
  all.forEach((h, i) => expect(h.replica.id).toMatch(new RegExp(`^replica-${stack.replicas[i]!.name}-`)));

  // Three clusters, three replicas: one each once the share settles (a replica that started first takes more, then hands back).
  await expect
    .poll(async () => (await Promise.all(stack.replicas.map(health))).map((h) => h.replica.leases.poller ?? 0), { timeout: 30_000, message: "poller leases per replica" })
    .toEqual([1, 1, 1]);
  const owners = await leases.pollerOwners();
  expect([...owners.keys()]).toEqual(["sim-1", "sim-2", "sim-3"]);
  expect(new Set(owners.values())).toEqual(new Set(stack.replicas.map((r) => r.id)));

  // Every replica shows the whole fleet: the clusters it polls and the ones it mirrors.
  for (const r of stack.replicas) {
    await expect
      .poll(async () => (await nodesOn(r)).nodes.filter((n) => n.reachable && n.lastSeen !== null).length, { timeout: 30_000, message: `reachable nodes on ${r.name}` })
      .toBe(NODES);
  }
});

test("a node going down under A's poller shows on B (API and an open page); the delay is logged", async ({ browser }) => {
  // Deadlines, not expectations: each wait below usually ends within seconds.
  test.setTimeout(120_000);
  const owners = await leases.pollerOwners();
  const cluster = [...owners].find(([, owner]) => owner === a.id)?.[0];
  expect(cluster, "A polls a cluster").toBeDefined();
  const worker = (await nodesOn(a, cluster)).nodes.find((n) => n.role === "worker")!;
  const hostname = worker.hostname!;

  const context = await browser.newContext({ baseURL: b.baseURL, storageState: await admin.storageState() });
  try {
    const overview = new OverviewPage(await context.newPage());
    await overview.open();
    await expect(overview.headline()).toHaveText(new RegExp(`All ${NODES} nodes healthy`), { timeout: 20_000 });

    const down = (r: MinosReplica) => async () => (await nodesOn(r, cluster)).nodes.find((n) => n.hostname === hostname)?.reachable === false;
    const t0 = Date.now();
    const fault = await fetch(`${stack.sim.controlUrl}/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node: hostname, fault: "down" }) });
    expect(fault.status, await fault.text()).toBe(200);
    const [onA, onB] = await Promise.all([firstTime(down(a), 30_000, "A sees the node down"), firstTime(down(b), 30_000, "B sees the node down")]);
    // The page on B was not reloaded: the change came over B's event stream.
    await expect(overview.problemFor(hostname)).toContainText("Offline", { timeout: 20_000 });
    const onPage = Date.now();
    const note = `node down → A's poller ${onA - t0} ms; B's API ${onB - t0} ms (${onB - onA} ms after A); B's open page by ${onPage - t0} ms`;
    console.log(`[replicas] ${note}`);
    test.info().annotations.push({ type: "cross-replica delay", description: note });

    const cleared = await fetch(`${stack.sim.controlUrl}/faults`, { method: "DELETE" });
    expect(cleared.status).toBe(200);
    await expect(overview.headline()).toHaveText(new RegExp(`All ${NODES} nodes healthy`), { timeout: 45_000 });
  } finally {
    await context.close();
  }
});

test("kill -9 of a replica: its cluster is polled by another within 15 s, and the survivors keep showing the fleet, freshly seen", async ({ browser }) => {
  test.setTimeout(90_000);
  const before = await leases.pollerOwners();
  const moved = [...before].filter(([, owner]) => owner === c.id).map(([cluster]) => cluster);
  expect(moved.length, "C polls a cluster").toBeGreaterThan(0);

  const context = await browser.newContext({ baseURL: b.baseURL, storageState: await admin.storageState() });
  try {
    const overview = new OverviewPage(await context.newPage());
    await overview.open();
    await expect(overview.headline()).toHaveText(new RegExp(`All ${NODES} nodes healthy`), { timeout: 20_000 });

    const killedAt = Date.now();
    await c.kill("SIGKILL");
    const survivors = [a, b];
    // The survivors' own counts: every cluster polled again, by them alone.
    const movedAt = await firstTime(
      async () => (await Promise.all(survivors.map(health))).reduce((n, h) => n + (h.replica.leases.poller ?? 0), 0) === CLUSTERS,
      15_000,
      "the survivors hold every poller lease",
    );
    const after = await leases.pollerOwners();
    expect(after.size).toBe(CLUSTERS);
    for (const cluster of moved) expect([a.id, b.id]).toContain(after.get(cluster));

    // Both survivors (the new owner polls, the other mirrors) show the moved cluster's nodes seen after the kill.
    const freshAt = await firstTime(
      async () => {
        for (const r of survivors) {
          for (const cluster of moved) {
            const { nodes } = await nodesOn(r, cluster);
            if (nodes.length === 0 || nodes.some((n) => !n.reachable || n.lastSeen === null || Date.parse(n.lastSeen) <= killedAt)) return false;
          }
        }
        return true;
      },
      30_000,
      "the moved clusters' nodes are seen again after the kill, on both survivors",
    );
    const note = `kill -9 → leases moved in ${movedAt - killedAt} ms; moved nodes shown freshly seen on both survivors by ${freshAt - killedAt} ms`;
    console.log(`[replicas] ${note}`);
    test.info().annotations.push({ type: "takeover", description: note });

    // The page left open on B never noticed: the whole fleet, healthy, including the moved cluster.
    await expect(overview.headline()).toHaveText(new RegExp(`All ${NODES} nodes healthy`));
    for (const cluster of moved) await expect(overview.cluster(cluster).getByText("2/2")).toBeVisible();
  } finally {
    await context.close();
  }
});

test("signing out on replica B ends the session on A", async () => {
  // Kept to send again: signing out clears the browser's cookie, but an attacker's copy lives on.
  const cookie = (await admin.storageState()).cookies.find((k) => k.name === "minos_session")?.value;
  expect(cookie).toBeTruthy();
  const stale = `minos_session=${cookie}`;
  expect((await fetch(`${a.baseURL}/api/nodes`, { headers: { cookie: stale } })).status).toBe(200);
  const out = await admin.post(`${b.baseURL}/api/auth/sign-out`, { headers: await csrf(admin) });
  expect(out.status(), await out.text()).toBe(200);
  // The session row is gone, so A refuses the cookie too.
  const session = await fetch(`${a.baseURL}/api/auth/session`, { headers: { cookie: stale } });
  expect(((await session.json()) as { user: unknown }).user).toBeNull();
  expect((await fetch(`${a.baseURL}/api/nodes`, { headers: { cookie: stale } })).status).toBe(401);
});
