"use client";

import { CircleCheck, KeyRound, UserPlus } from "lucide-react";
import Link from "next/link";
import { useEffect, useState, type FormEvent } from "react";

import { FormMessage } from "@/components/auth/auth-card";
import { explain } from "@/components/auth/explain";
import { Badge } from "@/components/ui/badge";
import { Button, buttonVariants } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ROLE_LABEL, ROLE_SUMMARY } from "@/lib/auth/roles";
import { previewLink, redeemLink } from "@/lib/client/auth";
import { registerPasskey } from "@/lib/client/passkeys";
import type { LinkPreview } from "@/lib/schemas/auth";

type Step =
  | { kind: "loading" }
  | { kind: "invalid"; message: string }
  | { kind: "name"; token: string; preview: LinkPreview }
  | { kind: "passkey"; name: string; role: string }
  | { kind: "done"; name: string; passkey: string };

/** Reads the secret from the fragment (`#token=`), which the browser never sends to a server. */
function tokenFromHash(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  return m ? m[1]! : null;
}

/**
 * Redeems a first-start link or an invitation in three steps: choose a name, register a passkey
 * on this device, done. The account exists after the first step; the passkey is how its owner
 * signs in again.
 */
export function LinkRedeem({ kind }: { kind: "bootstrap" | "invitation" }) {
  const [step, setStep] = useState<Step>({ kind: "loading" });
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  useEffect(() => {
    const token = tokenFromHash();
    if (!token) {
      // Reading the fragment needs the browser: the state cannot be known during render.
      // eslint-disable-next-line react-hooks/set-state-in-effect
      setStep({ kind: "invalid", message: "This page needs the full link, including the part after #. Copy it again from where you got it." });
      return;
    }
    // Drop the secret from the address bar and history right away.
    window.history.replaceState(null, "", window.location.pathname);
    previewLink(token)
      .then((preview) => {
        setName(preview.name ?? "");
        setStep({ kind: "name", token, preview });
      })
      .catch((e: unknown) => setStep({ kind: "invalid", message: explain(e) }));
  }, []);

  async function onCreate(e: FormEvent) {
    e.preventDefault();
    if (step.kind !== "name") return;
    setBusy(true);
    setMessage(null);
    try {
      const { user } = await redeemLink(kind, step.token, name.trim());
      setStep({ kind: "passkey", name: user.name, role: user.role });
    } catch (err) {
      setMessage(explain(err));
    } finally {
      setBusy(false);
    }
  }

  async function onPasskey() {
    if (step.kind !== "passkey") return;
    setBusy(true);
    setMessage(null);
    try {
      const passkey = await registerPasskey();
      setStep({ kind: "done", name: step.name, passkey: passkey.name });
    } catch (err) {
      setMessage(explain(err));
    } finally {
      setBusy(false);
    }
  }

  if (step.kind === "loading") return <p className="text-sm text-fg-muted" role="status">Checking the link…</p>;
  if (step.kind === "invalid") {
    return (
      <>
        <FormMessage tone="error">{step.message}</FormMessage>
        <Link href="/sign-in" className={buttonVariants({ variant: "secondary", className: "mt-4" })}>Go to sign-in</Link>
      </>
    );
  }
  if (step.kind === "name") {
    const { preview } = step;
    return (
      <form onSubmit={onCreate} className="flex flex-col gap-4">
        <div className="flex items-start gap-3 rounded-md border border-border bg-surface-muted p-3 text-sm">
          <Badge tone={preview.role === "admin" ? "danger" : preview.role === "operator" ? "warn" : "info"}>{ROLE_LABEL[preview.role]}</Badge>
          <span className="text-fg-muted">{ROLE_SUMMARY[preview.role]}.</span>
        </div>
        <label className="flex flex-col gap-1 text-sm font-medium">
          Your name
          <Input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} autoComplete="username" autoFocus placeholder="e.g. ada" />
        </label>
        <p className="text-xs text-fg-muted">Link valid until {new Date(preview.expiresAt).toLocaleString()}. It works once.</p>
        <Button type="submit" variant="primary" disabled={busy || !name.trim()} size="lg">
          <UserPlus aria-hidden className="size-4" />
          {kind === "bootstrap" ? "Create the admin account" : "Create my account"}
        </Button>
        {message ? <FormMessage tone="error">{message}</FormMessage> : null}
      </form>
    );
  }
  if (step.kind === "passkey") {
    return (
      <div className="flex flex-col gap-4">
        <p className="text-sm">
          Account <strong>{step.name}</strong> created. Minos has no passwords: register a passkey on this device (fingerprint, face, PIN or security key) to sign in next time.
        </p>
        <Button variant="primary" onClick={onPasskey} disabled={busy} size="lg">
          <KeyRound aria-hidden className="size-4" />
          {busy ? "Waiting for your device…" : "Register a passkey"}
        </Button>
        {message ? <FormMessage tone="error">{message}</FormMessage> : null}
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-4">
      <p className="flex items-center gap-2 text-sm" role="status">
        <CircleCheck aria-hidden className="size-5 text-ok" />
        Passkey “{step.passkey}” registered for {step.name}. You are signed in.
      </p>
      <Link href="/" className={buttonVariants({ variant: "primary", size: "lg" })}>Open the dashboard</Link>
    </div>
  );
}
