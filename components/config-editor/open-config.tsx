"use client";

import { useQuery } from "@tanstack/react-query";
import { FilePlus2, FolderOpen, RotateCw, Server, Upload } from "lucide-react";
import { useId, useRef, useState, type ChangeEvent } from "react";

import { Button } from "@/components/ui/button";
import { nodeId } from "@/lib/fleet/node-id";
import { clustersQueryOptions } from "@/lib/client/clusters";
import { type ConfigRole } from "@/lib/client/config";
import { LATEST_TALOS_MINOR, TALOS_MINORS, type TalosMinor } from "@/lib/config/types";

import type { ConfigSource } from "./source";

/** Larger files are not machine configs; refuse before reading them into the editor. */
const MAX_UPLOAD_BYTES = 1024 * 1024;

interface OpenConfigProps {
  current: ConfigSource;
  /** Only this cluster's nodes (the header's cluster selector), or all. */
  cluster: string | null;
  onOpen: (source: ConfigSource, file?: { text: string }) => void;
}

/** Open a node's running config, a new config from a template, or a YAML file from disk. */
export function OpenConfig({ current, cluster, onOpen }: OpenConfigProps) {
  const fieldId = useId();
  const clusters = useQuery(clustersQueryOptions);
  const [node, setNode] = useState(current.kind === "node" ? current.nodeId : "");
  const [role, setRole] = useState<ConfigRole>(current.kind === "template" ? current.role : "controlplane");
  const [templateVersion, setTemplateVersion] = useState<TalosMinor>((current.kind === "template" ? current.talosVersion : undefined) ?? LATEST_TALOS_MINOR);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const groups = (clusters.data?.clusters ?? []).filter((c) => !cluster || c.name === cluster).filter((c) => c.nodes.length > 0);
  const nodeIds = groups.flatMap((c) => c.nodes.map((address) => nodeId(c.name, address)));
  const selectedNode = nodeIds.includes(node) ? node : (nodeIds[0] ?? "");

  async function upload(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    if (file.size > MAX_UPLOAD_BYTES) {
      setUploadError(`${file.name} is ${(file.size / 1024).toFixed(0)} KiB; a machine config is far smaller (limit 1 MiB).`);
      return;
    }
    try {
      const text = await file.text();
      if (text.includes("\u0000")) {
        setUploadError(`${file.name} is not a text file.`);
        return;
      }
      setUploadError(null);
      onOpen({ kind: "file", name: file.name }, { text });
    } catch (err) {
      setUploadError(`Could not read ${file.name}: ${(err as Error).message}`);
    }
  }

  let nodePicker;
  if (clusters.isPending) {
    nodePicker = (
      <select disabled aria-label="Node" className="h-8 w-56 rounded-md border border-border bg-surface px-2 text-sm text-fg-muted">
        <option>Loading nodes…</option>
      </select>
    );
  } else if (clusters.isError) {
    nodePicker = (
      <span role="alert" className="flex items-center gap-2 text-sm text-danger">
        Cannot list nodes: {clusters.error.message}
        <Button size="sm" variant="ghost" onClick={() => void clusters.refetch()}>
          <RotateCw aria-hidden className="size-4" /> Retry
        </Button>
      </span>
    );
  } else if (groups.length === 0) {
    nodePicker = (
      <span className="text-sm text-fg-muted">
        {cluster ? `The cluster “${cluster}” lists no nodes.` : "Your talosconfig names no nodes."}
      </span>
    );
  } else {
    nodePicker = (
      <>
        <select
          id={`${fieldId}-node`}
          aria-label="Node"
          value={selectedNode}
          onChange={(e) => setNode(e.target.value)}
          className="h-8 w-56 rounded-md border border-border bg-surface px-2 font-mono text-sm text-fg"
        >
          {groups.map((c) => (
            <optgroup key={c.name} label={c.name}>
              {c.nodes.map((address) => (
                <option key={address} value={nodeId(c.name, address)}>
                  {address}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <Button size="sm" onClick={() => onOpen({ kind: "node", nodeId: selectedNode })} disabled={!selectedNode}>
          <Server aria-hidden className="size-4" />
          Open running config
        </Button>
      </>
    );
  }

  return (
    <div role="toolbar" aria-label="Open a config" className="flex flex-wrap items-center gap-x-6 gap-y-3">
      {/* Each group wraps on its own on a phone rather than push its last button off the card. */}
      <div className="flex flex-wrap items-center gap-2">{nodePicker}</div>
      <div className="flex flex-wrap items-center gap-2">
        <select
          aria-label="Template role"
          value={role}
          onChange={(e) => setRole(e.target.value as ConfigRole)}
          className="h-8 rounded-md border border-border bg-surface px-2 text-sm text-fg"
        >
          <option value="controlplane">Control plane</option>
          <option value="worker">Worker</option>
        </select>
        <select
          aria-label="Template Talos version"
          value={templateVersion}
          onChange={(e) => setTemplateVersion(e.target.value as TalosMinor)}
          className="h-8 rounded-md border border-border bg-surface px-2 text-sm text-fg"
        >
          {[...TALOS_MINORS].reverse().map((m) => (
            <option key={m} value={m}>
              Talos {m}
            </option>
          ))}
        </select>
        <Button size="sm" onClick={() => onOpen(templateVersion === LATEST_TALOS_MINOR ? { kind: "template", role } : { kind: "template", role, talosVersion: templateVersion })}>
          <FilePlus2 aria-hidden className="size-4" />
          New from template
        </Button>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <input ref={fileInput} type="file" accept=".yaml,.yml,application/yaml,text/yaml,text/plain" className="sr-only" tabIndex={-1} aria-hidden onChange={upload} />
        <Button size="sm" onClick={() => fileInput.current?.click()}>
          <Upload aria-hidden className="size-4" />
          Upload YAML…
        </Button>
        {uploadError ? (
          <span role="alert" className="flex items-center gap-1 text-sm text-danger">
            <FolderOpen aria-hidden className="size-4" />
            {uploadError}
          </span>
        ) : null}
      </div>
    </div>
  );
}
