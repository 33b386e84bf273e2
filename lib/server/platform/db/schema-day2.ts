/**
 * The tables of day-2 operations (migrations 16–18: etcd backups, CA rotations, bulk runs), kept
 * beside schema.ts (which re-exports them in `Database`) so neither file grows past its bound.
 */
import type { Generated } from "kysely";

/** One etcd snapshot Minos took (lib/server/backups): its file on `host`, or why it failed. */
export interface EtcdBackupsTable {
  id: string;
  cluster: string;
  state: string;
  origin: string;
  actor: string;
  host: string;
  file_name: string | null;
  size_bytes: number | null;
  sha256: string | null;
  revision: number | null;
  raft_index: string | null;
  member_id: string | null;
  member_hostname: string | null;
  node: string | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

/** A cluster's scheduled backups (off unless a row says enabled). */
export interface EtcdBackupSchedulesTable {
  cluster: string;
  enabled: number;
  interval_minutes: number;
  retain_count: number;
  max_age_days: number | null;
  updated_at: string;
  updated_by: string;
}

/** A bulk action on a selection of one cluster's nodes (migration 18). */
export interface BulkRunsTable {
  id: string;
  cluster: string;
  action: string;
  /** JSON: the action's parameters (reboot mode, service). */
  params: string;
  /** JSON NodeSelector the nodes were resolved from (or `{nodes}` for a list). */
  selector: string;
  state: string;
  author: string;
  /** The author's Minos role when the run was made: each node's action is checked against it. */
  author_role: string;
  concurrency: number;
  continue_on_failure: number;
  failures_allowed: Generated<number>;
  message: string;
  created_at: string;
  updated_at: string;
}

export interface BulkRunNodesTable {
  run_id: string;
  node: string;
  position: number;
  role: string;
  hostname: string | null;
  state: string;
  message: string;
  /** Boot identity read before a reboot: tells a restart whether the reboot happened. */
  boot_before: string | null;
  /** When the node's reboot or service restart was sent (written just before the call): a resumed run waits instead of sending it again. */
  sent_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

/** CA rotations (rotate-ca's flow); nodes, options and new_cas as JSON; secrets sealed with the secret box (new CA keys, new client key, the old talosconfig context). */
export interface CaRotationsTable {
  id: string;
  cluster: string;
  talos: number;
  kubernetes: number;
  state: string;
  reason: string | null;
  actor: string;
  nodes: string;
  options: string;
  new_cas: string;
  secrets: string;
  key_id: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

/** The steps of a CA rotation, in order. */
export interface CaRotationStepsTable {
  rotation_id: string;
  step_index: number;
  api: string;
  kind: string;
  address: string | null;
  hostname: string | null;
  description: string;
  state: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  message: string | null;
}
