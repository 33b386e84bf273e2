"use client";

import { Area, AreaChart, CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

import { formatClock, formatKb } from "@/components/fleet/format";
import { Card } from "@/components/ui/card";
import type { HistoryPoint } from "@/lib/schemas/fleet";

const axisTick = { fill: "var(--color-fg-muted)", fontSize: 11 };
const tooltipStyle = {
  contentStyle: { background: "var(--color-surface)", border: "1px solid var(--color-border)", borderRadius: 6, fontSize: 12 },
  labelStyle: { color: "var(--color-fg-muted)" },
  itemStyle: { color: "var(--color-fg)" },
};

function ChartCard({ title, latest, children, empty }: { title: string; latest: string; children: React.ReactNode; empty: boolean }) {
  return (
    <Card role="figure" aria-label={title} className="p-4">
      <div className="mb-2 flex items-baseline justify-between gap-2">
        <h3 className="text-sm font-medium">{title}</h3>
        <span className="text-sm tabular-nums text-fg-muted">{latest}</span>
      </div>
      {empty ? <p className="flex h-40 items-center justify-center text-sm text-fg-muted">No samples yet: the poller records one per sweep.</p> : children}
    </Card>
  );
}

/** Available memory and 1-minute load over the poller's window (the last 30 minutes at most). */
export function NodeCharts({ history, totalKb }: { history: HistoryPoint[]; totalKb: number | null }) {
  const data = history.map((p) => ({
    t: formatClock(p.t),
    memGiB: p.memAvailableKb === null ? null : Math.round((p.memAvailableKb / 1024 / 1024) * 100) / 100,
    load1: p.load1,
  }));
  const lastMem = [...history].reverse().find((p) => p.memAvailableKb !== null)?.memAvailableKb ?? null;
  const lastLoad = [...history].reverse().find((p) => p.load1 !== null)?.load1 ?? null;
  const memEmpty = !history.some((p) => p.memAvailableKb !== null);
  const loadEmpty = !history.some((p) => p.load1 !== null);
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartCard title="Memory available" latest={lastMem === null ? "–" : `${formatKb(lastMem)}${totalKb ? ` of ${formatKb(totalKb)}` : ""}`} empty={memEmpty}>
        <AreaChart responsive style={{ width: "100%", height: 160 }} data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--color-border)" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" tick={axisTick} stroke="var(--color-border)" minTickGap={40} />
          <YAxis
            tick={axisTick}
            stroke="var(--color-border)"
            width={56}
            unit=" GiB"
            domain={[0, totalKb ? Math.ceil(totalKb / 1024 / 1024) : "auto"]}
            allowDecimals={false}
          />
          <Tooltip {...tooltipStyle} formatter={(v) => [`${String(v)} GiB`, "Available"]} />
          <Area
            type="monotone"
            dataKey="memGiB"
            stroke="var(--color-accent)"
            fill="var(--color-accent)"
            fillOpacity={0.15}
            isAnimationActive={false}
            connectNulls={false}
          />
        </AreaChart>
      </ChartCard>
      <ChartCard title="Load (1 min)" latest={lastLoad === null ? "–" : lastLoad.toFixed(2)} empty={loadEmpty}>
        <LineChart responsive style={{ width: "100%", height: 160 }} data={data} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--color-border)" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" tick={axisTick} stroke="var(--color-border)" minTickGap={40} />
          <YAxis tick={axisTick} stroke="var(--color-border)" width={56} domain={[0, "auto"]} />
          <Tooltip {...tooltipStyle} formatter={(v) => [Number(v).toFixed(2), "Load"]} />
          <Line type="monotone" dataKey="load1" stroke="var(--color-info)" dot={false} strokeWidth={2} isAnimationActive={false} connectNulls={false} />
        </LineChart>
      </ChartCard>
    </div>
  );
}
