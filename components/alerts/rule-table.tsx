"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pencil, RotateCcw } from "lucide-react";
import { Fragment, useState } from "react";

import { SeverityBadge } from "@/components/alerts/alert-badges";
import { formatDuration, ruleCustomized, ruleFormOf, rulePatchFromForm, SEVERITIES, SEVERITY_LABEL, type RuleForm } from "@/components/alerts/model";
import { useAlertPermissions } from "@/components/alerts/use-alert-permissions";
import { QueryError } from "@/components/fleet/query-error";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeaderCell, TableRow } from "@/components/ui/table";
import { alertKeys, alertRulesQueryOptions, patchAlertRule } from "@/lib/client/alerts";
import type { AlertRule } from "@/lib/schemas/alerts";

function paramsText(rule: AlertRule): string {
  if (rule.paramSpecs.length === 0) return "—";
  return rule.paramSpecs.map((p) => `${p.label}: ${rule.params[p.key] ?? "?"} ${p.unit}`).join(", ");
}

/** The built-in rules and their settings; admins edit them in place, others read. */
export function RuleTable() {
  const q = useQuery(alertRulesQueryOptions());
  const can = useAlertPermissions();
  const [editing, setEditing] = useState<string | null>(null);
  if (q.isPending) return <Skeleton className="h-64" />;
  if (q.isError) return <QueryError what="the alert rules" error={q.error} retry={() => void q.refetch()} />;
  return (
    <div className="overflow-x-auto rounded-lg border border-border bg-surface">
      <Table aria-label="Alert rules">
        <TableHead>
          <TableRow>
            <TableHeaderCell>Rule</TableHeaderCell>
            <TableHeaderCell>State</TableHeaderCell>
            <TableHeaderCell>Severity</TableHeaderCell>
            <TableHeaderCell>For</TableHeaderCell>
            <TableHeaderCell>Re-notify</TableHeaderCell>
            <TableHeaderCell>Thresholds</TableHeaderCell>
            {can.admin ? (
              <TableHeaderCell>
                <span className="sr-only">Edit</span>
              </TableHeaderCell>
            ) : null}
          </TableRow>
        </TableHead>
        <TableBody>
          {q.data.rules.map((r) => (
            <Fragment key={r.id}>
              <TableRow data-rule={r.id}>
                <TableCell className="max-w-md">
                  <div className="font-medium">{r.name}</div>
                  <div className="text-xs text-fg-muted">{r.description}</div>
                  {ruleCustomized(r) && r.updatedBy ? <div className="mt-1 text-xs text-fg-muted">Changed by {r.updatedBy}</div> : null}
                </TableCell>
                <TableCell>{r.enabled ? <Badge tone="ok">On</Badge> : <Badge>Off</Badge>}</TableCell>
                <TableCell>
                  <SeverityBadge severity={r.severity} />
                </TableCell>
                <TableCell className="whitespace-nowrap">{r.forSeconds === 0 ? "at once" : formatDuration(r.forSeconds * 1000)}</TableCell>
                <TableCell className="whitespace-nowrap">{r.renotifyMinutes === 0 ? "never" : `every ${formatDuration(r.renotifyMinutes * 60_000)}`}</TableCell>
                <TableCell className="text-xs">{paramsText(r)}</TableCell>
                {can.admin ? (
                  <TableCell>
                    <Button size="sm" variant="ghost" onClick={() => setEditing(editing === r.id ? null : r.id)} aria-label={`Edit the rule ${r.name}`}>
                      <Pencil aria-hidden className="size-4" />
                      Edit
                    </Button>
                  </TableCell>
                ) : null}
              </TableRow>
              {can.admin && editing === r.id ? (
                <TableRow>
                  <TableCell colSpan={7} className="bg-surface-muted/40">
                    <RuleEditor rule={r} onDone={() => setEditing(null)} />
                  </TableCell>
                </TableRow>
              ) : null}
            </Fragment>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

/** The settings form of one rule: only what changed is sent; "Reset" goes back to the defaults. */
export function RuleEditor({ rule, onDone }: { rule: AlertRule; onDone: () => void }) {
  const qc = useQueryClient();
  const [form, setForm] = useState<RuleForm>(() => ruleFormOf(rule));
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: Parameters<typeof patchAlertRule>[1]) => patchAlertRule(rule.id, body),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: alertKeys.rules() });
      onDone();
    },
  });
  const submit = () => {
    const r = rulePatchFromForm(rule, form);
    setProblem(r.ok ? null : r.error);
    if (r.ok) save.mutate(r.value);
  };
  const d = rule.defaults;
  return (
    <form
      aria-label={`Settings of ${rule.name}`}
      className="flex flex-wrap items-end gap-4 py-2 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} /> Enabled
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-fg-muted">Severity</span>
        <Select value={form.severity} onChange={(e) => setForm({ ...form, severity: e.target.value as RuleForm["severity"] })}>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABEL[s]}
            </option>
          ))}
        </Select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-fg-muted">For (seconds; default {d.forSeconds})</span>
        <Input type="number" min={0} max={604_800} className="w-32" value={form.forSeconds} onChange={(e) => setForm({ ...form, forSeconds: e.target.value })} />
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-fg-muted">Re-notify (minutes, 0 never; default {d.renotifyMinutes})</span>
        <Input type="number" min={0} max={10_080} className="w-32" value={form.renotifyMinutes} onChange={(e) => setForm({ ...form, renotifyMinutes: e.target.value })} />
      </label>
      {rule.paramSpecs.map((p) => (
        <label key={p.key} className="flex flex-col gap-1" title={p.description}>
          <span className="text-fg-muted">
            {p.label} ({p.unit}, {p.min}–{p.max})
          </span>
          <Input type="number" min={p.min} max={p.max} className="w-32" value={form.params[p.key] ?? ""} onChange={(e) => setForm({ ...form, params: { ...form.params, [p.key]: e.target.value } })} />
        </label>
      ))}
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit" size="sm" variant="primary" disabled={save.isPending}>
          Save rule
        </Button>
        {ruleCustomized(rule) ? (
          <Button size="sm" disabled={save.isPending} onClick={() => save.mutate({ reset: true })}>
            <RotateCcw aria-hidden className="size-4" />
            Reset to defaults
          </Button>
        ) : null}
        <Button size="sm" variant="ghost" onClick={onDone} disabled={save.isPending}>
          Cancel
        </Button>
        {problem || save.isError ? (
          <span role="alert" className="text-danger">
            {problem ?? save.error?.message}
          </span>
        ) : null}
      </div>
    </form>
  );
}
