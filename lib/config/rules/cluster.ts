/** Rules on `cluster.*` of the v1alpha1 document (Talos's `ClusterConfig.Validate` and `ValidateCNI`). */
import { isControlPlane } from "./machine";
import { endpointURIError, isSubnetOrAddress, parseRequestURI } from "./net";
import type { DocumentSummary, Rule, RuleIssue } from "./types";
import { arr, error, get, obj, str, warning } from "./util";

/** `cluster.controlPlane.endpoint`: required when the section is present; an https URL with a host. */
export const controlPlaneEndpoint: Rule = (doc, ctx) => {
  const cp = obj(get(doc, "cluster", "controlPlane"));
  if (!cp) return [];
  const path = ["cluster", "controlPlane", "endpoint"];
  if (cp.endpoint === undefined || cp.endpoint === null) {
    return ctx.patch ? [] : [error(path, "cluster controlplane endpoint is required")];
  }
  const ep = str(cp.endpoint);
  if (ep === undefined) return []; // wrong type: the schema reports it
  const err = endpointURIError(ep, { requireHttps: true });
  return err ? [error(path, `invalid controlplane endpoint: ${err}`)] : [];
};

const DNS_NAME = /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/;
export function isValidDNSName(name: string): boolean {
  if (name === "" || name.length - (name.match(/\./g) ?? []).length > 255) return false;
  return DNS_NAME.test(name);
}

/** `cluster.network.dnsDomain` must be a DNS name. */
export const dnsDomain: Rule = (doc) => {
  const d = str(get(doc, "cluster", "network", "dnsDomain"));
  if (d === undefined || d === "" || isValidDNSName(d)) return [];
  return [error(["cluster", "network", "dnsDomain"], `${JSON.stringify(d)} is not a valid DNS name`)];
};

/** `cluster.externalCloudProvider.manifests` need `enabled` and valid URLs. */
export const externalCloudProvider: Rule = (doc) => {
  const ecp = obj(get(doc, "cluster", "externalCloudProvider"));
  if (!ecp) return [];
  const base = ["cluster", "externalCloudProvider"];
  const manifests = arr(ecp.manifests);
  if (ecp.enabled !== true && manifests.length > 0) {
    return [error([...base, "manifests"], "external cloud provider is disabled, but manifests are provided", "key")];
  }
  const out: RuleIssue[] = [];
  manifests.forEach((m, i) => {
    const u = str(m);
    const err = u === undefined ? null : endpointURIError(u);
    if (err) out.push(error([...base, "manifests", i], `invalid external cloud provider manifest url ${JSON.stringify(u)}: ${err}`));
  });
  return out;
};

/** `cluster.inlineManifests[].name`: non-empty and unique. */
export const inlineManifests: Rule = (doc) => {
  const out: RuleIssue[] = [];
  const seen = new Set<string>();
  arr(get(doc, "cluster", "inlineManifests")).forEach((m, i) => {
    const o = obj(m);
    if (!o) return;
    const name = str(o.name) ?? "";
    const path = ["cluster", "inlineManifests", i, "name"];
    if (name.trim() === "") out.push(error(o.name === undefined ? ["cluster", "inlineManifests", i] : path, "inline manifest name can't be empty"));
    else if (seen.has(name)) out.push(error(path, `inline manifest name ${JSON.stringify(name)} is duplicate`));
    seen.add(name);
  });
  return out;
};

const DEFAULT_DISCOVERY_ENDPOINT = "https://discovery.talos.dev/";

/** Discovery service registry: a valid endpoint without a path, and a cluster identity. */
export const discovery: Rule = (doc, ctx) => {
  const d = obj(get(doc, "cluster", "discovery"));
  if (!d || d.enabled !== true) return [];
  const service = obj(get(d, "registries", "service"));
  if (service?.disabled === true) return [];
  const out: RuleIssue[] = [];
  const endpointPath = ["cluster", "discovery", "registries", "service", "endpoint"];
  const endpoint = str(service?.endpoint) || DEFAULT_DISCOVERY_ENDPOINT;
  const parsed = parseRequestURI(endpoint);
  if ("error" in parsed) out.push(error(endpointPath, `cluster discovery service registry endpoint is invalid: ${parsed.error}`));
  else if (parsed.path !== "" && parsed.path !== "/") out.push(error(endpointPath, "cluster discovery service path should be empty"));

  // From 1.14 the identity may live in a DiscoveryIdentityConfig document instead.
  const identityDoc = kindsOf(ctx.documents).has("DiscoveryIdentityConfig");
  if (!ctx.patch && !identityDoc) {
    if (!str(get(doc, "cluster", "id"))) out.push(error(["cluster", "id"], "cluster discovery service requires .cluster.id"));
    if (!str(get(doc, "cluster", "secret"))) out.push(error(["cluster", "secret"], "cluster discovery service requires .cluster.secret"));
  }
  return out;
};

// The kinds of a stream, once per stream: a stream of many v1alpha1 documents (each an error,
// each still checked) would otherwise scan every document for every document.
const streamKinds = new WeakMap<readonly DocumentSummary[], Set<string>>();
function kindsOf(documents: readonly DocumentSummary[]): Set<string> {
  let kinds = streamKinds.get(documents);
  if (!kinds) streamKinds.set(documents, (kinds = new Set(documents.map((d) => d.kind))));
  return kinds;
}

/** `cluster.etcd`: control plane only; a CA; `subnet` xor `advertisedSubnets`; parseable subnets. */
export const etcd: Rule = (doc, ctx) => {
  const e = obj(get(doc, "cluster", "etcd"));
  if (!e) return [];
  const base = ["cluster", "etcd"];
  if (ctx.role === "worker") return [error(base, "etcd config is only allowed on control plane machines", "key")];
  const out: RuleIssue[] = [];
  if (!ctx.patch && isControlPlane(ctx.role) && !obj(e.ca)) {
    out.push(error([...base, "ca"], "key/cert combination should not be empty"));
  }
  const advertised = arr(e.advertisedSubnets);
  const subnet = str(e.subnet) ?? "";
  if (subnet !== "" && advertised.length > 0) {
    out.push(error([...base, "subnet"], "etcd subnet can't be set when advertised subnets are set"));
  }
  // The deprecated `subnet` is the single-item form of advertisedSubnets.
  const subnets: [string, (string | number)[]][] = subnet !== "" ? [["advertised", [...base, "subnet"]]] : [];
  const check = (field: "advertisedSubnets" | "listenSubnets", label: string) =>
    arr(e[field]).forEach((v, i) => {
      const s = str(v);
      if (s !== undefined && !isSubnetOrAddress(s.replace(/^!/, ""))) {
        out.push(error([...base, field, i], `etcd ${label} subnet is not valid: ${JSON.stringify(s.replace(/^!/, ""))}`));
      }
    });
  for (const [label, path] of subnets) {
    if (!isSubnetOrAddress(subnet.replace(/^!/, ""))) out.push(error(path, `etcd ${label} subnet is not valid: ${JSON.stringify(subnet)}`));
  }
  check("advertisedSubnets", "advertised");
  check("listenSubnets", "listen");
  return out;
};

/** CNI (control plane only): flannel, custom or none, with their field restrictions. */
export const cni: Rule = (doc, ctx) => {
  if (!isControlPlane(ctx.role)) return [];
  const network = obj(get(doc, "cluster", "network"));
  if (!network) return [];
  const c = obj(network.cni);
  if (!c) return []; // defaults to flannel
  const base = ["cluster", "network", "cni"];
  const name = str(c.name) ?? "";
  if (name === "" && ctx.patch) return [];
  const urls = arr(c.urls);
  const flannel = obj(c.flannel);
  const extraArgs = arr(flannel?.extraArgs);
  const policies = flannel?.kubeNetworkPoliciesEnabled === true;
  const out: RuleIssue[] = [];
  const q = JSON.stringify(name);
  const noFlannelSettings = () => {
    if (extraArgs.length > 0) out.push(error([...base, "flannel", "extraArgs"], `"flanneldExtraArgs" field should be empty for ${q} CNI`));
    if (policies) {
      out.push(error([...base, "flannel", "kubeNetworkPoliciesEnabled"], `"flannelKubeNetworkPoliciesEnabled" should not be enabled for ${q} CNI`));
    }
  };
  switch (name) {
    case "flannel":
      if (urls.length > 0) out.push(error([...base, "urls"], `"urls" field should be empty for ${q} CNI`, "key"));
      break;
    case "none":
      if (urls.length > 0) out.push(error([...base, "urls"], `"urls" field should be empty for ${q} CNI`, "key"));
      noFlannelSettings();
      break;
    case "custom":
      if (urls.length === 0) out.push(warning(c.urls === undefined ? [...base, "name"] : [...base, "urls"], `"urls" field should not be empty for ${q} CNI`));
      noFlannelSettings();
      urls.forEach((u, i) => {
        const s = str(u);
        const err = s === undefined ? null : endpointURIError(s);
        if (err) out.push(error([...base, "urls", i], err));
      });
      break;
    default:
      out.push(error([...base, "name"], 'cni name should be one of ["flannel", "custom", "none"]'));
  }
  return out;
};

/** `apiServer.authorizationConfig` excludes the authorization-mode / authorization-webhook-* extraArgs. */
export const apiServerAuthorization: Rule = (doc) => {
  const api = obj(get(doc, "cluster", "apiServer"));
  if (!api || arr(api.authorizationConfig).length === 0) return [];
  const args = obj(api.extraArgs);
  if (!args) return [];
  return Object.keys(args)
    .filter((k) => k === "authorization-mode" || k.startsWith("authorization-webhook-"))
    .map((k) =>
      error(["cluster", "apiServer", "extraArgs", k], `extraArgs ${JSON.stringify(k)} cannot be used together with authorizationConfig`, "key"),
    );
};

/** KubeProxyConfig (k8s/proxy.go Validate): a disabled proxy is not checked further; else it needs an image. */
export const kubeProxyDocument: Rule = (doc, ctx) => {
  if (ctx.patch || doc.enabled === false) return [];
  return str(doc.image) ? [] : [error(doc.image === undefined ? [] : ["image"], "proxy image cannot be empty")];
};
