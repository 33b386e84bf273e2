import { Activity, Bell, Boxes, DatabaseBackup, FileCode2, KeyRound, Layers, LayoutDashboard, RotateCcwKey, ScrollText, Server, ShieldCheck, type LucideIcon } from "lucide-react";

import type { Role } from "@/lib/schemas/auth";
import { roleAllows } from "@/lib/auth/roles";

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
}

export const navItems: NavItem[] = [
  { href: "/", label: "Overview", icon: LayoutDashboard },
  { href: "/nodes", label: "Nodes", icon: Server },
  { href: "/alerts", label: "Alerts", icon: Bell },
  { href: "/config", label: "Config", icon: FileCode2 },
  { href: "/upgrades", label: "Upgrades", icon: Activity },
  { href: "/kubernetes-upgrades", label: "Kubernetes", icon: Boxes },
  { href: "/bulk", label: "Bulk actions", icon: Layers },
  { href: "/certificates", label: "Certificates", icon: ShieldCheck },
  { href: "/backups", label: "Backups", icon: DatabaseBackup },
  { href: "/ca-rotations", label: "CA rotation", icon: RotateCcwKey },
  { href: "/audit", label: "Audit", icon: ScrollText },
];

const accessItem: NavItem = { href: "/access", label: "Access", icon: KeyRound };

/** The items a role sees: the Access page only for those who may manage users. */
export function navItemsFor(role: Role): NavItem[] {
  return roleAllows(role, "manageUsers") ? [...navItems, accessItem] : navItems;
}
