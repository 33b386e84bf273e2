"use client";

import { AccessManager } from "@/components/auth/access-manager";

export function AccessClient({ selfId }: { selfId: string }) {
  return <AccessManager selfId={selfId} />;
}
