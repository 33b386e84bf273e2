import { CheckCheck, FileCode2, FilePlus2, History, Layers, Lock, PencilLine, Server, Type, Undo2, WandSparkles } from "lucide-react";

import type { ConfigSource } from "@/components/config-editor/source";
import { workspaceTitle } from "@/components/config-editor/workspace-model";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";

interface WorkspaceHeaderProps {
  source: ConfigSource;
  label: string;
  /** What the open text is, or null while there is none; not the text itself, which changes on every key. */
  doc: { redacted: boolean; restored: boolean } | null;
  dirty: boolean;
  plain: boolean;
  onDiscard: () => void;
  onFormat: () => void;
  onMigrate: () => void;
  /** Why Migrate is off for this source (a node running Talos before 1.14), or null. */
  migrateBlocked: string | null;
  onValidate: () => void;
  onPlainChange: (plain: boolean) => void;
}

/** The editor card's heading: where the text came from, its state, and the editing actions. */
export function WorkspaceHeader({ source, label, doc, dirty, plain, onDiscard, onFormat, onMigrate, migrateBlocked, onValidate, onPlainChange }: WorkspaceHeaderProps) {
  const SourceIcon = source.kind === "node" ? Server : source.kind === "template" ? FilePlus2 : FileCode2;
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-border px-3 py-2">
      <h2 className="flex min-w-0 items-center gap-2 text-sm font-semibold">
        <SourceIcon aria-hidden className="size-4 shrink-0 text-fg-muted" />
        <span className="truncate">{workspaceTitle(source, label)}</span>
      </h2>
      {doc?.redacted ? (
        <Badge tone="info" title="Secrets (keys, tokens, certificates' private parts) are replaced with placeholders; Minos puts the real values back when the config is applied.">
          <Lock aria-hidden className="size-3" /> Secrets redacted
        </Badge>
      ) : null}
      {dirty ? (
        <Badge tone="warn" title="The text differs from what was opened and is not applied to any node yet: run a preflight and apply it below.">
          <PencilLine aria-hidden className="size-3" /> Edited, not applied
        </Badge>
      ) : null}
      {doc?.restored && dirty ? (
        <Badge tone="neutral" title="Your unsaved edits were kept in this browser tab and restored.">
          <History aria-hidden className="size-3" /> Restored from this tab
        </Badge>
      ) : null}
      <div className="ml-auto flex flex-wrap items-center gap-2">
        {dirty ? (
          <Button size="sm" variant="ghost" onClick={onDiscard} title="Go back to the text as it was opened">
            <Undo2 aria-hidden className="size-4" /> Discard edits
          </Button>
        ) : null}
        <Button size="sm" onClick={onFormat} disabled={!doc}>
          <WandSparkles aria-hidden className="size-4" /> Format
        </Button>
        <Button
          size="sm"
          onClick={onMigrate}
          disabled={!doc || migrateBlocked !== null}
          title={migrateBlocked ?? "Migrate this config to the 1.14 layout: move deprecated fields into their new documents"}
        >
          <Layers aria-hidden className="size-4" /> Migrate to 1.14
        </Button>
        <Button size="sm" onClick={onValidate} disabled={!doc} aria-keyshortcuts="Control+S Meta+S" title="Validate now (Ctrl/Cmd+S)">
          <CheckCheck aria-hidden className="size-4" /> Validate
          <kbd className="rounded border border-border px-1 font-mono text-[10px] text-fg-muted">Ctrl S</kbd>
        </Button>
        <Button size="sm" variant="ghost" aria-pressed={plain} onClick={() => onPlainChange(!plain)} title="A plain text box, for screen readers and simple browsers">
          <Type aria-hidden className="size-4" /> Plain text
        </Button>
      </div>
    </div>
  );
}
