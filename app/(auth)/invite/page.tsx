import type { Metadata } from "next";

import { AuthCard } from "@/components/auth/auth-card";
import { LinkRedeem } from "@/components/auth/link-redeem";

export const metadata: Metadata = { title: "Invitation" };

export default function InvitePage() {
  return (
    <AuthCard title="You are invited to Minos" description="Choose a name and register a passkey; no password involved.">
      <LinkRedeem kind="invitation" />
    </AuthCard>
  );
}
