import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { ShieldX } from "lucide-react";
import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AccessClient } from "@/app/(dashboard)/access/client";
import { invitationsQuery, sessionQuery, tokensQuery, usersQuery } from "@/components/auth/queries";
import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { ROLE_LABEL } from "@/lib/auth/roles";
import { makeQueryClient } from "@/lib/queries/query-client";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { pageAccess } from "@/lib/server/auth/page";
import { getInvitations, getTokens, getUsers, sessionInfo } from "@/lib/server/auth/service";

export const metadata: Metadata = { title: "Access" };

export default async function AccessPage() {
  const access = await pageAccess("admin");
  if (access.kind === "signed-out") redirect("/sign-in?next=/access");
  const header = <PageHeader title="Access" description="Who can sign in to Minos, with which role, and the tokens automation uses." />;
  if (access.kind === "forbidden") {
    return (
      <>
        {header}
        <EmptyState icon={ShieldX} title="Admins only">
          You are signed in as {access.actor.name} with the {ROLE_LABEL[access.actor.role]} role. Ask an admin to change your role if you need to manage access.
        </EmptyState>
      </>
    );
  }
  const deps = defaultAuthDeps();
  const queryClient = makeQueryClient();
  queryClient.setQueryData(sessionQuery().queryKey, sessionInfo(access.actor, deps));
  queryClient.setQueryData(usersQuery().queryKey, getUsers(deps));
  queryClient.setQueryData(invitationsQuery().queryKey, getInvitations(deps));
  queryClient.setQueryData(tokensQuery().queryKey, getTokens(deps));
  return (
    <>
      {header}
      <HydrationBoundary state={dehydrate(queryClient)}>
        <AccessClient selfId={access.actor.id} />
      </HydrationBoundary>
    </>
  );
}
