import type { Metadata } from "next";

import { AuthCard } from "@/components/auth/auth-card";
import { LinkRedeem } from "@/components/auth/link-redeem";

export const metadata: Metadata = { title: "First start" };

export default function SetupPage() {
  return (
    <AuthCard title="Become Minos's first admin" description="This one-time link came from the server log. It creates the admin account.">
      <LinkRedeem kind="bootstrap" />
    </AuthCard>
  );
}
