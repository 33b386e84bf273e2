import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import * as k8s from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { startFleet } from "../fleet";
import { kubeEndpoints } from "./index";
import { tarGzSingleFile } from "./kubeconfig";

describe("kubeEndpoints", () => {
  it("default mode: one address per cluster outside the nodes' second octet, port 6443", () => {
    const nodes = [{ address: "127.0.10.1", port: 50000 }, { address: "127.0.10.2", port: 50000 }];
    const eps = kubeEndpoints(["sim-1", "sim-2"], nodes, { ports: false, basePort: 50000, firstAddress: "127.0.10.1" });
    expect([...eps.entries()]).toEqual([
      ["sim-1", { address: "127.64.10.1", port: 6443, fallbackAddresses: ["127.64.10.51", "127.64.10.101", "127.64.10.151", "127.64.10.201"] }],
      ["sim-2", { address: "127.64.10.2", port: 6443, fallbackAddresses: ["127.64.10.52", "127.64.10.102", "127.64.10.152", "127.64.10.202"] }],
    ]);
  });

  it("ports mode: 127.0.0.1, ephemeral with base port 0, else the ports after the nodes'", () => {
    const nodes = [{ address: "127.0.0.1", port: 50000 }, { address: "127.0.0.1", port: 50001 }];
    expect(kubeEndpoints(["sim-1"], nodes, { ports: true, basePort: 0, firstAddress: "127.0.10.1" }).get("sim-1")).toEqual({ address: "127.0.0.1", port: 0, fallbackAddresses: [] });
    expect([...kubeEndpoints(["sim-1", "sim-2"], nodes, { ports: true, basePort: 50000, firstAddress: "127.0.10.1" }).values()].map((e) => e.port)).toEqual([50002, 50003]);
    expect(() => kubeEndpoints(["sim-1"], nodes, { ports: true, basePort: 65534, firstAddress: "127.0.10.1" })).toThrow(/out of range/);
  });

  it("refuses an address a node has", () => {
    const nodes = [{ address: "127.64.10.1", port: 6443 }];
    expect(() => kubeEndpoints(["sim-1"], nodes, { ports: false, basePort: 6443, firstAddress: "127.0.10.1" })).toThrow(/collides with a node/);
  });
});

describe("a taken API address", () => {
  it("falls back to the next candidate, and the kubeconfig names the address in use", async () => {
    // 127.0.44.x: this test's own node addresses; something else holds its preferred API address.
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(6443, "127.64.44.1", resolve));
    const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-sim-k8s-ep-"));
    const fleet = await startFleet({ controlPlanes: 1, workers: 0, stateDir, firstAddress: "127.0.44.1", controlPort: 0 });
    try {
      expect(fleet.kubernetes.url("sim-1")).toBe("https://127.64.44.51:6443");
      const kc = new k8s.KubeConfig();
      kc.loadFromString(await fleet.kubernetes.kubeconfig("sim-1"));
      expect(kc.getCurrentCluster()?.server).toBe("https://127.64.44.51:6443");
      expect((await kc.makeApiClient(k8s.CoreV1Api).listNode()).items).toHaveLength(1);
    } finally {
      await fleet.stop();
      squatter.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe("tarGzSingleFile", () => {
  it("writes a tar.gz the system tar reads back, with the name, mode and content", () => {
    const content = Buffer.from("apiVersion: v1\n".repeat(100));
    const tgz = tarGzSingleFile("kubeconfig", content, 0o600, new Date("2026-01-02T03:04:05Z"));
    expect(execFileSync("tar", ["-xzO", "kubeconfig"], { input: tgz })).toEqual(content);
    const listing = execFileSync("tar", ["-tvzf", "-"], { input: tgz }).toString();
    expect(listing).toMatch(/^-rw------- .* 1500 2026-01-02 \d\d:04 kubeconfig\n$/);
  });
});
