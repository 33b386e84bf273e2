/**
 * ServiceStart/Stop/Restart, Logs and Dmesg on the simulator through Minos's TalosClient: Talos's
 * rules and texts (system.go APIStart/APIStop/APIRestart, v1alpha1_server.go), the ServiceRunner's
 * state sequence seen in ServiceList and Events, tail and follow, and a cancelled stream released.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rejection, startTestFleet, type SimNodeInfo, type TestFleet, waitFor } from "@/test/talos/fleet";
import type { TalosEvent } from "@/lib/server/talos/events";
import { createTalosCa } from "@/lib/talos/pki";
import { parseAllDocuments, stringify } from "yaml";

let t: TestFleet;
let cp: SimNodeInfo;
let worker: SimNodeInfo;

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.247.1", controlPlanes: 1, workers: 2, version: "v1.13.9", extensionServices: ["iscsid"] });
  cp = t.fleet.nodes.find((n) => n.role === "controlplane")!;
  worker = t.fleet.nodes.find((n) => n.role === "worker")!;
});

afterAll(async () => {
  await t?.stop();
});

/** The Kubernetes Node's Ready status in the simulated cluster. */
function nodeReady(hostname: string): string | undefined {
  const nodes = t.fleet.kubernetesState(t.fleet.clusters[0]!).nodes as { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[];
  return nodes.find((n) => n.metadata.name === hostname)?.status.conditions.find((c) => c.type === "Ready")?.status;
}

const row = (address: string) => t.fleet.nodeStates().find((n) => n.address === address)!;

async function kubelet(address: string) {
  return (await t.clients.reader.serviceList(address)).find((s) => s.id === "kubelet")!;
}

/** Reads a stream until `until` says stop (or it ends); aborts it and returns the text. */
async function read(gen: (signal: AbortSignal) => AsyncGenerator<Buffer>, until: (text: string) => boolean = () => false): Promise<string> {
  const ac = new AbortController();
  let text = "";
  for await (const chunk of gen(ac.signal)) {
    text += chunk.toString("utf8");
    if (until(text)) {
      ac.abort();
      break;
    }
  }
  return text;
}

describe("ServiceRestart / ServiceStop / ServiceStart", () => {
  it("restarts kubelet: Talos's reply, Stopping → Finished → Starting → Preparing → Running in Events, healthy again in ServiceList", async () => {
    const ac = new AbortController();
    const seen: TalosEvent[] = [];
    const events = (async () => {
      for await (const e of t.clients.reader.events(worker.address, { tailEvents: 0, signal: ac.signal })) seen.push(e);
    })();
    await waitFor(async () => seen.length > 0, 2000);
    const res = await t.clients.operator.serviceAction(worker.address, "restart", "kubelet");
    expect(res.response).toBe('Service "kubelet" restarted');
    // The reply comes once the service stopped (APIRestart: Stop, then Start); the Node follows its kubelet.
    expect((await kubelet(worker.address)).state).not.toBe("Running");
    expect(nodeReady(worker.hostname)).not.toBe("True");
    const healthy = await waitFor(async () => {
      const k = await kubelet(worker.address);
      return k.state === "Running" && k.health?.healthy ? k : undefined;
    }, 5000);
    expect(healthy.health?.unknown).toBe(false);
    expect(nodeReady(worker.hostname)).toBe("True");
    ac.abort();
    await events;
    const states = seen.filter((e) => e.type === "serviceState" && e.service === "kubelet").map((e) => (e.type === "serviceState" ? e.state : ""));
    expect(states).toEqual(["STOPPING", "FINISHED", "STARTING", "PREPARING", "PREPARING", "RUNNING", "RUNNING"]);
    // MachineStatus follows (Talos's servicesCheck): not ready while kubelet is down, ready again after.
    const statuses = seen.flatMap((e) => (e.type === "machineStatus" ? [e] : []));
    expect(statuses.some((e) => !e.ready && e.unmetConditions.some((c) => c.name === "services" && c.reason === "kubelet not running"))).toBe(true);
    expect(statuses.at(-1)!.ready).toBe(true);
    expect(t.fleet.timeline().some((e) => e.event === "service-restart" && e.detail === "kubelet" && e.node === worker.address)).toBe(true);
  });

  it("answers start of a running service as done without touching it (APIStart skips running services)", async () => {
    const before = t.fleet.timeline().length;
    expect(await t.clients.operator.serviceAction(worker.address, "start", "kubelet")).toEqual({ response: 'Service "kubelet" started' });
    expect(t.fleet.timeline().slice(before).some((e) => e.event.startsWith("service-"))).toBe(false);
    expect((await kubelet(worker.address)).state).toBe("Running");
  });

  it("refuses what the service does not implement, with Talos's text", async () => {
    const stop = await rejection(t.clients.operator.serviceAction(worker.address, "stop", "kubelet"));
    expect(stop.message).toContain('service "kubelet" doesn\'t support stop operation via API');
    const etcd = await rejection(t.clients.operator.serviceAction(cp.address, "restart", "etcd"));
    expect(etcd.message).toContain('service "etcd" doesn\'t support restart operation via API');
    const apid = await rejection(t.clients.admin.serviceAction(cp.address, "restart", "apid"));
    expect(apid.message).toContain('service "apid" doesn\'t support restart operation via API');
  });

  it("answers an unknown service (etcd on a worker) as not defined", async () => {
    const err = await rejection(t.clients.operator.serviceAction(worker.address, "restart", "etcd"));
    expect(err.message).toContain('service "etcd" not defined');
  });

  it("stops and starts an extension service (ext-*), the only kind Talos lets the API stop; each transition is a ServiceStateEvent", async () => {
    const ext = async () => (await t.clients.reader.serviceList(cp.address)).find((s) => s.id === "ext-iscsid")!;
    expect((await ext()).state).toBe("Running");
    const ac = new AbortController();
    const seen: TalosEvent[] = [];
    const events = (async () => {
      for await (const e of t.clients.reader.events(cp.address, { tailEvents: 0, signal: ac.signal })) seen.push(e);
    })();
    await waitFor(async () => seen.length > 0, 2000);
    expect(await t.clients.operator.serviceAction(cp.address, "stop", "ext-iscsid")).toEqual({ response: 'Service "ext-iscsid" stopped' });
    expect((await ext()).state).toBe("Finished");
    // Stopped stays stopped; stopping again is a no-op.
    await t.clients.operator.serviceAction(cp.address, "stop", "ext-iscsid");
    expect((await ext()).state).toBe("Finished");
    const cosi = await t.clients.reader.services(cp.address);
    expect(cosi["ext-iscsid"]).toMatchObject({ running: false });
    expect(await t.clients.operator.serviceAction(cp.address, "start", "ext-iscsid")).toEqual({ response: 'Service "ext-iscsid" started' });
    const running = await waitFor(async () => {
      const s = await ext();
      return s.state === "Running" ? s : undefined;
    }, 5000);
    // No health check on an extension without one: health stays unknown.
    expect(running.health?.unknown).toBe(true);
    ac.abort();
    await events;
    // service_runner.go UpdateState publishes every transition; the runner's texts (containerd.go, service_runner.go).
    const transitions = seen.flatMap((e) => (e.type === "serviceState" && e.service === "ext-iscsid" ? [`${e.state} ${e.message.replace(/\d+/g, "N")}`] : []));
    expect(transitions).toEqual([
      "STOPPING Sending SIGTERM to task ext-iscsid (PID N, container ext-iscsid)",
      "FINISHED Service finished successfully",
      "STARTING Starting service",
      "PREPARING Running pre state",
      "PREPARING Creating service runner",
      "RUNNING Started task ext-iscsid (PID N) for container ext-iscsid",
    ]);
    const ids = (await t.clients.reader.serviceList(cp.address)).map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
  });

  it("needs os:operator", async () => {
    const err = await rejection(t.clients.reader.serviceAction(worker.address, "restart", "kubelet"));
    expect(err.code).toBe("forbidden");
  });
});

describe("the kubelet follows its secrets (KubeletServiceController)", () => {
  /** Applies the worker's running config changed by `edit`, without a reboot. */
  async function applyEdited(edit: (cfg: { machine: Record<string, unknown>; cluster: Record<string, unknown> }) => void) {
    const { yaml } = await t.clients.admin.machineConfig(worker.address);
    const docs = parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>);
    edit(docs.find((d) => d.machine !== undefined) as { machine: Record<string, unknown>; cluster: Record<string, unknown> });
    return t.clients.admin.applyConfiguration(worker.address, { data: docs.map((d) => stringify(d)).join("---\n"), mode: "no-reboot" });
  }

  it("restarts the kubelet when cluster.acceptedCAs changes: down in COSI as the apply answers, then Stopping → … → Running, healthy again", async () => {
    await waitFor(async () => (await t.clients.reader.services(worker.address)).kubelet?.healthy === true, 5000);
    const k8sCa = await createTalosCa("kubernetes");
    const ac = new AbortController();
    const seen: TalosEvent[] = [];
    const events = (async () => {
      for await (const e of t.clients.reader.events(worker.address, { tailEvents: 0, signal: ac.signal })) seen.push(e);
    })().catch((e: unknown) => e);
    await waitFor(async () => seen.length > 0, 2000);
    const before = t.fleet.timeline().length;
    await applyEdited((c) => {
      c.cluster.acceptedCAs = [...((c.cluster.acceptedCAs as unknown[]) ?? []), { crt: Buffer.from(k8sCa.certPem).toString("base64") }];
    });
    // What talosctl rotate-ca waits on (PatchNodeConfigWithKubeletRestart): the kubelet goes down…
    expect((await t.clients.reader.services(worker.address)).kubelet?.running).toBe(false);
    // …and comes back running and healthy.
    await waitFor(async () => {
      const k = (await t.clients.reader.services(worker.address)).kubelet;
      return k?.running && k.healthy ? k : undefined;
    }, 5000);
    expect((await kubelet(worker.address)).state).toBe("Running");
    ac.abort();
    await events;
    const states = seen.filter((e) => e.type === "serviceState" && e.service === "kubelet").map((e) => (e.type === "serviceState" ? e.state : ""));
    expect(states).toEqual(["STOPPING", "FINISHED", "STARTING", "PREPARING", "PREPARING", "RUNNING", "RUNNING"]);
    expect(t.fleet.timeline().slice(before).filter((e) => e.node === worker.address && e.event === "kubelet-secrets-restart")).toHaveLength(1);
  });

  it("leaves the kubelet alone when the apply changes nothing it reads", async () => {
    const before = t.fleet.timeline().length;
    await applyEdited((c) => {
      c.machine.sysctls = { ...((c.machine.sysctls as Record<string, string>) ?? {}), "net.core.somaxconn": "65535" };
    });
    expect(t.fleet.timeline().slice(before).map((e) => e.event)).toEqual(["apply"]);
    expect((await t.clients.reader.services(worker.address)).kubelet).toMatchObject({ running: true, healthy: true });
  });
});

describe("Logs", () => {
  it("returns the last tail_lines lines, one per line, in the service's format", async () => {
    const text = await read((signal) => t.clients.reader.logs(cp.address, { id: "etcd", tailLines: 5, signal }));
    const lines = text.split("\n").filter(Boolean);
    expect(lines).toHaveLength(5);
    for (const l of lines) expect(JSON.parse(l)).toHaveProperty("level");
    const machined = await read((signal) => t.clients.reader.logs(cp.address, { id: "machined", tailLines: -1, signal }));
    expect(machined.split("\n").length).toBeGreaterThan(2);
  });

  it("follows: lines logged by what the node does arrive while the stream is open", async () => {
    const worker2 = t.fleet.nodes.filter((n) => n.role === "worker")[1]!;
    const ac = new AbortController();
    let text = "";
    const reading = (async () => {
      for await (const c of t.clients.reader.logs(worker2.address, { id: "machined", follow: true, tailLines: 0, signal: ac.signal })) {
        text += c.toString("utf8");
        if (text.includes("service[kubelet](Running): Health check successful")) break;
      }
    })();
    await waitFor(async () => row(worker2.address).logStreams === 1, 2000);
    await t.clients.operator.serviceAction(worker2.address, "restart", "kubelet");
    await reading;
    ac.abort();
    expect(text).toContain("[talos] service[kubelet](Stopping): Sending SIGTERM to task kubelet");
    expect(text).toContain("[talos] service[kubelet](Finished): Service finished successfully");
  });

  it("releases a followed stream on the node as soon as the client cancels", async () => {
    const ac = new AbortController();
    const gen = t.clients.reader.logs(cp.address, { id: "kubelet", follow: true, tailLines: 1, signal: ac.signal });
    const first = await gen.next();
    expect(first.done).toBe(false);
    expect(row(cp.address).logStreams).toBe(1);
    ac.abort();
    await waitFor(async () => row(cp.address).logStreams === 0, 1000);
  });

  it("streams a log-flood fault's lines at its rate", async () => {
    t.fleet.setFault({ node: cp.address, fault: "log-flood", linesPerSecond: 2000, service: "apid" });
    try {
      const ac = new AbortController();
      let lines = 0;
      for await (const c of t.clients.reader.logs(cp.address, { id: "apid", follow: true, tailLines: 0, signal: ac.signal })) {
        lines += c.toString("utf8").split("\n").length - 1;
        if (lines >= 1000) break;
      }
      ac.abort();
      // 1,000 new lines arrive (at apid's calm 0.3 lines/s this would outlast the test's timeout).
      expect(lines).toBeGreaterThanOrEqual(1000);
      expect(t.fleet.nodeStates().find((n) => n.address === cp.address)!.faults).toContainEqual({ fault: "log-flood", linesPerSecond: 2000, service: "apid" });
    } finally {
      t.fleet.clearFaults(cp.address);
    }
  });
});

describe("Dmesg", () => {
  it("prints the kernel ring in Talos's format, boot messages first", async () => {
    const text = await read((signal) => t.clients.reader.dmesg(worker.address, { signal }));
    const lines = text.split("\n").filter(Boolean);
    expect(lines[0]).toMatch(/^kern: {2}notice: \[\d{4}-\d\d-\d\dT[\d:.]+Z\]: Linux version /);
    for (const l of lines) expect(l).toMatch(/^(kern|user|daemon): [ a-z]{7}: \[[^\]]+\]: /);
  });

  it("with follow and tail, sends only new messages and releases the stream on cancel", async () => {
    const ac = new AbortController();
    const gen = t.clients.reader.dmesg(worker.address, { follow: true, tail: true, signal: ac.signal });
    const next = gen.next();
    await waitFor(async () => row(worker.address).logStreams === 1, 2000);
    ac.abort();
    await next.catch(() => undefined);
    await waitFor(async () => row(worker.address).logStreams === 0, 1000);
  });
});
