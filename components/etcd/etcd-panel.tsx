"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { AlertTriangle, CheckCircle2, Crown, Download, HardDrive, XCircle } from "lucide-react";
import { useState, type ReactNode } from "react";

import { useControlAccess, type ControlAccess } from "@/components/auth/use-availability";
import { ConfirmDialog } from "@/components/config-push/confirm-dialog";
import { formatBytes } from "@/components/fleet/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { defragmentEtcd, disarmEtcd, downloadEtcdSnapshot, etcdKeys, etcdQueryOptions, forfeitEtcdLeadership, removeEtcdMember } from "@/lib/client/etcd";
import type { EtcdCluster, EtcdMemberView, QuorumState } from "@/lib/schemas/etcd";

type Pending =
  | { kind: "defragment"; member?: EtcdMemberView }
  | { kind: "disarm" }
  | { kind: "forfeit"; member: EtcdMemberView }
  | { kind: "remove"; member: EtcdMemberView }
  | { kind: "snapshot" };

const QUORUM_TONE: Record<QuorumState, "ok" | "warn" | "danger" | "neutral"> = { healthy: "ok", degraded: "warn", lost: "danger", unknown: "neutral" };

/** A control shown only to those whose role may use it; disabled with the reason when the cluster's talosconfig cannot. */
function Gate({ access, children }: { access: ControlAccess; children: (disabled: boolean, reason?: string) => ReactNode }) {
  if (access.hidden) return null;
  return <>{children(!access.allowed, access.allowed ? undefined : access.reason)}</>;
}

/** The etcd view of one cluster: members, quorum, alarms, and the actions Talos allows the person. */
export function EtcdPanel({ cluster }: { cluster: string }) {
  const qc = useQueryClient();
  const etcd = useQuery(etcdQueryOptions(cluster));
  const maintain = useControlAccess("etcdMaintain", cluster);
  const snapshot = useControlAccess("etcdSnapshot", cluster);
  const admin = useControlAccess("etcdAdmin", cluster);
  const [pending, setPending] = useState<Pending | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const run = useMutation({
    mutationFn: async (p: Pending): Promise<string> => {
      switch (p.kind) {
        case "defragment": {
          const r = await defragmentEtcd(cluster, p.member?.id);
          return `Defragmented ${r.steps.map((s) => `${s.hostname} (${s.dbSizeBefore === null ? "?" : formatBytes(s.dbSizeBefore)} → ${s.dbSizeAfter === null ? "?" : formatBytes(s.dbSizeAfter)})`).join(", ")}`;
        }
        case "disarm": {
          const r = await disarmEtcd(cluster);
          return r.disarmed.length ? `Disarmed ${r.disarmed.map((a) => `${a.alarm} on ${a.memberId}`).join(", ")}` : "There was no alarm to disarm";
        }
        case "forfeit": {
          const r = await forfeitEtcdLeadership(cluster, p.member.id);
          return `${p.member.hostname} no longer leads; ${r.newLeader || "another member"} does`;
        }
        case "remove": {
          await removeEtcdMember(cluster, p.member.id);
          return `Removed ${p.member.hostname} (${p.member.id}) from etcd. Reset that node (or wipe its EPHEMERAL partition) before it can join again.`;
        }
        case "snapshot": {
          const r = await downloadEtcdSnapshot(cluster);
          return `Saved ${r.fileName} (${formatBytes(r.size)})`;
        }
      }
    },
    onSuccess: (text) => setMessage({ ok: true, text }),
    onError: (e) => setMessage({ ok: false, text: e instanceof Error ? e.message : String(e) }),
    onSettled: () => {
      setPending(null);
      void qc.invalidateQueries({ queryKey: etcdKeys.cluster(cluster) });
    },
  });

  if (etcd.isPending) return <p className="text-sm text-fg-muted">Reading etcd…</p>;
  if (etcd.isError) return <p role="alert" className="text-sm text-danger">Could not read etcd: {etcd.error.message}</p>;
  const view: EtcdCluster = etcd.data;
  const alarms = view.members.flatMap((m) => m.alarms.map((a) => `${a} on ${m.hostname}`));
  const degraded = view.quorum.state !== "healthy";

  return (
    <div className="space-y-4">
      <Card className="flex flex-wrap items-center gap-3 p-4">
        <Badge tone={QUORUM_TONE[view.quorum.state]}>
          {view.quorum.state === "healthy" ? <CheckCircle2 aria-hidden className="size-3" /> : <AlertTriangle aria-hidden className="size-3" />}
          Quorum {view.quorum.state}
        </Badge>
        <span className="text-sm">{view.error ?? view.quorum.reason}</span>
        <div className="ml-auto flex flex-wrap gap-2">
          <Gate access={snapshot}>
            {(disabled, reason) => (
              <Button size="sm" disabled={disabled || run.isPending} title={reason} onClick={() => setPending({ kind: "snapshot" })}>
                <Download aria-hidden className="size-4" /> Download snapshot
              </Button>
            )}
          </Gate>
          <Gate access={maintain}>
            {(disabled, reason) => (
              <Button size="sm" disabled={disabled || run.isPending || degraded} title={reason ?? (degraded ? view.quorum.reason : undefined)} onClick={() => setPending({ kind: "defragment" })}>
                <HardDrive aria-hidden className="size-4" /> Defragment all
              </Button>
            )}
          </Gate>
          {alarms.length > 0 ? (
            <Gate access={maintain}>
              {(disabled, reason) => (
                <Button size="sm" disabled={disabled || run.isPending} title={reason} onClick={() => setPending({ kind: "disarm" })}>
                  Disarm alarms
                </Button>
              )}
            </Gate>
          ) : null}
        </div>
      </Card>
      {alarms.length > 0 ? (
        <p role="alert" className="flex items-center gap-2 text-sm text-danger">
          <XCircle aria-hidden className="size-4" /> Alarms: {alarms.join(", ")}. With NOSPACE, etcd refuses writes until space is freed (defragment) and the alarm disarmed.
        </p>
      ) : null}
      {view.notMembers.length > 0 ? (
        <p role="note" className="flex items-center gap-2 text-sm text-warn">
          <AlertTriangle aria-hidden className="size-4" />
          {view.notMembers.map((n) => n.hostname ?? n.address).join(", ")} {view.notMembers.length === 1 ? "is a control plane but not an etcd member" : "are control planes but not etcd members"}: a removed member must be reset (or its EPHEMERAL partition wiped) to join again.
        </p>
      ) : null}
      {message ? (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-sm text-ok" : "text-sm text-danger"}>
          {message.text}
        </p>
      ) : null}
      <Table aria-label={`etcd members of ${cluster}`}>
        <TableHead>
          <TableRow>
            <TableHeaderCell>Member</TableHeaderCell>
            <TableHeaderCell>ID</TableHeaderCell>
            <TableHeaderCell>Role</TableHeaderCell>
            <TableHeaderCell>DB size</TableHeaderCell>
            <TableHeaderCell>In use</TableHeaderCell>
            <TableHeaderCell>Raft index / term</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell>Actions</TableHeaderCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {view.members.length === 0 ? (
            <TableRow>
              <TableCell colSpan={8} className="text-fg-muted">
                No member answered.
              </TableCell>
            </TableRow>
          ) : (
            view.members.map((m) => (
              <TableRow key={m.id}>
                <TableCell className="font-medium">{m.hostname || "—"}</TableCell>
                <TableCell className="font-mono text-xs">{m.id}</TableCell>
                <TableCell>
                  {m.leader ? (
                    <Badge tone="info">
                      <Crown aria-hidden className="size-3" /> Leader
                    </Badge>
                  ) : m.isLearner ? (
                    "Learner"
                  ) : (
                    "Follower"
                  )}
                </TableCell>
                <TableCell>{m.dbSize === null ? "—" : formatBytes(m.dbSize)}</TableCell>
                <TableCell>{m.dbSizeInUse === null ? "—" : formatBytes(m.dbSizeInUse)}</TableCell>
                <TableCell className="font-mono text-xs">{m.raftIndex === null ? "—" : `${m.raftIndex} / ${m.raftTerm}`}</TableCell>
                <TableCell>
                  {m.reachable && m.errors.length === 0 ? (
                    <Badge tone="ok">
                      <CheckCircle2 aria-hidden className="size-3" /> Healthy
                    </Badge>
                  ) : (
                    <span className="text-sm text-danger">
                      <XCircle aria-hidden className="mr-1 inline size-3" />
                      {m.error ?? m.errors.join("; ")}
                    </span>
                  )}
                </TableCell>
                <TableCell>
                  <div className="flex flex-wrap gap-1">
                    <Gate access={maintain}>
                      {(disabled, reason) => (
                        <Button size="sm" variant="ghost" disabled={disabled || run.isPending || degraded} title={reason} onClick={() => setPending({ kind: "defragment", member: m })}>
                          Defragment
                        </Button>
                      )}
                    </Gate>
                    {m.leader ? (
                      <Gate access={admin}>
                        {(disabled, reason) => (
                          <Button size="sm" variant="ghost" disabled={disabled || run.isPending} title={reason} onClick={() => setPending({ kind: "forfeit", member: m })}>
                            Forfeit leadership
                          </Button>
                        )}
                      </Gate>
                    ) : null}
                    <Gate access={admin}>
                      {(disabled, reason) => (
                        <Button size="sm" variant="danger-ghost" disabled={disabled || run.isPending} title={reason} onClick={() => setPending({ kind: "remove", member: m })}>
                          Remove member
                        </Button>
                      )}
                    </Gate>
                  </div>
                </TableCell>
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>
      <EtcdConfirm pending={pending} busy={run.isPending} view={view} onCancel={() => setPending(null)} onConfirm={(p) => run.mutate(p)} />
    </div>
  );
}

function EtcdConfirm({ pending, busy, view, onCancel, onConfirm }: { pending: Pending | null; busy: boolean; view: EtcdCluster; onCancel: () => void; onConfirm: (p: Pending) => void }) {
  const p = pending;
  const title =
    p?.kind === "defragment"
      ? p.member
        ? `Defragment ${p.member.hostname}?`
        : `Defragment every member of ${view.cluster}?`
      : p?.kind === "disarm"
        ? "Disarm etcd's alarms?"
        : p?.kind === "forfeit"
          ? `Move leadership away from ${p.member.hostname}?`
          : p?.kind === "remove"
            ? `Remove ${p.member.hostname} from etcd?`
            : `Download a snapshot of ${view.cluster}'s etcd?`;
  const label = p?.kind === "defragment" ? "Defragment" : p?.kind === "disarm" ? "Disarm" : p?.kind === "forfeit" ? "Forfeit leadership" : p?.kind === "remove" ? `Remove ${p.member.hostname}` : "Download";
  return (
    <ConfirmDialog open={p !== null} title={title} confirmLabel={label} danger={p?.kind === "remove"} busy={busy} onCancel={onCancel} onConfirm={() => p && onConfirm(p)}>
      {p?.kind === "defragment" ? (
        <p>A member being defragmented blocks reads and writes until it is done. {p.member ? "" : "Members go one at a time, followers first and the leader last; the run stops at the first failure or if quorum degrades."}</p>
      ) : null}
      {p?.kind === "disarm" ? <p>Disarm only after the cause is fixed (for NOSPACE: space freed by compaction and defragmentation), or etcd raises it again.</p> : null}
      {p?.kind === "forfeit" ? <p>etcd elects another leader; writes pause for the election.</p> : null}
      {p?.kind === "remove" ? (
        <>
          <p>
            <strong>The node stops being an etcd member.</strong> Its etcd can no longer start with its current data: to join again, the node must be reset (or its EPHEMERAL partition wiped) and join as a new member.
          </p>
          <p>The cluster will have {view.members.filter((m) => !m.isLearner).length - (p.member.isLearner ? 0 : 1)} voting members afterwards.</p>
        </>
      ) : null}
      {p?.kind === "snapshot" ? <p>The snapshot holds every Kubernetes Secret of the cluster: keep it as safe as the cluster&apos;s secrets. The download is recorded in the audit log.</p> : null}
    </ConfirmDialog>
  );
}
