import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { ShieldX } from "lucide-react";
import type { Metadata } from "next";

import { AccessClient } from "@/app/(dashboard)/access/client";
import { invitationsQuery, sessionQuery, tokensQuery, usersQuery } from "@/lib/client/auth";
import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { ROLE_LABEL } from "@/lib/auth/roles";
import { makeQueryClient } from "@/lib/client/query-client";
import { requirePageAccess } from "@/lib/server/auth/page";
import { pageAccessLists, pageSession } from "@/lib/server/page-data";

export const metadata: Metadata = { title: "Access" };

export default async function AccessPage() {
  const access = await requirePageAccess("admin");
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
  const lists = await pageAccessLists(access.grant);
  const queryClient = makeQueryClient();
  queryClient.setQueryData(sessionQuery().queryKey, await pageSession(access.grant));
  queryClient.setQueryData(usersQuery().queryKey, lists.users);
  queryClient.setQueryData(invitationsQuery().queryKey, lists.invitations);
  queryClient.setQueryData(tokensQuery().queryKey, lists.tokens);
  return (
    <>
      {header}
      <HydrationBoundary state={dehydrate(queryClient)}>
        <AccessClient selfId={access.actor.id} />
      </HydrationBoundary>
    </>
  );
}
