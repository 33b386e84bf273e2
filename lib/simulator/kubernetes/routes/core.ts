/** core/v1: /version, nodes (get, list, watch, patch), pods (get, list, watch, delete, eviction). */
import { deletePod, evictPod } from "../pods";
import { RESOURCES, type KNode, type Pod } from "../objects";
import type { RouteModule } from "../router";
import { badRequest, success } from "../status";
import type { KObject } from "../store";
import { getHandler, listHandler, patchHandler, served } from "./generic";

const podFields = {
  "spec.nodeName": (o: KObject) => (o as Pod).spec.nodeName ?? "",
  "status.phase": (o: KObject) => (o as Pod).status.phase,
  "spec.restartPolicy": (o: KObject) => String((o as Pod).spec.restartPolicy ?? ""),
  "spec.schedulerName": (o: KObject) => String((o as Pod).spec.schedulerName ?? ""),
  "spec.serviceAccountName": (o: KObject) => String((o as Pod).spec.serviceAccountName ?? ""),
  "status.podIP": (o: KObject) => (o as Pod).status.podIP ?? "",
  "status.nominatedNodeName": () => "",
};

const nodeFields = { "spec.unschedulable": (o: KObject) => String((o as KNode).spec.unschedulable === true) };

function gracePeriod(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 0) throw badRequest(`invalid gracePeriodSeconds ${JSON.stringify(raw)}`);
  return raw;
}

async function jsonBody(text: Promise<string>): Promise<Record<string, unknown>> {
  const t = (await text).trim();
  if (t === "") return {};
  try {
    const v = JSON.parse(t) as unknown;
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw badRequest(`error decoding body: ${(e as Error).message}`);
  }
}

export const coreRoutes: RouteModule = (router) => {
  const { nodes, pods } = RESOURCES;
  router.add("GET", "/version", (req) => {
    const v = req.cluster.gitVersion;
    const m = /^v(\d+)\.(\d+)/.exec(v);
    return {
      status: 200,
      body: {
        major: m?.[1] ?? "1",
        minor: m?.[2] ?? "0",
        emulationMajor: m?.[1] ?? "1",
        emulationMinor: m?.[2] ?? "0",
        gitVersion: v,
        gitCommit: "0000000000000000000000000000000000000000",
        gitTreeState: "clean",
        buildDate: "2025-09-09T19:44:50Z",
        goVersion: "go1.24.6",
        compiler: "gc",
        platform: "linux/amd64",
      },
    };
  });

  router.add("GET", "/api/v1/nodes", listHandler(nodes, nodeFields));
  router.add("GET", "/api/v1/nodes/:name", getHandler(nodes));
  router.add(
    "PATCH",
    "/api/v1/nodes/:name",
    patchHandler(nodes, {
      after(req, before, after) {
        const was = (before as KNode | undefined)?.spec.unschedulable === true;
        const now = (after as KNode).spec.unschedulable === true;
        const n = req.cluster.simNode(after.metadata.name);
        if (n && was !== now) n.record({ event: now ? "cordon" : "uncordon", detail: req.user.name });
        if (n) req.cluster.syncNode(n);
      },
    }),
  );

  router.add("GET", "/api/v1/pods", listHandler(pods, podFields));
  router.add("GET", "/api/v1/namespaces/:namespace/pods", listHandler(pods, podFields));
  router.add("GET", "/api/v1/namespaces/:namespace/pods/:name", getHandler(pods));
  router.add("DELETE", "/api/v1/namespaces/:namespace/pods/:name", async (req) => {
    const body = await jsonBody(req.body());
    const q = req.query.get("gracePeriodSeconds");
    const grace = gracePeriod(q !== null ? Number(q) : body.gracePeriodSeconds);
    const pod = deletePod(req.cluster, req.params.namespace!, req.params.name!, grace);
    return { status: 200, body: served(pods, pod) };
  });
  router.add("POST", "/api/v1/namespaces/:namespace/pods/:name/eviction", async (req) => {
    const body = await jsonBody(req.body());
    const meta = (body.metadata ?? {}) as { name?: string; namespace?: string };
    if (meta.name !== undefined && meta.name !== req.params.name) throw badRequest(`name in URL does not match name in Eviction object`);
    if (meta.namespace !== undefined && meta.namespace !== req.params.namespace) throw badRequest(`namespace in URL does not match namespace in Eviction object`);
    const opts = (body.deleteOptions ?? {}) as { gracePeriodSeconds?: unknown };
    evictPod(req.cluster, req.params.namespace!, req.params.name!, gracePeriod(opts.gracePeriodSeconds));
    return { status: 201, body: success(201) };
  });
};
