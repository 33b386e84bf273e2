import { CircleCheck, OctagonAlert, TriangleAlert } from "lucide-react";
import type { ReactNode } from "react";

import { ScrollX } from "@/components/ui/scroll-x";
import { blockingPdbs, type BlockedDrain } from "@/lib/client/kubernetes";
import type { DrainResult } from "@/lib/schemas/kubernetes";

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function PodList({ label, pods }: { label: string; pods: readonly string[] }) {
  if (pods.length === 0) return null;
  return (
    <ul aria-label={label} className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 font-mono text-xs">
      {pods.map((p) => (
        <li key={p}>{p}</li>
      ))}
    </ul>
  );
}

/** What a finished drain did: the pods evicted (or deleted when forced) and those left in place. */
export function DrainDone({ result }: { result: DrainResult }) {
  const forced = result.outcome === "forced";
  const Icon = forced ? TriangleAlert : CircleCheck;
  return (
    <div
      role="status"
      aria-label="Drain result"
      className={forced ? "rounded-md border border-warn/30 bg-warn/10 px-3 py-2 text-sm" : "rounded-md border border-ok/30 bg-ok/10 px-3 py-2 text-sm"}
    >
      <p className={forced ? "flex items-center gap-2 font-medium text-warn" : "flex items-center gap-2 font-medium text-ok"}>
        <Icon aria-hidden className="size-4 shrink-0" />
        {forced
          ? `Drained ${result.nodeName} by force in ${Math.round(result.seconds)} s: ${plural(result.evicted.length, "pod")} evicted, ${plural(result.forced.length, "pod")} deleted by force`
          : `Drained ${result.nodeName} in ${Math.round(result.seconds)} s: ${plural(result.evicted.length, "pod")} evicted`}
      </p>
      <PodList label="Evicted pods" pods={result.evicted} />
      <PodList label="Deleted pods" pods={result.forced} />
      {result.ignored.length > 0 ? (
        <p className="mt-1 text-xs text-fg-muted">
          {plural(result.ignored.length, "DaemonSet or static pod")} left in place, as <code className="font-mono">kubectl drain</code> does.
        </p>
      ) : null}
    </div>
  );
}

/** A drain halted (at its timeout, or at once for pods no controller owns): which pods are still there, and what holds them. */
export function DrainBlocked({ nodeName, blocked, actions }: { nodeName: string; blocked: BlockedDrain; actions?: ReactNode }) {
  const pdbs = blockingPdbs(blocked.blocking);
  return (
    <div role="alert" aria-label="Drain blocked" className="space-y-2 rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm">
      <p className="flex items-center gap-2 font-medium text-danger">
        <OctagonAlert aria-hidden className="size-4 shrink-0" />
        The drain of {nodeName} stopped: {plural(blocked.blocking.length, "pod")} could not be evicted
        {pdbs.length > 0 ? `; held by ${pdbs.length === 1 ? "PodDisruptionBudget" : "PodDisruptionBudgets"} ${pdbs.join(", ")}` : ""}.
      </p>
      <ScrollX label="Blocking pods">
        <table aria-label="Blocking pods" className="w-full text-left text-xs">
          <thead className="text-fg-muted">
            <tr>
              <th className="py-1 pr-3 font-medium">Pod</th>
              <th className="py-1 pr-3 font-medium">PodDisruptionBudgets</th>
              <th className="py-1 font-medium">Last answer</th>
            </tr>
          </thead>
          <tbody>
            {blocked.blocking.map((p) => (
              <tr key={`${p.namespace}/${p.name}`} className="border-t border-danger/20 align-top">
                <td className="py-1 pr-3 font-mono">
                  {p.namespace}/{p.name}
                </td>
                <td className="py-1 pr-3 font-mono">{p.pdbs.length > 0 ? p.pdbs.join(", ") : "none"}</td>
                <td className="py-1">{p.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollX>
      {blocked.evicted.length > 0 ? <p className="text-xs text-fg-muted">Evicted before it stopped: {blocked.evicted.join(", ")}</p> : null}
      <p className="text-xs text-fg-muted">The node stays cordoned. Retry when the budget allows, force the drain, or uncordon the node.</p>
      {actions ? <div className="flex flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}
