import type { ReactNode } from "react";

import { AppShell } from "@/components/shell/app-shell";
import { requirePageActor } from "@/lib/server/auth/page";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // Only for the shell's own data: Next skips this layout on client-side navigations and renders
  // pages alongside it, so every page checks the session itself (requirePageActor) as well.
  const grant = await requirePageActor("viewer");
  return <AppShell grant={grant}>{children}</AppShell>;
}
