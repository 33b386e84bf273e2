/**
 * The config-push screens' reads and writes, all through `apiFetch` and the zod contracts of
 * lib/schemas/configs.ts. Kept beside the components until lib/queries has a home for them.
 */
import { queryOptions } from "@tanstack/react-query";

import { apiFetch } from "@/lib/queries/api";
import {
  adoptDriftResponseSchema,
  applyResponseSchema,
  driftResponseSchema,
  preflightResponseSchema,
  revisionDetailSchema,
  revisionDiffResponseSchema,
  revisionListResponseSchema,
  rolloutDetailSchema,
  rolloutListResponseSchema,
  type ApplyBody,
  type CreateRolloutBody,
  type PreflightBody,
  type RollbackBody,
  type RolloutAction,
} from "@/lib/schemas/configs";

const nodePath = (node: string) => `/api/nodes/${encodeURIComponent(node)}/config`;

/** Query keys of everything config push reads. */
export const pushKeys = {
  all: ["config-push"] as const,
  revisions: (node: string) => [...pushKeys.all, "revisions", node] as const,
  revision: (node: string, id: number) => [...pushKeys.revisions(node), id] as const,
  diff: (node: string, from: number, to: number | "running") => [...pushKeys.revisions(node), "diff", from, to] as const,
  drift: (node: string) => [...pushKeys.all, "drift", node] as const,
  rollouts: () => [...pushKeys.all, "rollouts"] as const,
  rollout: (id: string) => [...pushKeys.rollouts(), id] as const,
};

/** GET /api/nodes/:node/config/revisions – newest first. */
export function revisionsQueryOptions(node: string) {
  return queryOptions({
    queryKey: pushKeys.revisions(node),
    queryFn: ({ signal }) => apiFetch(`${nodePath(node)}/revisions`, revisionListResponseSchema, { signal }),
    staleTime: 5_000,
  });
}

/** GET /api/nodes/:node/config/revisions/:id – one revision with its (redacted) config. */
export function revisionQueryOptions(node: string, id: number) {
  return queryOptions({
    queryKey: pushKeys.revision(node, id),
    queryFn: ({ signal }) => apiFetch(`${nodePath(node)}/revisions/${id}`, revisionDetailSchema, { signal }),
    // A revision never changes once written.
    staleTime: Infinity,
  });
}

/** GET …/revisions/diff?from=&to= – `to` may be "running". */
export function revisionDiffQueryOptions(node: string, from: number, to: number | "running") {
  return queryOptions({
    queryKey: pushKeys.diff(node, from, to),
    queryFn: ({ signal }) => apiFetch(`${nodePath(node)}/revisions/diff?from=${from}&to=${to}`, revisionDiffResponseSchema, { signal }),
    staleTime: to === "running" ? 5_000 : Infinity,
  });
}

/** GET /api/nodes/:node/config/drift – the running config against Minos's last revision. */
export function driftQueryOptions(node: string) {
  return queryOptions({
    queryKey: pushKeys.drift(node),
    queryFn: ({ signal }) => apiFetch(`${nodePath(node)}/drift`, driftResponseSchema, { signal }),
    staleTime: 15_000,
    refetchInterval: 60_000,
  });
}

/** GET /api/rollouts – newest first. */
export function rolloutsQueryOptions() {
  return queryOptions({
    queryKey: pushKeys.rollouts(),
    queryFn: ({ signal }) => apiFetch("/api/rollouts", rolloutListResponseSchema, { signal }),
    staleTime: 5_000,
  });
}

const LIVE_ROLLOUT_STATES = new Set(["preflight", "running"]);

/** GET /api/rollouts/:id – polled every second while the rollout is under way. */
export function rolloutQueryOptions(id: string) {
  return queryOptions({
    queryKey: pushKeys.rollout(id),
    queryFn: ({ signal }) => apiFetch(`/api/rollouts/${encodeURIComponent(id)}`, rolloutDetailSchema, { signal }),
    staleTime: 1_000,
    refetchInterval: (query) => (query.state.data && !LIVE_ROLLOUT_STATES.has(query.state.data.state) ? false : 1_000),
  });
}

/** POST /api/nodes/:node/config/preflight – the node's dry run, redacted. */
export function preflight(node: string, body: PreflightBody, signal?: AbortSignal) {
  return apiFetch(`${nodePath(node)}/preflight`, preflightResponseSchema, { method: "POST", json: body, signal });
}

/** POST /api/nodes/:node/config/apply. */
export function apply(node: string, body: ApplyBody) {
  return apiFetch(`${nodePath(node)}/apply`, applyResponseSchema, { method: "POST", json: body });
}

/** POST …/revisions/:id/preflight – a rollback's preview. */
export function preflightRollback(node: string, id: number, body: RollbackBody, signal?: AbortSignal) {
  return apiFetch(`${nodePath(node)}/revisions/${id}/preflight`, preflightResponseSchema, { method: "POST", json: body, signal });
}

/** POST …/revisions/:id/rollback – the old revision applied again, as a new revision. */
export function rollback(node: string, id: number, body: RollbackBody) {
  return apiFetch(`${nodePath(node)}/revisions/${id}/rollback`, applyResponseSchema, { method: "POST", json: body });
}

/** POST …/drift/adopt – record the running config as a new revision. */
export function adoptDrift(node: string) {
  return apiFetch(`${nodePath(node)}/drift/adopt`, adoptDriftResponseSchema, { method: "POST", json: {} });
}

/** POST …/drift/reapply – apply Minos's last revision again. */
export function reapplyDrift(node: string, body: RollbackBody) {
  return apiFetch(`${nodePath(node)}/drift/reapply`, applyResponseSchema, { method: "POST", json: body });
}

/** POST /api/rollouts – preflights every target, then runs in the background. */
export function createRollout(body: CreateRolloutBody) {
  return apiFetch("/api/rollouts", rolloutDetailSchema, { method: "POST", json: body });
}

/** POST /api/rollouts/:id/(pause|resume|cancel). */
export function rolloutAction(id: string, action: RolloutAction) {
  return apiFetch(`/api/rollouts/${encodeURIComponent(id)}/${action}`, rolloutDetailSchema, { method: "POST", json: {} });
}
