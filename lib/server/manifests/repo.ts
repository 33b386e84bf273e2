import "server-only";

import type { Selectable } from "kysely";
import type { z } from "zod";

import type { manifestRevisionSchema, manifestRevisionSourceSchema } from "@/lib/schemas/manifests";
import type { Db } from "@/lib/server/platform/db/db";
import type { ManifestRevisionsTable } from "@/lib/server/platform/db/schema";
import { AppError } from "@/lib/server/platform/errors";
import type { SecretBox } from "@/lib/server/platform/secret-box";

export type ManifestRevision = z.infer<typeof manifestRevisionSchema>;
export type ManifestRevisionSource = z.infer<typeof manifestRevisionSourceSchema>;

export interface NewManifestRevision {
  cluster: string;
  author: string;
  at: Date;
  source: ManifestRevisionSource;
  message?: string;
  /** The full manifest, secrets in patches included: sealed before it is written. */
  yaml: string;
  /**
   * The revision the caller edited (null: none, the first adoption). Another save in between
   * makes the insert fail with `conflict` instead of silently replacing what it saved.
   */
  base: number | null;
}

const SUMMARY_COLUMNS = ["id", "cluster", "revision", "author", "created_at", "source", "message"] as const;
type SummaryRow = Pick<Selectable<ManifestRevisionsTable>, (typeof SUMMARY_COLUMNS)[number]>;

function toSummary(r: SummaryRow): ManifestRevision {
  return { id: r.id, cluster: r.cluster, revision: r.revision, author: r.author, createdAt: r.created_at, source: r.source as ManifestRevisionSource, message: r.message };
}

// The associated data each sealed value is bound to: a sealed manifest copied onto another
// cluster's (or another revision's) row fails to open instead of being rendered for it.
const revisionContext = (cluster: string, revision: number) => `manifest:${cluster}#${revision}`;
const bundleContext = (cluster: string) => `cluster-secrets:${cluster}`;

/** Both stores' words for "that unique key exists already". */
function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

function staleBase(cluster: string, base: number | null, latest: number | null): AppError {
  const what = latest === null ? "has no manifest yet" : `is at revision ${latest}`;
  const from = base === null ? "a new manifest" : `an edit of revision ${base}`;
  return new AppError("conflict", `The manifest of cluster "${cluster}" ${what}; ${from} was not saved (reload it and redo the change)`, {
    details: { latestRevision: latest, baseRevision: base },
  });
}

/**
 * Cluster manifests at rest: one row per saved revision (the manifest sealed with the SecretBox:
 * patches may hold registry passwords and tokens) and each cluster's secrets bundle, sealed.
 */
export class ManifestRepository {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** The same repository writing through `trx`. */
  on(trx: Db): ManifestRepository {
    return trx === this.db ? this : new ManifestRepository(trx, this.box);
  }

  async latest(cluster: string): Promise<ManifestRevision | undefined> {
    const row = await this.db.selectFrom("manifest_revisions").select(SUMMARY_COLUMNS).where("cluster", "=", cluster).orderBy("revision", "desc").limit(1).executeTakeFirst();
    return row && toSummary(row);
  }

  /** Newest first. */
  async list(cluster: string, limit = 200): Promise<ManifestRevision[]> {
    const rows = await this.db.selectFrom("manifest_revisions").select(SUMMARY_COLUMNS).where("cluster", "=", cluster).orderBy("revision", "desc").limit(limit).execute();
    return rows.map(toSummary);
  }

  async get(cluster: string, revision: number): Promise<ManifestRevision | undefined> {
    const row = await this.db.selectFrom("manifest_revisions").select(SUMMARY_COLUMNS).where("cluster", "=", cluster).where("revision", "=", revision).executeTakeFirst();
    return row && toSummary(row);
  }

  /** @throws AppError not_found */
  async getOrThrow(cluster: string, revision: number): Promise<ManifestRevision> {
    const r = await this.get(cluster, revision);
    if (!r) throw new AppError("not_found", `Cluster "${cluster}" has no manifest revision ${revision}`);
    return r;
  }

  /** The full manifest of a revision, secrets included. @throws AppError not_found */
  async manifest(cluster: string, revision: number): Promise<string> {
    const row = await this.db
      .selectFrom("manifest_revisions")
      .select(["manifest_sealed", "key_id"])
      .where("cluster", "=", cluster)
      .where("revision", "=", revision)
      .executeTakeFirst();
    if (!row) throw new AppError("not_found", `Cluster "${cluster}" has no manifest revision ${revision}`);
    return this.box.open(row.manifest_sealed, revisionContext(cluster, revision), row.key_id);
  }

  /**
   * Saves the next revision (1 for a cluster's first). @throws AppError conflict when `base` is
   * not the latest revision, including when another save took the number first.
   */
  async insert(r: NewManifestRevision): Promise<ManifestRevision> {
    const latest = (await this.latest(r.cluster))?.revision ?? null;
    if (latest !== r.base) throw staleBase(r.cluster, r.base, latest);
    const revision = (latest ?? 0) + 1;
    try {
      const row = await this.db
        .insertInto("manifest_revisions")
        .values({
          cluster: r.cluster,
          revision,
          author: r.author,
          created_at: r.at.toISOString(),
          source: r.source,
          message: r.message ?? "",
          manifest_sealed: this.box.seal(r.yaml, revisionContext(r.cluster, revision)),
          key_id: this.box.keyId,
        })
        .returning(SUMMARY_COLUMNS)
        .executeTakeFirstOrThrow();
      return toSummary(row);
    } catch (e) {
      // Another save read the same latest revision and wrote its successor first.
      if (isUniqueViolation(e)) throw staleBase(r.cluster, r.base, revision);
      throw e;
    }
  }

  /** The cluster's secrets bundle (talosctl's secrets.yaml text), if it was adopted. */
  async secrets(cluster: string): Promise<string | undefined> {
    const row = await this.db.selectFrom("cluster_secrets").select(["bundle_sealed", "key_id"]).where("cluster", "=", cluster).executeTakeFirst();
    return row && this.box.open(row.bundle_sealed, bundleContext(cluster), row.key_id);
  }

  async saveSecrets(cluster: string, secretsYaml: string, at: Date): Promise<void> {
    const row = { bundle_sealed: this.box.seal(secretsYaml, bundleContext(cluster)), key_id: this.box.keyId, updated_at: at.toISOString() };
    await this.db
      .insertInto("cluster_secrets")
      .values({ cluster, ...row })
      .onConflict((oc) => oc.column("cluster").doUpdateSet(row))
      .execute();
  }
}
