/**
 * minos apply against an HTTP server answering what Minos answers (test/cli/fake-minos.ts): the
 * confirmation (asked, refused without a terminal, --yes), the plan applied, the rollout followed
 * to its end (through a server restart), and the exit status CI branches on.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { fakeIo, MANIFEST, minos, MINOS_BIN, planAnswer, rollout, TOKEN, startFakeMinos } from "@/test/cli/fake-minos";

import { parseApplyArgs, runApply } from "./manifest-remote";

const fake = startFakeMinos();

describe("minos apply", () => {
  const changes = () => planAnswer({ "w-1": { change: "update" }, "w-2": { change: "update" } });

  it("refuses without --yes when standard input is not a terminal, before asking the server anything", async () => {
    fake.handler = minos();
    const io = fakeIo({ interactive: false });
    expect(await runApply(parseApplyArgs(["m.yaml"]), MANIFEST, "m.yaml", fake.client, io)).toBe(1);
    expect(io.stderr).toBe("minos apply: standard input is not a terminal: pass --yes to apply without confirmation\n");
    expect(fake.seen).toEqual([]);
  });

  it("asks on a terminal; no means nothing applied", async () => {
    fake.handler = minos({ plan: changes() });
    const io = fakeIo({ interactive: true, answer: false });
    expect(await runApply(parseApplyArgs(["m.yaml"]), MANIFEST, "m.yaml", fake.client, io)).toBe(1);
    expect(io.questions).toEqual(["Apply plan plan-7 to cluster sim-1: update 2 nodes (0 with a reboot)? [y/N] "]);
    expect(fake.seen.map((s) => s.url)).not.toContain("/api/clusters/sim-1/manifest/apply");
  });

  it("a crash (here the terminal's question failing) prints one plain line and exits 1, never 2; nothing applied", async () => {
    fake.handler = minos({ plan: changes() });
    const io = fakeIo({ interactive: true });
    io.confirm = () => Promise.reject(new Error("readline was closed"));
    expect(await runApply(parseApplyArgs(["m.yaml"]), MANIFEST, "m.yaml", fake.client, io)).toBe(1);
    expect(io.stderr).toBe("minos apply: Error: readline was closed\n");
    expect(fake.seen.map((s) => s.url)).not.toContain("/api/clusters/sim-1/manifest/apply");
  });

  it("--yes applies the plan and follows the rollout to done: exit 2, each transition printed once", async () => {
    fake.handler = minos({
      plan: changes(),
      rollouts: [rollout("running", ["done", "applying", "pending"]), rollout("running", ["done", "applying", "pending"]), rollout("running", ["done", "done", "applying"]), rollout("done", ["done", "done", "done"])],
    });
    const io = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes", "--concurrency", "2"]), MANIFEST, "m.yaml", fake.client, io)).toBe(2);
    const apply = fake.seen.find((s) => s.url === "/api/clusters/sim-1/manifest/apply")!;
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
    expect(fake.seen.filter((s) => s.url === "/api/rollouts/r-1")).toHaveLength(4);
  });

  it("a failed rollout exits 1 with its reason; a refused node stops before applying", async () => {
    fake.handler = minos({ plan: changes(), rollouts: [rollout("failed", ["done", "failed", "skipped"], "stopped at 10.5.0.3@sim-1")] });
    const io = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", fake.client, io)).toBe(1);
    expect(io.stderr).toBe("minos apply: rollout failed: stopped at 10.5.0.3@sim-1\n");

    fake.seen.length = 0;
    fake.handler = minos({ plan: planAnswer({ "w-1": { change: "update" }, "w-2": { change: "unreachable" } }) });
    const refused = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", fake.client, refused)).toBe(1);
    expect(refused.stderr).toMatch(/not applying: 0 refused and 1 unreachable/);
    expect(fake.seen.map((s) => s.url)).not.toContain("/api/clusters/sim-1/manifest/apply");
  });

  it("no node changes: saves the revision without a rollout, exit 0; --timeout stops following, exit 1", async () => {
    fake.handler = minos({ rolloutId: null });
    const io = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", fake.client, io)).toBe(0);
    expect(io.stdout).toContain("No node changes: nothing to roll out\n");

    fake.handler = minos({ plan: changes(), rollouts: [rollout("paused", ["done", "pending", "pending"])] });
    const paused = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes", "--timeout", "5s"]), MANIFEST, "m.yaml", fake.client, paused, 1000)).toBe(1);
    expect(paused.stderr).toMatch(/rollout r-1 still running after --timeout; it goes on/);
    expect(paused.stdout.match(/rollout paused/g)).toHaveLength(1);
  });
});

describe("minos apply following a rollout through a server restart", () => {
  it("rides out a few failed polls, then gives up after two minutes of them", async () => {
    const healthy = minos({ plan: planAnswer({ "w-1": { change: "update" } }), rollouts: [rollout("done", ["done", "done", "done"])] });
    let down = 3;
    fake.handler = (req) => (req.url === "/api/rollouts/r-1" && down-- > 0 ? { status: 503, body: { error: { code: "store_unavailable", message: "The database does not answer" } } } : healthy(req));
    const io = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", fake.client, io)).toBe(2);
    expect(io.stderr).toBe("minos apply: The database does not answer; asking again\nminos apply: the server answers again\n");
    expect(io.stdout).toMatch(/rollout done\n$/);

    fake.handler = (req) => (req.url === "/api/rollouts/r-1" ? { status: 503, body: { error: { code: "store_unavailable", message: "The database does not answer" } } } : healthy(req));
    const gone = fakeIo();
    expect(await runApply(parseApplyArgs(["m.yaml", "--yes"]), MANIFEST, "m.yaml", fake.client, gone)).toBe(1);
    expect(gone.stderr).toBe("minos apply: The database does not answer; asking again\nminos apply: The database does not answer (store_unavailable, HTTP 503)\n");
    // Two minutes of one-second polls, not more.
    expect(gone.clock).toBeGreaterThan(120_000);
    expect(gone.clock).toBeLessThanOrEqual(122_000);
  });
});

describe("bin/minos.mjs apply", { timeout: 60_000 }, () => {
  // script(1) gives the CLI a terminal: the question is asked there and read back from it.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!hasScript)("apply on a terminal asks before applying: n applies nothing (exit 1), y applies and follows (exit 2)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "minos-apply-tty-"));
    try {
      writeFileSync(path.join(dir, "m.yaml"), MANIFEST);
      const onTty = (answer: string) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(MINOS_BIN)} apply ${JSON.stringify(path.join(dir, "m.yaml"))} --diff=false`;
          const child = spawn("script", ["-qec", cmd, "/dev/null"], { env: { ...process.env, MINOS_URL: fake.base, MINOS_TOKEN: TOKEN } });
          let out = "";
          child.stdout.on("data", (c: Buffer) => {
            out += c.toString();
            // Answer once asked (typed ahead, a terminal would echo it before the question).
            if (out.includes("[y/N]") && !child.stdin.writableEnded) child.stdin.end(`${answer}\n`);
          });
          child.on("close", (code) => resolve({ code, out }));
        });

      fake.handler = minos({ plan: planAnswer({ "w-1": { change: "update" } }), rollouts: [rollout("done", ["done", "done", "done"])] });
      const no = await onTty("n");
      expect(no.out).toContain("Apply plan plan-7 to cluster sim-1: update 1 node (0 with a reboot)? [y/N] ");
      expect(no.out).toContain("minos apply: not applied");
      expect(no.code).toBe(1);
      expect(fake.seen.map((x) => x.url)).not.toContain("/api/clusters/sim-1/manifest/apply");

      const yes = await onTty("y");
      expect(yes.out).toContain("Saved manifest revision 4 of cluster sim-1");
      expect(yes.out).toMatch(/rollout done/);
      expect(yes.code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
