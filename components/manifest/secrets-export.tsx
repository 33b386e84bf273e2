"use client";

import { KeyRound } from "lucide-react";
import { useState } from "react";

import { ConfirmDialog } from "@/components/config-push/confirm-dialog";
import { Button } from "@/components/ui/button";
import { exportClusterSecrets } from "@/lib/client/manifests";

/** Admin only: download the cluster's secrets bundle as talosctl's secrets.yaml, after a warning. */
export function SecretsExport({ cluster }: { cluster: string }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function download() {
    setBusy(true);
    setError(null);
    try {
      const { yaml } = await exportClusterSecrets(cluster);
      const url = URL.createObjectURL(new Blob([yaml], { type: "application/yaml" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `${cluster}-secrets.yaml`;
      a.click();
      URL.revokeObjectURL(url);
      setOpen(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)}>
        <KeyRound aria-hidden className="size-4" /> Export secrets…
      </Button>
      <ConfirmDialog open={open} title={`Export the secrets of ${cluster}?`} confirmLabel="Download secrets.yaml" danger busy={busy} onCancel={() => setOpen(false)} onConfirm={() => void download()}>
        <p>
          <strong>secrets.yaml holds the cluster&apos;s CA private keys and bootstrap tokens.</strong> Anyone who has it can join machines to the cluster
          and take full control of it. Keep it in a secret store, never in Git.
        </p>
        <p className="text-fg-muted">With it, <code>minos render</code> and <code>talosctl gen config --with-secrets</code> produce the same configs offline. The export is recorded in the audit log under your name.</p>
        {error ? (
          <p role="alert" className="text-danger">
            Could not export: {error}
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
