import { describe, expect, it } from "vitest";

import type { NodeDrain } from "@/lib/schemas/drain";
import { DEFAULT_DRAIN_POLICY, type DrainPolicy, type DrainResult } from "@/lib/schemas/kubernetes";
import type { KubeAccess, KubeApi, NodeDrainer, NodeRef } from "@/lib/server/kubernetes/types";
import { AppError } from "@/lib/server/platform/errors";
import { FakeClock } from "@/test/fake-clock";

import { DRAIN_RETRY_MS, type DrainDeps, drainNode, FORCE_NOW_SECONDS, UNCORDON_RETRY_MS, uncordonNode } from "./drain-step";

const REF: NodeRef = { cluster: "c1", address: "10.5.0.4", hostname: "w1" };

/** A drainer that answers as told and records its calls. */
function fakes(o: { access?: KubeAccess[]; cordon?: () => Promise<boolean>; drain?: (policy: { timeoutSeconds: number; onTimeout: string }) => Promise<DrainResult>; uncordon?: () => Promise<boolean> } = {}) {
  const calls: string[] = [];
  const clock = new FakeClock();
  const ok: KubeAccess = { ok: true, api: {} as KubeApi, source: "talos" };
  const accesses = [...(o.access ?? [])];
  const drainer: NodeDrainer = {
    cordon: async () => {
      calls.push("cordon");
      const changed = o.cordon ? await o.cordon() : true;
      return { node: REF.address, nodeName: "w1", unschedulable: true, changed };
    },
    drain: async (_ref, policy) => {
      calls.push(`drain ${policy.timeoutSeconds} ${policy.onTimeout}`);
      return o.drain ? o.drain(policy) : result("drained");
    },
    uncordon: async (_ref, opts) => {
      calls.push(`uncordon onlyIfMinos=${opts?.onlyIfMinos}`);
      const changed = o.uncordon ? await o.uncordon() : true;
      return { node: REF.address, nodeName: "w1", unschedulable: false, changed };
    },
  };
  const deps: DrainDeps = { clock, drainer, access: { forCluster: async () => accesses.shift() ?? ok } };
  const persisted: NodeDrain[] = [];
  return { deps, calls, clock, persisted, persist: async (r: NodeDrain) => void persisted.push(r) };
}

function result(outcome: DrainResult["outcome"], more: Partial<DrainResult> = {}): DrainResult {
  return { node: REF.address, nodeName: "w1", outcome, evicted: ["default/web-1"], forced: [], ignored: ["kube-system/kube-proxy-w1"], blocking: [], seconds: 4, ...more };
}

const BLOCKED = result("blocked", {
  evicted: [],
  blocking: [{ namespace: "default", name: "pinned-w1-0", pdbs: ["default/pinned-w1"], reason: "Cannot evict pod as it would violate the pod's disruption budget." }],
});

const policy = (p: Partial<DrainPolicy> = {}): DrainPolicy => ({ ...DEFAULT_DRAIN_POLICY, ...p });
const previous = (p: Partial<NodeDrain>): NodeDrain => ({ phase: "blocked", nodeName: "w1", cordoned: true, evicted: [], forced: [], blocking: [], message: "", override: null, at: new Date(0).toISOString(), ...p });

describe("drainNode", () => {
  it("cordons, persists that before evicting, then drains under the policy", async () => {
    const f = fakes();
    const out = await drainNode(f.deps, { ref: REF, policy: policy(), previous: null, persist: f.persist });
    expect(out.proceed).toBe(true);
    expect(out.record).toMatchObject({ phase: "drained", nodeName: "w1", cordoned: true, evicted: ["default/web-1"] });
    expect(out.record.message).toMatch(/drained w1 in 4 s: evicted 1 pod/);
    expect(f.calls).toEqual(["cordon", "drain 300 halt"]);
    expect(f.persisted).toEqual([expect.objectContaining({ phase: "draining", cordoned: true, message: "cordoning w1" }), expect.objectContaining({ phase: "draining", cordoned: true })]);
  });

  it("persists the intent to cordon before cordoning: a crash right after the cordon still uncordons the node", async () => {
    const f = fakes();
    let persistedBeforeCordon: NodeDrain | undefined;
    f.deps.drainer.cordon = async () => {
      persistedBeforeCordon = f.persisted.at(-1);
      // The process dies here: the cordon landed, nothing after it was persisted.
      throw new Error("process stopped");
    };
    const ac = new AbortController();
    ac.abort();
    await expect(drainNode(f.deps, { ref: REF, policy: policy(), previous: null, persist: f.persist, signal: ac.signal })).rejects.toThrow("process stopped");
    expect(persistedBeforeCordon).toMatchObject({ phase: "draining", cordoned: true });
    // The restart resumes from that record: the cordon is now "not changed", the node still Minos's.
    const again = fakes({ cordon: async () => false });
    const out = await drainNode(again.deps, { ref: REF, policy: policy(), previous: persistedBeforeCordon!, persist: again.persist });
    expect(out.record).toMatchObject({ phase: "drained", cordoned: true });
    expect(await uncordonNode(again.deps, { ref: REF, record: out.record, pollMs: 1000 })).toMatchObject({ phase: "uncordoned" });
  });

  it("a cordon refused outright claims nothing: no uncordon is attempted after the reboot", async () => {
    const f = fakes({ cordon: async () => Promise.reject(new AppError("kubernetes_unavailable", "cannot be reached (ECONNREFUSED)")) });
    const out = await drainNode(f.deps, { ref: REF, policy: policy({ onTimeout: "force" }), previous: null, persist: f.persist });
    expect(out).toMatchObject({ proceed: true, record: { phase: "skipped", cordoned: false } });
  });

  it("halts on a blocked drain, naming the pod and its PDB", async () => {
    const f = fakes({ drain: async () => BLOCKED });
    const out = await drainNode(f.deps, { ref: REF, policy: policy(), previous: null, persist: f.persist });
    expect(out).toMatchObject({ proceed: false, reason: expect.stringMatching(/^w1: drain of w1 blocked after 300 s: pod default\/pinned-w1-0 \(PDB default\/pinned-w1\)/) });
    expect(out.record.phase).toBe("blocked");
    expect(out.record.blocking[0]!.pdbs).toEqual(["default/pinned-w1"]);
  });

  it("a person's force evicts once more briefly, then deletes the rest", async () => {
    const f = fakes({ drain: async (p) => (p.onTimeout === "force" ? result("forced", { evicted: [], forced: ["default/pinned-w1-0"] }) : BLOCKED) });
    const out = await drainNode(f.deps, { ref: REF, policy: policy(), previous: previous({ override: "force" }), persist: f.persist });
    expect(out).toMatchObject({ proceed: true, record: { phase: "forced", forced: ["default/pinned-w1-0"], cordoned: true, override: null } });
    expect(f.calls).toEqual(["cordon", `drain ${FORCE_NOW_SECONDS} force`]);
    expect(out.record.message).toMatch(/^forced by a person/);
  });

  it("keeps knowing Minos cordoned the node when a retry finds it cordoned already", async () => {
    const f = fakes({ cordon: async () => false });
    const out = await drainNode(f.deps, { ref: REF, policy: policy(), previous: previous({ override: "retry" }), persist: f.persist });
    expect(out.record.cordoned).toBe(true);
    const fresh = await drainNode(fakes({ cordon: async () => false }).deps, { ref: REF, policy: policy(), previous: null, persist: f.persist });
    expect(fresh.record.cordoned).toBe(false);
  });

  it("skips without a Kubernetes call when disabled or skipped by a person", async () => {
    const f = fakes();
    const off = await drainNode(f.deps, { ref: REF, policy: policy({ enabled: false }), previous: null, persist: f.persist });
    expect(off).toMatchObject({ proceed: true, record: { phase: "skipped", cordoned: false } });
    const skip = await drainNode(f.deps, { ref: REF, policy: policy(), previous: previous({ override: "skip" }), persist: f.persist });
    expect(skip).toMatchObject({ proceed: true, record: { phase: "skipped", cordoned: true } });
    expect(skip.record.message).toMatch(/skipped by a person/);
    expect(f.calls).toEqual([]);
  });

  it("Kubernetes out of reach: force skips and says so, halt waits for a person", async () => {
    const down: KubeAccess = { ok: false, access: "unreachable", message: "the API server at https://10.5.0.1:6443 did not answer" };
    const forced = fakes({ access: [down] });
    const f1 = await drainNode(forced.deps, { ref: REF, policy: policy({ onTimeout: "force" }), previous: null, persist: forced.persist });
    expect(f1).toMatchObject({ proceed: true, record: { phase: "skipped" } });
    expect(f1.record.message).toMatch(/Kubernetes cannot be asked \(the API server .* did not answer\): drain skipped \(onTimeout: force\)/);
    const halted = fakes({ access: [down] });
    const h = await drainNode(halted.deps, { ref: REF, policy: policy(), previous: null, persist: halted.persist });
    expect(h.proceed).toBe(false);
    expect(h.record.message).toMatch(/waits for a person/);
    expect(halted.calls).toEqual([]);
  });

  it("an API error in the middle of the drain is retried on what is left, not taken for Kubernetes out of reach", async () => {
    let calls = 0;
    const f = fakes({ drain: async () => (++calls === 1 ? Promise.reject(new AppError("node_unreachable", "the API server answered 503")) : result("drained")) });
    const pending = drainNode(f.deps, { ref: REF, policy: policy({ timeoutSeconds: 60 }), previous: null, persist: f.persist });
    await f.clock.advance(DRAIN_RETRY_MS);
    const out = await pending;
    expect(out).toMatchObject({ proceed: true, record: { phase: "drained", cordoned: true } });
    // The second attempt gets only what is left of the policy's timeout.
    expect(f.calls).toEqual(["cordon", "drain 60 halt", `drain ${60 - DRAIN_RETRY_MS / 1000} halt`]);
  });

  it("a drain that keeps failing until the policy's deadline: the policy decides (halt waits, naming the error)", async () => {
    const f = fakes({ drain: async () => Promise.reject(new AppError("node_unreachable", "the API server answered 503")) });
    const pending = drainNode(f.deps, { ref: REF, policy: policy({ timeoutSeconds: 12 }), previous: null, persist: f.persist });
    await f.clock.advance(12_000);
    const out = await pending;
    expect(out.proceed).toBe(false);
    expect(out.record).toMatchObject({ phase: "blocked", cordoned: true });
    expect(out.record.message).toMatch(/the drain failed 3 times within 12 s, last: .*503.*waits for a person/);
    expect(f.calls.filter((c) => c.startsWith("drain"))).toHaveLength(3);
  });

  it("a failing cordon counts as Kubernetes out of reach; a missing Node is nothing to drain", async () => {
    const failing = fakes({ cordon: async () => Promise.reject(new AppError("node_unreachable", "connect ECONNREFUSED")) });
    const out = await drainNode(failing.deps, { ref: REF, policy: policy(), previous: null, persist: failing.persist });
    expect(out.proceed).toBe(false);
    expect(out.record.message).toContain("ECONNREFUSED");
    const missing = fakes({ cordon: async () => Promise.reject(new AppError("not_found", "no Node")) });
    const m = await drainNode(missing.deps, { ref: REF, policy: policy(), previous: null, persist: missing.persist });
    expect(m).toMatchObject({ proceed: true, record: { phase: "skipped", message: "no Kubernetes Node matches w1: nothing to drain" } });
  });
});

describe("uncordonNode", () => {
  it("uncordons only what Minos cordoned, and only with onlyIfMinos", async () => {
    const f = fakes();
    expect(await uncordonNode(f.deps, { ref: REF, record: previous({ phase: "drained", cordoned: false }), pollMs: 1000 })).toBeNull();
    expect(f.calls).toEqual([]);
    const done = await uncordonNode(f.deps, { ref: REF, record: previous({ phase: "drained", message: "drained w1 in 4 s: evicted 1 pod" }), pollMs: 1000 });
    expect(done).toMatchObject({ phase: "uncordoned", message: "drained w1 in 4 s: evicted 1 pod; uncordoned w1" });
    expect(f.calls).toEqual(["uncordon onlyIfMinos=true"]);
  });

  it("retries while the API does not answer, then says the node is left cordoned", async () => {
    let fails = 2;
    const f = fakes({ uncordon: async () => (fails-- > 0 ? Promise.reject(new Error("connect ECONNREFUSED")) : true) });
    const p = uncordonNode(f.deps, { ref: REF, record: previous({ phase: "drained" }), pollMs: 1000 });
    await f.clock.advance(2000);
    expect(await p).toMatchObject({ phase: "uncordoned" });

    const never = fakes({ uncordon: async () => Promise.reject(new Error("connect ECONNREFUSED")) });
    const q = uncordonNode(never.deps, { ref: REF, record: previous({ phase: "drained" }), pollMs: 1000 });
    await never.clock.advance(UNCORDON_RETRY_MS + 1000);
    const left = await q;
    expect(left).toMatchObject({ phase: "left-cordoned" });
    expect(left!.message).toBe("could not uncordon w1 (connect ECONNREFUSED): uncordon it by hand (kubectl uncordon w1)");
  });
});
