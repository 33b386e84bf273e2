import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { AuthCard } from "@/components/auth/auth-card";
import { PasskeySignIn } from "@/components/auth/passkey-sign-in";
import { defaultAuthDeps } from "@/lib/server/auth/deps";
import { BOOTSTRAP_FILE } from "@/lib/server/auth/links";
import { safeNextPath } from "@/lib/auth/next-path";
import { currentActor } from "@/lib/server/auth/page";
import { ensureSetupLink } from "@/lib/server/auth/service";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  // Checked here once: the client only ever sees a path on Minos itself.
  const next = safeNextPath(params.next);
  const error = typeof params.error === "string" ? params.error : undefined;
  if (await currentActor()) redirect(next);
  const deps = defaultAuthDeps();
  if (await ensureSetupLink(deps)) {
    return (
      <AuthCard title="Minos is waiting for its first admin" description="Nobody has an account yet.">
        <ol className="list-decimal space-y-2 pl-5 text-sm">
          <li>
            Find the one-time sign-in link in the server log (the line after <q>Minos has no users yet</q>), or in{" "}
            <code className="rounded bg-surface-muted px-1 font-mono text-xs">{`${deps.config.stateDir}/${BOOTSTRAP_FILE}`}</code>.
          </li>
          <li>Open it in this browser: it makes you admin and asks you to register a passkey.</li>
          <li>The link works once and for 15 minutes. Reload this page for a new one.</li>
        </ol>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Sign in to Minos" description="Use the passkey you registered on this device or a synced one.">
      <PasskeySignIn next={next} error={error} oidc={{ enabled: deps.config.oidc !== null, label: deps.config.oidc?.label ?? "" }} />
    </AuthCard>
  );
}
