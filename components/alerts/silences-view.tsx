"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BellOff } from "lucide-react";
import { useSearchParams } from "next/navigation";
import { useState } from "react";

import { RULE_CHOICES, ruleName, SILENCE_DURATIONS, silenceBodyFromForm, type SilenceForm } from "@/components/alerts/model";
import { useAlertPermissions } from "@/components/alerts/use-alert-permissions";
import { QueryError } from "@/components/fleet/query-error";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { RelativeTime } from "@/components/ui/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { alertKeys, createSilence, endSilence, silencesQueryOptions } from "@/lib/client/alerts";
import type { Silence } from "@/lib/schemas/alerts";
import { formatUtc } from "@/lib/utils/time";

/** A new silence: rule, cluster and node (any of them; prefilled from an alert's "Silence" link), how long, and why. */
export function SilenceFormView({ initial }: { initial: Pick<SilenceForm, "rule" | "cluster" | "node"> }) {
  const qc = useQueryClient();
  const [form, setForm] = useState<SilenceForm>({ ...initial, endsInMinutes: 240, reason: "" });
  const [problem, setProblem] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: createSilence,
    onSuccess: async () => {
      setForm({ rule: "", cluster: "", node: "", endsInMinutes: 240, reason: "" });
      // A silence changes which alerts are marked silenced: the lists and the bell's count too.
      await qc.invalidateQueries({ queryKey: alertKeys.all });
    },
  });
  return (
    <form
      aria-label="New silence"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-border bg-surface p-4 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        const r = silenceBodyFromForm(form, new Date());
        setProblem(r.ok ? null : r.error);
        if (r.ok) create.mutate(r.value);
      }}
    >
      <label className="flex flex-col gap-1">
        <span className="text-fg-muted">Rule</span>
        <Select value={form.rule} onChange={(e) => setForm({ ...form, rule: e.target.value })}>
          <option value="">Any rule</option>
          {RULE_CHOICES.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-fg-muted">Cluster</span>
        <Input value={form.cluster} onChange={(e) => setForm({ ...form, cluster: e.target.value })} placeholder="any cluster" className="w-40" />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-fg-muted">Node (address@cluster)</span>
        <Input value={form.node} onChange={(e) => setForm({ ...form, node: e.target.value })} placeholder="any node" className="w-56" />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-fg-muted">Ends in</span>
        <Select value={form.endsInMinutes} onChange={(e) => setForm({ ...form, endsInMinutes: Number(e.target.value) })}>
          {SILENCE_DURATIONS.map((d) => (
            <option key={d.minutes} value={d.minutes}>
              {d.label}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex min-w-64 flex-1 flex-col gap-1">
        <span className="text-fg-muted">Reason</span>
        <Input value={form.reason} maxLength={500} onChange={(e) => setForm({ ...form, reason: e.target.value })} placeholder="maintenance of worker-3" />
      </label>
      <Button type="submit" variant="primary" disabled={create.isPending}>
        <BellOff aria-hidden className="size-4" />
        Silence
      </Button>
      {problem || create.isError ? (
        <span role="alert" className="w-full text-danger">
          {problem ?? create.error?.message}
        </span>
      ) : null}
    </form>
  );
}

function matchersText(s: Silence): string {
  const parts = [s.matchers.rule ? ruleName(s.matchers.rule) : null, s.matchers.cluster ? `cluster ${s.matchers.cluster}` : null, s.matchers.node ? `node ${s.matchers.node}` : null];
  return parts.filter(Boolean).join(" · ");
}

function EndButton({ silence: s }: { silence: Silence }) {
  const qc = useQueryClient();
  const end = useMutation({ mutationFn: () => endSilence(s.id), onSettled: () => qc.invalidateQueries({ queryKey: alertKeys.all }) });
  return (
    <>
      <Button size="sm" variant="ghost" disabled={end.isPending} onClick={() => end.mutate()} aria-label={`End now: the silence of ${matchersText(s)}`}>
        End now
      </Button>
      {end.isError ? (
        <span role="alert" className="text-xs text-danger">
          {end.error.message}
        </span>
      ) : null}
    </>
  );
}

/** Every silence, active first: what it matches, until when, who set it and why; operators end one early. */
export function SilenceTable({ silences, canEnd }: { silences: Silence[]; canEnd: boolean }) {
  const sorted = [...silences].sort((a, b) => Number(b.active) - Number(a.active) || b.startsAt.localeCompare(a.startsAt));
  return (
    <div className="overflow-x-auto rounded-lg border border-border bg-surface">
      <Table aria-label="Silences">
        <TableHead>
          <TableRow>
            <TableHeaderCell>Matches</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Until</TableHeaderCell>
            <TableHeaderCell>Reason</TableHeaderCell>
            <TableHeaderCell>By</TableHeaderCell>
            {canEnd ? (
              <TableHeaderCell>
                <span className="sr-only">Actions</span>
              </TableHeaderCell>
            ) : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {sorted.length === 0 ? (
            <TableRow>
              <TableCell colSpan={6} className="text-center text-fg-muted">
                <div className="py-4">No silence: every firing alert is notified.</div>
              </TableCell>
            </TableRow>
          ) : (
            sorted.map((s) => (
              <TableRow key={s.id}>
                <TableCell className="font-medium">{matchersText(s)}</TableCell>
                <TableCell>
                  {s.active ? (
                    <Badge tone="info">
                      <BellOff aria-hidden className="size-3" />
                      Active
                    </Badge>
                  ) : (
                    <Badge>{s.expiredBy ? `Ended by ${s.expiredBy}` : "Expired"}</Badge>
                  )}
                </TableCell>
                <TableCell className="whitespace-nowrap">{formatUtc(s.expiredAt ?? s.endsAt)}</TableCell>
                <TableCell className="max-w-sm">{s.reason}</TableCell>
                <TableCell className="whitespace-nowrap">
                  {s.createdBy}, <RelativeTime iso={s.startsAt} />
                </TableCell>
                {canEnd ? <TableCell>{s.active ? <EndButton silence={s} /> : null}</TableCell> : null}
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>
    </div>
  );
}

export function SilencesView() {
  const params = useSearchParams();
  const { silence } = useAlertPermissions();
  const q = useQuery(silencesQueryOptions("all"));
  const initial = { rule: params.get("rule") ?? "", cluster: params.get("cluster") ?? "", node: params.get("node") ?? "" };
  return (
    <div className="space-y-6">
      {/* Keyed by the prefill, so following another alert's "Silence" link refills the form. */}
      {silence ? <SilenceFormView key={`${initial.rule}|${initial.cluster}|${initial.node}`} initial={initial} /> : null}
      {q.isPending ? <Skeleton className="h-32" /> : q.isError ? <QueryError what="the silences" error={q.error} retry={() => void q.refetch()} /> : <SilenceTable silences={q.data.silences} canEnd={silence} />}
    </div>
  );
}
