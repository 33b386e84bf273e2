import "server-only";

import crypto, { randomUUID } from "node:crypto";

import { sql } from "kysely";

import type { CaRotation, CaRotationAction, CaRotationDryRun, CaRotationNode, CaRotationStep, CaRotationSummary, ParsedCaRotationRequest } from "@/lib/schemas/ca-rotation";
import { errorText, JobLoops } from "@/lib/server/jobs";
import { decideStep } from "@/lib/server/kubernetes-upgrades/machine";
import { type KnownNode, matchMembers } from "@/lib/server/fleet/member-match";
import { ManifestRepository } from "@/lib/server/manifests/repo";
import { recordAudit } from "@/lib/server/platform/audit";
import { refuseBesideLiveRuns } from "@/lib/server/platform/cluster-runs";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import { AppError } from "@/lib/server/platform/errors";
import { LeaseLostError } from "@/lib/server/platform/leases";
import { replicaId } from "@/lib/server/platform/replica";
import type { SecretBox } from "@/lib/server/platform/secret-box";
import type { TalosContext } from "@/lib/server/talos/talosconfig";
import { type Drive, isLeaseLost, PlanDrives } from "@/lib/server/upgrades/drives";
import { FINAL_PLAN_STATES, type PlanEvent, planTransition } from "@/lib/server/upgrades/machine";
import { TALOS_ROLES } from "@/lib/talos/constants";
import { type CertAndKey, createTalosCa, issueClientCert, toTalosKeyPem } from "@/lib/talos/pki";
import { parseSecretsBundle, stringifySecretsBundle } from "@/lib/talos/secrets/bundle";
import { renderTalosconfig } from "@/lib/talos/talosconfig";
import { type Clock, realClock } from "@/lib/utils/clock";
import { mapLimit } from "@/lib/utils/map-limit";

import { checkPatchable, issuerOf, roleOf, sameCertB64 } from "./patch";
import { planSteps, summarizeCa, talosSwapStarted } from "./plan";
import { CaRotationRepository, type RotationOptions } from "./repository";
import { openSecrets, type RotationSecrets, sealSecrets } from "./secrets";
import { type RotationTalos, runStep, type StepDeps } from "./steps";

export const caRotationLeaseName = (id: string) => `ca-rotation:${id}`;

export interface CaRotationDeps {
  db: Db;
  box: SecretBox;
  /** Minos's talosconfig context of the cluster, as it is now. */
  context(cluster: string): Promise<TalosContext>;
  /** Where that context comes from: the talosconfig file or an upload. */
  origin(cluster: string): Promise<"file" | "upload">;
  talos: StepDeps["talos"];
  kube: StepDeps["kube"];
  replaceTalosconfig: StepDeps["replaceTalosconfig"];
  /** After a rotation ends (whatever the outcome): caches holding the cluster's old credentials are dropped. */
  afterFinish?(cluster: string): void;
  clock?: Clock;
  owner?: string;
  actor?: string;
  lease?: { ttlMs?: number; renewMs?: number };
  pollMs?: number;
  callTimeoutMs?: number;
  scanIntervalMs?: number;
  log?(message: string): void;
}

const LIVE_STATES = ["pending", "running", "paused", "cancelling"] as const;

/** A downloaded talosconfig's certificate lives 30 days (talosctl's own are 365: TalosAPIDefaultCertificateValidityDuration); a person downloads a fresh one when it runs out. */
const DOWNLOAD_CERT_HOURS = 30 * 24;

/**
 * Runs CA rotations, `talosctl rotate-ca`'s flow as a persisted state machine: a strict sequence
 * of steps (decideStep: the first failure halts), each written `running` before it acts and
 * `done` after, under the rotation's lease (`ca-rotation:<id>`, fenced writes). A runner that
 * takes a rotation over resumes the step in flight; every step is idempotent (a patch that
 * landed is found applied and not sent again).
 */
export class CaRotationRunner {
  private readonly clock: Clock;
  private readonly repo: CaRotationRepository;
  private readonly loops: JobLoops;
  private readonly drives: PlanDrives;
  private readonly pollMs: number;
  private readonly callTimeoutMs: number;
  private started = false;
  private scanTimer: unknown;
  private scanning: Promise<void> | null = null;

  constructor(private readonly deps: CaRotationDeps) {
    this.clock = deps.clock ?? realClock;
    this.repo = new CaRotationRepository(deps.db);
    this.pollMs = deps.pollMs ?? 1000;
    this.callTimeoutMs = deps.callTimeoutMs ?? 5000;
    this.loops = new JobLoops(this.clock, (id, e) => this.log(`CA rotation ${id}: runner loop failed: ${errorText(e)}`));
    this.drives = new PlanDrives({ db: deps.db, clock: this.clock, owner: deps.owner ?? replicaId(), loops: this.loops, lease: deps.lease, leaseName: caRotationLeaseName, log: (m) => this.log(m) });
  }

  /** Takes up every live rotation nobody drives, then keeps looking. Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    void this.scan();
  }

  /** Stops every loop (state stays persisted for whoever resumes) and releases the leases. */
  async stop(): Promise<void> {
    this.clock.clearTimeout(this.scanTimer);
    await this.loops.stop();
    await this.scanning;
    await this.drives.dropAll();
  }

  /** Resolves when no rotation is driven here (tests). */
  idle(): Promise<void> {
    return this.loops.drain();
  }

  async scan(): Promise<void> {
    if (this.scanning) return this.scanning;
    this.scanning = (async () => {
      try {
        for (const r of await this.repo.listIdsInStates(LIVE_STATES)) {
          if (this.loops.stopped) return;
          if (this.drives.has(r.id)) this.loops.wake(r.id);
          else if (await this.drive(r.id)) this.log(`driving CA rotation ${r.id} (${r.cluster}, ${r.state})`);
        }
      } catch (e) {
        this.log(`looking for CA rotations to drive failed: ${errorText(e)}`);
      } finally {
        this.scanning = null;
        if (this.started && !this.loops.stopped) {
          this.clock.clearTimeout(this.scanTimer);
          this.scanTimer = this.clock.setTimeout(() => void this.scan(), this.deps.scanIntervalMs ?? 2500);
        }
      }
    })();
    return this.scanning;
  }

  get(id: string): Promise<CaRotation | null> {
    return this.repo.get(id);
  }

  async getOrThrow(id: string): Promise<CaRotation> {
    const r = await this.get(id);
    if (!r) throw new AppError("not_found", `No CA rotation ${JSON.stringify(id)}`);
    return r;
  }

  list(opts: { cluster?: string; limit: number }): Promise<CaRotationSummary[]> {
    return this.repo.list(opts);
  }

  /** The dry run (rotate-ca's default): reads every node's config with Minos's credentials; changes nothing. No key or config leaves it. */
  async dryRun(req: ParsedCaRotationRequest): Promise<CaRotationDryRun> {
    const { context: _context, ...dry } = await this.inspect(req);
    return dry;
  }

  private async inspect(req: ParsedCaRotationRequest): Promise<CaRotationDryRun & { context: TalosContext }> {
    const context = await this.deps.context(req.cluster);
    const origin = await this.deps.origin(req.cluster);
    const options = optionsOf(context, req, origin);
    const client = this.deps.talos(context, options);
    const problems: string[] = [];
    const opts = { timeoutMs: this.callTimeoutMs };
    const readNode = async (address: string) => {
      try {
        const [{ yaml }, hostname] = await Promise.all([client.machineConfig(address, opts), client.hostname(address, opts).catch(() => null)]);
        return { address, hostname, yaml };
      } catch (e) {
        problems.push(`node ${address}: its config could not be read: ${errorText(e)}`);
        return null;
      }
    };
    const read = await mapLimit(context.nodes, 8, readNode);
    // rotate-ca patches the cluster as buildClusterInfo sees it: the discovered members, not only
    // the talosconfig's nodes. A member the context does not name is read too; one that cannot be
    // read (or placed) would keep the old CA and be locked out, so it is a problem, not a skip.
    try {
      const members = await client.clusterMembers(undefined, opts);
      const known: KnownNode[] = context.nodes.map((address, i) => ({ key: address, address, hostname: read[i]?.hostname ?? null, memberNodeId: null }));
      const extra: string[] = [];
      matchMembers(known, members).forEach((m, i) => {
        const member = members[i]!;
        if (m.kind === "new") extra.push(m.target);
        else if (m.kind === "skip") problems.push(`discovered member ${member.hostname || member.nodeId || member.id}: it cannot be reached (${m.reason})`);
      });
      read.push(...(await mapLimit(extra, 8, readNode)));
    } catch (e) {
      problems.push(`the cluster's members (discovery) could not be listed: ${errorText(e)}`);
    }
    const nodes: (CaRotationNode & { yaml: string })[] = [];
    for (const r of read) {
      if (!r) continue;
      const role = roleOf(r.yaml);
      if (!role) {
        problems.push(`node ${r.address}: its config does not say whether it is a control plane or a worker (machine.type)`);
        continue;
      }
      nodes.push({ address: r.address, hostname: r.hostname, role, yaml: r.yaml });
    }
    const cp = nodes.find((n) => n.role === "controlplane");
    if (nodes.length > 0 && !cp) problems.push("no control plane among the cluster's nodes: the new CA keys have nowhere to go");
    const current = { talos: null as ReturnType<typeof summarizeCa> | null, kubernetes: null as ReturnType<typeof summarizeCa> | null };
    for (const [api, section] of [["talos", "machine"], ["kubernetes", "cluster"]] as const) {
      if (!req[api] || !cp) continue;
      const issuer = issuerOf(cp.yaml, section);
      if (!issuer) {
        problems.push(`${cp.hostname ?? cp.address}: ${section}.ca is not set`);
        continue;
      }
      current[api] = summarizeCa(Buffer.from(issuer, "base64").toString("utf8"));
      for (const n of nodes) {
        const why = checkPatchable(n.yaml, section);
        if (why) problems.push(`${n.hostname ?? n.address}: ${why}`);
        const own = issuerOf(n.yaml, section);
        // A node with another issuer means a rotation was left half-way: finish or undo it first.
        if (own && !sameCertB64(own, issuer)) problems.push(`${n.hostname ?? n.address}: ${section}.ca differs from ${cp.hostname ?? cp.address}'s (a rotation left half-way?)`);
      }
    }
    const plain = nodes.map(({ address, hostname, role }) => ({ address, hostname, role }));
    return {
      cluster: req.cluster,
      talos: req.talos,
      kubernetes: req.kubernetes,
      nodes: plain,
      current,
      talosconfig: options.talosconfig,
      steps: planSteps({ talos: req.talos, kubernetes: req.kubernetes, nodes: plain, replaceTalosconfig: true }),
      problems,
      context,
    };
  }

  /** Generates the new CAs, plans and starts a rotation; 409 when the dry run finds a problem or another run is live. */
  async create(req: ParsedCaRotationRequest, actor: string = this.deps.actor ?? "local user"): Promise<CaRotation> {
    const live = (await this.repo.listIdsInStates(LIVE_STATES, { cluster: req.cluster }))[0];
    if (live) throw liveConflict(req.cluster, live);
    await refuseBesideLiveRuns(this.deps.db, req.cluster, "ca-rotation");
    const { context, ...dry } = await this.inspect(req);
    if (dry.problems.length > 0) {
      await recordAudit(this.deps.db, { actor, action: "ca-rotation.start", target: req.cluster, result: "refused", details: { problems: dry.problems } });
      throw new AppError("conflict", `The CA rotation was refused: ${dry.problems.join("; ")}`, { details: { problems: dry.problems } });
    }
    const cp = dry.nodes.find((n) => n.role === "controlplane")!;
    const options = optionsOf(context, req, await this.deps.origin(req.cluster));
    // The CAs the nodes have now, read from a control plane as rotate-ca reads OSRoot / KubernetesRoot.
    const cpConfig = (await this.deps.talos(context, options).machineConfig(cp.address, { timeoutMs: this.callTimeoutMs })).yaml;
    const secrets: RotationSecrets = { old: { caPem: context.caPem, certPem: context.certPem, keyPem: context.keyPem } };
    if (req.talos) {
      // secrets.NewBundle: a fresh OS CA; GenerateTalosAPIClientCertificate(role.Admin) from it.
      const ca = await createTalosCa("os");
      secrets.talos = { ca, client: await issueClientCert(ca, { roles: [TALOS_ROLES.admin] }), oldCrt: issuerOf(cpConfig, "machine")! };
    }
    if (req.kubernetes) secrets.kubernetes = { ca: await createTalosCa("kubernetes"), oldCrt: issuerOf(cpConfig, "cluster")! };
    const id = randomUUID();
    const drive = await this.drives.claim(id);
    if (!drive) throw new AppError("conflict", "The CA rotation runner is stopping; try again");
    try {
      await this.drives.fenced(drive, async (trx) => {
        if (dialectOf(trx) === "postgres") await sql`SELECT pg_advisory_xact_lock(hashtext(${`minos:ca-rotation:${req.cluster}`}))`.execute(trx);
        const repo = new CaRotationRepository(trx);
        const other = (await repo.listIdsInStates(LIVE_STATES, { cluster: req.cluster }))[0];
        if (other) throw liveConflict(req.cluster, other);
        await refuseBesideLiveRuns(trx, req.cluster, "ca-rotation");
        const now = this.clock.now();
        const newCas = { talos: secrets.talos ? summarizeCa(secrets.talos.ca.certPem) : null, kubernetes: secrets.kubernetes ? summarizeCa(secrets.kubernetes.ca.certPem) : null };
        await repo.insert({ id, cluster: req.cluster, talos: req.talos, kubernetes: req.kubernetes, actor, nodes: dry.nodes, options, newCas, sealed: sealSecrets(this.deps.box, id, secrets), steps: dry.steps, now });
        // Fingerprints of public certificates only: no key, no talosconfig in the audit.
        await recordAudit(trx, { actor, action: "ca-rotation.start", target: id, result: "ok", details: { cluster: req.cluster, talos: req.talos, kubernetes: req.kubernetes, nodes: dry.nodes.length, newTalosCa: newCas.talos?.fingerprint, newKubernetesCa: newCas.kubernetes?.fingerprint } });
        await repo.setState(id, { state: planTransition("pending", "start")!, started: true, now });
      });
    } catch (e) {
      await this.drives.dropDrive(id);
      throw e;
    }
    this.ensureLoop(id, drive);
    return this.getOrThrow(id);
  }

  /**
   * A talosconfig for a person once a Talos swap began (rotate-ca writes its --output as soon as
   * the Talos part ends, whatever comes after): a fresh os:admin client certificate of the new CA,
   * issued now for each download to `actor` (its common name) for 30 days, so Minos's own key never
   * leaves the server. Until the Talos rotation is verified, some nodes still prove themselves with
   * the old CA, so the file trusts both (both are ours). Audited with its fingerprint.
   * @throws AppError not_found, conflict when the rotation did not rotate the Talos CA or no swap began.
   */
  async newTalosconfig(id: string, actor: string = this.deps.actor ?? "local user"): Promise<{ filename: string; talosconfig: string }> {
    const r = await this.getOrThrow(id);
    if (!r.talos) throw new AppError("conflict", "This rotation did not rotate the Talos API CA: the talosconfig did not change");
    if (!talosSwapStarted(r.steps)) throw new AppError("conflict", `The rotation is ${r.state} and no node was moved to the new Talos CA yet: the existing talosconfig still works`);
    const internals = (await this.repo.internals(id))!;
    const secrets = openSecrets(this.deps.box, id, internals.secrets, internals.keyId);
    const { ca, oldCrt } = secrets.talos!;
    const complete = r.steps.some((s) => s.api === "talos" && s.kind === "verify-final" && s.state === "done");
    const trusted = complete ? ca.certPem : `${Buffer.from(oldCrt, "base64").toString("utf8").trimEnd()}\n${ca.certPem.trimEnd()}\n`;
    const client = await issueClientCert(ca, { roles: [TALOS_ROLES.admin], commonName: actor, validHours: DOWNLOAD_CERT_HOURS });
    const o = internals.options;
    const talosconfig = renderTalosconfig({ current: o.contextName, contexts: { [o.contextName]: { endpoints: o.endpoints, nodes: o.contextNodes, ca: trusted, crt: client.certPem, key: client.keyPem } } });
    await recordAudit(this.deps.db, { actor, action: "ca-rotation.talosconfig", target: id, result: "ok", details: { cluster: r.cluster, state: r.state, clientCertFingerprint: new crypto.X509Certificate(client.certPem).fingerprint256 } });
    return { filename: `talosconfig-${r.cluster}`, talosconfig };
  }

  /** Pause (the step in flight finishes), resume, or cancel (the steps done stay done; the way back is stated). */
  async control(id: string, action: CaRotationAction, actor: string = this.deps.actor ?? "local user"): Promise<CaRotation> {
    await this.deps.db.transaction().execute(async (trx) => {
      const repo = new CaRotationRepository(trx);
      const state = await repo.getState(id, { lock: true });
      if (!state) throw new AppError("not_found", `No CA rotation ${JSON.stringify(id)}`);
      const next = planTransition(state, action);
      if (!next) throw new AppError("conflict", `Cannot ${action} a CA rotation that is ${state}`);
      await repo.setState(id, { state: next, reason: action === "pause" ? `paused by ${actor}` : action === "cancel" ? `cancelled by ${actor}` : null, now: this.clock.now() });
      await recordAudit(trx, { actor, action: `ca-rotation.${action}`, target: id, result: "ok", details: { from: state, to: next } });
    });
    if (this.drives.has(id)) this.loops.wake(id);
    else void this.drive(id).catch((e: unknown) => this.log(`CA rotation ${id}: could not take it up: ${errorText(e)}`));
    return this.getOrThrow(id);
  }

  private async drive(id: string): Promise<boolean> {
    const drive = await this.drives.claim(id);
    if (drive) this.ensureLoop(id, drive);
    return drive !== null;
  }

  private ensureLoop(id: string, drive: Drive): void {
    this.loops.ensure(id, async ({ nextWake }) => {
      try {
        await this.runRotation(id, drive, () => nextWake(this.pollMs * 5));
      } catch (e) {
        if (!isLeaseLost(e)) throw e;
        this.log(`CA rotation ${id}: another runner took it over; stopped driving it`);
      } finally {
        if (this.drives.get(id) === drive) await this.drives.dropDrive(id);
      }
    });
    if (!this.loops.has(id)) void this.drives.dropDrive(id);
  }

  private async runRotation(id: string, drive: Drive, waitForWake: () => Promise<void>): Promise<void> {
    const internals = await this.repo.internals(id);
    if (!internals) throw new AppError("not_found", `No CA rotation ${JSON.stringify(id)}`);
    const secrets = openSecrets(this.deps.box, id, internals.secrets, internals.keyId);
    while (!drive.signal.aborted) {
      const wakeUp = waitForWake();
      const r = await this.getOrThrow(id);
      if (FINAL_PLAN_STATES.has(r.state)) break;
      this.drives.assertHolding(drive);
      if (r.state === "pending") {
        await this.transition(drive, id, "pending", "start", { started: true });
        continue;
      }
      // A step a previous runner left mid-way is finished before anything else, also when paused or cancelling.
      const active = r.steps.find((s) => s.state === "running" || s.state === "waiting");
      const d = active ? ({ kind: "start", step: active.index } as const) : decideStep({ state: r.state, steps: r.steps.map((s) => ({ index: s.index, state: s.state, error: s.error, label: s.description })) });
      if (d.kind === "start") {
        await this.runOne(drive, r, r.steps.find((s) => s.index === d.step)!, secrets, internals.options);
        continue;
      }
      if (d.kind === "finish") {
        await this.finish(drive, r, d.event, d.reason, d.skip);
        continue;
      }
      await wakeUp;
    }
    if (drive.abort.signal.aborted && !this.loops.stopped) throw new LeaseLostError(drive.held.lease);
  }

  private async runOne(drive: Drive, r: CaRotation, step: CaRotationStep, secrets: RotationSecrets, options: RotationOptions): Promise<void> {
    const now = () => this.clock.now();
    if (step.state === "pending") await this.drives.fenced(drive, (trx) => new CaRotationRepository(trx).updateStep(r.id, step.index, { state: "running", now: now() }));
    const stepDeps: StepDeps = {
      clock: this.clock,
      pollMs: this.pollMs,
      callTimeoutMs: this.callTimeoutMs,
      // Every Talos call checks the lease first: a runner that lost the rotation touches no node.
      talos: (material, o) => this.drives.guarded<RotationTalos>(this.deps.talos(material, o), drive),
      kube: this.deps.kube,
      replaceTalosconfig: async (p) => {
        this.drives.assertHolding(drive);
        return this.deps.replaceTalosconfig(p);
      },
    };
    let outcome;
    try {
      outcome = await runStep(stepDeps, r, step, secrets, options, drive.signal);
    } catch (e) {
      if (isLeaseLost(e)) throw e;
      outcome = { ok: false, message: errorText(e) };
    }
    // Stopped mid-step: the step stays `running` and the next runner resumes it (idempotently).
    if (drive.signal.aborted) return;
    await this.drives.fenced(drive, async (trx) => {
      // The manifest's secrets bundle follows in the same transaction as the step: a manifest
      // applied later must carry the new CA as machine.ca / cluster.ca, never the old one back.
      let bundle = "";
      if (outcome.ok && step.kind === "replace-talosconfig" && secrets.talos) bundle = await this.rewriteBundle(trx, r, { os: secrets.talos.ca });
      if (outcome.ok && step.api === "kubernetes" && step.kind === "verify-final" && secrets.kubernetes) bundle = await this.rewriteBundle(trx, r, { k8s: secrets.kubernetes.ca });
      const message = bundle ? `${outcome.message}; ${bundle}` : outcome.message;
      await new CaRotationRepository(trx).updateStep(r.id, step.index, outcome.ok ? { state: "done", message, now: now() } : { state: "failed", error: outcome.message, now: now() });
    });
    this.log(`CA rotation ${r.id}: step ${step.index} (${step.description}): ${outcome.ok ? "done" : "failed"}: ${outcome.message}`);
  }

  /** Puts the rotation's new CA into the cluster's stored secrets bundle, when it has one (an adopted manifest); says what it did. */
  private async rewriteBundle(trx: Db, r: CaRotation, cas: { os?: CertAndKey; k8s?: CertAndKey }): Promise<string> {
    const repo = new ManifestRepository(trx, this.deps.box);
    const text = await repo.secrets(r.cluster);
    if (text === undefined) return "";
    const bundle = parseSecretsBundle(text, `the secrets bundle of cluster "${r.cluster}"`);
    const pair = (ca: CertAndKey) => ({ crt: ca.certPem, key: toTalosKeyPem(ca.keyPem) });
    const next = { ...bundle, certs: { ...bundle.certs, ...(cas.os ? { os: pair(cas.os) } : {}), ...(cas.k8s ? { k8s: pair(cas.k8s) } : {}) } };
    await repo.saveSecrets(r.cluster, stringifySecretsBundle(next), new Date(this.clock.now()));
    const which = cas.os ? "os" : "k8s";
    await recordAudit(trx, { actor: "system", action: "manifest.secrets-rotated", target: r.cluster, result: "ok", details: { rotationId: r.id, ca: which, fingerprint: new crypto.X509Certificate((cas.os ?? cas.k8s)!.certPem).fingerprint256 } });
    return `the manifest's secrets bundle now holds the new CA (certs.${which})`;
  }

  private async transition(drive: Drive, id: string, from: CaRotation["state"], event: PlanEvent, stamp: { started?: boolean; finished?: boolean }, reason: string | null = null, more?: (trx: Db) => Promise<void>): Promise<boolean> {
    return this.drives.fenced(drive, async (trx) => {
      const repo = new CaRotationRepository(trx);
      const state = await repo.getState(id, { lock: true });
      if (state !== from) return false;
      const next = planTransition(state, event);
      if (!next) throw new AppError("conflict", `Cannot ${event} a CA rotation that is ${state}`);
      await more?.(trx);
      await repo.setState(id, { state: next, ...(reason !== null ? { reason } : {}), ...stamp, now: this.clock.now() });
      return true;
    });
  }

  private async finish(drive: Drive, r: CaRotation, event: "succeed" | "fail" | "finish-cancel", reason: string | null, skip: number[]): Promise<void> {
    const now = this.clock.now();
    await this.transition(drive, r.id, r.state, event, { finished: true }, reason, async (trx) => {
      const repo = new CaRotationRepository(trx);
      for (const index of skip) await repo.updateStep(r.id, index, { state: "skipped", message: event === "finish-cancel" ? "skipped: the rotation was cancelled" : "skipped: the rotation stopped", now });
      if (event === "succeed") {
        // Done: only the new Talos CA stays sealed (it issues the talosconfigs people download). The
        // old talosconfig (the way back), Minos's client key (now in its talosconfig) and the
        // Kubernetes CA key (on the control planes, and in the manifest's bundle) go.
        const internals = await repo.internals(r.id);
        if (internals) {
          const { talos } = openSecrets(this.deps.box, r.id, internals.secrets, internals.keyId);
          await repo.setSecrets(r.id, sealSecrets(this.deps.box, r.id, { old: { caPem: "", certPem: "", keyPem: "" }, ...(talos ? { talos: { ca: talos.ca, oldCrt: talos.oldCrt } } : {}) }));
        }
      }
      const outcome = event === "succeed" ? "succeeded" : event === "fail" ? "failed" : "cancelled";
      await recordAudit(trx, { actor: "system", action: `ca-rotation.${outcome}`, target: r.id, result: event === "fail" ? "failed" : "ok", details: { cluster: r.cluster, ...(reason ? { reason } : {}) } });
    });
    this.log(`CA rotation ${r.id}: ${event}${reason ? `: ${reason}` : ""}`);
    this.deps.afterFinish?.(r.cluster);
  }

  private log(message: string): void {
    (this.deps.log ?? ((m: string) => console.log(`[minos] ca rotations: ${m}`)))(message);
  }
}

function optionsOf(context: TalosContext, req: ParsedCaRotationRequest, origin: "file" | "upload"): RotationOptions {
  return {
    contextName: context.name,
    endpoints: context.endpoints.map((e) => e.address),
    contextNodes: [...context.nodes],
    verifyTimeoutSeconds: req.verifyTimeoutSeconds,
    talosconfig: req.talos ? (origin === "upload" ? "replace-upload" : "override-file") : null,
  };
}

function liveConflict(cluster: string, live: { id: string; state: string }): AppError {
  return new AppError("conflict", `Cluster "${cluster}" already has a CA rotation in progress (${live.id}, ${live.state})`, { details: { rotationId: live.id } });
}
