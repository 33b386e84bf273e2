"use client";

import { Input, Select } from "@/components/ui/input";
import { nodeSelectorSchema, type NodeSelector } from "@/lib/schemas/selector";

/**
 * The bulk bar's other way to say which nodes: a selector (role, hostname glob, Talos version,
 * Minos labels). A module of its own, loaded (with zod) once the selector is chosen: most visits
 * to the nodes page never open it (issue 20's page weight).
 */

export interface SelectorInput {
  role: string;
  hostname: string;
  talosVersion: string;
  labels: string;
}

/** `zone=a, rack=r1` → labels; null when a part is not `key=value`. */
export function parseLabels(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** The selector the fields say, in `cluster` (the header's) when one is chosen, or why there is none. */
export function readSelector(fields: SelectorInput, cluster: string | null): { selector: NodeSelector } | { problem: string } {
  const labels = parseLabels(fields.labels);
  if (labels === null) return { problem: "Labels are key=value, separated by commas." };
  const parsed = nodeSelectorSchema.safeParse({
    ...(cluster ? { cluster } : {}),
    ...(fields.role ? { role: fields.role } : {}),
    ...(fields.hostname.trim() ? { hostname: fields.hostname.trim() } : {}),
    ...(fields.talosVersion.trim() ? { talosVersion: fields.talosVersion.trim() } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
  });
  return parsed.success ? { selector: parsed.data } : { problem: parsed.error.issues[0]?.message ?? "Not a selector." };
}

export function SelectorFields({ fields, onChange, cluster }: { fields: SelectorInput; onChange: (next: SelectorInput) => void; cluster: string | null }) {
  const read = readSelector(fields, cluster);
  return (
    <div className="flex flex-wrap items-end gap-2">
      <label className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
        Role
        <Select value={fields.role} onChange={(e) => onChange({ ...fields, role: e.target.value })}>
          <option value="">Any role</option>
          <option value="controlplane">Control plane</option>
          <option value="worker">Worker</option>
        </Select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
        Hostname (* and ?)
        <Input value={fields.hostname} placeholder="w-gpu-*" onChange={(e) => onChange({ ...fields, hostname: e.target.value })} />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
        Talos version
        <Input value={fields.talosVersion} placeholder="v1.13" onChange={(e) => onChange({ ...fields, talosVersion: e.target.value })} />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
        Labels (from the manifest)
        <Input value={fields.labels} placeholder="zone=a, gpu=true" onChange={(e) => onChange({ ...fields, labels: e.target.value })} />
      </label>
      {"problem" in read ? (
        <p role="alert" className="text-xs text-danger">
          {read.problem}
        </p>
      ) : (
        <p className="text-xs text-fg-muted">{cluster ? `In cluster ${cluster}.` : "Pick a cluster in the header if the selection spans several."}</p>
      )}
    </div>
  );
}
