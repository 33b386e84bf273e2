import { redirect } from "next/navigation";
import type { ReactNode } from "react";

import { AppShell } from "@/components/shell/app-shell";
import { pageAccess } from "@/lib/server/auth/page";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // The proxy only saw a cookie; an expired or revoked session is caught here, before any data loads.
  const access = await pageAccess("viewer");
  if (access.kind !== "ok") redirect("/sign-in");
  return <AppShell actor={access.actor}>{children}</AppShell>;
}
