"use client";

import { Play, TriangleAlert } from "lucide-react";
import { useId, useState } from "react";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeaderCell,
  TableRow,
} from "@/components/ui/table";
import type { CaRotationDryRun, CaSummary } from "@/lib/schemas/ca-rotation";

function Ca({ label, ca }: { label: string; ca: CaSummary | null }) {
  if (!ca) return null;
  return (
    <div className="text-sm">
      <span className="font-medium">{label}:</span>{" "}
      {ca.subject || "(no subject)"} · expires {ca.notAfter.slice(0, 10)}
      <div className="break-all font-mono text-xs text-fg-muted">
        SHA-256 {ca.fingerprint}
      </div>
    </div>
  );
}

/**
 * Step 2 of the wizard: what the rotation would do on each node (CAs named by subject and
 * fingerprint, never a key), the problems that would refuse it, and the start, confirmed by
 * typing the cluster's name.
 */
export function CaRotationDryRunView({
  dryRun,
  starting,
  onStart,
}: {
  dryRun: CaRotationDryRun;
  starting: boolean;
  onStart: () => void;
}) {
  const id = useId();
  const [confirm, setConfirm] = useState("");
  const ok = dryRun.problems.length === 0;
  return (
    <section aria-label="CA rotation dry run">
      <Card className="space-y-4 p-5">
        <h3 className="font-semibold">
          Dry run of {dryRun.cluster}: nothing was changed
        </h3>
        <div className="space-y-2">
          <Ca label="Current Talos API CA" ca={dryRun.current.talos} />
          <Ca
            label="Current Kubernetes API CA"
            ca={dryRun.current.kubernetes}
          />
          <p className="text-sm text-fg-muted">
            New CAs are generated when the rotation starts; their keys are
            sealed in Minos&apos;s database.
          </p>
          {dryRun.talosconfig === "override-file" ? (
            <p className="text-sm">
              Minos&apos;s talosconfig for this cluster comes from the
              server&apos;s file, which Minos does not rewrite: the new one is
              stored as an upload that overrides the file&apos;s context. Update
              the file afterwards (the old credentials stop working when the old
              CA is dropped).
            </p>
          ) : dryRun.talosconfig === "replace-upload" ? (
            <p className="text-sm">
              Minos&apos;s uploaded talosconfig for this cluster is replaced at
              the end; the old one is kept until then.
            </p>
          ) : null}
        </div>
        {dryRun.problems.length > 0 ? (
          <ul
            role="alert"
            className="space-y-1 rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger"
          >
            {dryRun.problems.map((p) => (
              <li key={p} className="flex gap-2">
                <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
                {p}
              </li>
            ))}
          </ul>
        ) : null}
        <Table aria-label="Steps" pin={2}>
          <TableHead>
            <TableRow>
              <TableHeaderCell>#</TableHeaderCell>
              <TableHeaderCell>API</TableHeaderCell>
              <TableHeaderCell>Step</TableHeaderCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {dryRun.steps.map((s) => (
              <TableRow key={s.index}>
                <TableCell className="tabular-nums">{s.index + 1}</TableCell>
                <TableCell>
                  {s.api === "talos"
                    ? "Talos"
                    : s.api === "kubernetes"
                      ? "Kubernetes"
                      : "Minos"}
                </TableCell>
                <TableCell>{s.description}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        {ok ? (
          <div className="flex flex-wrap items-end gap-3">
            <div className="flex flex-col gap-1">
              <label htmlFor={`${id}-confirm`} className="text-sm font-medium">
                Type the cluster&apos;s name to start
              </label>
              <Input
                id={`${id}-confirm`}
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
                autoComplete="off"
              />
            </div>
            <Button
              variant="danger"
              disabled={starting || confirm !== dryRun.cluster}
              onClick={onStart}
            >
              <Play aria-hidden className="size-4" />
              Start the rotation
            </Button>
          </div>
        ) : null}
      </Card>
    </section>
  );
}
