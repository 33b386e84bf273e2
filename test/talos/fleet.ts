/**
 * Starts a simulated fleet (lib/simulator) for client integration tests and builds a client per
 * talosconfig role. Fast reboot timings; a temp state dir removed on stop.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { startFleet, type Fleet, type FleetOptions } from "@/lib/simulator/fleet";

import { closeAllConnections } from "@/lib/server/talos/channel";
import { createTalosClient, type TalosClient, type TalosClientOptions } from "@/lib/server/talos";
import { getTalosContextOrThrow, loadTalosconfig, type TalosContext } from "@/lib/server/talos/talosconfig";

export type Role = "admin" | "operator" | "reader";
export const ROLES: Role[] = ["admin", "operator", "reader"];

export interface TestFleet {
  fleet: Fleet;
  stateDir: string;
  contexts: Record<Role, TalosContext>;
  clients: Record<Role, TalosClient>;
  client(role: Role, options?: TalosClientOptions, patch?: Partial<TalosContext>): TalosClient;
  stop(): Promise<void>;
}

export async function startTestFleet(options: Partial<FleetOptions> & { firstAddress: string }): Promise<TestFleet> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "minos-talos-test-"));
  const fleet = await startFleet({
    controlPlanes: 2,
    workers: 2,
    controlPort: 0,
    rebootSeconds: 0.3,
    bootSeconds: 0.2,
    readySeconds: 0.1,
    upgradeSeconds: 0.3,
    applySeconds: 0.3,
    ...options,
    stateDir,
  });
  const contexts = {} as Record<Role, TalosContext>;
  for (const role of ["admin", "operator", "reader"] as const) {
    contexts[role] = getTalosContextOrThrow(await loadTalosconfig(fleet.talosconfig[role]));
  }
  const client = (role: Role, opts?: TalosClientOptions, patch?: Partial<TalosContext>) => createTalosClient({ ...contexts[role], ...patch }, opts);
  return {
    fleet,
    stateDir,
    contexts,
    clients: { admin: client("admin"), operator: client("operator"), reader: client("reader") },
    client,
    async stop() {
      closeAllConnections();
      await fleet.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Awaits a rejection and returns it (fails the test if the promise resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; node?: string }> {
  const outcome = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome.v)?.slice(0, 200)}`);
  return outcome.e as Error & { code?: string; node?: string };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`waitFor timed out after ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// What tests beside product code need from the simulator, so only test/ names lib/simulator.
export { startFleet, type SimNodeInfo } from "@/lib/simulator/fleet";
export { loadOrCreatePki } from "@/lib/simulator/secrets-store";

/**
 * Sets a node's hostname in a config as `talosctl gen config` lays it out, leaving the rest byte
 * for byte: the HostnameConfig document's `auto: stable` (1.12+, where gen config writes one)
 * becomes `hostname: <name>`, else machine.network.hostname (1.10–1.11). The simulator's configs
 * are gen config's, so they carry no hostname until a test sets one.
 */
export function withHostname(yaml: string, name: string): string {
  const lines = yaml.split("\n");
  const kind = lines.indexOf("kind: HostnameConfig");
  if (kind >= 0) {
    for (let i = kind + 1; i < lines.length && lines[i] !== "---"; i++) {
      if (/^(auto|hostname): /.test(lines[i]!)) {
        lines[i] = `hostname: ${name}`;
        return lines.join("\n");
      }
    }
    throw new Error("withHostname: a HostnameConfig with neither auto nor hostname");
  }
  if (/^\s+hostname: /m.test(yaml)) return yaml.replace(/^(\s+hostname: ).*$/m, `$1${name}`);
  if (!yaml.includes("\n    network: {}\n")) throw new Error("withHostname: no machine.network to set a hostname in");
  return yaml.replace("\n    network: {}\n", `\n    network:\n        hostname: ${name}\n`);
}
