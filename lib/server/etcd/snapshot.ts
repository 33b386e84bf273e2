import "server-only";

import type { EtcdMemberView } from "@/lib/schemas/etcd";
import { errorText } from "@/lib/server/jobs";
import { AppError } from "@/lib/server/platform/errors";

import { checksumFailure, SnapshotChecksum } from "./checksum";

import type { EtcdActionTarget } from "./actions";
import { memberHealthy, snapshotSource } from "./quorum";
import { readEtcd } from "./view";

/** An EtcdSnapshot stream whose first chunk has arrived (so Talos did not refuse it). */
export interface OpenedSnapshot {
  member: EtcdMemberView;
  /** The member's raft index just before the snapshot was asked for. */
  raftIndex: string | null;
  first: Buffer;
  rest: AsyncGenerator<Buffer>;
}

/**
 * Starts `EtcdSnapshot` on `memberId` (or on a healthy follower) and waits for its first bytes.
 * An empty snapshot is an error, never an empty file. @throws AppError
 */
export async function openSnapshot(t: EtcdActionTarget, memberId?: string): Promise<OpenedSnapshot> {
  const view = await readEtcd(t.client, t.cluster, t.controlPlanes, t.opts);
  if (view.error) throw new AppError("node_unreachable", `Cannot read etcd of cluster "${t.cluster}": ${view.error}`);
  const member = memberId ? view.members.find((m) => m.id === memberId) : snapshotSource(view.members);
  if (!member) throw new AppError(memberId ? "not_found" : "conflict", memberId ? `etcd of cluster "${t.cluster}" has no member ${memberId}` : `No healthy etcd member of cluster "${t.cluster}" to snapshot`);
  if (!member.address) throw new AppError("conflict", `Minos cannot tell the address of etcd member ${member.hostname || member.id}`);
  if (memberId && !memberHealthy(member)) throw new AppError("conflict", `etcd member ${member.hostname || member.id} is not healthy: ${member.error ?? member.errors.join("; ")}`);
  const rest = t.client.etcdSnapshot(member.address, { signal: t.opts?.signal });
  const head = await rest.next();
  if (head.done) throw new AppError("internal", `EtcdSnapshot of ${member.hostname || member.id} sent no bytes: an empty snapshot is not a backup`, { node: member.node ?? member.address });
  return { member, raftIndex: member.raftIndex, first: head.value, rest };
}

export interface SnapshotOutcome {
  ok: boolean;
  sizeBytes: number;
  sha256: string | null;
  error?: string;
}

/** The download file name: cluster, member and time, safe in a Content-Disposition header. */
export function snapshotFileName(cluster: string, member: EtcdMemberView, at: Date): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80) || "x";
  return `etcd-${safe(cluster)}-${safe(member.hostname || member.id)}-${at.toISOString().replace(/[-:.]/g, "")}.snapshot`;
}

/**
 * The opened snapshot as a streamed download. Bytes are pulled from the gRPC stream only as the
 * client reads (no buffering beyond one chunk); a cancelled download ends the gRPC stream.
 */
export function snapshotResponse(s: OpenedSnapshot, cluster: string, done: (o: SnapshotOutcome) => void, now = new Date()): Response {
  const sum = new SnapshotChecksum();
  let sentFirst = false;
  let finished = false;
  const finish = (o: SnapshotOutcome) => {
    if (finished) return;
    finished = true;
    done(o);
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = sentFirst ? await s.rest.next() : { done: false as const, value: s.first };
        sentFirst = true;
        if (chunk.done) {
          const { sha256, etcdChecksumOk } = sum.finish();
          // A snapshot cut short must not reach the disk as a complete file: fail the download.
          if (!etcdChecksumOk) throw new AppError("internal", checksumFailure(sum.size));
          finish({ ok: true, sizeBytes: sum.size, sha256 });
          controller.close();
          return;
        }
        sum.update(chunk.value);
        controller.enqueue(new Uint8Array(chunk.value.buffer, chunk.value.byteOffset, chunk.value.byteLength));
      } catch (e) {
        finish({ ok: false, sizeBytes: sum.size, sha256: null, error: errorText(e) });
        controller.error(e);
      }
    },
    async cancel() {
      finish({ ok: false, sizeBytes: sum.size, sha256: null, error: "The download was cancelled" });
      await s.rest.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${snapshotFileName(cluster, s.member, now)}"`,
      "x-etcd-member": s.member.id,
    },
  });
}
