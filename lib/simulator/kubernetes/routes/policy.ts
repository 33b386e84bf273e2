/** policy/v1: PodDisruptionBudgets (get, list, watch), cluster-wide and per namespace. */
import { RESOURCES } from "../objects";
import type { RouteModule } from "../router";
import { getHandler, listHandler } from "./generic";

export const policyRoutes: RouteModule = (router) => {
  const r = RESOURCES.poddisruptionbudgets;
  router.add("GET", "/apis/policy/v1/poddisruptionbudgets", listHandler(r));
  router.add("GET", "/apis/policy/v1/namespaces/:namespace/poddisruptionbudgets", listHandler(r));
  router.add("GET", "/apis/policy/v1/namespaces/:namespace/poddisruptionbudgets/:name", getHandler(r));
};
