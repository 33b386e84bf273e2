import { Eye, ShieldCheck, Wrench } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { ROLE_LABEL } from "@/lib/auth/roles";
import type { Role } from "@/lib/schemas/auth";

const look = { viewer: { tone: "info", icon: Eye }, operator: { tone: "warn", icon: Wrench }, admin: { tone: "danger", icon: ShieldCheck } } as const;

/** A role, as icon and word (never colour alone). */
export function RoleBadge({ role }: { role: Role }) {
  const { tone, icon: Icon } = look[role];
  return (
    <Badge tone={tone}>
      <Icon aria-hidden className="size-3" />
      {ROLE_LABEL[role]}
    </Badge>
  );
}
