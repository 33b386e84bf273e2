"use client";

import { useQuery } from "@tanstack/react-query";
import { Layers, Lock, Server, TriangleAlert } from "lucide-react";
import { useState } from "react";

import { useControlAccess } from "@/components/auth/use-availability";
import { Card } from "@/components/ui/card";
import { nodeId, parseNodeId } from "@/lib/fleet/node-id";
import { clustersQueryOptions } from "@/lib/client/clusters";
import type { ApplyResponse } from "@/lib/schemas/configs";

import { PushPanel } from "./push-panel";
import { RolloutForm } from "./rollout-form";

export function nodeLabelOf(id: string): string {
  const parsed = parseNodeId(id);
  return parsed ? `${parsed.address} (${parsed.cluster})` : id;
}

interface PushSectionProps {
  /** The node whose running config is open, if any: the default target. */
  sourceNode: string | null;
  yaml: string;
  validated: boolean;
  localErrors: number;
  /** The open node's Talos version, when known. */
  talosVersion: string | null | undefined;
  cluster: string | null;
  plain: boolean;
  /** The text has redacted secrets (a node's config), to be merged back by the server. */
  redacted: boolean;
  onApplied: (node: string, result: ApplyResponse) => void;
}

/** Where the editor's text goes: one node (preflight → apply) or a rollout over several. */
export function PushSection({ sourceNode, yaml, validated, localErrors, talosVersion, cluster, plain, redacted, onApplied }: PushSectionProps) {
  const [tab, setTab] = useState<"node" | "rollout">("node");
  const clusters = useQuery(clustersQueryOptions);
  const all = (clusters.data?.clusters ?? []).filter((c) => !cluster || c.name === cluster).flatMap((c) => c.nodes.map((a) => nodeId(c.name, a)));
  const [picked, setPicked] = useState<string>("");
  const target = sourceNode ?? (all.includes(picked) ? picked : (all[0] ?? null));
  const tabs = [
    { id: "node" as const, label: "Apply to one node", icon: Server },
    { id: "rollout" as const, label: "Roll out to several nodes", icon: Layers },
  ];
  const targetCluster = (target ? parseNodeId(target)?.cluster : null) ?? cluster;
  const access = useControlAccess("applyConfig", targetCluster);
  if (access.hidden || !access.allowed) {
    // A viewer or operator gets no apply or rollout controls at all; os:reader credentials say why.
    return (
      <section aria-label="Push this config">
        <p role="note" className="flex items-start gap-2 rounded-md border border-border bg-surface-muted px-3 py-2 text-sm text-fg-muted">
          <Lock aria-hidden className="mt-0.5 size-4 shrink-0" />
          {access.hidden ? "Applying configs and starting rollouts needs the Admin role in Minos." : access.reason}
        </p>
      </section>
    );
  }

  return (
    <section aria-label="Push this config" className="space-y-3">
      <div role="tablist" aria-label="Push this config" className="flex flex-wrap items-end gap-1 border-b border-border">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            type="button"
            id={`push-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`push-panel-${t.id}`}
            onClick={() => setTab(t.id)}
            className={`-mb-px flex items-center gap-2 border-b-2 px-3 py-2 text-sm font-medium ${tab === t.id ? "border-accent text-fg" : "border-transparent text-fg-muted hover:text-fg"}`}
          >
            <t.icon aria-hidden className="size-4" /> {t.label}
          </button>
        ))}
      </div>
      {!sourceNode && !redacted ? (
        <p role="note" className="flex items-start gap-2 rounded-md border border-warn/40 bg-warn/10 px-3 py-2 text-sm">
          <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0 text-warn" />
          <span>
            <span className="font-semibold">This config carries its own secrets and identity.</span> Applied to a node that is already in a cluster, it replaces that
            node&apos;s tokens, keys and certificates. To change a running node, open its running config instead.
          </span>
        </p>
      ) : null}
      {tab === "node" ? (
        <div role="tabpanel" id="push-panel-node" aria-labelledby="push-tab-node" className="space-y-2">
          {!sourceNode ? (
            <label className="flex items-center gap-2 text-sm">
              <span className="font-medium">Target node</span>
              <select
                aria-label="Target node"
                value={target ?? ""}
                onChange={(e) => setPicked(e.target.value)}
                className="h-8 w-64 rounded-md border border-border bg-surface px-2 font-mono text-sm"
                disabled={all.length === 0}
              >
                {all.map((n) => (
                  <option key={n} value={n}>
                    {nodeLabelOf(n)}
                  </option>
                ))}
              </select>
              <span className="text-fg-muted">This config replaces the node&apos;s whole config.</span>
            </label>
          ) : null}
          {target ? (
            <PushPanel
              key={target}
              node={target}
              nodeLabel={nodeLabelOf(target)}
              yaml={yaml}
              validated={validated}
              localErrors={localErrors}
              talosVersion={sourceNode ? talosVersion : null}
              plain={plain}
              onApplied={(r) => onApplied(target, r)}
            />
          ) : (
            <Card className="px-4 py-6 text-sm text-fg-muted">No node to apply to: your talosconfig names none.</Card>
          )}
        </div>
      ) : (
        <Card role="tabpanel" id="push-panel-rollout" aria-labelledby="push-tab-rollout">
          <RolloutForm yaml={yaml} validated={validated} localErrors={localErrors} defaultCluster={sourceNode ? (parseNodeId(sourceNode)?.cluster ?? cluster) : cluster} />
        </Card>
      )}
    </section>
  );
}
