import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { Hexagon, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { connection } from "next/server";
import { Suspense, type ReactNode } from "react";

import { sessionQuery } from "@/lib/client/auth";
import { UserMenu } from "@/components/auth/user-menu";
import { AlertBell } from "@/components/alerts/alert-bell";
import { ClusterSelector } from "@/components/shell/cluster-selector";
import { MobileNav } from "@/components/shell/mobile-nav";
import { Sidebar } from "@/components/shell/sidebar";
import { Badge } from "@/components/ui/badge";
import { alertsQueryOptions } from "@/lib/client/alerts";
import { makeQueryClient } from "@/lib/client/query-client";
import type { PageGrant } from "@/lib/server/auth/page";
import { pageAlerts, pageClusters, pageSession } from "@/lib/server/page-data";

/** The sidebar and header every page lives in, for a signed-in person. */
export async function AppShell({ grant, children }: { grant: PageGrant; children: ReactNode }) {
  const { actor } = grant;
  // The cluster list comes from the talosconfig at request time, never from the build.
  await connection();
  const { clusters, source, error } = await pageClusters(grant);
  // The session is known here already: hand it to the user menu so it shows without a round trip.
  const queryClient = makeQueryClient();
  queryClient.setQueryData(sessionQuery().queryKey, await pageSession(grant));
  // The bell's count on first paint; a store that fails here must not take the whole shell down.
  const alerts = await pageAlerts(grant).catch((e: unknown) => {
    console.error("[minos] shell: alerts for the bell", e);
    return null;
  });
  if (alerts) queryClient.setQueryData(alertsQueryOptions().queryKey, alerts);
  return (
    <div className="flex min-h-screen">
      <aside className="sticky top-0 hidden h-screen w-56 shrink-0 flex-col border-r border-border bg-surface md:flex">
        <Link href="/" className="flex h-14 items-center gap-2 border-b border-border px-5 font-semibold">
          <Hexagon aria-hidden className="size-5 text-accent" />
          Minos
        </Link>
        <Suspense>
          <Sidebar role={actor.role} />
        </Suspense>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        {/* On a phone the items wrap onto a second line rather than push the page wider. */}
        <header className="sticky top-0 z-10 flex min-h-14 flex-wrap items-center justify-between gap-x-4 gap-y-2 border-b border-border bg-surface/90 px-4 py-2 backdrop-blur md:px-6">
          <div className="flex min-w-0 items-center gap-3">
            <Suspense>
              <MobileNav logo={<Hexagon aria-hidden className="size-5 text-accent" />} nav={<Sidebar role={actor.role} />} />
            </Suspense>
            <Suspense>
              <ClusterSelector clusters={clusters} />
            </Suspense>
          </div>
          <div className="flex min-w-0 flex-wrap items-center gap-x-4 gap-y-2">
            {source.simulated ? (
              <Badge tone="info" title="Minos is connected to its built-in simulated fleet, not to real machines">
                Simulated fleet
              </Badge>
            ) : null}
            <HydrationBoundary state={dehydrate(queryClient)}>
              <AlertBell />
              <UserMenu />
            </HydrationBoundary>
          </div>
        </header>
        {error ? (
          <div role="alert" className="flex items-start gap-2 border-b border-danger/30 bg-danger/10 px-4 py-3 text-sm text-danger md:px-6">
            <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
            <span>
              <strong>Cannot read the talosconfig.</strong> {error}
            </span>
          </div>
        ) : null}
        <main className="mx-auto w-full min-w-0 max-w-7xl flex-1 p-4 md:p-6">{children}</main>
      </div>
    </div>
  );
}
