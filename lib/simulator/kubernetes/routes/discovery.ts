/**
 * API discovery (/api, /api/v1, /apis, /apis/<group>/<version>), as the API server answers it:
 * clients that work from an object's apiVersion and kind (client-node's KubernetesObjectApi, the
 * server-side apply of the Kubernetes upgrade's manifests sync) look the resource up here first.
 * Lists exactly the resources the simulator serves.
 */
import { RESOURCES, type ResourceInfo } from "../objects";
import type { RouteModule } from "../router";

const VERBS: Record<string, string[]> = {
  nodes: ["get", "list", "patch", "watch"],
  pods: ["delete", "get", "list", "watch"],
  poddisruptionbudgets: ["get", "list", "watch"],
  deployments: ["get", "list", "patch", "watch"],
  daemonsets: ["get", "list", "patch", "watch"],
};

function resourceList(groupVersion: string, infos: ResourceInfo[]) {
  const resources = infos.flatMap((r) => [
    { name: r.resource, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: VERBS[r.resource] ?? ["get", "list"] },
    ...(r.resource === "pods" ? [{ name: "pods/eviction", singularName: "", namespaced: true, group: "policy", version: "v1", kind: "Eviction", verbs: ["create"] }] : []),
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources };
}

export const discoveryRoutes: RouteModule = (router) => {
  const all = Object.values(RESOURCES) as ResourceInfo[];
  const groups = [...new Set(all.filter((r) => r.group !== "").map((r) => `${r.group}/${r.version}`))].sort();
  router.add("GET", "/api", () => ({ status: 200, body: { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [] } }));
  router.add("GET", "/api/v1", () => ({ status: 200, body: resourceList("v1", all.filter((r) => r.group === "")) }));
  router.add("GET", "/apis", () => ({
    status: 200,
    body: {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: groups.map((gv) => {
        const [name, version] = gv.split("/") as [string, string];
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      }),
    },
  }));
  for (const gv of groups) {
    const [group, version] = gv.split("/") as [string, string];
    router.add("GET", `/apis/${group}/${version}`, () => ({ status: 200, body: resourceList(gv, all.filter((r) => r.group === group && r.version === version)) }));
  }
};
