"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";

import { navItemsFor } from "@/components/shell/nav-items";
import type { Role } from "@/lib/schemas/auth";
import { cn } from "@/lib/utils/cn";

export function isActive(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/**
 * The main navigation: the sidebar on wide screens and the menu drawer on narrow ones render the
 * same links, so both mark the current page and keep the selected cluster the same way.
 */
export function Sidebar({ role, onNavigate }: { role: Role; onNavigate?: () => void }) {
  const pathname = usePathname();
  const cluster = useSearchParams().get("cluster");
  // Keep the selected cluster when moving between pages.
  const suffix = cluster ? `?cluster=${encodeURIComponent(cluster)}` : "";
  return (
    <nav aria-label="Main" className="flex flex-col gap-1 p-3">
      {navItemsFor(role).map(({ href, label, icon: Icon }) => {
        const active = isActive(pathname, href);
        return (
          <Link
            key={href}
            href={`${href}${suffix}`}
            aria-current={active ? "page" : undefined}
            onClick={onNavigate}
            className={cn(
              "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-accent",
              active ? "bg-accent/10 text-accent" : "text-fg-muted hover:bg-surface-muted hover:text-fg",
            )}
          >
            <Icon aria-hidden className="size-4" />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
