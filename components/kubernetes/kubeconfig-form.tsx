"use client";

import { FileUp } from "lucide-react";
import { useId, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { kubeconfigUploadSchema } from "@/lib/schemas/kubernetes";

interface KubeconfigFormProps {
  cluster: string;
  pending: boolean;
  /** The server's refusal in words (it says which part of the kubeconfig it will not take). */
  error: string | null;
  onSubmit: (kubeconfig: string) => void;
  onCancel: () => void;
}

const MAX_BYTES = kubeconfigUploadSchema.shape.kubeconfig.maxLength ?? 256 * 1024;

/** Paste a kubeconfig or pick its file; the server validates it, seals it and never shows it again. */
export function KubeconfigForm({ cluster, pending, error, onSubmit, onCancel }: KubeconfigFormProps) {
  const [text, setText] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const ids = { file: useId(), text: useId(), error: useId() };

  async function pick(file: File | undefined) {
    setLocalError(null);
    if (!file) return;
    if (file.size > MAX_BYTES) {
      setLocalError(`${file.name} is ${Math.ceil(file.size / 1024)} KiB; a kubeconfig is at most ${MAX_BYTES / 1024} KiB`);
      return;
    }
    setText(await file.text());
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (text.trim() === "") {
      setLocalError("Paste a kubeconfig or choose its file first");
      return;
    }
    onSubmit(text);
  }

  const shown = localError ?? error;
  return (
    <form aria-label={`Upload a kubeconfig for ${cluster}`} onSubmit={submit} className="space-y-3">
      <h3 className="text-sm font-semibold">Upload a kubeconfig for {cluster}</h3>
      <div className="space-y-1">
        <label htmlFor={ids.file} className="block text-sm font-medium">
          Kubeconfig file
        </label>
        <Input id={ids.file} type="file" onChange={(e) => void pick(e.target.files?.[0])} className="py-1" />
      </div>
      <div className="space-y-1">
        <label htmlFor={ids.text} className="block text-sm font-medium">
          Or paste it
        </label>
        <textarea
          id={ids.text}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={7}
          spellCheck={false}
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? ids.error : undefined}
          placeholder={"apiVersion: v1\nkind: Config\nclusters:\n- name: …\n  cluster:\n    server: https://…:6443"}
          className="w-full rounded-md border border-border bg-surface px-3 py-2 font-mono text-xs text-fg"
        />
        <p className="text-xs text-fg-muted">
          One current context with an https server and a client certificate or token. Exec and auth-provider plugins are refused: they would run programs on the
          Minos host. Minos keeps it encrypted and never shows it again.
        </p>
      </div>
      {shown ? (
        <p id={ids.error} role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          {shown}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={pending}>
          <FileUp aria-hidden className="size-4" />
          {pending ? "Uploading…" : "Upload kubeconfig"}
        </Button>
        <Button variant="ghost" onClick={onCancel} disabled={pending}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
