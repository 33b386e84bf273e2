/**
 * minos plan / apply against Minos's real routes: an HTTP server in this process hands each
 * request, as the CLI sent it (its bearer token included), to the route handlers of
 * app/api/clusters/[cluster]/manifest/(plan|apply) and app/api/rollouts/[id], which run on a
 * simulated cluster whose nodes run the renders of a saved manifest (test/manifests/seeded-fleet);
 * minos manifest export through GET app/api/clusters/[cluster]/manifest.
 * Adding a sysctl for the workers plans exactly the workers; applied, the rollout is followed to
 * its end and every worker runs the sysctl with its hostname unchanged.
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";

import type { Manifest } from "@/lib/manifest/schema";
import type { ConfigDeps } from "@/lib/server/configs/deps";
import type { RolloutRunner } from "@/lib/server/configs/rollouts/runner";
import type { ManifestDeps } from "@/lib/server/manifests/deps";
import { processState } from "@/lib/server/platform/process-state";
import { authHeaders } from "@/test/auth/credentials";
import { startSeededFleet, type SeededFleet } from "@/test/manifests/seeded-fleet";

import * as rolloutRoute from "@/app/api/rollouts/[id]/route";
import * as applyRoute from "@/app/api/clusters/[cluster]/manifest/apply/route";
import * as planRoute from "@/app/api/clusters/[cluster]/manifest/plan/route";
import * as manifestRoute from "@/app/api/clusters/[cluster]/manifest/route";

import { apiClient } from "./api";
import { parseApplyArgs, parseExportArgs, parsePlanArgs, runApply, runExport, runPlan, type CliIo } from "./manifest-remote";

const g = processState<{ __minosConfigDeps?: ConfigDeps; __minosManifestDeps?: ManifestDeps; __minosRolloutRunner?: RolloutRunner }>();

let t: SeededFleet;
let server: Server;
let base: string;
let adminToken: string;
let viewerToken: string;
/** The redacted manifest the export test read (the last test plans it). */
let lastExport = "";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
const ROUTES: { method: string; pattern: RegExp; handler: Handler; params: (m: RegExpExecArray) => Record<string, string> }[] = [
  { method: "POST", pattern: /^\/api\/clusters\/([^/]+)\/manifest\/plan$/, handler: planRoute.POST as Handler, params: (m) => ({ cluster: decodeURIComponent(m[1]!) }) },
  { method: "POST", pattern: /^\/api\/clusters\/([^/]+)\/manifest\/apply$/, handler: applyRoute.POST as Handler, params: (m) => ({ cluster: decodeURIComponent(m[1]!) }) },
  { method: "GET", pattern: /^\/api\/clusters\/([^/]+)\/manifest$/, handler: manifestRoute.GET as Handler, params: (m) => ({ cluster: decodeURIComponent(m[1]!) }) },
  { method: "GET", pattern: /^\/api\/rollouts\/([^/]+)$/, handler: rolloutRoute.GET as Handler, params: (m) => ({ id: decodeURIComponent(m[1]!) }) },
];

/** Node's http → the route handler's Request, as Next would build it (a loopback Host the guard allows). */
async function dispatch(req: IncomingMessage): Promise<Response> {
  const url = new URL(req.url!, "http://127.0.0.1");
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  headers.set("host", "127.0.0.1");
  const request = new Request(url, { method: req.method, headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) });
  for (const r of ROUTES) {
    const m = r.method === req.method ? r.pattern.exec(url.pathname) : null;
    if (m) return r.handler(request, { params: Promise.resolve(r.params(m)) });
  }
  return Response.json({ error: { code: "not_found", message: `No route ${url.pathname}` } }, { status: 404 });
}

beforeAll(async () => {
  t = await startSeededFleet({ firstAddress: "127.0.187.1", controlPlanes: 1, workers: 2 });
  // The routes use the process's deps: point them at the simulator and the fleet's store.
  g.__minosConfigDeps = t.deps;
  g.__minosManifestDeps = t.plan.manifests;
  adminToken = (await authHeaders("admin")).authorization!.slice("Bearer ".length);
  viewerToken = (await authHeaders("viewer")).authorization!.slice("Bearer ".length);
  server = createServer((req, res) => {
    dispatch(req).then(
      async (r) => {
        res.writeHead(r.status, Object.fromEntries(r.headers));
        res.end(Buffer.from(await r.arrayBuffer()));
      },
      (e: unknown) => res.writeHead(500).end(String(e)),
    );
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await g.__minosRolloutRunner?.stop();
  g.__minosRolloutRunner = undefined;
  g.__minosConfigDeps = undefined;
  g.__minosManifestDeps = undefined;
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await t?.stop();
});

function io(): CliIo & { stdout: string; stderr: string } {
  const o = {
    stdout: "",
    stderr: "",
    out: (s: string) => void (o.stdout += s),
    err: (s: string) => void (o.stderr += s),
    interactive: false,
    confirm: async () => false,
    sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    now: () => Date.now(),
  };
  return o;
}

const client = (token = adminToken) => () => apiClient({ base, token }, { timeoutMs: 30_000 });

const SYSCTL = 'machine:\n  sysctls:\n    vm.max_map_count: "262144"\n';
const edited = (fn: (m: Manifest) => void) => {
  const m = structuredClone(t.manifest);
  fn(m);
  return stringify(m);
};

describe("minos plan and apply against Minos's routes", { timeout: 120_000 }, () => {
  it("the manifest the nodes run plans no change: exit 0, every node unchanged", async () => {
    const o = io();
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", t.cluster]), t.yaml, "m.yaml", client(), o)).toBe(0);
    expect(o.stderr).toBe("");
    expect(o.stdout).toContain(`3 nodes: 3 unchanged, 0 to update (0 with a reboot), 0 refused, 0 unreachable`);
  });

  it("a worker sysctl plans exactly the workers (exit 2); apply --yes rolls it out and follows the rollout to done", async () => {
    const yaml = edited((m) => (m.patches = [{ name: "worker sysctls", selector: { role: "worker" }, patch: SYSCTL }]));
    const planned = io();
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", t.cluster]), yaml, "m.yaml", client(), planned)).toBe(2);
    const workers = t.manifest.nodes.filter((n) => n.role === "worker");
    for (const w of workers) expect(planned.stdout).toMatch(new RegExp(`^${w.hostname} +${w.address.replace(/\./g, "\\.")} +worker +update$`, "m"));
    expect(planned.stdout).toMatch(/^# .+\n--- /m);
    expect(planned.stdout).toContain('+        vm.max_map_count: "262144"');

    const applied = io();
    expect(await runApply(parseApplyArgs(["m.yaml", "--cluster", t.cluster, "--yes", "--concurrency", "2"]), yaml, "m.yaml", client(), applied, 100)).toBe(2);
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toMatch(/Saved manifest revision 2 of cluster /);
    // The workers' transitions, then the rollout's end.
    expect(applied.stdout).toMatch(/^rollout running\n(  .*\n)+rollout done: .*\n$/m);
    for (const w of workers) expect(applied.stdout).toMatch(new RegExp(`^  ${w.hostname} +done`, "m"));
    for (const w of workers) {
      const running = await t.runningConfig(t.idOf(w.address));
      const v1 = parse(running.split(/^---$/m)[0]!) as { machine: { sysctls?: Record<string, string> } };
      expect(v1.machine.sysctls?.["vm.max_map_count"]).toBe("262144");
      expect(running).toContain(`hostname: ${w.hostname}`);
    }
    // Planned again, the same manifest changes nothing.
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", t.cluster]), yaml, "m.yaml", client(), io())).toBe(0);
  });

  it("a patch that breaks the workers' configs: plan exit 1 naming each refused node with the problem; apply applies nothing", async () => {
    const yaml = edited((m) => (m.patches = [{ name: "bad subnet", selector: { role: "worker" }, patch: "machine:\n  kubelet:\n    nodeIP:\n      validSubnets: [not-a-cidr]\n" }]));
    const planned = io();
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", t.cluster]), yaml, "m.yaml", client(), planned)).toBe(1);
    for (const w of t.manifest.nodes.filter((n) => n.role === "worker")) expect(planned.stdout).toMatch(new RegExp(`^${w.hostname} .* refused\n +.*validSubnets.*not-a-cidr`, "m"));
    expect(planned.stdout).toContain("0 to update (0 with a reboot), 2 refused");

    const before = t.fleet.timeline().filter((e) => e.event === "apply").length;
    const applied = io();
    expect(await runApply(parseApplyArgs(["m.yaml", "--cluster", t.cluster, "--yes"]), yaml, "m.yaml", client(), applied)).toBe(1);
    expect(applied.stderr).toBe("minos apply: not applying: 2 refused and 0 unreachable (every node must accept the plan)\n");
    expect(t.fleet.timeline().filter((e) => e.event === "apply").length).toBe(before);
  });

  it("a manifest that does not check (a node listed twice) is the server's 422, printed on the manifest's lines", async () => {
    const yaml = edited((m) => m.nodes.push({ ...m.nodes[1]!, hostname: "again" }));
    const o = io();
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", t.cluster]), yaml, "m.yaml", client(), o)).toBe(1);
    const line = yaml.split("\n").findIndex((l) => l.includes("hostname: again")) + 1;
    // The server's message lists the issue too; the CLI prints it once, on its line.
    expect(o.stderr).toMatch(/^minos plan: The manifest has 1 problem \(invalid_config, HTTP 422\)\n/);
    // The issue is placed on the second entry (its address line, one above its hostname, or the hostname itself).
    expect(o.stderr).toMatch(new RegExp(`\nm\.yaml:(${line - 1}|${line}):\\d+: error: .*listed twice.*\n$`));
    expect(o.stderr.match(/listed twice/g)).toHaveLength(1);
    expect(o.stdout).toBe("");
  });

  it("a viewer's token is refused (403), exit 1", async () => {
    const o = io();
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", t.cluster]), t.yaml, "m.yaml", client(viewerToken), o)).toBe(1);
    expect(o.stderr).toMatch(/^minos plan: .* \(forbidden, HTTP 403\)\n$/);
  });

  it("manifest export: the latest revision, redacted; --reveal needs an admin's token", async () => {
    const secret = 'machine:\n  registries:\n    config:\n      reg.example:\n        auth:\n          password: hunter2-secret\n';
    const yaml = edited((m) => (m.patches = [{ name: "worker sysctls", selector: { role: "worker" }, patch: SYSCTL }, { name: "registry", patch: secret }]));
    // Saved as a revision by apply (the registry auth changes every node).
    const saved = io();
    const code = await runApply(parseApplyArgs(["m.yaml", "--cluster", t.cluster, "--yes", "--concurrency", "2"]), yaml, "m.yaml", client(), saved, 100);
    expect(code).toBe(2);
    const revision = Number(/^Saved manifest revision (\d+) /m.exec(saved.stdout)![1]);

    const redacted = io();
    expect(await runExport(parseExportArgs([t.cluster]), client(viewerToken), redacted)).toEqual({ code: 0 });
    expect(redacted.stdout).toContain("name: registry");
    expect(redacted.stdout).not.toContain("hunter2-secret");
    expect(redacted.stderr).toBe(`minos manifest export: revision ${revision} of cluster ${t.cluster} (secrets redacted)\n`);

    const revealed = await runExport(parseExportArgs([t.cluster, "-o", "m.yaml", "--reveal"]), client(), io());
    expect(revealed.code).toBe(0);
    expect(revealed.file).toMatchObject({ path: "m.yaml", mode: 0o600 });
    expect(revealed.file!.data).toContain("hunter2-secret");

    const viewer = io();
    expect(await runExport(parseExportArgs([t.cluster, "--reveal"]), client(viewerToken), viewer)).toEqual({ code: 1 });
    expect(viewer.stderr).toMatch(/--reveal needs an admin's token/);

    // The redacted export planned as it is: the server merges the stored secrets back, nothing to change.
    const replanned = io();
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", t.cluster]), redacted.stdout, "m.yaml", client(), replanned)).toBe(0);
    expect(replanned.stderr).toBe("");
    lastExport = redacted.stdout;
  });

  it("bin/minos.mjs plan reads MINOS_URL and MINOS_TOKEN and exits 0 for no change", async () => {
    const bin = path.resolve(__dirname, "../../bin/minos.mjs");
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, "plan", "-", "--cluster", t.cluster, "--diff=false"], { env: { ...process.env, MINOS_URL: base, MINOS_TOKEN: adminToken } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      // The manifest as the last apply left it, redacted as export writes it.
      child.stdin.end(lastExport);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("3 unchanged");
    expect(r.stdout).not.toContain(adminToken);
  });
});
