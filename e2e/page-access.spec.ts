import { createHash, randomBytes } from "node:crypto";

import { expect, request as playwrightRequest, test, type APIRequestContext, type APIResponse } from "@playwright/test";

import { csrfHeader, storageStateFile } from "./auth-state";
import { openStateDb } from "./state-db";

/**
 * Issue 11, finding 1: every dashboard page, asked for as a browser would (a full page load) and
 * as the client router does (an RSC navigation or prefetch whose Next-Router-State-Tree says
 * the dashboard layout is already on screen, so Next skips rendering that layout), with a
 * cookie that is not a live session: made up, past its lifetime, idle too long, signed out, or
 * of a revoked user. None of these may carry any page data back. The same requests with the
 * admin's live session must carry the data, or the test could not fail.
 */

test.setTimeout(240_000);
// Every request below carries its cookie explicitly; nothing comes from a stored state.
test.use({ storageState: { cookies: [], origins: [] } });

const SESSION_COOKIE = "minos_session";

/**
 * The router state a browser sends when it shows another dashboard page (the overview, or the
 * audit log when the overview is the target): the root and the (dashboard) layout are mounted,
 * so the server renders only the page segment below them.
 */
function dashboardMounted(target: string): string {
  const page = target === "/" ? { children: ["audit", { children: ["__PAGE__", {}] }] } : { children: ["__PAGE__", {}] };
  return encodeURIComponent(JSON.stringify(["", { children: ["(dashboard)", page] }]));
}

const VARIANTS = {
  document: (): Record<string, string> => ({}),
  "RSC navigation": (target: string): Record<string, string> => ({ rsc: "1", "next-router-state-tree": dashboardMounted(target) }),
  "RSC prefetch": (target: string): Record<string, string> => ({ rsc: "1", "next-router-prefetch": "1", "next-router-state-tree": dashboardMounted(target) }),
  // Next 16's per-segment prefetch (the route tree first), which the client router sends on hover.
  "RSC segment prefetch": (target: string): Record<string, string> => ({
    rsc: "1",
    "next-router-prefetch": "1",
    "next-router-segment-prefetch": "/_tree",
    "next-router-state-tree": dashboardMounted(target),
  }),
};
type Variant = keyof typeof VARIANTS;

interface PageCase {
  path: string;
  /** Text only the rendered page itself puts in its payload (its header's description). */
  rendered: string;
  /** Whether the page hands server-read data to the client (the rollout pages fetch theirs from the API). */
  hasData: boolean;
  /** What the signed-in control answers when not 200: a made-up id of a page that reads its record on the server. */
  status?: number;
}

interface Fleet {
  pages: PageCase[];
  /** The API's reads behind those pages. */
  apis: string[];
  /** Strings that are page data: node addresses and hostnames, the cluster, user names, audit actions. */
  secrets: string[];
}

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

async function admin(baseURL: string): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL, storageState: storageStateFile("admin") });
}

async function sessionCookieOf(context: APIRequestContext): Promise<string> {
  const cookie = (await context.storageState()).cookies.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error("No session cookie: is this context signed in?");
  return cookie.value;
}

/** A new user through an invitation, signed in: its context (with the session cookie) and ID. */
async function invitedUser(adminContext: APIRequestContext, baseURL: string, name: string): Promise<{ context: APIRequestContext; id: string }> {
  const created = await adminContext.post("/api/auth/invitations", { data: { role: "viewer", name }, headers: await csrfHeader(adminContext) });
  expect(created.status()).toBe(200);
  const token = /#token=([A-Za-z0-9_-]+)/.exec(((await created.json()) as { url: string }).url)![1]!;
  const context = await playwrightRequest.newContext({ baseURL });
  expect((await context.post("/api/auth/invitations/accept", { data: { token, name } })).status()).toBe(200);
  const users = (await (await adminContext.get("/api/users")).json()) as { users: { id: string; name: string }[] };
  return { context, id: users.users.find((u) => u.name === name)!.id };
}

/** A session row written straight into the database, for states the API cannot produce on demand. */
async function insertSession(userName: string, times: { lastSeenAt: Date; expiresAt: Date }): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const db = openStateDb();
  try {
    const user = await db.selectFrom("users").select("id").where("name", "=", userName).executeTakeFirstOrThrow();
    await db
      .insertInto("sessions")
      .values({
        id_hash: sha256(token),
        user_id: user.id,
        csrf_hash: sha256(randomBytes(32).toString("base64url")),
        method: "invitation",
        created_at: new Date(times.lastSeenAt.getTime() - 1000).toISOString(),
        last_seen_at: times.lastSeenAt.toISOString(),
        expires_at: times.expiresAt.toISOString(),
      })
      .execute();
  } finally {
    await db.destroy();
  }
  return token;
}

/**
 * Asks for a page with the given session cookie and follows redirects (Next's own, which adds
 * the `_rsc` cache-busting parameter to an RSC request, and the sign-in one) by hand, sending the
 * cookie and the router headers again each time, as the browser's fetch would. Returns the
 * last answer and where it came from.
 */
async function ask(request: APIRequestContext, pagePath: string, cookie: string, variant: Variant): Promise<{ res: APIResponse; url: URL; body: string }> {
  let url = new URL(pagePath, "http://minos.invalid");
  // Every hop's body counts: a redirect must not carry the page either.
  let body = "";
  for (let hop = 0; hop < 10; hop++) {
    const res = await request.get(`${url.pathname}${url.search}`, { headers: { cookie: `${SESSION_COOKIE}=${cookie}`, ...VARIANTS[variant](pagePath) }, maxRedirects: 0 });
    body += await res.text();
    const location = res.headers()["location"];
    if (res.status() >= 300 && res.status() < 400 && location) {
      url = new URL(location, url);
      continue;
    }
    return { res, url, body };
  }
  throw new Error(`${pagePath}: more than 10 redirects`);
}

/** The secrets in a body, leaving out what the caller wrote into the URL itself (a sign-in redirect repeats it). */
function leaked(fleet: Fleet, pagePath: string, body: string): string[] {
  const asked = decodeURIComponent(pagePath);
  return [...fleet.secrets, ...fleet.pages.map((p) => p.rendered)].filter((s) => !asked.includes(s) && body.includes(s));
}

let fleet: Fleet;

test.beforeAll(async ({ baseURL }) => {
  const a = await admin(baseURL!);
  type Node = { id: string; address: string; hostname: string | null; cluster: string; talosVersion: string | null };
  let nodes: Node[] = [];
  // Run alone, this spec may start before the poller's first round has read every node's version.
  await expect
    .poll(async () => {
      nodes = ((await (await a.get("/api/nodes")).json()) as { nodes: Node[] }).nodes;
      return nodes.length > 0 && nodes.every((n) => n.talosVersion && n.hostname);
    })
    .toBe(true);
  const node = nodes[nodes.length - 1]!;
  // A finished plan for /upgrades/[id] that changes nothing: one node, to the version it already runs.
  const planned = await a.post("/api/upgrades", { data: { cluster: node.cluster, version: node.talosVersion, nodes: [node.id] }, headers: await csrfHeader(a) });
  expect(planned.status(), await planned.text()).toBe(201);
  const plan = (await planned.json()) as { id: string };
  const clusters = [...new Set(nodes.map((n) => n.cluster))];
  fleet = {
    pages: [
      { path: "/", rendered: "Health of every cluster, current problems", hasData: true },
      { path: "/nodes", rendered: "Every node across your clusters", hasData: true },
      { path: `/nodes/${encodeURIComponent(node.id)}`, rendered: ` of cluster ${node.cluster}`, hasData: true },
      { path: `/nodes/${encodeURIComponent(node.id)}/logs`, rendered: "Service logs and the kernel log, streamed from the node", hasData: true },
      { path: "/clusters", rendered: "The clusters Minos manages, one per talosconfig context", hasData: true },
      { path: `/clusters/${encodeURIComponent(node.cluster)}`, rendered: "One manifest describes every node's config", hasData: true },
      { path: "/certificates", rendered: "Every certificate your fleet depends on", hasData: true },
      { path: "/upgrades", rendered: "Rolling Talos upgrades that keep etcd quorum", hasData: true },
      { path: `/upgrades/${plan.id}`, rendered: `Upgrade of ${node.cluster} to `, hasData: true },
      { path: "/kubernetes-upgrades", rendered: "The flow of talosctl upgrade-k8s: pre-checks", hasData: true },
      { path: `/clusters/${encodeURIComponent(node.cluster)}/etcd`, rendered: "Each control plane's etcd member", hasData: true },
      { path: "/backups", rendered: "etcd snapshots kept on the Minos host", hasData: true },
      { path: "/bulk", rendered: "Actions on a selection of nodes (reboot, service restart", hasData: false },
      { path: "/ca-rotations", rendered: "The flow of talosctl rotate-ca: the new CA is added as accepted", hasData: true },
      { path: "/config", rendered: "Edit a machine config with live validation", hasData: true },
      { path: "/config/history", rendered: "Every config Minos applied to a node", hasData: true },
      { path: "/config/rollouts", rendered: "One config applied to many nodes", hasData: false },
      { path: "/config/rollouts/r-made-up", rendered: "Per-node results: preflight, apply", hasData: false },
      { path: "/alerts", rendered: "What the built-in rules see going wrong across the fleet", hasData: false },
      { path: "/alerts/rules", rendered: "The built-in rules, on by default: how long a condition must hold", hasData: false },
      { path: "/alerts/channels", rendered: "Where notifications go: signed webhooks, Slack incoming webhooks", hasData: false },
      { path: "/alerts/silences", rendered: "Keep alerts quiet for a while (a maintenance window", hasData: false },
      { path: "/alerts/deliveries", rendered: "Every attempt to notify a channel, tests included", hasData: false },
      { path: "/audit", rendered: "Every change Minos made, who made it", hasData: true },
      { path: "/access", rendered: "Who can sign in to Minos, with which role", hasData: true },
    ],
    apis: [
      "/api/nodes",
      `/api/nodes/${encodeURIComponent(node.id)}`,
      `/api/nodes/${encodeURIComponent(node.id)}/logs/machined`,
      `/api/nodes/${encodeURIComponent(node.id)}/dmesg`,
      `/api/nodes/${encodeURIComponent(node.id)}/events`,
      "/api/clusters",
      `/api/clusters/${encodeURIComponent(node.cluster)}/manifest/revisions`,
      "/api/certificates",
      "/api/upgrades",
      `/api/upgrades/${plan.id}`,
      "/api/kubernetes-upgrades",
      "/api/kubernetes-upgrades/k-made-up",
      "/api/bulk",
      "/api/ca-rotations",
      `/api/clusters/${encodeURIComponent(node.cluster)}/kubeconfig`,
      `/api/clusters/${encodeURIComponent(node.cluster)}/etcd`,
      "/api/backups",
      "/api/backups/schedules",
      "/api/backups/bk-made-up",
      "/api/rollouts",
      "/api/audit",
      "/api/alerts",
      "/api/alerts/rules",
      "/api/alerts/channels",
      "/api/alerts/silences",
      "/api/alerts/deliveries",
      "/api/users",
      "/api/tokens",
      "/api/auth/invitations",
    ],
    secrets: [
      ...nodes.map((n) => n.address),
      ...nodes.flatMap((n) => (n.hostname ? [n.hostname] : [])),
      ...clusters,
      "e2e-admin",
      "e2e-viewer",
      "invitation.create",
      "os:admin",
    ],
  };
  await a.dispose();
});

test("with the admin's live session every page's RSC payload carries its data (the control)", async ({ baseURL, request }) => {
  const a = await admin(baseURL!);
  const cookie = await sessionCookieOf(a);
  await a.dispose();
  for (const page of fleet.pages) {
    for (const variant of ["RSC navigation", "document"] as const) {
      const { res, body } = await ask(request, page.path, cookie, variant);
      expect(res.status(), `${variant} ${page.path}`).toBe(page.status ?? 200);
      if (variant !== "document") expect(res.headers()["content-type"], `${variant} ${page.path}`).toContain("text/x-component");
      expect(body, `${variant} ${page.path}`).toContain(page.rendered);
      if (page.hasData) expect(leaked(fleet, page.path, body).length, `${variant} ${page.path} carries data`).toBeGreaterThan(0);
    }
  }
});

const SESSIONS: Record<string, (baseURL: string) => Promise<string>> = {
  "a made-up cookie": async () => randomBytes(32).toString("base64url"),
  "a session past its lifetime": async () => insertSession("e2e-viewer", { lastSeenAt: new Date(Date.now() - 120_000), expiresAt: new Date(Date.now() - 60_000) }),
  "a session idle for a year": async () => insertSession("e2e-viewer", { lastSeenAt: new Date(Date.now() - 365 * 86_400_000), expiresAt: new Date(Date.now() + 86_400_000) }),
  "a signed-out session": async (baseURL) => {
    const a = await admin(baseURL);
    const { context } = await invitedUser(a, baseURL, "e2e-signed-out");
    const cookie = await sessionCookieOf(context);
    expect((await context.post("/api/auth/sign-out", { headers: await csrfHeader(context) })).status()).toBe(200);
    await Promise.all([a.dispose(), context.dispose()]);
    return cookie;
  },
  "the session of a revoked user": async (baseURL) => {
    const a = await admin(baseURL);
    const { context, id } = await invitedUser(a, baseURL, "e2e-revoked");
    const cookie = await sessionCookieOf(context);
    // Live until the revocation: the control that this cookie was a real session.
    expect((await context.get("/api/nodes")).status()).toBe(200);
    expect((await a.delete(`/api/users/${id}`, { headers: await csrfHeader(a) })).status()).toBe(200);
    await Promise.all([a.dispose(), context.dispose()]);
    return cookie;
  },
};

test.describe("without a live session", () => {
  for (const [what, make] of Object.entries(SESSIONS)) {
    test(`with ${what}, no page returns its data, as a document, an RSC navigation or a prefetch`, async ({ baseURL, request }) => {
      const cookie = await make(baseURL!);
      for (const page of fleet.pages) {
        for (const variant of Object.keys(VARIANTS) as Variant[]) {
          const { url, body } = await ask(request, page.path, cookie, variant);
          const label = `${variant} ${page.path} with ${what}`;
          // Soft: one run lists every page and request kind that leaks, not only the first.
          expect.soft(leaked(fleet, page.path, body), label).toEqual([]);
          // Sent to the sign-in page, with the way back.
          expect.soft(url.pathname, label).toBe("/sign-in");
          expect.soft(url.searchParams.get("next"), label).toBe(page.path === "/" ? null : page.path);
        }
      }
      // The API the pages' clients read from refuses the same cookie, router headers or not.
      for (const api of fleet.apis) {
        for (const variant of ["document", "RSC prefetch"] as const) {
          // Next answers an RSC request without its `_rsc` parameter with a redirect first, API or not.
          const { res, url, body } = await ask(request, api, cookie, variant);
          const label = `${variant} GET ${api} with ${what}`;
          expect.soft(res.status(), label).toBe(401);
          expect.soft(url.pathname, label).toBe(new URL(api, url).pathname);
          expect.soft(leaked(fleet, api, body), label).toEqual([]);
        }
      }
    });
  }
});

// Finding 6: the way back after signing in is a path on Minos, whatever `next` says.
test("a signed-in person's ?next= never leads off Minos, and a newline in it is no 500", async ({ baseURL, request }) => {
  const a = await admin(baseURL!);
  const cookie = await sessionCookieOf(a);
  await a.dispose();
  const hostile = ["/%5Cevil.example", "/%09/evil.example", "/%0A/evil.example", "//evil.example", "/%5C/evil.example", "/.//evil.example", "https://evil.example/", "javascript:alert(1)", "/%0D%0ASet-Cookie:%20x=y"];
  for (const next of hostile) {
    const res = await request.get(`/sign-in?next=${next}`, { headers: { cookie: `${SESSION_COOKIE}=${cookie}` }, maxRedirects: 0 });
    expect(res.status(), next).toBe(307);
    const location = res.headers()["location"]!;
    expect(new URL(location, baseURL).origin, `${next} → ${location}`).toBe(new URL(baseURL!).origin);
    expect(location, next).toMatch(/^(\/|http:\/\/127\.0\.0\.1:\d+\/)$/);
  }
  const kept = await request.get("/sign-in?next=/audit%3Flimit%3D5", { headers: { cookie: `${SESSION_COOKIE}=${cookie}` }, maxRedirects: 0 });
  expect(new URL(kept.headers()["location"]!, baseURL).pathname).toBe("/audit");
});
