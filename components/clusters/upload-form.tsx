"use client";

import { FileUp } from "lucide-react";
import { useId, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { MAX_TALOSCONFIG_BYTES } from "@/lib/schemas/fleet";

interface UploadFormProps {
  pending: boolean;
  /** The server's refusal, in words (it names the context and field at fault). */
  error: string | null;
  onSubmit: (talosconfig: string, label: string) => void;
}

/** Paste a talosconfig or pick the file; the server parses it and says what is wrong. */
export function UploadForm({ pending, error, onSubmit }: UploadFormProps) {
  const [text, setText] = useState("");
  const [label, setLabel] = useState("");
  const [fileError, setFileError] = useState<string | null>(null);
  const ids = { file: useId(), text: useId(), label: useId(), error: useId() };

  async function pick(file: File | undefined) {
    setFileError(null);
    if (!file) return;
    if (file.size > MAX_TALOSCONFIG_BYTES) {
      setFileError(`${file.name} is ${Math.ceil(file.size / 1024)} KiB; a talosconfig is at most 256 KiB`);
      return;
    }
    setText(await file.text());
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (text.trim() === "") {
      setFileError("Paste a talosconfig or choose its file first");
      return;
    }
    onSubmit(text, label);
  }

  const shown = fileError ?? error;
  return (
    <form aria-label="Add clusters from a talosconfig" onSubmit={submit} className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="space-y-1">
          <label htmlFor={ids.file} className="block text-sm font-medium">
            Talosconfig file
          </label>
          <Input id={ids.file} type="file" onChange={(e) => void pick(e.target.files?.[0])} className="py-1" />
        </div>
        <div className="space-y-1">
          <label htmlFor={ids.label} className="block text-sm font-medium">
            Label (optional)
          </label>
          <Input id={ids.label} value={label} onChange={(e) => setLabel(e.target.value)} placeholder="e.g. lab fleet" maxLength={100} />
        </div>
      </div>
      <div className="space-y-1">
        <label htmlFor={ids.text} className="block text-sm font-medium">
          Or paste it
        </label>
        <textarea
          id={ids.text}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={8}
          spellCheck={false}
          aria-describedby={shown ? ids.error : undefined}
          aria-invalid={shown ? true : undefined}
          placeholder={"context: prod\ncontexts:\n  prod:\n    endpoints: [10.0.0.2]\n    ca: …\n    crt: …\n    key: …"}
          className="w-full rounded-md border border-border bg-surface px-3 py-2 font-mono text-xs text-fg"
        />
        <p className="text-xs text-fg-muted">
          Each context becomes a cluster. The file holds client keys: Minos keeps it encrypted and never shows it again.
        </p>
      </div>
      {shown ? (
        <p id={ids.error} role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
          {shown}
        </p>
      ) : null}
      <Button type="submit" variant="primary" disabled={pending}>
        <FileUp aria-hidden className="size-4" />
        {pending ? "Adding…" : "Add clusters"}
      </Button>
    </form>
  );
}
