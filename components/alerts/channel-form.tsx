"use client";

import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";

import { channelCreateFromForm, channelFormOf, channelPatchFromForm, SEVERITIES, SEVERITY_LABEL, type ChannelForm } from "@/components/alerts/model";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { alertKeys, createChannel, patchChannel } from "@/lib/client/alerts";
import type { Channel, ChannelType, CreateChannelResponse } from "@/lib/schemas/alerts";

const TYPE_LABEL: Record<ChannelType, string> = { webhook: "Webhook (signed JSON)", slack: "Slack incoming webhook", email: "Email (SMTP)" };

function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="text-fg-muted">{label}</span>
      {children}
      {hint ? <span className="text-xs text-fg-muted">{hint}</span> : null}
    </label>
  );
}

interface ChannelFormViewProps {
  /** The channel to edit; absent to create one. */
  channel?: Channel;
  /** After a create: the secret Minos generated (shown once), if any. */
  onDone: (created?: { channel: Channel; secret?: string }) => void;
}

/**
 * The form's save (create or PATCH). `gcTime: 0`: a create's answer holds the secret Minos
 * generated, and the MutationCache would keep it (and the form it was sent from) for the default
 * 5 minutes after the form closed; the secret lives only in the one-time view until its Done.
 */
export function saveChannelOptions(qc: QueryClient, channel: Channel | undefined, form: ChannelForm, onDone: ChannelFormViewProps["onDone"]) {
  return {
    mutationFn: async (): Promise<CreateChannelResponse | undefined> => {
      if (channel) {
        const r = channelPatchFromForm(channel, form);
        if (!r.ok) throw new Error(r.error);
        await patchChannel(channel.id, r.value);
        return undefined;
      }
      const r = channelCreateFromForm(form);
      if (!r.ok) throw new Error(r.error);
      return createChannel(r.value);
    },
    onSuccess: async (created: CreateChannelResponse | undefined) => {
      await qc.invalidateQueries({ queryKey: alertKeys.channels() });
      onDone(created);
    },
    gcTime: 0,
  };
}

/** Create or edit a channel; each type shows its own fields. Secrets are write-only: empty keeps the stored one. */
export function ChannelFormView({ channel, onDone }: ChannelFormViewProps) {
  const qc = useQueryClient();
  const [form, setForm] = useState<ChannelForm>(() => channelFormOf(channel));
  const [problem, setProblem] = useState<string | null>(null);
  const editing = channel !== undefined;
  const set = <K extends keyof ChannelForm>(key: K, value: ChannelForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const save = useMutation(saveChannelOptions(qc, channel, form, onDone));

  const keep = editing ? "leave empty to keep the stored one" : undefined;
  return (
    <form
      aria-label={editing ? `Edit the channel ${channel.name}` : "New channel"}
      className="grid gap-4 rounded-lg border border-border bg-surface p-4 md:grid-cols-2"
      onSubmit={(e) => {
        e.preventDefault();
        setProblem(null);
        const check = channel ? channelPatchFromForm(channel, form) : channelCreateFromForm(form);
        if (!check.ok) return setProblem(check.error);
        save.mutate();
      }}
    >
      <Field label="Type">
        <Select value={form.type} disabled={editing} onChange={(e) => set("type", e.target.value as ChannelType)}>
          {(Object.keys(TYPE_LABEL) as ChannelType[]).map((t) => (
            <option key={t} value={t}>
              {TYPE_LABEL[t]}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Name">
        <Input value={form.name} maxLength={100} onChange={(e) => set("name", e.target.value)} placeholder="on-call" />
      </Field>
      {form.type !== "email" ? (
        <Field
          label={form.type === "slack" ? "Slack webhook URL" : "URL"}
          hint={editing ? `Now ${channel.target}; ${keep}.` : form.type === "slack" ? "A secret itself: stored sealed, never shown again." : "Minos POSTs the JSON payload here, signed."}
        >
          <Input type="url" value={form.url} onChange={(e) => set("url", e.target.value)} placeholder={form.type === "slack" ? "https://hooks.slack.com/services/…" : "https://hooks.example.com/minos"} />
        </Field>
      ) : null}
      {form.type === "webhook" ? (
        <Field label="Signing secret (16+ characters)" hint={editing ? (channel.hasSecret ? `Set; ${keep}.` : "None set.") : "Leave empty and Minos generates one, shown once."}>
          <Input type="password" autoComplete="new-password" value={form.secret} onChange={(e) => set("secret", e.target.value)} />
        </Field>
      ) : null}
      {form.type === "email" ? (
        <>
          <Field label="SMTP host">
            <Input value={form.smtpHost} onChange={(e) => set("smtpHost", e.target.value)} placeholder="smtp.example.com" />
          </Field>
          <div className="flex gap-3">
            <Field label="Port">
              <Input type="number" min={1} max={65535} className="w-28" value={form.smtpPort} onChange={(e) => set("smtpPort", e.target.value)} />
            </Field>
            <Field label="Security">
              <Select value={form.smtpSecurity} onChange={(e) => set("smtpSecurity", e.target.value as ChannelForm["smtpSecurity"])}>
                <option value="starttls">STARTTLS (usually 587)</option>
                <option value="tls">TLS (usually 465)</option>
              </Select>
            </Field>
          </div>
          <Field label="Username (optional)">
            <Input autoComplete="off" value={form.smtpUsername} onChange={(e) => set("smtpUsername", e.target.value)} />
          </Field>
          <Field label="Password (optional)" hint={editing ? (channel.smtp?.hasPassword ? `Set; ${keep}.` : "None set.") : undefined}>
            <Input type="password" autoComplete="new-password" value={form.smtpPassword} onChange={(e) => set("smtpPassword", e.target.value)} />
          </Field>
          <Field label="From">
            <Input type="email" value={form.smtpFrom} onChange={(e) => set("smtpFrom", e.target.value)} placeholder="minos@example.com" />
          </Field>
          <Field label="To" hint="One or more addresses, separated by commas.">
            <Input value={form.smtpTo} onChange={(e) => set("smtpTo", e.target.value)} placeholder="oncall@example.com" />
          </Field>
        </>
      ) : null}
      <fieldset className="flex flex-wrap items-center gap-3 text-sm">
        <legend className="mb-1 text-fg-muted">Severities it gets</legend>
        {SEVERITIES.map((s) => (
          <label key={s} className="flex items-center gap-1">
            <input
              type="checkbox"
              checked={form.severities.includes(s)}
              onChange={(e) => set("severities", e.target.checked ? [...form.severities, s] : form.severities.filter((x) => x !== s))}
            />
            {SEVERITY_LABEL[s]}
          </label>
        ))}
      </fieldset>
      <Field label="Clusters" hint="Cluster names separated by commas; empty: every cluster.">
        <Input value={form.clusters} onChange={(e) => set("clusters", e.target.value)} placeholder="every cluster" />
      </Field>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={form.enabled} onChange={(e) => set("enabled", e.target.checked)} /> Enabled
      </label>
      <div className="flex flex-wrap items-center gap-2 md:col-span-2">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {editing ? "Save channel" : "Create channel"}
        </Button>
        <Button variant="ghost" onClick={() => onDone()} disabled={save.isPending}>
          Cancel
        </Button>
        {problem || save.isError ? (
          <span role="alert" className="text-sm text-danger">
            {problem ?? save.error?.message}
          </span>
        ) : null}
      </div>
    </form>
  );
}
