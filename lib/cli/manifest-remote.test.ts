/**
 * minos plan / apply / manifest export against an HTTP server answering what Minos answers
 * (recorded answers shaped by lib/schemas/manifests.ts and configs.ts): the requests the CLI
 * sends (bearer token, bodies, cluster id), what it prints and its exit status. The same
 * commands against the real server: e2e/manifest-cli.spec.ts.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { RolloutDetail } from "@/lib/schemas/configs";
import { planResponseSchema, type PlanResponse } from "@/lib/schemas/manifests";

import { apiClient, apiTarget, ApiError, CliError } from "./api";
import { formatPlan, parseApplyArgs, parseDuration, parseExportArgs, parsePlanArgs, planExitCode, rolloutEvents, runApply, runExport, runPlan, type CliIo } from "./manifest-remote";

const TOKEN = "minos_s3cr3t-token-value";
const MANIFEST = `cluster:
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

const DIFF = "--- running\n+++ rendered\n@@ -10,0 +11,2 @@\n+    sysctls:\n+        vm.max_map_count: \"262144\"\n";

function planAnswer(changes: Partial<Record<"cp-1" | "w-1" | "w-2", { change: PlanResponse["nodes"][number]["change"]; reboot?: boolean; issues?: string[] }>> = {}): PlanResponse {
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

function rollout(state: RolloutDetail["state"], nodeStates: [string, string, string], message = ""): RolloutDetail {
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

// ---------------------------------------------------------------------------------------------
// A server that records requests and answers from a script.

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body?: unknown;
}
type Handler = (req: Seen) => { status: number; body: unknown } | "hang";
let server: Server;
let base: string;
let handler: Handler;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = "";
    req.on("data", (c: Buffer) => (data += c.toString()));
    req.on("end", () => {
      const s: Seen = { method: req.method!, url: req.url!, authorization: req.headers.authorization, ...(data ? { body: JSON.parse(data) } : {}) };
      seen.push(s);
      const a = handler(s);
      if (a === "hang") return;
      res.writeHead(a.status, { "content-type": "application/json" }).end(typeof a.body === "string" ? a.body : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => {
  seen.length = 0;
});

/** Routes of a Minos server with one cluster, sim-1; `rollouts` answers GET /api/rollouts/r-1 in turn. */
function minos(opts: { plan?: PlanResponse; rollouts?: RolloutDetail[]; rolloutId?: string | null; planError?: { status: number; body: unknown } } = {}): Handler {
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

function fakeIo(opts: { interactive?: boolean; answer?: boolean } = {}) {
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

const client = () => apiClient({ base, token: TOKEN }, { timeoutMs: 2000 });

// ---------------------------------------------------------------------------------------------

describe("apiTarget", () => {
  it("reads MINOS_URL and MINOS_TOKEN, refusing what would leak or cannot work", () => {
    expect(apiTarget({ MINOS_URL: "https://minos.example.com/", MINOS_TOKEN: TOKEN })).toEqual({ base: "https://minos.example.com", token: TOKEN });
    expect(apiTarget({ MINOS_URL: "http://10.0.0.1:3000/minos", MINOS_TOKEN: TOKEN }).base).toBe("http://10.0.0.1:3000/minos");
    expect(() => apiTarget({ MINOS_TOKEN: TOKEN })).toThrow("MINOS_URL is not set");
    expect(() => apiTarget({ MINOS_URL: "https://a" })).toThrow("MINOS_TOKEN is not set");
    expect(() => apiTarget({ MINOS_URL: "minos.example.com", MINOS_TOKEN: TOKEN })).toThrow("MINOS_URL is not a URL");
    expect(() => apiTarget({ MINOS_URL: "ftp://a", MINOS_TOKEN: TOKEN })).toThrow("http:// or https://");
    expect(() => apiTarget({ MINOS_URL: "https://u:p@a", MINOS_TOKEN: TOKEN })).toThrow("must not hold credentials");
    expect(() => apiTarget({ MINOS_URL: "https://a", MINOS_TOKEN: "minos_a b" })).toThrow("spaces or control characters");
  });
});

describe("apiClient", () => {
  it("sends the bearer token; an error envelope becomes an ApiError; a deadline, a redirect and a dead server are CliErrors without the token", async () => {
    handler = minos();
    await expect(client().get("/api/nodes", planResponseSchema)).rejects.toMatchObject({ status: 404, code: "not_found", message: "No route /api/nodes" });
    expect(seen[0]).toMatchObject({ method: "GET", url: "/api/nodes", authorization: `Bearer ${TOKEN}` });

    handler = () => "hang";
    const slow = await apiClient({ base, token: TOKEN }, { timeoutMs: 200 }).get("/api/x", planResponseSchema).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(CliError);
    expect((slow as Error).message).toBe(`GET ${base}/api/x: no answer within 0.2 s`);

    handler = () => ({ status: 302, body: "" });
    const moved = await client().get("/api/x", planResponseSchema).catch((e: unknown) => e);
    expect((moved as Error).message).toMatch(/redirected \(HTTP 302\)/);

    handler = () => ({ status: 502, body: "<html>bad gateway</html>" });
    const html = await client().get("/api/x", planResponseSchema).catch((e: unknown) => e);
    expect(html).toBeInstanceOf(ApiError);
    expect((html as Error).message).toMatch(/HTTP 502 with a application\/json that is not JSON/);

    handler = () => ({ status: 200, body: { planId: 1 } });
    expect(((await client().get("/api/x", planResponseSchema).catch((e: unknown) => e)) as Error).message).toMatch(/unexpected answer \(planId: .*\); is the server the same Minos version/);

    const dead = await apiClient({ base: "http://127.0.0.1:59999", token: TOKEN }).get("/api/x", planResponseSchema).catch((e: unknown) => e);
    expect((dead as Error).message).toBe("GET http://127.0.0.1:59999/api/x: cannot reach the server: ECONNREFUSED");
    for (const e of [slow, moved, html, dead]) expect(String((e as Error).message)).not.toContain(TOKEN);
  });
});

describe("options", () => {
  it("plan and apply flags", () => {
    expect(parsePlanArgs(["m.yaml"])).toEqual({ help: false, manifest: "m.yaml", cluster: undefined, mode: "auto", diff: true });
    expect(parsePlanArgs(["m.yaml", "--cluster", "prod", "--mode=no-reboot", "--diff=false"])).toMatchObject({ cluster: "prod", mode: "no-reboot", diff: false });
    expect(() => parsePlanArgs(["m.yaml", "--mode", "try"])).toThrow(/one of auto, no-reboot, staged, reboot/);
    expect(() => parsePlanArgs([])).toThrow("accepts 1 arg(s), received 0");
    expect(parseApplyArgs(["m.yaml", "-y", "--concurrency", "3", "--timeout", "1h30m"])).toMatchObject({ yes: true, concurrency: 3, timeoutMs: 90 * 60_000 });
    expect(parseApplyArgs(["m.yaml"])).toMatchObject({ yes: false, concurrency: undefined, timeoutMs: 3_600_000 });
    expect(() => parseApplyArgs(["m.yaml", "--concurrency", "0"])).toThrow(/from 1 to 50/);
    expect(() => parseApplyArgs(["m.yaml", "--timeout", "soon"])).toThrow(/a duration like/);
    expect(parseDuration("90s", "--timeout")).toBe(90_000);
    expect(parseExportArgs(["sim-1"])).toEqual({ help: false, cluster: "sim-1", output: "-", reveal: false });
    expect(parseExportArgs(["sim-1", "-o", "m.yaml", "--reveal"])).toMatchObject({ output: "m.yaml", reveal: true });
  });
});

describe("formatting", () => {
  it("a plan: a line per node with its issues, the summary, the diffs of changed nodes; exit 0 / 2 / 1", () => {
    const plan = planAnswer({ "w-1": { change: "update" }, "w-2": { change: "update", reboot: true, issues: ["warning: installer image changed"] } });
    expect(formatPlan(plan, { diff: true })).toBe(
      [
        "Plan plan-7 for cluster sim-1 (manifest revision 3, mode auto)",
        "",
        "NODE  ADDRESS   ROLE          CHANGE",
        "cp-1  10.5.0.2  controlplane  unchanged",
        "w-1   10.5.0.3  worker        update",
        "w-2   10.5.0.4  worker        update, reboot",
        "      warning: installer image changed",
        "",
        "3 nodes: 1 unchanged, 2 to update (1 with a reboot), 0 refused, 0 unreachable",
        "",
        "# w-1 (10.5.0.3@sim-1)",
        DIFF + "",
        "# w-2 (10.5.0.4@sim-1)",
        DIFF,
      ].join("\n"),
    );
    expect(formatPlan(plan, { diff: false })).not.toContain("+++");
    expect(formatPlan({ ...plan, notInManifest: ["10.5.0.9@sim-1"] }, { diff: false })).toContain(
      "3 nodes: 1 unchanged, 2 to update (1 with a reboot), 0 refused, 0 unreachable\nNot in the manifest, left as they are: 10.5.0.9@sim-1\n",
    );
    expect(planExitCode(plan)).toBe(2);
    expect(planExitCode(planAnswer())).toBe(0);
    expect(planExitCode(planAnswer({ "w-1": { change: "update" }, "w-2": { change: "refused" } }))).toBe(1);
    expect(planExitCode(planAnswer({ "cp-1": { change: "unreachable" } }))).toBe(1);
  });

  it("a rollout's transitions: its state, then each node that moved, by hostname", () => {
    const names = new Map([
      ["10.5.0.2@sim-1", "cp-1"],
      ["10.5.0.3@sim-1", "w-1"],
    ]);
    const a = rollout("running", ["pending", "applying", "pending"]);
    const b = rollout("running", ["pending", "done", "applying"]);
    const c = rollout("failed", ["pending", "done", "failed"], "stopped at 10.5.0.4@sim-1");
    expect(rolloutEvents(null, a, names)).toEqual(["rollout running", "  w-1             applying"]);
    expect(rolloutEvents(a, b, names)).toEqual(["  w-1             done: applied without a reboot", "  10.5.0.4@sim-1  applying"]);
    expect(rolloutEvents(b, c, names)).toEqual(["  10.5.0.4@sim-1  failed: the node refused: boom", "rollout failed: stopped at 10.5.0.4@sim-1"]);
    expect(rolloutEvents(c, c, names)).toEqual([]);
  });
});

describe("minos plan", () => {
  it("posts the manifest's text to the cluster named by cluster.name, prints the plan, exits 2 on changes", async () => {
    handler = minos({ plan: planAnswer({ "w-1": { change: "update" } }) });
    const io = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", client, io)).toBe(2);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /api/clusters", "POST /api/clusters/sim-1/manifest/plan"]);
    expect(seen[1]!.body).toEqual({ yaml: MANIFEST, mode: "auto" });
    expect(io.stdout).toContain("w-1   10.5.0.3  worker        update\n");
    expect(io.stderr).toBe("");
  });

  it("--cluster skips the lookup; a cluster.name Minos does not know is an error naming the rule", async () => {
    handler = minos();
    const io = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", "sim-1", "--mode", "staged"]), MANIFEST.replace("name: sim-1", "name: prod"), "m.yaml", client, io)).toBe(0);
    expect(seen.map((s) => s.url)).toEqual(["/api/clusters/sim-1/manifest/plan"]);
    expect(seen[0]!.body).toMatchObject({ mode: "staged" });

    const unknown = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST.replace("name: sim-1", "name: prod"), "m.yaml", client, unknown)).toBe(1);
    expect(unknown.stderr).toBe('minos plan: the manifest\'s cluster.name "prod" is not a Minos cluster (Minos has: sim-1); pass --cluster ID\n');
  });

  it("a refused node exits 1; the server's manifest issues print on the manifest's lines", async () => {
    handler = minos({ plan: planAnswer({ "w-2": { change: "refused", issues: ["the node refused: unknown field"] } }) });
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", client, fakeIo())).toBe(1);

    const issue = { severity: "error", message: "w-2: machine.kubelet.nodeIP.validSubnets[0]: not valid", line: 12, column: 9, endLine: 12, endColumn: 12, path: ["patches", 0, "patch"], nodes: ["w-2"] };
    handler = minos({ planError: { status: 400, body: { error: { code: "validation_failed", message: "The manifest has 1 problem", details: { issues: [issue] } } } } });
    const io = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", client, io)).toBe(1);
    expect(io.stderr).toBe("minos plan: The manifest has 1 problem (validation_failed, HTTP 400)\nm.yaml:12:9: error: w-2: machine.kubelet.nodeIP.validSubnets[0]: not valid\n");
  });

  it("a wrong token is a 401 with a hint, never the token", async () => {
    handler = minos();
    const io = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", () => apiClient({ base, token: "minos_wrong" }), io)).toBe(1);
    expect(io.stderr).toBe("minos plan: Sign in first (unauthorized, HTTP 401)\nminos plan: check MINOS_TOKEN (an API token that is not expired or revoked)\n");
  });
});

describe("minos apply", () => {
  const changes = () => planAnswer({ "w-1": { change: "update" }, "w-2": { change: "update" } });

  it("refuses without --yes when standard input is not a terminal, before asking the server anything", async () => {
    handler = minos();
    const io = fakeIo({ interactive: false });
    expect(await runApply(parseApplyArgs(["m.yaml"]), MANIFEST, "m.yaml", client, io)).toBe(1);
    expect(io.stderr).toBe("minos apply: standard input is not a terminal: pass --yes to apply without confirmation\n");
    expect(seen).toEqual([]);
  });

  it("asks on a terminal; no means nothing applied", async () => {
    handler = minos({ plan: changes() });
    const io = fakeIo({ interactive: true, answer: false });
    expect(await runApply(parseApplyArgs(["m.yaml"]), MANIFEST, "m.yaml", client, io)).toBe(1);
    expect(io.questions).toEqual(["Apply plan plan-7 to cluster sim-1: update 2 nodes (0 with a reboot)? [y/N] "]);
    expect(seen.map((s) => s.url)).not.toContain("/api/clusters/sim-1/manifest/apply");
  });

  it("--yes applies the plan and follows the rollout to done: exit 2, each transition printed once", async () => {
    handler = minos({
      plan: changes(),
      rollouts: [rollout("running", ["done", "applying", "pending"]), rollout("running", ["done", "applying", "pending"]), rollout("running", ["done", "done", "applying"]), rollout("done", ["done", "done", "done"])],
    });
    const io = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes", "--concurrency", "2"]), MANIFEST, "m.yaml", client, io)).toBe(2);
    const apply = seen.find((s) => s.url === "/api/clusters/sim-1/manifest/apply")!;
    expect(apply.body).toEqual({ planId: "plan-7", concurrency: 2 });
    expect(io.stdout.slice(io.stdout.indexOf("\nSaved"))).toBe(
      [
        "",
        "Saved manifest revision 4 of cluster sim-1",
        "Rollout r-1 (following it; Ctrl-C stops following, not the rollout)",
        "rollout running",
        "  cp-1  done: applied without a reboot",
        "  w-1   applying",
        "  w-1   done: applied without a reboot",
        "  w-2   applying",
        "  w-2   done: applied without a reboot",
        "rollout done",
        "",
      ].join("\n"),
    );
    expect(seen.filter((s) => s.url === "/api/rollouts/r-1")).toHaveLength(4);
  });

  it("a failed rollout exits 1 with its reason; a refused node stops before applying", async () => {
    handler = minos({ plan: changes(), rollouts: [rollout("failed", ["done", "failed", "skipped"], "stopped at 10.5.0.3@sim-1")] });
    const io = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", client, io)).toBe(1);
    expect(io.stderr).toBe("minos apply: rollout failed: stopped at 10.5.0.3@sim-1\n");

    seen.length = 0;
    handler = minos({ plan: planAnswer({ "w-1": { change: "update" }, "w-2": { change: "unreachable" } }) });
    const refused = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", client, refused)).toBe(1);
    expect(refused.stderr).toMatch(/not applying: 0 refused and 1 unreachable/);
    expect(seen.map((s) => s.url)).not.toContain("/api/clusters/sim-1/manifest/apply");
  });

  it("no node changes: saves the revision without a rollout, exit 0; --timeout stops following, exit 1", async () => {
    handler = minos({ rolloutId: null });
    const io = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", client, io)).toBe(0);
    expect(io.stdout).toContain("No node changes: nothing to roll out\n");

    handler = minos({ plan: changes(), rollouts: [rollout("paused", ["done", "pending", "pending"])] });
    const paused = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes", "--timeout", "5s"]), MANIFEST, "m.yaml", client, paused, 1000)).toBe(1);
    expect(paused.stderr).toMatch(/rollout r-1 still running after --timeout; it goes on/);
    expect(paused.stdout.match(/rollout paused/g)).toHaveLength(1);
  });
});

describe("minos apply following a rollout through a server restart", () => {
  it("rides out a few failed polls, then gives up after two minutes of them", async () => {
    const healthy = minos({ plan: planAnswer({ "w-1": { change: "update" } }), rollouts: [rollout("done", ["done", "done", "done"])] });
    let down = 3;
    handler = (req) => (req.url === "/api/rollouts/r-1" && down-- > 0 ? { status: 503, body: { error: { code: "store_unavailable", message: "The database does not answer" } } } : healthy(req));
    const io = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", client, io)).toBe(2);
    expect(io.stderr).toBe("minos apply: The database does not answer; asking again\nminos apply: the server answers again\n");
    expect(io.stdout).toMatch(/rollout done\n$/);

    handler = (req) => (req.url === "/api/rollouts/r-1" ? { status: 503, body: { error: { code: "store_unavailable", message: "The database does not answer" } } } : healthy(req));
    const gone = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", client, gone)).toBe(1);
    expect(gone.stderr).toBe("minos apply: The database does not answer; asking again\nminos apply: The database does not answer (store_unavailable, HTTP 503)\n");
    // Two minutes of one-second polls, not more.
    expect(gone.clock).toBeGreaterThan(120_000);
    expect(gone.clock).toBeLessThanOrEqual(122_000);
  });
});

describe("minos manifest export", () => {
  it("prints the redacted manifest, or returns the revealed one to write 0600", async () => {
    handler = minos();
    const io = fakeIo();
    expect(await runExport(parseExportArgs(["sim-1"]), client, io)).toEqual({ code: 0 });
    expect(io.stdout).toBe(MANIFEST);
    expect(io.stderr).toBe("minos manifest export: revision 3 of cluster sim-1 (secrets redacted)\n");
    expect(seen[0]!.url).toBe("/api/clusters/sim-1/manifest");

    const revealed = await runExport(parseExportArgs(["sim-1", "-o", "m.yaml", "--reveal"]), client, fakeIo());
    expect(revealed).toEqual({ code: 0, file: { path: "m.yaml", data: MANIFEST.replace("262144", "secret"), mode: 0o600 } });
    expect(seen[1]!.url).toBe("/api/clusters/sim-1/manifest?reveal=1");

    // A viewer asking to reveal gets a redacted manifest (the server's rule): refused, nothing to write.
    handler = () => ({ status: 200, body: { yaml: MANIFEST.replace('"262144"', "'******'"), revision: 3 } });
    const quiet = fakeIo();
    expect(await runExport(parseExportArgs(["sim-1", "-o", "m.yaml", "--reveal"]), client, quiet)).toEqual({ code: 1 });
    expect(quiet.stderr).toBe("minos manifest export: the server redacted the secrets: --reveal needs an admin's token (nothing written)\n");

    handler = minos();
    const missing = fakeIo();
    expect(await runExport(parseExportArgs(["nope"]), client, missing)).toEqual({ code: 1 });
    expect(missing.stderr).toBe("minos manifest export: No route /api/clusters/nope/manifest (not_found, HTTP 404)\n");
  });
});

describe("bin/minos.mjs plan", { timeout: 60_000 }, () => {
  const bin = path.resolve(__dirname, "../../bin/minos.mjs");
  function run(args: string[], env: Record<string, string>, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      child.stdin.end(input ?? "");
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("reads MINOS_URL/MINOS_TOKEN and the manifest from standard input; usage errors exit 1, not 2", async () => {
    handler = minos({ plan: planAnswer({ "w-2": { change: "update", reboot: true } }) });
    const r = await run(["plan", "-", "--diff=false"], { MINOS_URL: base, MINOS_TOKEN: TOKEN }, MANIFEST);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("w-2   10.5.0.4  worker        update, reboot\n");

    const usage = await run(["plan", "-", "--no-such-flag"], { MINOS_URL: base, MINOS_TOKEN: TOKEN });
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/^minos plan: unknown flag: --no-such-flag\nusage: minos plan/);

    const unset = await run(["plan", "-"], { MINOS_URL: "", MINOS_TOKEN: "" }, MANIFEST);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toBe("minos plan: MINOS_URL is not set (the Minos server, e.g. https://minos.example.com)\n");

    const apply = await run(["apply", "-"], { MINOS_URL: base, MINOS_TOKEN: TOKEN }, MANIFEST);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/a manifest on standard input needs --yes/);
  });

  // script(1) gives the CLI a terminal: the question is asked there and read back from it.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)("apply on a terminal asks before applying: n applies nothing (exit 1), y applies and follows (exit 2)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "minos-apply-tty-"));
    try {
      writeFileSync(path.join(dir, "m.yaml"), MANIFEST);
      const onTty = (answer: string) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} apply ${JSON.stringify(path.join(dir, "m.yaml"))} --diff=false`;
          const child = spawn("script", ["-qec", cmd, "/dev/null"], { env: { ...process.env, MINOS_URL: base, MINOS_TOKEN: TOKEN } });
          let out = "";
          child.stdout.on("data", (c: Buffer) => {
            out += c.toString();
            // Answer once asked (typed ahead, a terminal would echo it before the question).
            if (out.includes("[y/N]") && !child.stdin.writableEnded) child.stdin.end(`${answer}\n`);
          });
          child.on("close", (code) => resolve({ code, out }));
        });

      handler = minos({ plan: planAnswer({ "w-1": { change: "update" } }), rollouts: [rollout("done", ["done", "done", "done"])] });
      const no = await onTty("n");
      expect(no.out).toContain("Apply plan plan-7 to cluster sim-1: update 1 node (0 with a reboot)? [y/N] ");
      expect(no.out).toContain("minos apply: not applied");
      expect(no.code).toBe(1);
      expect(seen.map((x) => x.url)).not.toContain("/api/clusters/sim-1/manifest/apply");

      const yes = await onTty("y");
      expect(yes.out).toContain("Saved manifest revision 4 of cluster sim-1");
      expect(yes.out).toMatch(/rollout done/);
      expect(yes.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
