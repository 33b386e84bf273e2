import "server-only";

import { parse as parseYaml } from "yaml";

import { nodeId } from "@/lib/fleet/node-id";
import type { ApplyMode } from "@/lib/schemas/configs";
import type { KubernetesUpgradePlan, KubernetesUpgradeStep, KubernetesUpgradeStepState } from "@/lib/schemas/kubernetes-upgrades";
import { withApplySlot } from "@/lib/server/configs/in-flight";
import { configHash, resultOfMode } from "@/lib/server/configs/modes";
import type { RevisionRepository } from "@/lib/server/configs/revisions";
import { recordAudit } from "@/lib/server/platform/audit";
import type { Db } from "@/lib/server/platform/db/db";
import { codeOf, errorText, waitUntil, type Verdict } from "@/lib/server/jobs";
import type { Drive, PlanDrives } from "@/lib/server/upgrades/drives";
import { isLeaseLost } from "@/lib/server/upgrades/drives";
import { MANIFEST_RESOURCE, MANIFESTS_FIELD_MANAGER, STATIC_POD_COMPONENTS, supportsImageService, type KubernetesComponent } from "@/lib/talos/kubernetes";
import type { Clock } from "@/lib/utils/clock";

import { withComponentImage } from "./config-patch";
import { assertStepTransition } from "./machine";
import { reconciled } from "./reconcile";
import { type KubeUpgradeAccess, type KubeUpgradeTalos, podApp } from "./probes";
import { KubernetesUpgradeRepository, type StepPatch } from "./repository";

/** What the step executor shares with the runner. */
export interface StepContext {
  clock: Clock;
  repo: KubernetesUpgradeRepository;
  client(cluster: string): Promise<KubeUpgradeTalos>;
  kube(cluster: string): Promise<KubeUpgradeAccess>;
  /** Interval of the waits for a static pod or a Node. */
  pollMs: number;
  readTimeoutMs: number;
  /** Config revisions: each image patch is recorded as one (source `kubernetes-upgrade`). */
  revisions: RevisionRepository;
  publish(id: string): Promise<void>;
  log(message: string): void;
}

/** A step start found the plan no longer running (paused or cancelled meanwhile). */
class PlanNotRunning extends Error {}

type StepRef = { index: number; state: KubernetesUpgradeStepState };

const isStaticPod = (k: string): k is (typeof STATIC_POD_COMPONENTS)[number] => (STATIC_POD_COMPONENTS as readonly string[]).includes(k);

/** Server-side apply order: what others refer to first (upgrade-k8s stages ConfigMaps and Secrets before workloads). */
const KIND_RANK: Record<string, number> = { Namespace: 0, CustomResourceDefinition: 1, ServiceAccount: 2, ClusterRole: 3, ClusterRoleBinding: 3, Role: 3, RoleBinding: 3, ConfigMap: 4, Secret: 4 };

/**
 * One step of a Kubernetes upgrade, each transition persisted (under the plan's lease) before
 * what it announces. Every step is idempotent: a config already carrying the image is not applied
 * again (upgrade-k8s's errUpdateSkipped), so a runner that resumes a step simply runs it again; a
 * step persisted `waiting` had its config applied and only waits.
 */
export class StepRunner {
  constructor(
    private readonly ctx: StepContext,
    private readonly drives: PlanDrives,
  ) {}

  private async setStep(drive: Drive, plan: KubernetesUpgradePlan, step: StepRef, patch: Omit<StepPatch, "now">): Promise<void> {
    if (patch.state && patch.state !== step.state) assertStepTransition(step.state, patch.state);
    const starting = step.state === "pending" && patch.state !== undefined && patch.state !== "pending";
    await this.drives.fenced(drive, async (trx) => {
      const repo = new KubernetesUpgradeRepository(trx);
      if (starting) {
        const state = await repo.getPlanState(plan.id, { lock: true });
        if (state !== "running") throw new PlanNotRunning(`the plan is ${state}`);
      }
      await repo.updateStep(plan.id, step.index, { ...patch, now: this.ctx.clock.now() });
    });
    if (patch.state) step.state = patch.state;
    await this.ctx.publish(plan.id);
  }

  /**
   * The config write of a component step, through the configs subsystem's rules: the node's apply
   * slot held throughout (a person's apply or a rollout gets a 409 meanwhile, and this one if they
   * hold it), the running config read again right before the apply and the step refused if it
   * changed (someone else's apply landed), and the result recorded as a config revision (source
   * `kubernetes-upgrade`, pending before the call) so drift compares against what was applied.
   */
  private async patchConfig(drive: Drive, plan: KubernetesUpgradePlan, row: KubernetesUpgradeStep, component: KubernetesComponent, image: string, client: KubeUpgradeTalos, opts: { timeoutMs: number; signal: AbortSignal }): Promise<string> {
    const address = row.address!;
    const node = nodeId(plan.cluster, address);
    const host = row.hostname ?? address;
    return withApplySlot(node, `Kubernetes upgrade ${plan.id}`, async () => {
      const current = await client.machineConfig(address, opts);
      const patched = withComponentImage(current.yaml, component, image);
      if (!patched.changed) return `the machine configuration already has ${image}`;
      const again = await client.machineConfig(address, opts);
      if (again.yaml !== current.yaml) {
        throw new Error(`the machine config of ${host} changed while this step was patching it (another apply); retry the step to patch the new one`);
      }
      const actor = plan.actor;
      const revisions = this.ctx.revisions;
      const write = <T>(fn: (trx: Db) => Promise<T>) => this.drives.fenced(drive, fn);
      const pending = await write((trx) =>
        revisions.on(trx).insert({ node, author: actor, at: new Date(this.ctx.clock.now()), mode: "no-reboot", result: "pending", source: "kubernetes-upgrade", yaml: patched.yaml, rollbackOf: null, rolloutId: null, message: `Kubernetes upgrade ${plan.id}: ${component} → ${image}` }),
      );
      let res: { mode: ApplyMode; modeDetails: string };
      try {
        res = await client.applyConfiguration(address, { data: patched.yaml, mode: "no-reboot", signal: opts.signal, timeoutMs: this.ctx.readTimeoutMs * 6 });
      } catch (e) {
        // Only the node's message: the config (and its secrets) is never in it.
        await write((trx) => revisions.on(trx).finish(pending.id, { result: "failed", message: errorText(e) }));
        throw e;
      }
      await write(async (trx) => {
        await revisions.on(trx).finish(pending.id, { result: resultOfMode(res.mode), mode: res.mode, message: res.modeDetails });
        if (res.mode !== "try") await revisions.on(trx).markTryOutcome(node, pending.id, configHash(patched.yaml));
        await recordAudit(trx, { actor, action: "kubernetes-upgrade.config", target: node, result: "ok", details: { plan: plan.id, component, image, revision: pending.id, resolvedMode: res.mode } });
      });
      return `machine configuration patched (${patched.previous ?? "default image"} → ${image}; ${res.mode}; config revision ${pending.id})`;
    });
  }

  /** Drives one step from its persisted state to done or failed. */
  async run(drive: Drive, plan: KubernetesUpgradePlan, row: KubernetesUpgradeStep): Promise<void> {
    const signal = drive.signal;
    const step: StepRef = { index: row.index, state: row.state };
    const note = (message: string) => this.setStep(drive, plan, step, { message });
    try {
      this.drives.assertHolding(drive);
      const client = this.drives.guarded(await this.ctx.client(plan.cluster), drive);
      const opts = { timeoutMs: this.ctx.readTimeoutMs, signal };
      if (step.state === "pending") await this.setStep(drive, plan, step, { state: "running", started: true, attempt: true, message: row.description });
      else await this.setStep(drive, plan, step, { attempt: true, message: `Minos resumed this step while it was ${step.state}` });

      if (row.kind === "pre-pull") {
        const version = (await client.version(row.address!, opts)).tag;
        const legacy = !supportsImageService(version);
        for (const image of row.images) {
          // upgrade-k8s: control-plane images into CRI's namespace, the kubelet (a system container) into system's.
          const containerd = image.includes("/kubelet:") ? ("system" as const) : ("cri" as const);
          if (legacy) {
            // Before 1.13 only the legacy MachineService/ImagePull exists; a node without it (Unimplemented) is skipped, as upgrade-k8s does.
            try {
              await client.imagePullLegacy(row.address!, { image, containerd, signal, timeoutMs: 10 * 60_000 });
              await note(`pulled ${image} (MachineService/ImagePull)`);
            } catch (e) {
              if (codeOf(e) !== "unsupported") throw e;
              await note(`${row.hostname ?? row.address}: ImagePull is not implemented, skipping`);
              break;
            }
          } else {
            for await (const ev of client.imagePull(row.address!, { image, containerd, signal })) if (ev.type === "done") await note(`pulled ${image}`);
          }
          if (signal.aborted) return;
        }
        await this.setStep(drive, plan, step, { state: "done", finished: true, message: `pre-pulled ${row.images.length} image${row.images.length === 1 ? "" : "s"}` });
        return;
      }

      if (row.kind === "manifests") {
        const outcome = await this.syncManifests(plan, client, note, signal);
        if (signal.aborted) return;
        await this.setStep(drive, plan, step, { state: "done", finished: true, message: outcome });
        return;
      }

      // A component whose image lives in the machine config: patch it without a reboot.
      const component = row.kind as KubernetesComponent;
      const image = row.images[0]!;
      if (step.state === "running") {
        const outcome = await this.patchConfig(drive, plan, row, component, image, client, opts);
        if (signal.aborted) return;
        await note(outcome);
        if (row.kind === "kube-proxy") {
          await this.setStep(drive, plan, step, { state: "done", finished: true, message: "kube-proxy's DaemonSet follows with the manifests sync" });
          return;
        }
        await this.setStep(drive, plan, step, { state: "waiting", message: row.kind === "kubelet" ? `waiting for the Node on ${versionOf(image)} and Ready` : `waiting for the ${row.kind} pod on ${image} and Ready` });
      }

      const verdict = await this.waitComponent(drive, plan, row, step, (reason) => note(`waiting: ${reason}`));
      if (signal.aborted) return;
      if (verdict.ok) await this.setStep(drive, plan, step, { state: "done", finished: true, message: row.kind === "kubelet" ? `kubelet on ${versionOf(image)}, Node Ready` : `${row.kind} runs ${image}, Ready` });
      else await this.setStep(drive, plan, step, { state: "failed", finished: true, error: verdict.reason, message: `failed: ${verdict.reason}` });
    } catch (e) {
      if (signal.aborted || isLeaseLost(e)) {
        if (isLeaseLost(e)) drive.abort.abort();
        return;
      }
      if (e instanceof PlanNotRunning) return;
      const reason = errorText(e);
      try {
        await this.setStep(drive, plan, step, { state: "failed", finished: true, error: reason, message: `failed: ${reason}` });
      } catch (e2) {
        if (!(e2 instanceof PlanNotRunning)) throw e2;
      }
    }
  }

  /** Waits (persisting each new reason) until the static pod or the Node is on the new version and Ready. */
  private async waitComponent(drive: Drive, plan: KubernetesUpgradePlan, row: KubernetesUpgradeStep, step: StepRef, onWaiting: (reason: string) => Promise<void>): Promise<Verdict & { timedOut?: true }> {
    const { clock } = this.ctx;
    const fresh = (await this.ctx.repo.getSteps(plan.id)).find((s) => s.index === row.index);
    const since = fresh?.stateChangedAt ? Date.parse(fresh.stateChangedAt) : clock.now();
    const timeout = plan.options.stepTimeoutSeconds;
    let noted: Promise<void> = Promise.resolve();
    const verdict = await waitUntil({
      clock,
      pollMs: this.ctx.pollMs,
      deadline: since + timeout * 1000,
      signal: drive.signal,
      check: () => this.checkComponent(plan.cluster, row, drive.signal),
      onWaiting: (reason) => {
        noted = noted.then(() => onWaiting(reason)).catch((e: unknown) => {
          if (isLeaseLost(e)) drive.abort.abort();
          else this.ctx.log(`Kubernetes upgrade ${plan.id}: step ${step.index}: ${errorText(e)}`);
        });
      },
    });
    await noted;
    if (verdict.ok || !verdict.timedOut) return verdict;
    return { ok: false, reason: `not on the new version within ${timeout} s: ${verdict.reason}` };
  }

  private async checkComponent(cluster: string, row: KubernetesUpgradeStep, signal: AbortSignal): Promise<Verdict> {
    const opts = { timeoutMs: this.ctx.readTimeoutMs, signal };
    const access = await this.ctx.kube(cluster);
    if (!access.ok) return { ok: false, reason: `Kubernetes cannot be asked: ${access.message}` };
    const image = row.images[0]!;
    try {
      const node = await access.api.findNode({ cluster, address: row.address!, hostname: row.hostname }, opts);
      if (!node) return { ok: false, reason: `no Kubernetes Node for ${row.hostname ?? row.address} yet` };
      if (row.kind === "kubelet") {
        const want = versionOf(image);
        if (node.kubeletVersion !== want) return { ok: false, reason: `node version mismatch: got "${node.kubeletVersion ?? "none"}", expected "${want}"` };
        if (node.ready !== true) return { ok: false, reason: `node is not ready${node.readyReason ? ` (${node.readyReason})` : ""}` };
        return { ok: true };
      }
      if (!isStaticPod(row.kind)) return { ok: true };
      const pods = (await access.api.listPods(node.name, opts)).filter((p) => p.namespace === "kube-system" && podApp(p) === row.kind);
      if (pods.length === 0) return { ok: false, reason: `no ${row.kind} pod on ${node.name}` };
      const current = pods.find((p) => p.images[0] === image);
      if (!current) return { ok: false, reason: `${pods[0]!.name} runs ${pods[0]!.images[0] ?? "no image"}, waiting for ${image}` };
      if (!current.ready) return { ok: false, reason: `${current.name}: pod is not ready, waiting` };
      return { ok: true };
    } catch (e) {
      // The API server restarting (its own step) refuses for a moment: not yet, not a failure.
      return { ok: false, reason: errorText(e) };
    }
  }

  /**
   * PerformManifestsSync: Talos's bootstrap manifests (the Manifest resources a control plane
   * rendered from its config, kube-proxy's DaemonSet with the new image among them), applied
   * server-side with Talos's field manager.
   */
  private async syncManifests(plan: KubernetesUpgradePlan, client: KubeUpgradeTalos, note: (m: string) => Promise<void>, signal: AbortSignal): Promise<string> {
    const cp = plan.steps.find((s) => s.kind === "kube-apiserver")?.address;
    if (!cp) throw new Error("no control plane to read the bootstrap manifests from");
    const resources = await client.cosiList(cp, MANIFEST_RESOURCE.namespace, MANIFEST_RESOURCE.type, { timeoutMs: this.ctx.readTimeoutMs, signal });
    const objects = resources
      .flatMap((r) => {
        const items: unknown = parseYaml(r.yamlSpec);
        return Array.isArray(items) ? items : [];
      })
      .filter((o): o is Record<string, unknown> => typeof o === "object" && o !== null && typeof (o as { kind?: unknown }).kind === "string")
      .sort((a, b) => (KIND_RANK[a.kind as string] ?? 9) - (KIND_RANK[b.kind as string] ?? 9));
    const access = await this.ctx.kube(plan.cluster);
    if (!access.ok) throw new Error(`Kubernetes cannot be asked: ${access.message}`);
    const counts: Record<string, number> = {};
    for (const o of objects) {
      if (signal.aborted) break;
      const meta = (o.metadata ?? {}) as { name?: string; namespace?: string };
      const outcome = await access.objects.serverSideApply(o, MANIFESTS_FIELD_MANAGER, { timeoutMs: this.ctx.readTimeoutMs, signal });
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      if (outcome !== "unchanged") await note(`${o.kind as string} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? "?"}: ${outcome}`);
    }
    // upgrade-k8s waits for what it applied to be reconciled (kube-proxy rolled out on every node) before it calls the upgrade done.
    let noted: Promise<void> = Promise.resolve();
    const verdict = await waitUntil({
      clock: this.ctx.clock,
      pollMs: this.ctx.pollMs,
      deadline: this.ctx.clock.now() + plan.options.stepTimeoutSeconds * 1000,
      signal,
      check: async () => {
        for (const o of objects) {
          const live = await access.objects.read(o, { timeoutMs: this.ctx.readTimeoutMs, signal }).catch((e: unknown) => ({ kind: "?", error: errorText(e) }));
          if (live === null) return { ok: false, reason: `${o.kind as string} ${String((o.metadata as { name?: string } | undefined)?.name)} is gone` };
          if ("error" in live) return { ok: false, reason: String(live.error) };
          const r = reconciled(live);
          if (!r.ok) return r;
        }
        return { ok: true };
      },
      onWaiting: (reason) => {
        noted = noted.then(() => note(`waiting: ${reason}`));
      },
    });
    await noted;
    if (signal.aborted) return "stopped";
    if (!verdict.ok) throw new Error(`the bootstrap manifests were not reconciled within ${plan.options.stepTimeoutSeconds} s: ${verdict.reason}`);
    const how = plan.manifestsSync === "server-side-apply" ? "server-side apply" : "server-side apply (some nodes run Talos < 1.13, where upgrade-k8s would use its legacy sync)";
    const summary = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(", ");
    return `${objects.length} bootstrap manifest object${objects.length === 1 ? "" : "s"} synced by ${how}${summary ? `: ${summary}` : ""}, and reconciled`;
  }
}

/** The version a kubelet image runs, as the Node reports it ("v1.34.1"); the -fat/-slim flavour is not part of it. */
function versionOf(image: string): string {
  const tag = image.slice(image.lastIndexOf(":") + 1);
  return tag.replace(/-(fat|slim)$/, "");
}
