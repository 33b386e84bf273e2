"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleCheck, CircleHelp, Mail, MessageSquare, Pencil, Plus, Send, Trash2, Webhook, XCircle } from "lucide-react";
import Link from "next/link";
import { useState } from "react";

import { SecretOnce } from "@/components/auth/secret-once";
import { ChannelFormView } from "@/components/alerts/channel-form";
import { SEVERITY_LABEL } from "@/components/alerts/words";
import { useAlertPermissions } from "@/components/alerts/use-alert-permissions";
import { QueryError } from "@/components/fleet/query-error";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Skeleton } from "@/components/ui/skeleton";
import { alertKeys, channelsQueryOptions, deleteChannel, testChannel } from "@/lib/client/alerts";
import type { Channel, Delivery } from "@/lib/schemas/alerts";

const TYPE_ICON = { webhook: Webhook, slack: MessageSquare, email: Mail } as const;
const TYPE_NAME = { webhook: "Webhook", slack: "Slack", email: "Email" } as const;

/** ok, failing (red, with since when and why) or not tried yet: icon and word. */
export function ChannelStateBadge({ channel: c }: { channel: Channel }) {
  if (c.state === "failing") {
    return (
      <Badge tone="danger" title={c.lastError ?? undefined}>
        <XCircle aria-hidden className="size-3" />
        Failing
      </Badge>
    );
  }
  if (c.state === "ok") {
    return (
      <Badge tone="ok">
        <CircleCheck aria-hidden className="size-3" />
        OK
      </Badge>
    );
  }
  return (
    <Badge>
      <CircleHelp aria-hidden className="size-3" />
      Untested
    </Badge>
  );
}

function TestResult({ delivery: d }: { delivery: Delivery }) {
  return (
    <p role="status" className={d.ok ? "text-sm text-ok" : "text-sm text-danger"}>
      {d.ok ? "Test sent" : "Test failed"}
      {d.statusCode !== null ? ` (${d.statusCode})` : ""} in {d.durationMs} ms{d.error ? `: ${d.error}` : "."}
    </p>
  );
}

function ChannelCard({ channel: c, admin }: { channel: Channel; admin: boolean }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const test = useMutation({
    mutationFn: () => testChannel(c.id),
    onSettled: () => Promise.all([qc.invalidateQueries({ queryKey: alertKeys.channels() }), qc.invalidateQueries({ queryKey: alertKeys.deliveriesAll() })]),
  });
  const remove = useMutation({
    mutationFn: () => deleteChannel(c.id),
    onSuccess: () => qc.invalidateQueries({ queryKey: alertKeys.channels() }),
  });
  const Icon = TYPE_ICON[c.type];
  if (editing) return <ChannelFormView channel={c} onDone={() => setEditing(false)} />;
  return (
    <Card role="article" aria-label={`Channel ${c.name}`} tone={c.state === "failing" ? "danger" : undefined} className="p-4">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <h3 className="flex flex-wrap items-center gap-2 font-semibold">
            <Icon aria-hidden className="size-4 text-fg-muted" />
            {c.name}
            <ChannelStateBadge channel={c} />
            {c.enabled ? null : <Badge>Disabled</Badge>}
          </h3>
          <p className="break-all text-sm text-fg-muted">
            {TYPE_NAME[c.type]} · {c.target}
          </p>
          <p className="text-sm">
            Gets {c.severities.map((s) => SEVERITY_LABEL[s].toLowerCase()).join(", ")} alerts of {c.clusters ? c.clusters.join(", ") : "every cluster"}.
          </p>
          {c.state === "failing" ? (
            <p role="alert" className="text-sm text-danger">
              {c.consecutiveFailures} deliveries in a row failed{c.failingSince ? <> since <RelativeTime iso={c.failingSince} /></> : null}
              {c.lastError ? `: ${c.lastError}` : "."}
            </p>
          ) : null}
          <p className="text-xs text-fg-muted">
            Last delivery: {c.lastDeliveryAt ? <RelativeTime iso={c.lastDeliveryAt} /> : "never"} ·{" "}
            <Link href={`/alerts/deliveries?channel=${encodeURIComponent(c.id)}`} className="text-accent hover:underline">
              Delivery log
            </Link>
          </p>
        </div>
        {admin ? (
          <div className="flex flex-wrap items-center gap-2">
            <Button size="sm" disabled={test.isPending} onClick={() => test.mutate()} aria-label={`${test.isPending ? "Sending a test" : "Send a test"} to ${c.name}`}>
              <Send aria-hidden className="size-4" />
              {test.isPending ? "Sending…" : "Send a test"}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setEditing(true)} aria-label={`Edit ${c.name}`}>
              <Pencil aria-hidden className="size-4" />
              Edit
            </Button>
            {confirming ? (
              <>
                <Button size="sm" variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
                  Delete {c.name} for good
                </Button>
                <Button size="sm" variant="ghost" onClick={() => setConfirming(false)}>
                  Keep it
                </Button>
              </>
            ) : (
              <Button size="sm" variant="ghost" onClick={() => setConfirming(true)} aria-label={`Delete ${c.name}`}>
                <Trash2 aria-hidden className="size-4" />
                Delete
              </Button>
            )}
          </div>
        ) : null}
      </div>
      {test.data ? <TestResult delivery={test.data.delivery} /> : null}
      {test.isError ? (
        <p role="alert" className="text-sm text-danger">
          {test.error.message}
        </p>
      ) : null}
      {remove.isError ? (
        <p role="alert" className="text-sm text-danger">
          {remove.error.message}
        </p>
      ) : null}
    </Card>
  );
}

/** Where notifications go: each channel with its state (failing in red); admins create, edit, test and delete. */
export function ChannelList() {
  const q = useQuery(channelsQueryOptions());
  const { admin } = useAlertPermissions();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  return (
    <div className="space-y-4">
      {admin && !creating ? (
        <Button variant="primary" onClick={() => setCreating(true)}>
          <Plus aria-hidden className="size-4" />
          New channel
        </Button>
      ) : null}
      {creating ? (
        <ChannelFormView
          onDone={(created) => {
            setCreating(false);
            if (created?.secret) setSecret({ name: created.channel.name, value: created.secret });
          }}
        />
      ) : null}
      {secret ? <SecretOnce label={`Signing secret of ${secret.name}`} value={secret.value} onDone={() => setSecret(null)} /> : null}
      {q.isPending ? (
        <Skeleton className="h-32" />
      ) : q.isError ? (
        <QueryError what="the channels" error={q.error} retry={() => void q.refetch()} />
      ) : q.data.channels.length === 0 ? (
        <EmptyState icon={Send} title="No channel yet">
          Alerts show here and in the header&apos;s bell, but nobody is notified until {admin ? "you add" : "an admin adds"} a webhook, Slack or email channel.
        </EmptyState>
      ) : (
        <div className="space-y-3">
          {q.data.channels.map((c) => (
            <ChannelCard key={c.id} channel={c} admin={admin} />
          ))}
        </div>
      )}
    </div>
  );
}
