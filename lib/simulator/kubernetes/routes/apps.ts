/** apps/v1: DaemonSets and Deployments (get, list, watch, patch including server-side apply). */
import { RESOURCES, type Workload } from "../objects";
import type { RouteModule } from "../router";
import { matchesLabelSelector } from "../selectors";
import { invalid } from "../status";
import type { KObject } from "../store";
import { getHandler, listHandler, patchHandler } from "./generic";

/** What the API server's validation refuses for a workload the controllers could not run. */
function validateWorkload(o: KObject): void {
  const w = o as Workload;
  const name = w.metadata.name;
  const containers = w.spec?.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw invalid(w.kind, name, "spec.template.spec.containers", "Required value");
  for (const [i, c] of containers.entries()) {
    if (!c || typeof c.name !== "string" || c.name === "") throw invalid(w.kind, name, `spec.template.spec.containers[${i}].name`, "Required value");
    if (typeof c.image !== "string" || c.image === "") throw invalid(w.kind, name, `spec.template.spec.containers[${i}].image`, "Required value");
  }
  if (!w.spec.selector || !matchesLabelSelector(w.spec.selector, w.spec.template.metadata?.labels)) {
    throw invalid(w.kind, name, "spec.template.metadata.labels", "Invalid value: `selector` does not match template `labels`");
  }
}

export const appsRoutes: RouteModule = (router) => {
  for (const r of [RESOURCES.daemonsets, RESOURCES.deployments]) {
    router.add("GET", `/apis/apps/v1/${r.resource}`, listHandler(r));
    router.add("GET", `/apis/apps/v1/namespaces/:namespace/${r.resource}`, listHandler(r));
    router.add("GET", `/apis/apps/v1/namespaces/:namespace/${r.resource}/:name`, getHandler(r));
    router.add("PATCH", `/apis/apps/v1/namespaces/:namespace/${r.resource}/:name`, patchHandler(r, { apply: true, validate: validateWorkload }));
  }
};
