import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/client/api";
import type { configTemplateResponseSchema, nodeConfigResponseSchema, ConfigTemplateResponse } from "@/lib/schemas/node-config";

/** The machine roles a template is generated for. */
export type ConfigRole = ConfigTemplateResponse["role"];

/** Query keys for everything the manifest editor reads. */
export const configKeys = {
  all: ["config"] as const,
  node: (nodeId: string) => [...configKeys.all, "node", nodeId] as const,
  template: (role: ConfigRole, talosVersion?: string) => [...configKeys.all, "template", role, talosVersion ?? "latest"] as const,
};

/** GET /api/nodes/:node/config – a node's running config, secrets redacted. */
export function nodeConfigQueryOptions(nodeId: string) {
  return queryOptions({
    queryKey: configKeys.node(nodeId),
    queryFn: ({ signal }) => apiFetch<z.output<typeof nodeConfigResponseSchema>>(`/api/nodes/${encodeURIComponent(nodeId)}/config`, { signal }),
    // What the editor shows is a snapshot the operator edits; never swap it behind their back.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
}

/** GET /api/config/template – a new config for a role, with fresh key material. */
export function configTemplateQueryOptions(role: ConfigRole, talosVersion?: string) {
  const params = new URLSearchParams({ role });
  if (talosVersion) params.set("talosVersion", talosVersion);
  return queryOptions({
    queryKey: configKeys.template(role, talosVersion),
    queryFn: ({ signal }) => apiFetch<z.output<typeof configTemplateResponseSchema>>(`/api/config/template?${params}`, { signal }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
}
