"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { keepCluster } from "@/lib/utils/cluster-param";
import { cn } from "@/lib/utils/cn";

const TABS = [
  { href: "/alerts", label: "Alerts" },
  { href: "/alerts/rules", label: "Rules" },
  { href: "/alerts/channels", label: "Channels" },
  { href: "/alerts/silences", label: "Silences" },
  { href: "/alerts/deliveries", label: "Delivery log" },
] as const;

function Tabs({ cluster }: { cluster: string | null }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Alerts sections" className="mb-6 flex flex-wrap gap-1 border-b border-border">
      {TABS.map((t) => {
        const active = pathname === t.href;
        return (
          <Link
            key={t.href}
            href={keepCluster(t.href, cluster)}
            aria-current={active ? "page" : undefined}
            className={cn("-mb-px border-b-2 px-3 py-2 text-sm font-medium", active ? "border-accent text-accent" : "border-transparent text-fg-muted hover:text-fg")}
          >
            {t.label}
          </Link>
        );
      })}
    </nav>
  );
}

function TabsKeepingCluster() {
  return <Tabs cluster={useSearchParams().get("cluster")} />;
}

/**
 * The alert pages' own navigation, under the page header. The links keep the selected cluster
 * (the query string is read under its own Suspense: a static render gets the plain links).
 */
export function AlertsTabs() {
  return (
    <Suspense fallback={<Tabs cluster={null} />}>
      <TabsKeepingCluster />
    </Suspense>
  );
}
