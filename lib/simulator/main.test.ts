import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { type Fleet, startFleet } from "./fleet";
import { Clients, credentialsOf, getJson, md, readTalosconfig, rpc } from "@/test/simulator/helpers";

const repo = path.resolve(__dirname, "../..");
const tsx = path.join(repo, "node_modules/.bin/tsx");

function runSim(args: string[]): { ready: Promise<{ talosconfig: string; controlUrl: string }>; exit: Promise<{ code: number | null; stderr: string }>; kill: (sig: NodeJS.Signals) => void } {
  const child = spawn(tsx, ["lib/simulator/main.ts", ...args], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<{ talosconfig: string; controlUrl: string }>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /^MINOS_SIM_READY (.+)$/m.exec(stdout);
      if (m) resolve(JSON.parse(m[1]!) as { talosconfig: string; controlUrl: string });
    });
    child.on("exit", () => reject(new Error(`sim exited before ready: ${stderr}`)));
  });
  ready.catch(() => {});
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on("exit", (code) => resolve({ code, stderr })));
  return { ready, exit, kill: (sig) => child.kill(sig) };
}

describe("npm run sim (main.ts)", () => {
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-main-"));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it("prints MINOS_SIM_READY once listening and exits cleanly on SIGTERM", async () => {
    const sim = runSim(["--control-planes", "1", "--workers", "1", "--state-dir", stateDir, "--control-port", "0", "--first-address", "127.0.23.1"]);
    const ready = await sim.ready;
    expect(ready.talosconfig).toBe(path.join(stateDir, "talosconfig"));
    const nodes = await getJson<{ address: string }[]>(`${ready.controlUrl}/nodes`);
    expect(nodes.body.map((n) => n.address)).toEqual(["127.0.23.1", "127.0.23.2"]);
    sim.kill("SIGTERM");
    expect((await sim.exit).code).toBe(0);
  });

  it("rejects bad arguments with a clear message and exit code 2", async () => {
    const cases: [string[], RegExp][] = [
      [["--workers", "2"], /--control-planes is required/],
      [["--control-planes", "x", "--workers", "1"], /--control-planes must be a number/],
      [["--control-planes", "1", "--workers", "1", "--version", "1.x"], /--version/],
      [["--control-planes", "1", "--workers", "1", "--bogus"], /Unknown option '--bogus'/],
    ];
    // In parallel: each case is a tsx start-up.
    const results = await Promise.all(cases.map(([args]) => runSim(args).exit));
    results.forEach(({ code, stderr }, i) => {
      expect(code).toBe(2);
      expect(stderr).toMatch(cases[i]![1]);
    });
  });
});

describe("ports mode", () => {
  let fleet: Fleet;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-ports-"));
    fleet = await startFleet({ controlPlanes: 1, workers: 2, clusters: 2, ports: true, basePort: 0, controlPort: 0, stateDir });
  });
  afterAll(async () => {
    await fleet?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it("puts every node on 127.0.0.1 with its own port; one context per cluster targeting hostnames", async () => {
    expect(fleet.clusters).toEqual(["sim-1", "sim-2"]);
    expect(new Set(fleet.nodes.map((n) => n.address))).toEqual(new Set(["127.0.0.1"]));
    expect(new Set(fleet.nodes.map((n) => n.port)).size).toBe(6);
    const ctx = await readTalosconfig(fleet.talosconfig.admin, "sim-2");
    expect(ctx.endpoints).toEqual([`127.0.0.1:${fleet.nodes[3]!.port}`]);
    expect(ctx.nodes).toEqual(["sim-2-controlplane-1", "sim-2-worker-1", "sim-2-worker-2"]);
    const c = new Clients(ctx.endpoints[0]!, credentialsOf(ctx));
    try {
      const res = await rpc(c.machine, "hostname", {}, md("sim-2-worker-2"));
      expect(res.messages[0]!.hostname).toBe("sim-2-worker-2");
      // Another cluster's node is not reachable through this cluster's control plane.
      await expect(rpc(c.machine, "hostname", {}, md("sim-1-worker-1"))).rejects.toMatchObject({ code: 14 });
    } finally {
      c.close();
    }
  });
});
