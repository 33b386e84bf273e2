"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2, Download, Loader2, Trash2, XCircle } from "lucide-react";
import Link from "next/link";
import { Fragment, useState } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { RestoreGuide } from "@/components/backups/restore-guide";
import { ConfirmDialog } from "@/components/config-push/confirm-dialog";
import { formatBytes } from "@/components/fleet/format";
import { Badge } from "@/components/ui/badge";
import { Button, buttonVariants } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { backupDownloadHref, backupKeys, backupListQueryOptions, createBackup, deleteBackup } from "@/lib/client/backups";
import type { Backup } from "@/lib/schemas/backups";

function StateBadge({ b }: { b: Backup }) {
  if (b.state === "succeeded")
    return (
      <Badge tone="ok">
        <CheckCircle2 aria-hidden className="size-3" /> Succeeded
      </Badge>
    );
  if (b.state === "failed")
    return (
      <Badge tone="danger">
        <XCircle aria-hidden className="size-3" /> Failed
      </Badge>
    );
  return (
    <Badge tone="info">
      <Loader2 aria-hidden className="size-3 animate-spin" /> Running
    </Badge>
  );
}

/** Backups, newest first: back up now, download, delete, and each one's restore guide. */
export function BackupList({ clusters, cluster }: { clusters: string[]; cluster?: string }) {
  const qc = useQueryClient();
  const list = useQuery(backupListQueryOptions(cluster));
  const [target, setTarget] = useState(cluster ?? clusters[0] ?? "");
  const take = useControlAccess("etcdSnapshot", target);
  const manage = useControlAccess("etcdSnapshot", cluster ?? null);
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Backup | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: backupKeys.all });

  const create = useMutation({
    mutationFn: () => createBackup(target),
    onSuccess: (b) => setMessage(b.state === "succeeded" ? { ok: true, text: `Backed up ${b.cluster}: ${formatBytes(b.sizeBytes ?? 0)} from ${b.memberHostname}` } : { ok: false, text: `The backup of ${b.cluster} failed: ${b.error}` }),
    onError: (e) => setMessage({ ok: false, text: e.message }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: (b: Backup) => deleteBackup(b.id),
    onSuccess: (r) => setMessage({ ok: true, text: `Deleted backup ${r.id}${r.fileRemoved ? " and its file" : ""}` }),
    onError: (e) => setMessage({ ok: false, text: e.message }),
    onSettled: () => {
      setDeleting(null);
      refresh();
    },
  });

  return (
    <section aria-labelledby="backups-title" className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <h2 id="backups-title" className="text-lg font-semibold">
          Backups{cluster ? ` of ${cluster}` : ""}
        </h2>
        {cluster ? (
          <Link href="/backups" className="text-sm text-accent underline">
            All clusters
          </Link>
        ) : null}
        {!take.hidden ? (
          <div className="ml-auto flex items-center gap-2">
            <label className="text-sm" htmlFor="backup-cluster">
              Cluster
            </label>
            <Select id="backup-cluster" value={target} onChange={(e) => setTarget(e.target.value)} disabled={!!cluster}>
              {clusters.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </Select>
            <Button size="sm" variant="primary" disabled={!take.allowed || create.isPending || !target} title={take.allowed ? undefined : take.reason} onClick={() => create.mutate()}>
              {create.isPending ? "Backing up…" : "Back up now"}
            </Button>
          </div>
        ) : null}
      </div>
      {message ? (
        <p role={message.ok ? "status" : "alert"} className={message.ok ? "text-sm text-ok" : "text-sm text-danger"}>
          {message.text}
        </p>
      ) : null}
      {list.isError ? <p role="alert" className="text-sm text-danger">Could not list backups: {list.error.message}</p> : null}
      <Table aria-label="Backups">
        <TableHead>
          <TableRow>
            <TableHeaderCell>Started</TableHeaderCell>
            <TableHeaderCell>Cluster</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Size</TableHeaderCell>
            <TableHeaderCell>Revision</TableHeaderCell>
            <TableHeaderCell>Member</TableHeaderCell>
            <TableHeaderCell>sha256</TableHeaderCell>
            <TableHeaderCell>Actions</TableHeaderCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {list.isPending ? (
            <TableRow>
              <TableCell colSpan={8} className="text-fg-muted">Loading…</TableCell>
            </TableRow>
          ) : (list.data?.backups.length ?? 0) === 0 ? (
            <TableRow>
              <TableCell colSpan={8} className="text-fg-muted">No backups yet.</TableCell>
            </TableRow>
          ) : (
            list.data!.backups.map((b) => (
              <Fragment key={b.id}>
                <TableRow>
                  <TableCell>
                    <RelativeTime iso={b.startedAt} />
                    <span className="block text-xs text-fg-muted">{b.origin === "schedule" ? "scheduled" : `by ${b.actor}`}</span>
                  </TableCell>
                  <TableCell>{b.cluster}</TableCell>
                  <TableCell>
                    <StateBadge b={b} />
                    {b.error ? <span className="block max-w-xs text-xs text-danger">{b.error}</span> : null}
                  </TableCell>
                  <TableCell>{b.sizeBytes === null ? "—" : formatBytes(b.sizeBytes)}</TableCell>
                  <TableCell className="font-mono text-xs">{b.revision ?? "—"}</TableCell>
                  <TableCell>{b.memberHostname ?? "—"}</TableCell>
                  <TableCell className="font-mono text-xs" title={b.sha256 ?? undefined}>
                    {b.sha256 ? `${b.sha256.slice(0, 12)}…` : "—"}
                  </TableCell>
                  <TableCell>
                    <div className="flex flex-wrap gap-1">
                      {b.state === "succeeded" && !manage.hidden ? (
                        <a href={backupDownloadHref(b.id)} download className={buttonVariants({ size: "sm", variant: "ghost" })} aria-label={`Download backup ${b.id}`}>
                          <Download aria-hidden className="size-4" /> Download
                        </a>
                      ) : null}
                      {b.state === "succeeded" ? (
                        <Button size="sm" variant="ghost" aria-expanded={open === b.id} onClick={() => setOpen(open === b.id ? null : b.id)}>
                          Restore guide
                        </Button>
                      ) : null}
                      {b.state !== "running" && !manage.hidden ? (
                        <Button size="sm" variant="danger-ghost" aria-label={`Delete backup ${b.id}`} onClick={() => setDeleting(b)}>
                          <Trash2 aria-hidden className="size-4" /> Delete
                        </Button>
                      ) : null}
                    </div>
                  </TableCell>
                </TableRow>
                {open === b.id ? (
                  <TableRow>
                    <TableCell colSpan={8}>
                      <RestoreGuide id={b.id} />
                    </TableCell>
                  </TableRow>
                ) : null}
              </Fragment>
            ))
          )}
        </TableBody>
      </Table>
      <ConfirmDialog open={deleting !== null} title="Delete this backup?" confirmLabel="Delete backup" danger busy={remove.isPending} onCancel={() => setDeleting(null)} onConfirm={() => deleting && remove.mutate(deleting)}>
        <p>The snapshot file {deleting?.fileName ? <code>{deleting.fileName}</code> : null} is removed from the Minos host and cannot be recovered.</p>
      </ConfirmDialog>
    </section>
  );
}
