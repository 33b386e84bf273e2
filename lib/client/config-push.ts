import type { z } from "zod";
import { queryOptions } from "@tanstack/react-query";

import type { DrainAction } from "@/lib/schemas/drain";
import { apiFetch } from "@/lib/client/api";
import type {
  adoptDriftResponseSchema,
  applyResponseSchema,
  driftResponseSchema,
  preflightResponseSchema,
  revisionDetailSchema,
  revisionDiffResponseSchema,
  revisionListResponseSchema,
  rolloutDetailSchema,
  rolloutListResponseSchema,
  ApplyBody,
  CreateRolloutBody,
  PreflightBody,
  RollbackBody,
  RolloutAction,
} from "@/lib/schemas/configs";

const nodePath = (nodeId: string) => `/api/nodes/${encodeURIComponent(nodeId)}/config`;

/** Query keys for config push: revisions and drift per node, rollouts. */
export const configPushKeys = {
  all: ["config-push"] as const,
  revisions: (nodeId: string) => [...configPushKeys.all, "revisions", nodeId] as const,
  revision: (nodeId: string, id: number) => [...configPushKeys.revisions(nodeId), id] as const,
  revisionDiff: (nodeId: string, from: number, to: number | "running") => [...configPushKeys.revisions(nodeId), "diff", from, to] as const,
  drift: (nodeId: string) => [...configPushKeys.all, "drift", nodeId] as const,
  rollouts: () => [...configPushKeys.all, "rollouts"] as const,
  rollout: (id: string) => [...configPushKeys.rollouts(), id] as const,
};

/** GET /api/nodes/:node/config/revisions – the node's history, newest first. */
export function revisionsQueryOptions(nodeId: string) {
  return queryOptions({
    queryKey: configPushKeys.revisions(nodeId),
    queryFn: ({ signal }) => apiFetch<z.output<typeof revisionListResponseSchema>>(`${nodePath(nodeId)}/revisions`, { signal }),
  });
}

/** GET /api/nodes/:node/config/revisions/:id – one revision with its redacted config. */
export function revisionQueryOptions(nodeId: string, id: number) {
  return queryOptions({
    queryKey: configPushKeys.revision(nodeId, id),
    queryFn: ({ signal }) => apiFetch<z.output<typeof revisionDetailSchema>>(`${nodePath(nodeId)}/revisions/${id}`, { signal }),
    // A revision's config never changes once written.
    staleTime: Infinity,
  });
}

/** GET /api/nodes/:node/config/revisions/diff – two revisions, or a revision and the running config. */
export function revisionDiffQueryOptions(nodeId: string, from: number, to: number | "running") {
  return queryOptions({
    queryKey: configPushKeys.revisionDiff(nodeId, from, to),
    queryFn: ({ signal }) =>
      apiFetch<z.output<typeof revisionDiffResponseSchema>>(`${nodePath(nodeId)}/revisions/diff?${new URLSearchParams({ from: String(from), to: String(to) })}`, { signal }),
    staleTime: to === "running" ? 10_000 : Infinity,
  });
}

/** GET /api/nodes/:node/config/drift – the running config against Minos's last revision. */
export function driftQueryOptions(nodeId: string) {
  return queryOptions({
    queryKey: configPushKeys.drift(nodeId),
    queryFn: ({ signal }) => apiFetch<z.output<typeof driftResponseSchema>>(`${nodePath(nodeId)}/drift`, { signal }),
    staleTime: 30_000,
  });
}

/** GET /api/rollouts – newest first. */
export const rolloutsQueryOptions = queryOptions({
  queryKey: configPushKeys.rollouts(),
  queryFn: ({ signal }) => apiFetch<z.output<typeof rolloutListResponseSchema>>("/api/rollouts", { signal }),
});

/** GET /api/rollouts/:id – polls while the rollout is moving. */
export function rolloutQueryOptions(id: string) {
  return queryOptions({
    queryKey: configPushKeys.rollout(id),
    queryFn: ({ signal }) => apiFetch<z.output<typeof rolloutDetailSchema>>(`/api/rollouts/${encodeURIComponent(id)}`, { signal }),
    refetchInterval: (query) => {
      const state = query.state.data?.state;
      return state === "running" || state === "preflight" ? 1_000 : false;
    },
  });
}

// Mutations: plain functions for useMutation({ mutationFn }).

/** POST /api/nodes/:node/config/preflight – the node's dry-run verdict and the redacted diff. */
export function preflightConfig(nodeId: string, body: PreflightBody) {
  return apiFetch<z.output<typeof preflightResponseSchema>>(`${nodePath(nodeId)}/preflight`, { method: "POST", json: body });
}

/** POST /api/nodes/:node/config/apply – 409 `conflict` while another apply to the node runs. */
export function applyConfig(nodeId: string, body: ApplyBody) {
  return apiFetch<z.output<typeof applyResponseSchema>>(`${nodePath(nodeId)}/apply`, { method: "POST", json: body });
}

/** POST /api/nodes/:node/config/revisions/:id/preflight – preview a rollback. */
export function preflightRollback(nodeId: string, revisionId: number, body: RollbackBody = {}) {
  return apiFetch<z.output<typeof preflightResponseSchema>>(`${nodePath(nodeId)}/revisions/${revisionId}/preflight`, { method: "POST", json: body });
}

/** POST /api/nodes/:node/config/revisions/:id/rollback – apply an old revision as a new one. */
export function rollbackConfig(nodeId: string, revisionId: number, body: RollbackBody = {}) {
  return apiFetch<z.output<typeof applyResponseSchema>>(`${nodePath(nodeId)}/revisions/${revisionId}/rollback`, { method: "POST", json: body });
}

/** POST /api/nodes/:node/config/drift/adopt – accept the running config as the latest revision. */
export function adoptDrift(nodeId: string) {
  return apiFetch<z.output<typeof adoptDriftResponseSchema>>(`${nodePath(nodeId)}/drift/adopt`, { method: "POST", json: {} });
}

/** POST /api/nodes/:node/config/drift/reapply – put Minos's last revision back on the node. */
export function reapplyDrift(nodeId: string, body: RollbackBody = {}) {
  return apiFetch<z.output<typeof applyResponseSchema>>(`${nodePath(nodeId)}/drift/reapply`, { method: "POST", json: body });
}

/** POST /api/rollouts – preflights every target; the rollout comes back `preflight-failed` or `running`. */
export function createRollout(body: CreateRolloutBody) {
  return apiFetch<z.output<typeof rolloutDetailSchema>>("/api/rollouts", { method: "POST", json: body });
}

/** POST /api/rollouts/:id/(pause|resume|cancel). */
export function rolloutAction(id: string, action: RolloutAction) {
  return apiFetch<z.output<typeof rolloutDetailSchema>>(`/api/rollouts/${encodeURIComponent(id)}/${action}`, { method: "POST", json: {} });
}

/** POST /api/rollouts/:id/nodes/:node/(retry-drain|force-drain|skip-drain): a person's answer to a blocked drain. */
export function answerRolloutDrain(id: string, node: string, action: DrainAction) {
  return apiFetch<z.output<typeof rolloutDetailSchema>>(`/api/rollouts/${encodeURIComponent(id)}/nodes/${encodeURIComponent(node)}/${action}`, { method: "POST", json: {} });
}
