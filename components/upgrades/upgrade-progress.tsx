import type { UpgradePlan } from "@/lib/schemas/upgrades";
import { formatDuration } from "@/lib/upgrades/progress";
import { cn } from "@/lib/utils/cn";

const barTone: Record<UpgradePlan["state"], string> = {
  pending: "bg-info",
  running: "bg-info",
  paused: "bg-warn",
  cancelling: "bg-warn",
  cancelled: "bg-fg-muted",
  failed: "bg-danger",
  succeeded: "bg-ok",
};

/** The overall bar: nodes finished of the total, with the ETA in words beside it. */
export function UpgradeProgress({ plan }: { plan: Pick<UpgradePlan, "state" | "progress"> }) {
  const { progress: p, state } = plan;
  const live = state === "running" || state === "pending" || state === "cancelling";
  const eta = !live ? null : p.etaSeconds === null ? "estimating time left after the first node" : `about ${formatDuration(p.etaSeconds)} left`;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span>
          <strong className="text-lg tabular-nums">{Math.round(p.percent)}%</strong>{" "}
          <span className="text-fg-muted">
            {p.done} of {p.total} nodes upgraded{p.inFlight > 0 ? `, ${p.inFlight} in progress` : ""}
            {p.failed > 0 ? `, ${p.failed} failed` : ""}
            {p.skipped > 0 ? `, ${p.skipped} skipped` : ""}
          </span>
        </span>
        {eta ? <span className="text-fg-muted">{eta}</span> : null}
      </div>
      <div
        role="progressbar"
        aria-label="Upgrade progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(p.percent)}
        aria-valuetext={`${Math.round(p.percent)}%: ${p.done} of ${p.total} nodes upgraded`}
        className="h-3 w-full overflow-hidden rounded-full bg-surface-muted"
      >
        <div className={cn("h-full transition-[width] duration-500", barTone[state])} style={{ width: `${p.percent}%` }} />
      </div>
    </div>
  );
}
