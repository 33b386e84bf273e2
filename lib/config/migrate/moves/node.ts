/** Moves to the 1.14 layout. How the node joins Kubernetes: node labels and taints, kubelet, static pods, KubePrism, Talos API access, host DNS, image cache, host name. Facts from Talos v1.14.0-rc.1 (see ../moves.ts). */
import type { JsonObject } from "../stream";
import type { Move, Path } from "../types";
import { isObj, getPath, split, refuse, has, nonEmpty, compact, CONTROL_PLANE_LABEL, isControlPlane, unknownKeys, type Write, type Plan, type Ctx, type Group } from "./common";

/**
 * Node registration: KubeNodeConfig replaces the whole legacy reader, which combines
 * machine.nodeLabels/nodeAnnotations/nodeTaints, kubelet.nodeIP/registerWithFQDN/
 * skipNodeRegistration and, on control planes, the control-plane label and (unless
 * cluster.allowSchedulingOnControlPlanes) the NoSchedule taint. All of it moves at once, the
 * implicit label and taint written out, as talosctl writes them for 1.14.
 */
export const nodeGroup: Group = {
  id: "node",
  triggers: ["machine.nodeLabels", "machine.nodeAnnotations", "machine.nodeTaints", "cluster.allowSchedulingOnControlPlanes"],
  plan(ctx) {
    const v1 = ctx.v1;
    const labels = getPath(v1, "machine.nodeLabels");
    const annotations = getPath(v1, "machine.nodeAnnotations");
    const taints = getPath(v1, "machine.nodeTaints");
    const allow = getPath(v1, "cluster.allowSchedulingOnControlPlanes");
    const nodeIP = getPath(v1, "machine.kubelet.nodeIP");
    const fqdn = getPath(v1, "machine.kubelet.registerWithFQDN");
    const skip = getPath(v1, "machine.kubelet.skipNodeRegistration");
    if (![labels, annotations, taints, allow, nodeIP, fqdn, skip].some(has)) return null;
    const cp = isControlPlane(v1);
    const outLabels: JsonObject = { ...(isObj(labels) ? labels : {}) };
    const outTaints: JsonObject = { ...(isObj(taints) ? taints : {}) };
    if (cp) outLabels[CONTROL_PLANE_LABEL] = "";
    if (cp && allow !== true) outTaints[CONTROL_PLANE_LABEL] = "NoSchedule";
    const fields = compact({
      skipNodeRegistration: skip ?? undefined,
      registerWithFQDN: fqdn ?? undefined,
      nodeIP: isObj(nodeIP) && nonEmpty(nodeIP.validSubnets) ? { validSubnets: nodeIP.validSubnets! } : undefined,
      labels: nonEmpty(outLabels) ? outLabels : undefined,
      annotations: nonEmpty(annotations) ? annotations : undefined,
      taints: nonEmpty(outTaints) ? outTaints : undefined,
    });
    const moved: Move[] = [];
    const remove: Path[] = [];
    const pairs: [string, string][] = [
      ["machine.nodeLabels", "labels"],
      ["machine.nodeAnnotations", "annotations"],
      ["machine.nodeTaints", "taints"],
      ["cluster.allowSchedulingOnControlPlanes", "taints"],
      ["machine.kubelet.nodeIP", "nodeIP"],
      ["machine.kubelet.registerWithFQDN", "registerWithFQDN"],
      ["machine.kubelet.skipNodeRegistration", "skipNodeRegistration"],
    ];
    for (const [from, to] of pairs) {
      if (has(getPath(v1, from))) {
        moved.push({ from, to: `KubeNodeConfig.${to}` });
        remove.push(split(from));
      }
    }
    if (cp && !has(labels)) moved.push({ from: "(control-plane node label)", to: "KubeNodeConfig.labels" });
    return { moved, remove, writes: [{ kind: "KubeNodeConfig", fields, mergeMaps: true }] };
  },
};

/** machine.kubelet → KubeletConfig (+ KubeCredentialProviderConfig); its node fields go with the node group. */
export const kubelet: Group = {
  id: "kubelet",
  triggers: ["machine.kubelet"],
  plan(ctx) {
    const k = getPath(ctx.v1, "machine.kubelet");
    if (!isObj(k)) return null;
    const bad = unknownKeys(
      k,
      ["image", "clusterDNS", "extraArgs", "extraMounts", "extraConfig", "credentialProviderConfig", "defaultRuntimeSeccompProfileEnabled", "registerWithFQDN", "nodeIP", "skipNodeRegistration", "disableManifestsDirectory"],
      "machine.kubelet",
    );
    if (bad) return bad;
    if (nonEmpty(k.extraMounts)) return refuse("`machine.kubelet.extraMounts` has no place in KubeletConfig (Talos 1.14 mounts nothing extra); remove the mounts or keep the old field");
    if (k.disableManifestsDirectory === false) {
      return refuse("with KubeletConfig the kubelet never reads /etc/kubernetes/manifests, but `machine.kubelet.disableManifestsDirectory` is false here; move static pods to KubeStaticPodConfig first");
    }
    if (typeof k.image !== "string" || k.image === "") return refuse("KubeletConfig needs an image; set `machine.kubelet.image` first");
    if (ctx.docs("KubeCredentialProviderConfig").length > 0 && nonEmpty(k.credentialProviderConfig)) {
      return refuse("credential providers are set both in `machine.kubelet.credentialProviderConfig` and in a KubeCredentialProviderConfig document; keep one");
    }
    const node = nodeGroup.plan(ctx);
    if (node && "decision" in node) return node;
    const writes: Write[] = [
      {
        kind: "KubeletConfig",
        fields: compact({
          image: k.image,
          config: nonEmpty(k.extraConfig) ? k.extraConfig : undefined,
          extraArgs: nonEmpty(k.extraArgs) ? k.extraArgs : undefined,
          clusterDNS: nonEmpty(k.clusterDNS) ? k.clusterDNS : undefined,
          defaultRuntimeSeccompProfileEnabled: k.defaultRuntimeSeccompProfileEnabled,
        }),
      },
    ];
    const moved: Move[] = [];
    const names: Record<string, string> = { extraConfig: "config" };
    for (const key of ["image", "extraConfig", "extraArgs", "clusterDNS", "defaultRuntimeSeccompProfileEnabled"]) {
      if (has(k[key])) moved.push({ from: `machine.kubelet.${key}`, to: `KubeletConfig.${names[key] ?? key}` });
    }
    if (k.disableManifestsDirectory === true) moved.push({ from: "machine.kubelet.disableManifestsDirectory", to: "(KubeletConfig always disables it)" });
    if (nonEmpty(k.credentialProviderConfig)) {
      writes.push({ kind: "KubeCredentialProviderConfig", fields: { configuration: k.credentialProviderConfig! } });
      moved.push({ from: "machine.kubelet.credentialProviderConfig", to: "KubeCredentialProviderConfig.configuration" });
    }
    const plan: Plan = { moved, remove: [split("machine.kubelet")], writes };
    if (node) {
      plan.moved.push(...node.moved);
      plan.writes.push(...node.writes);
      plan.remove.push(...node.remove.filter((p) => p[1] !== "kubelet"));
    }
    return plan;
  },
};

/** machine.pods → KubeStaticPodConfig, named namespace-name as the legacy reader names them. */
export const pods: Group = {
  id: "pods",
  triggers: ["machine.pods"],
  plan(ctx) {
    const list = getPath(ctx.v1, "machine.pods");
    if (!has(list)) return null;
    const items = Array.isArray(list) ? list.filter(isObj) : [];
    const writes: Write[] = items.map((pod) => {
      const meta = isObj(pod.metadata) ? pod.metadata : {};
      const name = `${typeof meta.namespace === "string" ? meta.namespace : "default"}-${typeof meta.name === "string" ? meta.name : "default"}`;
      return { kind: "KubeStaticPodConfig", name, fields: { pod } };
    });
    const names = writes.map((w) => w.name);
    if (new Set(names).size !== names.length) return refuse("two static pods get the same name (namespace-name); give them distinct metadata names first");
    return { moved: [{ from: "machine.pods", to: `KubeStaticPodConfig × ${items.length}` }], remove: [split("machine.pods")], writes };
  },
};

export const kubePrism: Group = {
  id: "kubePrism",
  triggers: ["machine.features.kubePrism"],
  plan(ctx) {
    const k = getPath(ctx.v1, "machine.features.kubePrism");
    if (!has(k)) return null;
    const enabled = isObj(k) && k.enabled === true;
    if (!enabled) return { moved: [{ from: "machine.features.kubePrism", to: "(off: no KubePrismConfig)" }], remove: [split("machine.features.kubePrism")], writes: [] };
    const port = isObj(k) && has(k.port) ? k.port! : 7445;
    return {
      moved: [{ from: "machine.features.kubePrism", to: "KubePrismConfig.port" }],
      remove: [split("machine.features.kubePrism")],
      writes: [{ kind: "KubePrismConfig", fields: { port } }],
    };
  },
};

export const talosAPIAccess: Group = {
  id: "talosAPIAccess",
  triggers: ["machine.features.kubernetesTalosAPIAccess"],
  plan(ctx) {
    const a = getPath(ctx.v1, "machine.features.kubernetesTalosAPIAccess");
    if (!has(a)) return null;
    const path = split("machine.features.kubernetesTalosAPIAccess");
    if (!isObj(a) || a.enabled !== true) return { moved: [{ from: "machine.features.kubernetesTalosAPIAccess", to: "(off: no KubeTalosAPIAccessConfig)" }], remove: [path], writes: [] };
    return {
      moved: [{ from: "machine.features.kubernetesTalosAPIAccess", to: "KubeTalosAPIAccessConfig" }],
      remove: [path],
      writes: [{ kind: "KubeTalosAPIAccessConfig", fields: compact({ allowedRoles: a.allowedRoles, allowedKubernetesNamespaces: a.allowedKubernetesNamespaces }) }],
    };
  },
};

/**
 * The resolver fields of machine.network. Talos reads the whole resolver from a ResolverConfig
 * document once one exists (container.NetworkResolverConfig), so whatever creates one must take
 * these along or the node loses its nameservers.
 */
export function legacyResolver(ctx: Ctx): { fields: JsonObject; moved: Move[]; remove: Path[] } {
  const n = getPath(ctx.v1, "machine.network");
  const fields: JsonObject = {};
  const moved: Move[] = [];
  const remove: Path[] = [];
  if (!isObj(n)) return { fields, moved, remove };
  if (Array.isArray(n.nameservers)) {
    if (n.nameservers.length > 0) fields.nameservers = n.nameservers.map((address) => ({ address }));
    moved.push({ from: "machine.network.nameservers", to: "ResolverConfig.nameservers" });
    remove.push(split("machine.network.nameservers"));
  }
  if (nonEmpty(n.searchDomains) || n.disableSearchDomain === true) {
    fields.searchDomains = compact({ domains: nonEmpty(n.searchDomains) ? n.searchDomains : undefined, disableDefault: n.disableSearchDomain === true ? true : undefined });
  }
  if (has(n.searchDomains)) {
    moved.push({ from: "machine.network.searchDomains", to: "ResolverConfig.searchDomains.domains" });
    remove.push(split("machine.network.searchDomains"));
  }
  if (has(n.disableSearchDomain)) {
    moved.push({ from: "machine.network.disableSearchDomain", to: "ResolverConfig.searchDomains.disableDefault" });
    remove.push(split("machine.network.disableSearchDomain"));
  }
  return { fields, moved, remove };
}

export const hostDNS: Group = {
  id: "hostDNS",
  triggers: ["machine.features.hostDNS"],
  plan(ctx) {
    const h = getPath(ctx.v1, "machine.features.hostDNS");
    if (!isObj(h)) return null;
    const bad = unknownKeys(h, ["enabled", "forwardKubeDNSToHost", "resolveMemberNames"], "machine.features.hostDNS");
    if (bad) return bad;
    const resolver = legacyResolver(ctx);
    return {
      moved: [{ from: "machine.features.hostDNS", to: "ResolverConfig.hostDNS" }, ...resolver.moved],
      remove: [split("machine.features.hostDNS"), ...resolver.remove],
      writes: [{ kind: "ResolverConfig", fields: { ...resolver.fields, hostDNS: compact({ enabled: h.enabled, forwardKubeDNSToHost: h.forwardKubeDNSToHost, resolveMemberNames: h.resolveMemberNames }) } }],
    };
  },
};

export const imageCache: Group = {
  id: "imageCache",
  triggers: ["machine.features.imageCache"],
  plan(ctx) {
    const c = getPath(ctx.v1, "machine.features.imageCache");
    if (!isObj(c)) return null;
    return {
      moved: [{ from: "machine.features.imageCache.localEnabled", to: "ImageCacheConfig.local.enabled" }],
      remove: [split("machine.features.imageCache")],
      writes: [{ kind: "ImageCacheConfig", fields: { local: compact({ enabled: c.localEnabled }) } }],
    };
  },
};

export const stableHostname: Group = {
  id: "stableHostname",
  triggers: ["machine.features.stableHostname"],
  plan(ctx) {
    const s = getPath(ctx.v1, "machine.features.stableHostname");
    if (!has(s)) return null;
    if (s !== true) return refuse("`stableHostname: false` has no HostnameConfig equivalent chosen for you: use `auto: off` with a `hostname`, or remove the field");
    // A static hostname wins over the stable one (Talos's HostnameConfigController puts the
    // stable name on the default layer, below the machine config's), so the flag has no effect.
    const existing = ctx.docs("HostnameConfig")[0];
    if (has(getPath(ctx.v1, "machine.network.hostname")) || (existing && has(existing.hostname))) {
      return { moved: [{ from: "machine.features.stableHostname", to: "(dropped: the static hostname takes precedence)" }], remove: [split("machine.features.stableHostname")], writes: [] };
    }
    return {
      moved: [{ from: "machine.features.stableHostname", to: "HostnameConfig.auto: stable" }],
      remove: [split("machine.features.stableHostname")],
      writes: [{ kind: "HostnameConfig", fields: { auto: "stable" } }],
    };
  },
};

/** Fields Talos ignores now, whose warning says "remove it". */
export function dropNoOp(id: string, path: string, why: string): Group {
  return {
    id,
    triggers: [path],
    plan(ctx) {
      if (!has(getPath(ctx.v1, path))) return null;
      return { moved: [{ from: path, to: `(dropped: ${why})` }], remove: [split(path)], writes: [] };
    },
  };
}
