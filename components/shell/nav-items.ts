import { Activity, FileCode2, LayoutDashboard, ScrollText, Server, ShieldCheck, type LucideIcon } from "lucide-react";

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
}

export const navItems: NavItem[] = [
  { href: "/", label: "Overview", icon: LayoutDashboard },
  { href: "/nodes", label: "Nodes", icon: Server },
  { href: "/config", label: "Config", icon: FileCode2 },
  { href: "/upgrades", label: "Upgrades", icon: Activity },
  { href: "/certificates", label: "Certificates", icon: ShieldCheck },
  { href: "/audit", label: "Audit", icon: ScrollText },
];
