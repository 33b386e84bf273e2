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
    <label className="flex min-w-0 items-center gap-2 text-sm">
      {/* Hidden on a phone (still the select's name) to leave the header room. */}
      <span className="sr-only text-fg-muted sm:not-sr-only">Cluster</span>
      <select
        value={selected}
        onChange={(e) => select(e.target.value)}
        disabled={clusters.length === 0}
        className="h-8 min-w-0 max-w-[11rem] rounded-md border border-border bg-surface px-2 text-sm text-fg sm:max-w-none"
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
