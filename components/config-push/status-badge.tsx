import { CircleCheck, CircleDashed, CircleX, Info, TriangleAlert, type LucideIcon } from "lucide-react";
import type { ReactNode } from "react";

import { Badge } from "@/components/ui/badge";

import type { Tone } from "./push-model";

const ICON: Record<Tone, LucideIcon> = {
  ok: CircleCheck,
  warn: TriangleAlert,
  danger: CircleX,
  info: Info,
  neutral: CircleDashed,
};

/** A status as icon and words, never colour alone. */
export function StatusBadge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  const Icon = ICON[tone];
  return (
    <Badge tone={tone} title={title}>
      <Icon aria-hidden className="size-3.5" />
      {children}
    </Badge>
  );
}
