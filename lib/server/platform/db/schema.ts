import type { Generated } from "kysely";

import type { BulkRunNodesTable, BulkRunsTable, CaRotationStepsTable, CaRotationsTable, EtcdBackupSchedulesTable, EtcdBackupsTable } from "./schema-day2";

export type { BulkRunNodesTable, BulkRunsTable, CaRotationStepsTable, CaRotationsTable, EtcdBackupSchedulesTable, EtcdBackupsTable } from "./schema-day2";
import type { AlertEvaluationsTable, AlertRulesTable, AlertSilencesTable, AlertsTable } from "./schema-alerts";

/**
 * The tables as Kysely sees them, one interface per table, kept in step with migrations.ts.
 * Both stores hold the same shapes: times are ISO-8601 text (they sort as text in both), flags
 * are 0/1 integers, structured values are JSON text. `Generated` marks what the database fills in.
 */
export interface Database {
  schema_migrations: { id: number; name: string; applied_at: string };
  audit_log: AuditLogTable;
  upgrade_plans: UpgradePlansTable;
  upgrade_nodes: UpgradeNodesTable;
  kubernetes_upgrades: KubernetesUpgradesTable;
  kubernetes_upgrade_steps: KubernetesUpgradeStepsTable;
  ca_rotations: CaRotationsTable;
  ca_rotation_steps: CaRotationStepsTable;
  config_revisions: ConfigRevisionsTable;
  config_rollouts: ConfigRolloutsTable;
  config_rollout_nodes: ConfigRolloutNodesTable;
  config_drift: ConfigDriftTable;
  users: UsersTable;
  passkeys: PasskeysTable;
  sessions: SessionsTable;
  sign_in_links: SignInLinksTable;
  api_tokens: ApiTokensTable;
  auth_challenges: AuthChallengesTable;
  cluster_uploads: ClusterUploadsTable;
  leases: LeasesTable;
  replicas: ReplicasTable;
  rate_buckets: RateBucketsTable;
  fleet_snapshots: FleetSnapshotsTable;
  manifest_plans: ManifestPlansTable;
  manifest_plan_nodes: ManifestPlanNodesTable;
  manifest_revisions: ManifestRevisionsTable;
  cluster_secrets: ClusterSecretsTable;
  cluster_kubeconfigs: ClusterKubeconfigsTable;
  etcd_backups: EtcdBackupsTable;
  etcd_backup_schedules: EtcdBackupSchedulesTable;
  bulk_runs: BulkRunsTable;
  bulk_run_nodes: BulkRunNodesTable;
  alert_rules: AlertRulesTable;
  alerts: AlertsTable;
  alert_silences: AlertSilencesTable;
  alert_evaluations: AlertEvaluationsTable;
  alert_channels: import("./schema-alert-delivery").AlertChannelsTable;
  alert_notifications: import("./schema-alert-delivery").AlertNotificationsTable;
  alert_deliveries: import("./schema-alert-delivery").AlertDeliveriesTable;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string;
  result: string;
  details: string | null;
}

export interface UpgradePlansTable {
  id: string;
  cluster: string;
  target_version: string;
  image: string;
  strategy: string;
  state: string;
  reason: string | null;
  actor: string;
  checks: string;
  batches: string;
  etcd_members: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface UpgradeNodesTable {
  plan_id: string;
  node_id: string;
  address: string;
  hostname: string | null;
  role: string;
  batch: number;
  position: number;
  from_version: string | null;
  to_version: string;
  already_on_target: number;
  state: string;
  started_at: string | null;
  finished_at: string | null;
  state_changed_at: string | null;
  attempts: number;
  boot_id_before: string | null;
  error: string | null;
  messages: string;
  /** JSON string[]: the steps the preview showed (migration 14). */
  steps: Generated<string>;
  /** JSON NodeDrain (lib/schemas/drain.ts), null before the drain step (migration 14). */
  drain: string | null;
}

export interface ConfigRevisionsTable {
  id: Generated<number>;
  node: string;
  author: string;
  at: string;
  mode: string | null;
  result: string;
  source: string;
  message: string;
  config_hash: string;
  redacted_yaml: string;
  config_sealed: string;
  key_id: string;
  rollback_of: number | null;
  rollout_id: string | null;
  try_until: string | null;
}

export interface ConfigRolloutsTable {
  id: string;
  state: string;
  author: string;
  created_at: string;
  updated_at: string;
  target: string;
  mode: string;
  concurrency: number;
  continue_on_failure: number;
  config_hash: string;
  redacted_yaml: string;
  message: string;
  failures_allowed: Generated<number>;
  /** The cluster manifest revision a plan's apply saved (rollouts of a manifest plan). */
  manifest_revision: number | null;
  /** JSON DrainPolicy (strategy.drain) of the rollout; null: the default (migration 14). */
  drain_policy: Generated<string | null>;
}

export interface ConfigRolloutNodesTable {
  rollout_id: string;
  node: string;
  position: number;
  role: string;
  state: string;
  message: string;
  mode: string | null;
  config_hash: string | null;
  config_sealed: string | null;
  key_id: string | null;
  boot_before: string | null;
  /** A planned node: configHash of the running config its plan was made against, checked before its apply. */
  expected_running_hash: string | null;
  revision_id: number | null;
  started_at: string | null;
  finished_at: string | null;
  /** JSON NodeDrain (lib/schemas/drain.ts) when the node's mode reboots (migration 14). */
  drain: Generated<string | null>;
}

export interface ConfigDriftTable {
  node: string;
  checked_at: string;
  drifted: number | null;
  running_hash: string;
  revision_id: number | null;
  revision_hash: string | null;
  diff: string;
  changed_secrets: string;
}

export interface UsersTable {
  id: string;
  name: string;
  role: string;
  source: string;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: string;
  created_by: string;
  last_sign_in_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface PasskeysTable {
  id: string;
  user_id: string;
  name: string;
  public_key: string;
  counter: number;
  transports: string;
  device_type: string;
  backed_up: number;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  csrf_hash: string;
  method: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  revoked_at: string | null;
}

export interface SignInLinksTable {
  id: string;
  token_hash: string;
  kind: string;
  role: string;
  name: string | null;
  created_at: string;
  created_by: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
  revoked_at: string | null;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  prefix: string;
  role: string;
  created_at: string;
  created_by: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  owner_id: string | null;
}

export interface AuthChallengesTable {
  id_hash: string;
  purpose: string;
  user_id: string | null;
  data: string;
  expires_at: string;
}

export interface ClusterUploadsTable {
  id: string;
  name: string;
  contexts: string;
  uploaded_at: string;
  uploaded_by: string;
  content: string;
  key_id: string;
  /** 1: the upload's contexts replace the talosconfig file's of the same names (a CA rotation's new talosconfig for a file cluster). */
  overrides_file: Generated<number>;
}

/** Who runs a piece of background work (a cluster's poller, a rollout, an upgrade) now. */
export interface LeasesTable {
  name: string;
  owner: string;
  /** Milliseconds since the epoch. */
  expires_at: number;
  /** Bumped on every change of owner: a write carrying an older number is refused. */
  fence: number;
}

/** Replicas alive now, for spreading leases evenly. */
export interface ReplicasTable {
  id: string;
  started_at: string;
  /** Milliseconds since the epoch. */
  seen_at: number;
  address: string | null;
}

/** Token buckets every replica shares. */
export interface RateBucketsTable {
  key: string;
  tokens: number;
  /** Milliseconds since the epoch of the last take. */
  at: number;
}

/** The newest fleet health of a cluster, written by the replica that polls it, read by all. */
export interface FleetSnapshotsTable {
  cluster: string;
  snapshot: string;
  updated_at: string;
  owner: string;
}

/** A manifest plan: what each node would do with the manifest's render, pinned to what it was made against. */
export interface ManifestPlansTable {
  id: string;
  cluster: string;
  author: string;
  created_at: string;
  /** The cluster's latest manifest revision when planned; null before adoption. */
  base_revision: number | null;
  mode: string;
  /** The manifest text (secrets merged back), sealed. */
  manifest_sealed: string;
  key_id: string;
  /** JSON: the counts per change. */
  summary: string;
  /** JSON: node ids of the cluster the manifest does not list (not planned). */
  not_in_manifest: string;
  applied_at: string | null;
  applied_by: string | null;
  applied_revision: number | null;
  rollout_id: string | null;
}

export interface ManifestPlanNodesTable {
  plan_id: string;
  node: string;
  position: number;
  hostname: string;
  role: string;
  change: string;
  reboot: number;
  /** The mode the node's dry run resolved to. */
  mode: string | null;
  /** configHash of the running config the plan was made against; null when it could not be read. */
  running_hash: string | null;
  config_hash: string | null;
  /** The rendered config, sealed; null when the render failed. */
  config_sealed: string | null;
  key_id: string | null;
  diff: string;
  /** JSON string[]. */
  issues: string;
}

/** One saved cluster manifest; `revision` counts 1, 2, 3… per cluster. */
export interface ManifestRevisionsTable {
  id: Generated<number>;
  cluster: string;
  revision: number;
  author: string;
  created_at: string;
  /** adopt | edit | apply | restore. */
  source: string;
  message: string;
  /** The manifest text, secrets in patches included, sealed with the secret box. */
  manifest_sealed: string;
  key_id: string;
}

/** A cluster's secrets bundle (talosctl's secrets.yaml), sealed; written at adoption. */
export interface ClusterSecretsTable {
  cluster: string;
  bundle_sealed: string;
  key_id: string;
  updated_at: string;
}

/** A kubeconfig an admin uploaded for a cluster (one per cluster), sealed; `server` kept in clear for the info route. */
export interface ClusterKubeconfigsTable {
  cluster: string;
  kubeconfig_sealed: string;
  key_id: string;
  server: string;
  uploaded_at: string;
  uploaded_by: string;
}

/** Kubernetes upgrades (lib/server/kubernetes-upgrades): one row per plan; options, checks as JSON. */
export interface KubernetesUpgradesTable {
  id: string;
  cluster: string;
  from_version: string | null;
  to_version: string;
  options: string;
  manifests_sync: string;
  state: string;
  reason: string | null;
  actor: string;
  checks: string;
  manifest_revision: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** The steps of a Kubernetes upgrade, in order; images and messages as JSON. */
export interface KubernetesUpgradeStepsTable {
  upgrade_id: string;
  step_index: number;
  kind: string;
  node_id: string | null;
  address: string | null;
  hostname: string | null;
  images: string;
  description: string;
  state: string;
  started_at: string | null;
  finished_at: string | null;
  state_changed_at: string | null;
  attempts: number;
  error: string | null;
  messages: string;
}
