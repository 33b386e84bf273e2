"use client";

import { KeyRound, LogIn } from "lucide-react";
import { useState } from "react";

import { FormMessage } from "@/components/auth/auth-card";
import { explain } from "@/components/auth/explain";
import { Button, buttonVariants } from "@/components/ui/button";
import { safeNextPath } from "@/lib/auth/next-path";
import { signInWithPasskey } from "@/lib/client/passkeys";

/** The sign-in choices: a passkey, and single sign-on when configured. */
export function PasskeySignIn({ next, oidc, error }: { next?: string; oidc: { enabled: boolean; label: string }; error?: string }) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(error ?? null);

  async function onSignIn() {
    setBusy(true);
    setMessage(null);
    try {
      await signInWithPasskey();
      // A full navigation, so every server component renders with the new session.
      // Checked again at the point of use: this component may be rendered from elsewhere.
      window.location.assign(safeNextPath(next));
    } catch (e) {
      setMessage(explain(e));
      setBusy(false);
    }
  }

  return (
    <div className="flex flex-col gap-3">
      <Button variant="primary" onClick={onSignIn} disabled={busy} size="lg">
        <KeyRound aria-hidden className="size-4" />
        {busy ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </Button>
      {oidc.enabled ? (
        // A plain link: an API route that redirects to the issuer needs a top-level navigation.
        // eslint-disable-next-line @next/next/no-html-link-for-pages
        <a href="/api/auth/oidc/start" className={buttonVariants({ variant: "secondary", size: "lg" })}>
          <LogIn aria-hidden className="size-4" />
          {oidc.label}
        </a>
      ) : null}
      {message ? <FormMessage tone="error">{message}</FormMessage> : null}
    </div>
  );
}
