/**
 * Where the text in the editor came from, how it appears in the URL, and the per-source drafts
 * kept in sessionStorage so a reload never wipes an operator's edits. Isomorphic: the server
 * page parses the URL with the same code.
 */
import { parseNodeId } from "@/lib/fleet/node-id";
import type { ConfigRole } from "@/lib/client/config";
import { TALOS_MINORS, type TalosMinor } from "@/lib/config/types";

export type ConfigSource =
  | { kind: "node"; nodeId: string }
  /** `talosVersion`: the contract `talosctl gen config --talos-version` generates for; absent: the latest. */
  | { kind: "template"; role: ConfigRole; talosVersion?: TalosMinor }
  | { kind: "file"; name: string };

export const DEFAULT_SOURCE: ConfigSource = { kind: "template", role: "controlplane" };

export function sourceKey(source: ConfigSource): string {
  switch (source.kind) {
    case "node":
      return `node:${source.nodeId}`;
    case "template":
      return source.talosVersion ? `template:${source.role}:${source.talosVersion}` : `template:${source.role}`;
    case "file":
      return `file:${source.name}`;
  }
}

/** A short human label: "10.5.0.2 (sim-1)", "new worker config", "talos.yaml". */
export function sourceLabel(source: ConfigSource): string {
  switch (source.kind) {
    case "node": {
      const id = parseNodeId(source.nodeId);
      return id ? `${id.address} (${id.cluster})` : source.nodeId;
    }
    case "template":
      return source.talosVersion ? `new ${source.role} config (Talos ${source.talosVersion})` : `new ${source.role} config`;
    case "file":
      return source.name;
  }
}

/** `?node=<id>`, `?template=<role>[&version=<minor>]` or `?file=<name>`; anything else opens a control-plane template. */
export function parseSource(params: Record<string, string | string[] | undefined>): ConfigSource {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const node = first(params.node);
  if (node && parseNodeId(node)) return { kind: "node", nodeId: node };
  const file = first(params.file);
  if (file) return { kind: "file", name: file.slice(0, 200) };
  const template = first(params.template);
  if (template === "worker" || template === "controlplane") {
    const version = first(params.version);
    const talosVersion = TALOS_MINORS.find((m) => m === version);
    return talosVersion ? { kind: "template", role: template, talosVersion } : { kind: "template", role: template };
  }
  return DEFAULT_SOURCE;
}

/** The current URL with the source's parameter in place of any other source's. */
export function urlForSource(source: ConfigSource, current: URL): string {
  const url = new URL(current);
  for (const p of ["node", "template", "version", "file"]) url.searchParams.delete(p);
  if (source.kind === "node") url.searchParams.set("node", source.nodeId);
  else if (source.kind === "template") {
    url.searchParams.set("template", source.role);
    if (source.talosVersion) url.searchParams.set("version", source.talosVersion);
  }
  else url.searchParams.set("file", source.name);
  return `${url.pathname}${url.search}`;
}

/** The operator's text for one source, as kept in this tab's sessionStorage. */
export interface ConfigDraft {
  /** The text being edited. */
  text: string;
  /** The text as it was opened, to tell edited from untouched (templates differ per fetch). */
  original: string;
  /** The Talos minor validated against (the node's, the template's, or the operator's pick). */
  talosVersion: string;
  /** Whether the source redacted secrets (node configs). */
  redacted?: boolean;
}

const PREFIX = "minos.config.draft:";

export function readDraft(source: ConfigSource): ConfigDraft | null {
  try {
    const raw = window.sessionStorage.getItem(PREFIX + sourceKey(source));
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<ConfigDraft>;
    if (typeof value.text !== "string" || typeof value.original !== "string" || typeof value.talosVersion !== "string") return null;
    return { text: value.text, original: value.original, talosVersion: value.talosVersion, redacted: value.redacted === true };
  } catch {
    // Storage disabled or a corrupt entry: behave as if nothing was kept.
    return null;
  }
}

export function writeDraft(source: ConfigSource, draft: ConfigDraft): void {
  try {
    window.sessionStorage.setItem(PREFIX + sourceKey(source), JSON.stringify(draft));
  } catch {
    // Quota or disabled storage: the editor keeps working, only reload-safety is lost.
  }
}

export function clearDraft(source: ConfigSource): void {
  try {
    window.sessionStorage.removeItem(PREFIX + sourceKey(source));
  } catch {
    // ignore
  }
}
