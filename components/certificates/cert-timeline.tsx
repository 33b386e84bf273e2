"use client";

import { useSyncExternalStore } from "react";
import { CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";

import { certName, formatTimeLeft, formatUtc } from "@/lib/certs/view";
import type { Certificate, CertTier } from "@/lib/schemas/certs";

/** Expired and nearly expired certificates sit at the left edge of the log scale. */
const MIN_HOURS = 0.25;
const TICKS = [1, 24, 24 * 7, 24 * 30, 24 * 365, 24 * 3650];
const TICK_LABELS: Record<number, string> = { 1: "1 h", 24: "1 day", 168: "1 week", 720: "30 days", 8760: "1 year", 87600: "10 years" };

// Shape and colour both mark the tier; the legend names them.
const TIER_LOOK: Record<CertTier, { label: string; color: string; shape: "triangle" | "diamond" | "square" | "circle" }> = {
  critical: { label: "Critical", color: "var(--color-danger)", shape: "triangle" },
  warning: { label: "Warning", color: "var(--color-warn)", shape: "diamond" },
  notice: { label: "Notice", color: "var(--color-info)", shape: "square" },
  ok: { label: "OK", color: "var(--color-ok)", shape: "circle" },
};

interface Point {
  hours: number;
  /** Row index: one row per purpose, your credentials first, then CAs, then leaves. */
  row: number;
  cert: Certificate;
}

const kindOrder = { client: 0, ca: 1, leaf: 2 } as const;

const subscribeNever = () => () => {};

function PointTooltip({ active, payload, asOf }: { active?: boolean; payload?: readonly { payload?: Point }[]; asOf: Date }) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  const c = p.cert;
  return (
    <div className="rounded-md border border-border bg-surface px-3 py-2 text-xs shadow-md">
      <div className="font-medium">{c.purpose}</div>
      <div className="font-mono text-fg-muted">{certName(c)}</div>
      <div className="mt-1">
        {TIER_LOOK[c.tier].label} · {formatTimeLeft(c.notAfter, asOf)} · {formatUtc(c.notAfter)}
      </div>
      <div className="text-fg-muted">{c.cluster}</div>
    </div>
  );
}

/**
 * When each certificate expires, on a log time axis (a 24 h apid certificate and a 10-year CA in
 * one view), one row per purpose; reference lines mark the 7-day, 30-day and 1-year thresholds.
 */
export function CertTimeline({ certificates, asOf }: { certificates: Certificate[]; asOf: Date }) {
  // Recharts measures the DOM; rendering it on the server only produces an empty box and warnings.
  const mounted = useSyncExternalStore(subscribeNever, () => true, () => false);
  const rows = [...new Map([...certificates].sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind]).map((c) => [c.purpose, c.kind])).keys()];
  const points: Point[] = certificates.map((cert) => ({
    hours: Math.max(MIN_HOURS, (Date.parse(cert.notAfter) - asOf.getTime()) / 3_600_000),
    row: rows.indexOf(cert.purpose),
    cert,
  }));
  const maxHours = Math.max(24 * 3650, ...points.map((p) => p.hours)) * 1.3;
  const height = 70 + rows.length * 30;
  const tiers = (Object.keys(TIER_LOOK) as CertTier[]).filter((t) => points.some((p) => p.cert.tier === t));

  return (
    <figure aria-label="Certificate expiry timeline" className="px-2 pt-3">
      <figcaption className="sr-only">
        Time until each certificate expires, on a logarithmic axis from {TICK_LABELS[1]} to {TICK_LABELS[87600]}.
      </figcaption>
      <div style={{ height }} aria-hidden={!mounted}>
        {mounted ? (
          <ResponsiveContainer width="100%" height="100%">
            <ScatterChart margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
              <CartesianGrid stroke="var(--color-border)" strokeDasharray="3 3" />
              <XAxis
                type="number"
                dataKey="hours"
                scale="log"
                domain={[MIN_HOURS, maxHours]}
                ticks={TICKS}
                tickFormatter={(v: number) => TICK_LABELS[v] ?? ""}
                stroke="var(--color-fg-muted)"
                fontSize={12}
                allowDataOverflow
              />
              <YAxis
                type="number"
                dataKey="row"
                domain={[-0.5, rows.length - 0.5]}
                ticks={rows.map((_, i) => i)}
                tickFormatter={(i: number) => rows[i] ?? ""}
                reversed
                interval={0}
                width={230}
                stroke="var(--color-fg-muted)"
                fontSize={12}
              />
              {[24 * 7, 24 * 30, 24 * 365].map((h) => (
                <ReferenceLine key={h} x={h} stroke="var(--color-fg-muted)" strokeDasharray="4 4" />
              ))}
              <Tooltip content={(props) => <PointTooltip active={props.active} payload={props.payload as readonly { payload?: Point }[]} asOf={asOf} />} cursor={false} />
              <Legend verticalAlign="top" height={28} iconSize={10} wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
              {tiers.map((t) => (
                <Scatter
                  key={t}
                  name={TIER_LOOK[t].label}
                  data={points.filter((p) => p.cert.tier === t)}
                  fill={TIER_LOOK[t].color}
                  shape={TIER_LOOK[t].shape}
                  isAnimationActive={false}
                />
              ))}
            </ScatterChart>
          </ResponsiveContainer>
        ) : null}
      </div>
      <p className="px-2 pb-2 text-xs text-fg-muted">
        Time left from the last scan, log scale. Dashed lines: 7 days, 30 days and 1 year. Expired certificates sit at the left edge.
      </p>
    </figure>
  );
}
