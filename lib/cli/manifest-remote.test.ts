/**
 * minos plan against an HTTP server answering what Minos answers (test/cli/fake-minos.ts): the
 * options of plan and apply, the printed plan and rollout, the requests plan sends (bearer token,
 * body, cluster id), what it prints and its exit status. Apply: ./manifest-apply.test.ts; export:
 * ./manifest-export.test.ts; the same commands against Minos's routes: ./manifest-server.test.ts.
 */
import { describe, expect, it } from "vitest";

import { DIFF, fakeIo, MANIFEST, minos, planAnswer, rollout, runMinos, TOKEN, startFakeMinos } from "@/test/cli/fake-minos";

import { apiClient } from "./api";
import { formatPlan, issueHeadline, parseApplyArgs, parseDuration, parseExportArgs, parsePlanArgs, planExitCode, rolloutEvents, runPlan } from "./manifest-remote";

const fake = startFakeMinos();

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
    fake.handler = minos({ plan: planAnswer({ "w-1": { change: "update" } }) });
    const io = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", fake.client, io)).toBe(2);
    expect(fake.seen.map((s) => `${s.method} ${s.url}`)).toEqual(["GET /api/clusters", "POST /api/clusters/sim-1/manifest/plan"]);
    expect(fake.seen[1]!.body).toEqual({ yaml: MANIFEST, mode: "auto" });
    expect(io.stdout).toContain("w-1   10.5.0.3  worker        update\n");
    expect(io.stderr).toBe("");
  });

  it("--cluster skips the lookup; a cluster.name Minos does not know is an error naming the rule", async () => {
    fake.handler = minos();
    const io = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", "sim-1", "--mode", "staged"]), MANIFEST.replace("name: sim-1", "name: prod"), "m.yaml", fake.client, io)).toBe(0);
    expect(fake.seen.map((s) => s.url)).toEqual(["/api/clusters/sim-1/manifest/plan"]);
    expect(fake.seen[0]!.body).toMatchObject({ mode: "staged" });

    const unknown = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST.replace("name: sim-1", "name: prod"), "m.yaml", fake.client, unknown)).toBe(1);
    expect(unknown.stderr).toBe('minos plan: the manifest\'s cluster.name "prod" is not a Minos cluster (Minos has: sim-1); pass --cluster ID\n');
  });

  it("a refused node exits 1; the server's manifest issues print on the manifest's lines", async () => {
    fake.handler = minos({ plan: planAnswer({ "w-2": { change: "refused", issues: ["the node refused: unknown field"] } }) });
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", fake.client, fakeIo())).toBe(1);

    const issue = { severity: "error", message: "w-2: machine.kubelet.nodeIP.validSubnets[0]: not valid", line: 12, column: 9, endLine: 12, endColumn: 12, path: ["patches", 0, "patch"], nodes: ["w-2"] };
    // The server's message names the first issues (lib/server/manifests/service.ts); printed once, on its line.
    const message = "The manifest has 1 problem: line 12: w-2: machine.kubelet.nodeIP.validSubnets[0]: not valid (w-2)";
    fake.handler = minos({ planError: { status: 422, body: { error: { code: "invalid_config", message, details: { issues: [issue] } } } } });
    const io = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", fake.client, io)).toBe(1);
    expect(io.stderr).toBe("minos plan: The manifest has 1 problem (invalid_config, HTTP 422)\nm.yaml:12:9: error: w-2: machine.kubelet.nodeIP.validSubnets[0]: not valid\n");

    // Without located issues the message is all there is: printed whole.
    fake.handler = minos({ planError: { status: 422, body: { error: { code: "invalid_config", message, details: { issues: [] } } } } });
    const bare = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", fake.client, bare)).toBe(1);
    expect(bare.stderr).toBe(`minos plan: ${message} (invalid_config, HTTP 422)\n`);
  });

  it("the headline of a 422 stops before the issues it lists", () => {
    expect(issueHeadline("The manifest has 2 problems: line 19: node 10.5.0.3 is listed twice (first as w-1 on line 13); line 23: x")).toBe("The manifest has 2 problems");
    expect(issueHeadline("The render of w-1 has 1 problem: line 1: boom (w-1)")).toBe("The render of w-1 has 1 problem");
    expect(issueHeadline("The manifest does not list the node \"x\"")).toBe("The manifest does not list the node \"x\"");
  });

  it("a crash (a bug, not an answer) prints one plain line and exits 1, never 2 (\"changes\" to CI)", async () => {
    const io = fakeIo();
    const broken = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'nodes')");
    };
    expect(await runPlan(parsePlanArgs(["m.yaml", "--cluster", "sim-1"]), MANIFEST, "m.yaml", broken, io)).toBe(1);
    expect(io.stderr).toBe("minos plan: TypeError: Cannot read properties of undefined (reading 'nodes')\n");

    // A terminal that fails mid-plan is a crash too.
    fake.handler = minos({ plan: planAnswer({ "w-1": { change: "update" } }) });
    const closed = fakeIo();
    closed.out = () => {
      throw new Error("write EPIPE");
    };
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", fake.client, closed)).toBe(1);
    expect(closed.stderr).toBe("minos plan: Error: write EPIPE\n");
  });

  it("a wrong token is a 401 with a hint, never the token", async () => {
    fake.handler = minos();
    const io = fakeIo();
    expect(await runPlan(parsePlanArgs(["m.yaml"]), MANIFEST, "m.yaml", () => apiClient({ base: fake.base, token: "minos_wrong" }), io)).toBe(1);
    expect(io.stderr).toBe("minos plan: Sign in first (unauthorized, HTTP 401)\nminos plan: check MINOS_TOKEN (an API token that is not expired or revoked)\n");
  });
});

describe("bin/minos.mjs plan", { timeout: 60_000 }, () => {
  it("reads MINOS_URL/MINOS_TOKEN and the manifest from standard input; usage errors exit 1, not 2", async () => {
    fake.handler = minos({ plan: planAnswer({ "w-2": { change: "update", reboot: true } }) });
    const r = await runMinos(["plan", "-", "--diff=false"], { MINOS_URL: fake.base, MINOS_TOKEN: TOKEN }, MANIFEST);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("w-2   10.5.0.4  worker        update, reboot\n");

    const usage = await runMinos(["plan", "-", "--no-such-flag"], { MINOS_URL: fake.base, MINOS_TOKEN: TOKEN });
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/^minos plan: unknown flag: --no-such-flag\nusage: minos plan/);

    const unset = await runMinos(["plan", "-"], { MINOS_URL: "", MINOS_TOKEN: "" }, MANIFEST);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toBe("minos plan: MINOS_URL is not set (the Minos server, e.g. https://minos.example.com)\n");

    const apply = await runMinos(["apply", "-"], { MINOS_URL: fake.base, MINOS_TOKEN: TOKEN }, MANIFEST);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/a manifest on standard input needs --yes/);
  });
});
