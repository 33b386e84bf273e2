/**
 * A server answering what Minos answers to minos plan / apply / manifest export (recorded answers
 * shaped by lib/schemas/manifests.ts and configs.ts), recording each request; the answers a test
 * scripts; a terminal and a clock that record what the commands print and ask. Shared by the
 * lib/cli/manifest-*.test.ts files and lib/cli/api.test.ts.
 */
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { afterAll, afterEach, beforeAll } from "vitest";

import { apiClient, type ApiClient } from "@/lib/cli/api";
import type { CliIo } from "@/lib/cli/manifest-remote";
import type { RolloutDetail } from "@/lib/schemas/configs";
import { planResponseSchema, type PlanResponse } from "@/lib/schemas/manifests";

export const TOKEN = "minos_s3cr3t-token-value";
export const MANIFEST = `cluster:
  name: sim-1
  endpoint: https://10.5.0.2:6443
  talosVersion: v1.13.9
  kubernetesVersion: v1.33.2
patches:
  - name: worker sysctls
    selector: {role: worker}
    patch: |
      machine:
        sysctls:
          vm.max_map_count: "262144"
nodes:
  - {address: 10.5.0.2, hostname: cp-1, role: controlplane}
  - {address: 10.5.0.3, hostname: w-1, role: worker}
  - {address: 10.5.0.4, hostname: w-2, role: worker}
`;

export const DIFF = "--- running\n+++ rendered\n@@ -10,0 +11,2 @@\n+    sysctls:\n+        vm.max_map_count: \"262144\"\n";

type Change = PlanResponse["nodes"][number]["change"];

/** A plan of the three nodes of MANIFEST: unchanged unless `changes` says otherwise. */
export function planAnswer(changes: Partial<Record<"cp-1" | "w-1" | "w-2", { change: Change; reboot?: boolean; issues?: string[] }>> = {}): PlanResponse {
  const nodes = (["cp-1", "w-1", "w-2"] as const).map((h, i) => {
    const c = changes[h] ?? { change: "none" as const };
    return { node: `10.5.0.${i + 2}@sim-1`, hostname: h, role: i === 0 ? ("controlplane" as const) : ("worker" as const), change: c.change, reboot: c.reboot ?? false, diff: c.change === "update" ? DIFF : "", issues: c.issues ?? [] };
  });
  const count = (ch: string) => nodes.filter((n) => n.change === ch).length;
  return planResponseSchema.parse({
    planId: "plan-7",
    cluster: "sim-1",
    baseRevision: 3,
    mode: "auto",
    createdAt: "2026-12-06T12:00:00.000Z",
    summary: { none: count("none"), update: count("update"), reboot: nodes.filter((n) => n.reboot).length, refused: count("refused"), unreachable: count("unreachable") },
    nodes,
  });
}

/** Rollout r-1 of MANIFEST's nodes in the given states. */
export function rollout(state: RolloutDetail["state"], nodeStates: [string, string, string], message = ""): RolloutDetail {
  const at = "2026-12-06T12:00:00.000Z";
  return {
    id: "r-1",
    state,
    author: "token:ci",
    createdAt: at,
    updatedAt: at,
    target: { cluster: "sim-1" },
    mode: "auto",
    concurrency: 1,
    continueOnFailure: false,
    configHash: "",
    message,
    yaml: "",
    nodes: nodeStates.map((s, i) => ({
      id: `10.5.0.${i + 2}@sim-1`,
      role: i === 0 ? "controlplane" : "worker",
      state: s as RolloutDetail["nodes"][number]["state"],
      message: s === "done" ? "applied without a reboot" : s === "failed" ? "the node refused: boom" : "",
      mode: null,
      startedAt: null,
      finishedAt: null,
    })),
  };
}

export interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body?: unknown;
}
export type Handler = (req: Seen) => { status: number; body: unknown } | "hang";

/** Routes of a Minos server with one cluster, sim-1; `rollouts` answers GET /api/rollouts/r-1 in turn. */
export function minos(opts: { plan?: PlanResponse; rollouts?: RolloutDetail[]; rolloutId?: string | null; planError?: { status: number; body: unknown } } = {}): Handler {
  let polls = 0;
  return (req) => {
    if (req.authorization !== `Bearer ${TOKEN}`) return { status: 401, body: { error: { code: "unauthorized", message: "Sign in first" } } };
    if (req.method === "GET" && req.url === "/api/clusters") {
      return { status: 200, body: { clusters: [{ name: "sim-1", endpoints: [], nodes: [], roles: ["os:admin"], credentialsNotAfter: "2027-01-01T00:00:00.000Z", source: "file" }] } };
    }
    if (req.method === "POST" && req.url === "/api/clusters/sim-1/manifest/plan") return opts.planError ?? { status: 200, body: opts.plan ?? planAnswer() };
    if (req.method === "POST" && req.url === "/api/clusters/sim-1/manifest/apply") return { status: 200, body: { rolloutId: opts.rolloutId === undefined ? "r-1" : opts.rolloutId, revision: 4 } };
    if (req.method === "GET" && req.url === "/api/rollouts/r-1") {
      const list = opts.rollouts ?? [];
      return { status: 200, body: list[Math.min(polls++, list.length - 1)] };
    }
    if (req.method === "GET" && req.url?.startsWith("/api/clusters/sim-1/manifest")) {
      const reveal = req.url.endsWith("?reveal=1");
      return { status: 200, body: { yaml: reveal ? MANIFEST.replace("262144", "secret") : MANIFEST, revision: 3 } };
    }
    return { status: 404, body: { error: { code: "not_found", message: `No route ${req.url}` } } };
  };
}

export interface FakeMinos {
  /** http://127.0.0.1:PORT, once the suite started. */
  readonly base: string;
  /** The requests since the last test began. */
  readonly seen: Seen[];
  /** How the server answers from now on. */
  handler: Handler;
  /** An API client with TOKEN and a 2 s deadline. */
  client: () => ApiClient;
}

/** Starts the server for the calling test file (vitest hooks); `seen` is emptied after each test. */
export function startFakeMinos(): FakeMinos {
  let server: Server;
  const fake: FakeMinos = {
    base: "",
    seen: [],
    handler: minos(),
    client: () => apiClient({ base: fake.base, token: TOKEN }, { timeoutMs: 2000 }),
  };
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let data = "";
      req.on("data", (c: Buffer) => (data += c.toString()));
      req.on("end", () => {
        const s: Seen = { method: req.method!, url: req.url!, authorization: req.headers.authorization, ...(data ? { body: JSON.parse(data) } : {}) };
        fake.seen.push(s);
        const a = fake.handler(s);
        if (a === "hang") return;
        res.writeHead(a.status, { "content-type": "application/json" }).end(typeof a.body === "string" ? a.body : JSON.stringify(a.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    (fake as { base: string }).base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  afterEach(() => {
    fake.seen.length = 0;
  });
  return fake;
}

/** A terminal that records what is printed and asked, and a clock that sleep advances. */
export function fakeIo(opts: { interactive?: boolean; answer?: boolean } = {}) {
  const io = {
    stdout: "",
    stderr: "",
    questions: [] as string[],
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    interactive: opts.interactive ?? false,
    async confirm(q: string) {
      io.questions.push(q);
      return opts.answer ?? false;
    },
    clock: 0,
    async sleep(ms: number) {
      io.clock += ms;
    },
    now: () => io.clock,
  };
  return io satisfies CliIo;
}

export const MINOS_BIN = path.resolve(__dirname, "../../bin/minos.mjs");

/** Runs bin/minos.mjs with `env` added and `input` on standard input. */
export function runMinos(args: string[], env: Record<string, string>, input?: string, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MINOS_BIN, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"], ...(cwd ? { cwd } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(input ?? "");
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
