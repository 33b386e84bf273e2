import "server-only";

import type { CaRotation, CaRotationApi, CaRotationNode, CaRotationStep, CaRotationStepKind, CaRotationStepState, CaRotationSummary, CaSummary, PlannedCaRotationStep } from "@/lib/schemas/ca-rotation";
import type { UpgradePlanState } from "@/lib/schemas/upgrades";
import { dialectOf, type Db } from "@/lib/server/platform/db/db";
import type { CaRotationStepsTable, CaRotationsTable } from "@/lib/server/platform/db/schema";

import { wayBack } from "./plan";

type RotationRow = Omit<CaRotationsTable, "state"> & { state: UpgradePlanState };
type StepRow = Omit<CaRotationStepsTable, "api" | "kind" | "state"> & { api: CaRotationApi; kind: CaRotationStepKind; state: CaRotationStepState };

/** What a rotation keeps in clear beside its sealed secrets. */
export interface RotationOptions {
  /** The talosconfig context's name, endpoints (as written) and nodes when the rotation was made. */
  contextName: string;
  endpoints: string[];
  contextNodes: string[];
  verifyTimeoutSeconds: number;
  talosconfig: "replace-upload" | "override-file" | null;
}

export interface NewCas {
  talos: CaSummary | null;
  kubernetes: CaSummary | null;
}

const iso = (t: number) => new Date(t).toISOString();

function toStep(r: StepRow): CaRotationStep {
  return {
    index: r.step_index,
    api: r.api,
    kind: r.kind,
    address: r.address,
    hostname: r.hostname,
    description: r.description,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error,
    message: r.message,
  };
}

function toSummary(r: RotationRow, steps: CaRotationStep[]): CaRotationSummary {
  return {
    id: r.id,
    cluster: r.cluster,
    talos: r.talos === 1,
    kubernetes: r.kubernetes === 1,
    state: r.state,
    reason: r.reason,
    actor: r.actor,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    newCas: JSON.parse(r.new_cas) as NewCas,
    stepsDone: steps.filter((s) => s.state === "done").length,
    stepsTotal: steps.length,
  };
}

/** The rotations and their steps in the store; the runner writes through it inside fenced transactions. */
export class CaRotationRepository {
  constructor(private readonly db: Db) {}

  async insert(p: {
    id: string;
    cluster: string;
    talos: boolean;
    kubernetes: boolean;
    actor: string;
    nodes: CaRotationNode[];
    options: RotationOptions;
    newCas: NewCas;
    sealed: { secrets: string; keyId: string };
    steps: PlannedCaRotationStep[];
    now: number;
  }): Promise<void> {
    const at = iso(p.now);
    await this.db
      .insertInto("ca_rotations")
      .values({
        id: p.id,
        cluster: p.cluster,
        talos: p.talos ? 1 : 0,
        kubernetes: p.kubernetes ? 1 : 0,
        state: "pending",
        reason: null,
        actor: p.actor,
        nodes: JSON.stringify(p.nodes),
        options: JSON.stringify(p.options),
        new_cas: JSON.stringify(p.newCas),
        secrets: p.sealed.secrets,
        key_id: p.sealed.keyId,
        created_at: at,
        started_at: null,
        finished_at: null,
        updated_at: at,
      })
      .execute();
    if (p.steps.length === 0) return;
    await this.db
      .insertInto("ca_rotation_steps")
      .values(
        p.steps.map((s) => ({
          rotation_id: p.id,
          step_index: s.index,
          api: s.api,
          kind: s.kind,
          address: s.address,
          hostname: s.hostname,
          description: s.description,
          state: "pending",
          started_at: null,
          finished_at: null,
          error: null,
          message: null,
        })),
      )
      .execute();
  }

  async getSteps(id: string): Promise<CaRotationStep[]> {
    const rows = await this.db.selectFrom("ca_rotation_steps").selectAll().where("rotation_id", "=", id).orderBy("step_index").execute();
    return (rows as StepRow[]).map(toStep);
  }

  async get(id: string): Promise<CaRotation | null> {
    const r = (await this.db.selectFrom("ca_rotations").selectAll().where("id", "=", id).executeTakeFirst()) as RotationRow | undefined;
    if (!r) return null;
    const steps = await this.getSteps(id);
    const final = r.state === "failed" || r.state === "cancelled";
    return { ...toSummary(r, steps), nodes: JSON.parse(r.nodes) as CaRotationNode[], steps, wayBack: final ? wayBack(steps) : null };
  }

  /** What the runner needs beside the public view: options and the sealed secrets. */
  async internals(id: string): Promise<{ options: RotationOptions; secrets: string; keyId: string } | null> {
    const r = await this.db.selectFrom("ca_rotations").select(["options", "secrets", "key_id"]).where("id", "=", id).executeTakeFirst();
    return r ? { options: JSON.parse(r.options) as RotationOptions, secrets: r.secrets, keyId: r.key_id } : null;
  }

  async setSecrets(id: string, sealed: { secrets: string; keyId: string }): Promise<void> {
    await this.db.updateTable("ca_rotations").set({ secrets: sealed.secrets, key_id: sealed.keyId }).where("id", "=", id).execute();
  }

  async list(opts: { cluster?: string; limit: number }): Promise<CaRotationSummary[]> {
    const rows = (await this.db
      .selectFrom("ca_rotations")
      .selectAll()
      .$if(opts.cluster !== undefined, (q) => q.where("cluster", "=", opts.cluster!))
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(opts.limit)
      .execute()) as RotationRow[];
    return Promise.all(rows.map(async (r) => toSummary(r, await this.getSteps(r.id))));
  }

  async listIdsInStates(states: readonly UpgradePlanState[], opts: { cluster?: string } = {}): Promise<{ id: string; cluster: string; state: UpgradePlanState }[]> {
    if (states.length === 0) return [];
    const rows = await this.db
      .selectFrom("ca_rotations")
      .select(["id", "cluster", "state"])
      .where("state", "in", states)
      .$if(opts.cluster !== undefined, (q) => q.where("cluster", "=", opts.cluster!))
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    return rows as { id: string; cluster: string; state: UpgradePlanState }[];
  }

  /** A rotation's state; `lock` holds the row on PostgreSQL until the transaction ends. */
  async getState(id: string, opts: { lock?: boolean } = {}): Promise<UpgradePlanState | null> {
    const r = await this.db
      .selectFrom("ca_rotations")
      .select("state")
      .where("id", "=", id)
      .$if(opts.lock === true && dialectOf(this.db) === "postgres", (q) => q.forUpdate())
      .executeTakeFirst();
    return (r?.state as UpgradePlanState | undefined) ?? null;
  }

  async setState(id: string, p: { state: UpgradePlanState; reason?: string | null; started?: boolean; finished?: boolean; now: number }): Promise<void> {
    const at = iso(p.now);
    await this.db
      .updateTable("ca_rotations")
      .set((eb) => ({
        state: p.state,
        reason: p.reason !== undefined ? p.reason : eb.ref("reason"),
        updated_at: at,
        started_at: p.started ? eb.fn.coalesce("started_at", eb.val(at)) : eb.ref("started_at"),
        finished_at: p.finished ? eb.fn.coalesce("finished_at", eb.val(at)) : eb.ref("finished_at"),
      }))
      .where("id", "=", id)
      .execute();
  }

  /** A step's state; `started` stamps the start once, a final state stamps the end. */
  async updateStep(id: string, index: number, p: { state: CaRotationStepState; error?: string | null; message?: string | null; now: number }): Promise<void> {
    const at = iso(p.now);
    const final = p.state === "done" || p.state === "failed" || p.state === "skipped";
    await this.db
      .updateTable("ca_rotation_steps")
      .set((eb) => ({
        state: p.state,
        error: p.error !== undefined ? p.error : eb.ref("error"),
        message: p.message !== undefined ? p.message : eb.ref("message"),
        started_at: p.state === "running" ? eb.fn.coalesce("started_at", eb.val(at)) : eb.ref("started_at"),
        finished_at: final ? eb.val(at) : eb.ref("finished_at"),
      }))
      .where("rotation_id", "=", id)
      .where("step_index", "=", index)
      .execute();
  }
}
