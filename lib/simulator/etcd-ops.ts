/**
 * etcd as the day-2 RPCs see it, per simulated cluster: the revision that moves with time, each
 * member's DB size (grows, defragment shrinks it to what is in use), alarms (the `etcd-nospace`
 * fault raises NOSPACE), members removed with EtcdRemoveMemberByID, and the snapshot bytes.
 *
 * A snapshot is not a bbolt file: it is a small text header naming cluster, member and revision
 * followed by pseudo-random bytes derived from that header, so a test can recompute the exact
 * bytes (and their sha256) from the header alone with `simulatedSnapshot`.
 */
import crypto from "node:crypto";

/** Revisions per second a busy-ish cluster writes (leases, events, node status). */
const REVISIONS_PER_SECOND = 12;
/** What defragment leaves (etcd's in-use fraction of a freshly compacted db). */
const IN_USE_FRACTION = 0.6;
/** DB growth between defragmentations (bytes per second). */
const GROWTH_PER_SECOND = 400;

export type AlarmType = "NOSPACE" | "CORRUPT";

export interface MemberDb {
  /** Size right after the last defragmentation, and when that was. */
  base: number;
  since: number;
}

export interface EtcdClusterState {
  /** Epoch of the revision counter (the cluster's oldest control plane boot). */
  epoch: number;
  removed: Set<string>;
  alarms: Map<string, AlarmType>;
  db: Map<string, MemberDb>;
  /** Members defragmenting right now (etcd blocks the member meanwhile). */
  defragmenting: Set<string>;
}

const states = new WeakMap<object, EtcdClusterState>();

/** The etcd state of a cluster (keyed by the cluster context object). */
export function etcdState(cluster: object, epoch: () => number): EtcdClusterState {
  let s = states.get(cluster);
  if (!s) {
    s = { epoch: epoch(), removed: new Set(), alarms: new Map(), db: new Map(), defragmenting: new Set() };
    states.set(cluster, s);
  }
  return s;
}

export function revisionAt(s: EtcdClusterState, now: number): number {
  return 100_000 + Math.max(0, Math.floor(((now - s.epoch) / 1000) * REVISIONS_PER_SECOND));
}

function seedSize(memberId: string): number {
  return 24_000_000 + (Number(BigInt(memberId) % 4_000_000n));
}

/** The member's dbSize and dbSizeInUse now. */
export function dbSizes(s: EtcdClusterState, memberId: string, now: number): { dbSize: number; inUse: number } {
  let d = s.db.get(memberId);
  if (!d) {
    d = { base: seedSize(memberId), since: s.epoch };
    s.db.set(memberId, d);
  }
  const inUse = Math.round(seedSize(memberId) * IN_USE_FRACTION);
  const grown = Math.round(((now - d.since) / 1000) * GROWTH_PER_SECOND);
  return { dbSize: Math.max(inUse, d.base + grown), inUse };
}

/** After a defragment: the file is rewritten to what is in use. */
export function defragmented(s: EtcdClusterState, memberId: string, now: number): void {
  const { inUse } = dbSizes(s, memberId, now);
  s.db.set(memberId, { base: inUse, since: now });
}

export const SNAPSHOT_MAGIC = "MINOS-SIM-ETCD-SNAPSHOT v1";

/** Snapshot size: 1–3 MiB, a function of cluster, member and revision. */
export function snapshotSize(cluster: string, memberId: string, revision: number): number {
  const h = crypto.createHash("sha256").update(`${cluster}/${memberId}/${revision}`).digest();
  return 1_048_576 + (h.readUInt32BE(0) % (2 * 1_048_576));
}

export function snapshotHeader(cluster: string, memberId: string, revision: number): string {
  return `${SNAPSHOT_MAGIC}\ncluster=${cluster}\nmember=${memberId}\nrevision=${revision}\nsize=${snapshotSize(cluster, memberId, revision)}\n\n`;
}

/**
 * The whole snapshot: header, then an AES-256-CTR keystream (key sha256(header), zero IV), then
 * the sha256 of everything before it, `size` bytes in total. The trailer is what etcd ends every
 * snapshot stream with (its maintenance Snapshot sends the hash as the last blob; etcdutl and
 * `talosctl bootstrap --recover-from` check it), so a client can tell a stream cut short.
 * Deterministic: the same (cluster, member, revision) gives the same bytes.
 */
export function simulatedSnapshot(cluster: string, memberId: string, revision: number): Buffer {
  const header = Buffer.from(snapshotHeader(cluster, memberId, revision));
  const size = snapshotSize(cluster, memberId, revision);
  const key = crypto.createHash("sha256").update(header).digest();
  const cipher = crypto.createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const body = Buffer.concat([cipher.update(Buffer.alloc(size - header.length - 32)), cipher.final()]);
  const content = Buffer.concat([header, body]);
  return Buffer.concat([content, crypto.createHash("sha256").update(content).digest()], size);
}

/** Reads the header of a simulated snapshot (undefined when the bytes are not one). */
export function parseSnapshotHeader(bytes: Buffer): { cluster: string; memberId: string; revision: number; size: number } | undefined {
  const end = bytes.indexOf("\n\n");
  if (end < 0) return undefined;
  const lines = bytes.subarray(0, end).toString("utf8").split("\n");
  if (lines[0] !== SNAPSHOT_MAGIC) return undefined;
  const kv = Object.fromEntries(lines.slice(1).map((l) => l.split("=", 2) as [string, string]));
  if (!kv.cluster || !kv.member || !kv.revision || !kv.size) return undefined;
  return { cluster: kv.cluster, memberId: kv.member, revision: Number(kv.revision), size: Number(kv.size) };
}
