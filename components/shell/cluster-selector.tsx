"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";

import type { Cluster } from "@/lib/schemas/fleet";

const ALL = "";

export function ClusterSelector({ clusters }: { clusters: Cluster[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const selected = searchParams.get("cluster") ?? ALL;

  function select(name: string) {
    const next = new URLSearchParams(searchParams);
    if (name === ALL) next.delete("cluster");
    else next.set("cluster", name);
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname);
  }

  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="text-fg-muted">Cluster</span>
      <select
        value={selected}
        onChange={(e) => select(e.target.value)}
        disabled={clusters.length === 0}
        className="h-8 rounded-md border border-border bg-surface px-2 text-sm text-fg"
      >
        <option value={ALL}>All clusters ({clusters.length})</option>
        {clusters.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}
