/** Every route module of the simulated API server; add yours with one line. */
import { Router, type RouteModule } from "../router";
import { appsRoutes } from "./apps";
import { coreRoutes } from "./core";
import { discoveryRoutes } from "./discovery";
import { policyRoutes } from "./policy";

export const ROUTE_MODULES: RouteModule[] = [discoveryRoutes, coreRoutes, policyRoutes, appsRoutes];

export function buildRouter(modules: RouteModule[] = ROUTE_MODULES): Router {
  const router = new Router();
  for (const m of modules) m(router);
  return router;
}
