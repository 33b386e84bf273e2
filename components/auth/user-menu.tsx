"use client";

import { useQuery } from "@tanstack/react-query";
import { LogOut, UserRound } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ROLE_LABEL } from "@/lib/auth/roles";
import { sessionQuery, signOut } from "@/lib/client/auth";

/** Who is signed in, with their role and a sign-out button; in the shell's header. */
export function UserMenu() {
  const { data } = useQuery(sessionQuery());
  if (!data?.user) return null;
  const { user } = data;
  return (
    <div className="flex items-center gap-2 text-sm">
      <UserRound aria-hidden className="size-4 text-fg-muted" />
      {/* On a phone the role badge and the icon stand for the name (still read out). */}
      <span className="sr-only font-medium sm:not-sr-only">{user.name}</span>
      <Badge tone={user.role === "admin" ? "danger" : user.role === "operator" ? "warn" : "info"}>{ROLE_LABEL[user.role]}</Badge>
      <Button
        variant="ghost"
        size="sm"
        onClick={async () => {
          await signOut().catch(() => undefined);
          // A full load, so nothing the signed-out user saw stays in the client cache.
          // eslint-disable-next-line @next/next/no-location-assign-relative-destination
          window.location.assign("/sign-in");
        }}
      >
        <LogOut aria-hidden className="size-4" />
        <span className="sr-only sm:not-sr-only">Sign out</span>
      </Button>
    </div>
  );
}
