"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";

import { keepCluster } from "@/lib/utils/cluster-param";
import { cn } from "@/lib/utils/cn";

export function isActive(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** One link of the main navigation: marks the current page and keeps the selected cluster. */
export function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  const cluster = useSearchParams().get("cluster");
  const active = isActive(pathname, href);
  return (
    <Link
      href={keepCluster(href, cluster)}
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-accent",
        active ? "bg-accent/10 text-accent" : "text-fg-muted hover:bg-surface-muted hover:text-fg",
      )}
    >
      {children}
    </Link>
  );
}
