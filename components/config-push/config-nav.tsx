"use client";

import { FileCode2, History, Layers } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";

/** Editor · History · Rollouts: the config section's own navigation, keeping the node in view. */
export function ConfigNav({ node = null }: { node?: string | null }) {
  const pathname = usePathname();
  const q = node ? `?node=${encodeURIComponent(node)}` : "";
  const items = [
    { href: `/config${q}`, label: "Editor", icon: FileCode2, active: pathname === "/config" },
    { href: `/config/history${q}`, label: "History", icon: History, active: pathname.startsWith("/config/history") },
    { href: "/config/rollouts", label: "Rollouts", icon: Layers, active: pathname.startsWith("/config/rollouts") },
  ];
  return (
    <nav aria-label="Config" className="-mt-2 mb-4 flex gap-1 border-b border-border">
      {items.map((i) => (
        <Link
          key={i.label}
          href={i.href}
          aria-current={i.active ? "page" : undefined}
          className={`-mb-px flex items-center gap-2 border-b-2 px-3 py-2 text-sm font-medium ${i.active ? "border-accent text-fg" : "border-transparent text-fg-muted hover:text-fg"}`}
        >
          <i.icon aria-hidden className="size-4" /> {i.label}
        </Link>
      ))}
    </nav>
  );
}
