"use client";

import { DrainPolicyFields } from "@/components/drain/drain-policy-fields";
import { DEFAULT_DRAIN_POLICY, type DrainPolicy } from "@/lib/schemas/kubernetes";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Layers, LoaderCircle } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";

import { Button } from "@/components/ui/button";
import { nodeId } from "@/lib/fleet/node-id";
import { clustersQueryOptions } from "@/lib/client/clusters";
import { DEFAULT_TRY_TIMEOUT_SECONDS, rolloutModeSchema, type CreateRolloutBody, type RolloutMode } from "@/lib/schemas/configs";
import { createRollout } from "@/lib/client/config-push";

import { ConfirmDialog } from "./confirm-dialog";
import { describeFailure, type ProblemText } from "./errors";
import { ModeChooser } from "./mode-chooser";
import { ProblemAlert } from "./preflight-result";
import { MODE_LABEL } from "./push-model";

type Scope = "all" | "controlplane" | "worker" | "chosen";
const ROLLOUT_MODES = rolloutModeSchema.options;

const SCOPES: { value: Scope; label: string }[] = [
  { value: "all", label: "Every node of the cluster" },
  { value: "controlplane", label: "Control planes only" },
  { value: "worker", label: "Workers only" },
  { value: "chosen", label: "Only the nodes I tick" },
];

/** Human words for a target, for the confirmation. */
function targetWords(scope: Scope, cluster: string, chosen: string[]): string {
  if (scope === "chosen") return `${chosen.length} chosen node${chosen.length === 1 ? "" : "s"} of ${cluster}`;
  if (scope === "controlplane") return `the control planes of ${cluster}`;
  if (scope === "worker") return `the workers of ${cluster}`;
  return `every node of ${cluster}`;
}

interface RolloutFormProps {
  yaml: string;
  validated: boolean;
  localErrors: number;
  defaultCluster: string | null;
}

/**
 * One manifest to a selection of nodes. Minos preflights every target first and applies nothing
 * if any refuses; then applies with the concurrency given (control planes one at a time).
 */
export function RolloutForm({ yaml, validated, localErrors, defaultCluster }: RolloutFormProps) {
  const id = useId();
  const router = useRouter();
  const clusters = useQuery(clustersQueryOptions);
  const list = clusters.data?.clusters ?? [];
  const [clusterPick, setCluster] = useState<string | null>(defaultCluster);
  const cluster = list.find((c) => c.name === clusterPick) ?? list[0] ?? null;
  const [scope, setScope] = useState<Scope>("all");
  const [chosen, setChosen] = useState<string[]>([]);
  const [mode, setMode] = useState<RolloutMode>("auto");
  const [concurrency, setConcurrency] = useState(1);
  const [continueOnFailure, setContinue] = useState(false);
  const [drain, setDrain] = useState<DrainPolicy>(DEFAULT_DRAIN_POLICY);
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<ProblemText | null>(null);

  const chosenHere = cluster ? chosen.filter((n) => cluster.nodes.some((a) => nodeId(cluster.name, a) === n)) : [];
  const start = useMutation({
    mutationFn: (body: CreateRolloutBody) => createRollout(body),
    onMutate: () => setProblem(null),
    onSuccess: (rollout) => router.push(`/config/rollouts/${encodeURIComponent(rollout.id)}`),
    onError: (e) => {
      setConfirming(false);
      setProblem(describeFailure(e, cluster ? targetWords(scope, cluster.name, chosenHere) : "the nodes", "roll out to"));
    },
  });

  const blocker = !validated
    ? "Checking the config…"
    : localErrors > 0
      ? `Fix the ${localErrors === 1 ? "error" : `${localErrors} errors`} in the editor first.`
      : !cluster
        ? "No cluster to roll out to."
        : scope === "chosen" && chosenHere.length === 0
          ? "Tick at least one node."
          : null;

  function body(): CreateRolloutBody {
    return {
      yaml,
      target: {
        cluster: cluster!.name,
        role: scope === "controlplane" || scope === "worker" ? scope : undefined,
        nodes: scope === "chosen" ? chosenHere : undefined,
      },
      mode,
      concurrency,
      continueOnFailure,
      strategy: { drain },
    };
  }

  return (
    <div className="space-y-3 px-4 py-3">
      <div className="grid gap-4 lg:grid-cols-3">
        <fieldset className="space-y-2">
          <legend className="mb-1 text-sm font-semibold">Which nodes</legend>
          <label className="flex items-center gap-2 text-sm">
            Cluster
            <select
              value={cluster?.name ?? ""}
              onChange={(e) => setCluster(e.target.value)}
              className="h-8 rounded-md border border-border bg-surface px-2 text-sm"
              disabled={list.length === 0}
            >
              {list.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.nodes.length} nodes)
                </option>
              ))}
            </select>
          </label>
          {clusters.isError ? <p role="alert" className="text-sm text-danger">Cannot list the clusters: {clusters.error.message}</p> : null}
          {SCOPES.map((s) => (
            <label key={s.value} className="flex items-center gap-2 text-sm">
              <input type="radio" name={`${id}-scope`} value={s.value} checked={scope === s.value} onChange={() => setScope(s.value)} className="accent-accent" />
              {s.label}
            </label>
          ))}
          {scope === "chosen" && cluster ? (
            <ul aria-label="Nodes to include" className="max-h-48 space-y-1 overflow-auto rounded-md border border-border p-2">
              {cluster.nodes.map((address) => {
                const nid = nodeId(cluster.name, address);
                return (
                  <li key={nid}>
                    <label className="flex items-center gap-2 font-mono text-sm">
                      <input
                        type="checkbox"
                        checked={chosen.includes(nid)}
                        onChange={(e) => setChosen(e.target.checked ? [...chosen, nid] : chosen.filter((n) => n !== nid))}
                        className="accent-accent"
                      />
                      {address}
                    </label>
                  </li>
                );
              })}
            </ul>
          ) : null}
        </fieldset>
        <ModeChooser value={mode} onChange={(m) => setMode(m as RolloutMode)} modes={ROLLOUT_MODES} rebootAvailable tryTimeoutSeconds={DEFAULT_TRY_TIMEOUT_SECONDS} />
        <fieldset className="space-y-2 text-sm">
          <legend className="mb-1 font-semibold">Pace</legend>
          <label className="flex items-center gap-2">
            Workers at once
            <input
              type="number"
              min={1}
              max={16}
              value={concurrency}
              onChange={(e) => setConcurrency(Math.min(16, Math.max(1, Number(e.target.value) || 1)))}
              className="h-8 w-16 rounded-md border border-border bg-surface px-2"
            />
          </label>
          <p className="text-fg-muted">Control planes always go one at a time, each back healthy before the next.</p>
          <label className="flex items-start gap-2">
            <input type="checkbox" checked={continueOnFailure} onChange={(e) => setContinue(e.target.checked)} className="mt-1 accent-accent" />
            <span>
              Go on after a node fails
              <span className="block text-fg-muted">Off: the rollout stops at the first failed node, and you decide.</span>
            </span>
          </label>
        </fieldset>
      </div>
      {/* Only nodes whose mode reboots are drained (the preflight tells which). */}
      {mode !== "no-reboot" ? <DrainPolicyFields id={id} value={drain} onChange={setDrain} /> : null}
      <div className="flex flex-wrap items-center gap-3 border-t border-border pt-3">
        <Button variant={mode === "reboot" ? "danger" : "primary"} disabled={blocker !== null || start.isPending} onClick={() => setConfirming(true)} aria-describedby={`${id}-why`}>
          {start.isPending ? <LoaderCircle aria-hidden className="size-4 animate-spin motion-reduce:animate-none" /> : <Layers aria-hidden className="size-4" />}
          {start.isPending ? "Preflighting every node…" : "Preflight all and start the rollout…"}
        </Button>
        <p id={`${id}-why`} className="text-sm text-fg-muted">
          {blocker ?? "Every node runs a preflight first; if any refuses, nothing is applied and you see each node's reason."}
        </p>
      </div>
      {problem ? <ProblemAlert problem={problem} /> : null}
      {cluster ? (
        <ConfirmDialog
          open={confirming}
          title={`Roll out this config to ${targetWords(scope, cluster.name, chosenHere)}?`}
          confirmLabel={mode === "reboot" ? `Roll out and reboot nodes of ${cluster.name}` : `Start the rollout on ${cluster.name}`}
          danger={mode === "reboot"}
          busy={start.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => start.mutate(body())}
        >
          <p>
            <span className="font-semibold">Mode:</span> {MODE_LABEL[mode]}. <span className="font-semibold">Workers at once:</span> {concurrency}.{" "}
            {continueOnFailure ? "Goes on after a failed node." : "Stops at the first failed node."}
          </p>
          {scope === "chosen" ? <p className="font-mono text-xs">{chosenHere.map((n) => n.split("@")[0]).join(", ")}</p> : null}
          {mode === "reboot" ? <p className="font-semibold text-danger">Every node reboots in turn.</p> : null}
          <p className="text-fg-muted">Nothing is applied unless every node passes its preflight.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
