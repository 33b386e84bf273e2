"use client";

import { useQuery } from "@tanstack/react-query";

import { alertPermissions } from "@/components/alerts/words";
import { sessionQuery } from "@/lib/client/auth";

/** What the signed-in person may do on the alert pages; nothing until the session is known. */
export function useAlertPermissions() {
  const session = useQuery(sessionQuery());
  return alertPermissions(session.data?.user?.role);
}
