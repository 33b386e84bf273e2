/**
 * Discovery (/api, /api/v1, /apis, /apis/<group>/<version>): what clients such as
 * KubernetesObjectApi read to find a kind's resource and scope. Built from the resources served.
 */
import { RESOURCES, type ResourceInfo } from "../objects";
import type { RouteModule } from "../router";
import { noSuchResource } from "../status";

/** Verbs per resource, as the routes serve them. */
const VERBS: Record<string, string[]> = {
  nodes: ["get", "list", "patch", "watch"],
  pods: ["delete", "get", "list", "watch"],
  poddisruptionbudgets: ["get", "list", "watch"],
  deployments: ["get", "list", "patch", "watch"],
  daemonsets: ["get", "list", "patch", "watch"],
};

/** Extra resources registered by other route modules (e.g. K8SUP's), listed in discovery too. */
export const EXTRA_DISCOVERY: (ResourceInfo & { verbs: string[] })[] = [];

function all(): (ResourceInfo & { verbs: string[] })[] {
  return [...Object.values(RESOURCES).map((r) => ({ ...r, verbs: VERBS[r.resource] ?? ["get", "list"] })), ...EXTRA_DISCOVERY];
}

function resourceList(group: string, version: string) {
  const gv = group ? `${group}/${version}` : version;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: gv,
    resources: all()
      .filter((r) => r.group === group && r.version === version)
      .flatMap((r) => [
        { name: r.resource, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: r.verbs },
        ...(r.resource === "pods" ? [{ name: "pods/eviction", singularName: "", namespaced: true, group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] }] : []),
      ]),
  };
}

export const discoveryRoutes: RouteModule = (router) => {
  router.add("GET", "/api", () => ({ status: 200, body: { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] } }));
  router.add("GET", "/api/v1", () => ({ status: 200, body: resourceList("", "v1") }));
  router.add("GET", "/apis", () => {
    const groups = [...new Set(all().filter((r) => r.group).map((r) => `${r.group}/${r.version}`))].sort();
    return {
      status: 200,
      body: {
        kind: "APIGroupList",
        apiVersion: "v1",
        groups: groups.map((gv) => {
          const [name, version] = gv.split("/") as [string, string];
          const v = { groupVersion: gv, version };
          return { name, versions: [v], preferredVersion: v };
        }),
      },
    };
  });
  router.add("GET", "/apis/:group/:version", (req) => {
    const list = resourceList(req.params.group!, req.params.version!);
    if (list.resources.length === 0) throw noSuchResource();
    return { status: 200, body: list };
  });
};
