/** Moves to the 1.14 layout. The Kubernetes control plane: cluster identity and endpoint, kube-apiserver, controller manager, scheduler, proxy, CoreDNS, pod network, etcd encryption. Facts from Talos v1.14.0-rc.1 (see ../moves.ts). */
import type { Json, JsonObject } from "../stream";
import type { Move, Path } from "../types";
import { isObj, getPath, split, refuse, has, nonEmpty, compact, pemFromBase64, noExtraVolumes, unknownKeys, type Write, type Group } from "./common";

export const discoveryIdentity: Group = {
  id: "discoveryIdentity",
  triggers: ["cluster.id", "cluster.secret"],
  plan(ctx) {
    const id = getPath(ctx.v1, "cluster.id");
    const secret = getPath(ctx.v1, "cluster.secret");
    if (!has(id) && !has(secret)) return null;
    if (typeof id !== "string" || typeof secret !== "string") return refuse("DiscoveryIdentityConfig needs both `cluster.id` and `cluster.secret`; set the missing one first");
    return {
      moved: [
        { from: "cluster.id", to: "DiscoveryIdentityConfig.clusterID" },
        { from: "cluster.secret", to: "DiscoveryIdentityConfig.clusterSecret" },
      ],
      remove: [split("cluster.id"), split("cluster.secret")],
      writes: [{ kind: "DiscoveryIdentityConfig", fields: { clusterID: id, clusterSecret: secret } }],
    };
  },
};

/**
 * cluster.clusterName + cluster.controlPlane.endpoint → KubeClusterConfig. The legacy service
 * account reader takes its issuer from the v1alpha1 endpoint, so cluster.serviceAccount moves
 * with them (to KubeServiceAccountConfig, issuer URL = the endpoint, as talosctl writes it).
 */
export const kubeCluster: Group = {
  id: "kubeCluster",
  triggers: ["cluster.clusterName", "cluster.controlPlane", "cluster.serviceAccount"],
  plan(ctx) {
    const name = getPath(ctx.v1, "cluster.clusterName");
    const cp = getPath(ctx.v1, "cluster.controlPlane");
    const sa = getPath(ctx.v1, "cluster.serviceAccount");
    if (!has(name) && !has(cp) && !has(sa)) return null;
    const existing = ctx.docs("KubeClusterConfig")[0];
    const cpObj = isObj(cp) ? cp : {};
    const bad = unknownKeys(cpObj, ["endpoint", "localAPIServerPort"], "cluster.controlPlane");
    if (bad) return bad;
    const endpoint = cpObj.endpoint ?? existing?.endpoint;
    const clusterName = name ?? existing?.clusterName;
    if (typeof endpoint !== "string" || typeof clusterName !== "string") {
      return refuse("KubeClusterConfig needs both the cluster name and the endpoint; set `cluster.clusterName` and `cluster.controlPlane.endpoint` first");
    }
    const moved: Move[] = [];
    const remove: Path[] = [];
    const writes: Write[] = [];
    const cluster: JsonObject = {};
    if (has(name)) {
      cluster.clusterName = name!;
      moved.push({ from: "cluster.clusterName", to: "KubeClusterConfig.clusterName" });
      remove.push(split("cluster.clusterName"));
    }
    if (has(cpObj.endpoint)) {
      cluster.endpoint = cpObj.endpoint!;
      moved.push({ from: "cluster.controlPlane.endpoint", to: "KubeClusterConfig.endpoint" });
      remove.push(split("cluster.controlPlane.endpoint"));
    }
    if (has(cpObj.localAPIServerPort)) {
      // kube-apiserver's port belongs to KubeAPIServerConfig (apiPort). While cluster.apiServer
      // is still in v1alpha1 the port moves with it (apiServer group); otherwise here.
      if (!has(getPath(ctx.v1, "cluster.apiServer"))) {
        if (ctx.docs("KubeAPIServerConfig").length === 0) {
          return refuse("`cluster.controlPlane.localAPIServerPort` moves to `apiPort` of KubeAPIServerConfig, which needs an image; add a KubeAPIServerConfig document first");
        }
        writes.push({ kind: "KubeAPIServerConfig", fields: { apiPort: cpObj.localAPIServerPort! } });
        moved.push({ from: "cluster.controlPlane.localAPIServerPort", to: "KubeAPIServerConfig.apiPort" });
        remove.push(split("cluster.controlPlane.localAPIServerPort"));
      }
    }
    writes.unshift({ kind: "KubeClusterConfig", fields: cluster });
    if (has(sa)) {
      const key = pemFromBase64(isObj(sa) ? sa.key : undefined);
      if (key === null) return refuse("`cluster.serviceAccount.key` is not base64 PEM; fix it before moving it to KubeServiceAccountConfig");
      writes.push({ kind: "KubeServiceAccountConfig", fields: { issuer: { privateKey: key, issuerURL: endpoint } } });
      moved.push({ from: "cluster.serviceAccount", to: "KubeServiceAccountConfig.issuer" });
      remove.push(split("cluster.serviceAccount"));
    }
    return { moved, remove, writes };
  },
};

/**
 * The effective authorizers of a v1alpha1 config: its list with Node and RBAC inserted when
 * missing (Talos's ControlPlaneAuthorizationController does that only for the legacy
 * apiServer; with KubeAPIServerConfig the KubeAuthorizerConfig documents are the whole list).
 */
export function effectiveAuthorizers(list: Json[]): JsonObject[] {
  const out = list.filter(isObj).map((a) => compact({ name: a.name, type: a.type, webhook: a.webhook }));
  if (!out.some((a) => a.type === "Node")) out.splice(0, 0, { name: "node", type: "Node" });
  if (!out.some((a) => a.type === "RBAC")) out.splice(1, 0, { name: "rbac", type: "RBAC" });
  return out;
}

export const apiServer: Group = {
  id: "apiServer",
  triggers: ["cluster.apiServer"],
  plan(ctx) {
    const api = getPath(ctx.v1, "cluster.apiServer");
    if (!isObj(api)) return null;
    const bad =
      unknownKeys(api, ["image", "extraArgs", "extraVolumes", "env", "certSANs", "disablePodSecurityPolicy", "admissionControl", "auditPolicy", "resources", "authorizationConfig"], "cluster.apiServer") ??
      noExtraVolumes("cluster.apiServer", api);
    if (bad) return bad;
    if (typeof api.image !== "string" || api.image === "") return refuse("KubeAPIServerConfig needs an image; set `cluster.apiServer.image` first");
    // With KubeAPIServerConfig, Talos passes --authentication-config itself and denies it in
    // extraArgs; on the legacy path it passed --anonymous-auth=false, which a user could override
    // (k8s/control_plane_final.go). Either flag here needs a person to write the structured config.
    const authArgs = isObj(api.extraArgs) ? ["authentication-config", "anonymous-auth"].filter((k) => k in (api.extraArgs as JsonObject)) : [];
    if (authArgs.length > 0) {
      return refuse(`\`cluster.apiServer.extraArgs\` sets ${authArgs.map((a) => `--${a}`).join(" and ")}; with KubeAPIServerConfig Talos owns the authentication config. Put those settings in a KubeAuthenticationConfig document first`);
    }
    const port = getPath(ctx.v1, "cluster.controlPlane.localAPIServerPort");
    const moved: Move[] = [{ from: "cluster.apiServer.image", to: "KubeAPIServerConfig.image" }];
    const remove: Path[] = [split("cluster.apiServer")];
    const fields = compact({
      image: api.image,
      extraArgs: nonEmpty(api.extraArgs) ? api.extraArgs : undefined,
      env: nonEmpty(api.env) ? api.env : undefined,
      resources: nonEmpty(api.resources) ? api.resources : undefined,
      apiPort: has(port) ? port : undefined,
      certExtraSANs: nonEmpty(api.certSANs) ? api.certSANs : undefined,
      // The legacy kube-apiserver had no probes (they need anonymous access to /livez etc.).
      startupProbes: false,
    });
    for (const [from, to] of [["extraArgs", "extraArgs"], ["env", "env"], ["resources", "resources"], ["certSANs", "certExtraSANs"]] as const) {
      if (nonEmpty(api[from])) moved.push({ from: `cluster.apiServer.${from}`, to: `KubeAPIServerConfig.${to}` });
    }
    if (has(port)) {
      moved.push({ from: "cluster.controlPlane.localAPIServerPort", to: "KubeAPIServerConfig.apiPort" });
      remove.push(split("cluster.controlPlane.localAPIServerPort"));
    }
    if (has(api.disablePodSecurityPolicy)) moved.push({ from: "cluster.apiServer.disablePodSecurityPolicy", to: "(dropped: PodSecurityPolicy no longer exists)" });
    const writes: Write[] = [{ kind: "KubeAPIServerConfig", fields }];
    // Legacy: --anonymous-auth=false. The same in the structured config Talos now always passes
    // (talosctl 1.14 would write anonymous access to the health endpoints instead: a change).
    if (ctx.docs("KubeAuthenticationConfig").length === 0) {
      writes.push({ kind: "KubeAuthenticationConfig", fields: { configuration: { anonymous: { enabled: false }, jwt: [] } } });
      moved.push({ from: "(legacy --anonymous-auth=false, no probes)", to: "KubeAuthenticationConfig anonymous.enabled: false, KubeAPIServerConfig.startupProbes: false" });
    }

    // Admission plugins: Talos rejects KubeAdmissionControlConfig next to v1alpha1 plugins.
    const plugins = Array.isArray(api.admissionControl) ? api.admissionControl.filter(isObj) : [];
    if (plugins.length > 0) {
      if (ctx.docs("KubeAdmissionControlConfig").length > 0) {
        return refuse("admission plugins are set both in `cluster.apiServer.admissionControl` and in KubeAdmissionControlConfig documents; keep one list and merge by hand");
      }
      for (const p of plugins) {
        if (typeof p.name !== "string") return refuse("an entry of `cluster.apiServer.admissionControl` has no name");
        writes.push({ kind: "KubeAdmissionControlConfig", name: p.name, fields: compact({ configuration: p.configuration }) });
      }
      moved.push({ from: "cluster.apiServer.admissionControl", to: `KubeAdmissionControlConfig ${plugins.map((p) => p.name as string).join(", ")}` });
    }

    if (nonEmpty(api.auditPolicy)) {
      if (ctx.docs("KubeAuditPolicyConfig").length > 0) {
        return refuse("the audit policy is set both in `cluster.apiServer.auditPolicy` and in a KubeAuditPolicyConfig document; keep one");
      }
      writes.push({ kind: "KubeAuditPolicyConfig", fields: { configuration: api.auditPolicy! } });
      moved.push({ from: "cluster.apiServer.auditPolicy", to: "KubeAuditPolicyConfig.configuration" });
    }

    const legacyAuthz = Array.isArray(api.authorizationConfig) ? api.authorizationConfig : [];
    const existingAuthz = ctx.docs("KubeAuthorizerConfig");
    if (existingAuthz.length > 0) {
      if (legacyAuthz.length > 0) {
        return refuse("authorizers are set both in `cluster.apiServer.authorizationConfig` and in KubeAuthorizerConfig documents; keep one list");
      }
      // With KubeAPIServerConfig, Talos no longer adds Node and RBAC: the documents are the list.
      const types = existingAuthz.map((a) => a.type);
      if (!types.includes("Node") || !types.includes("RBAC")) {
        return refuse(
          "with KubeAPIServerConfig Talos stops adding the Node and RBAC authorizers; the KubeAuthorizerConfig documents here lack " +
            ["Node", "RBAC"].filter((t) => !types.includes(t)).join(" and ") +
            ", so moving would change who is authorized. Add them (or decide not to) first",
        );
      }
    } else {
      const list = effectiveAuthorizers(legacyAuthz);
      for (const a of list) {
        if (typeof a.name !== "string") return refuse("an entry of `cluster.apiServer.authorizationConfig` has no name");
        writes.push({ kind: "KubeAuthorizerConfig", name: a.name, fields: compact({ type: a.type, webhook: a.webhook }) });
      }
      moved.push({
        from: legacyAuthz.length > 0 ? "cluster.apiServer.authorizationConfig" : "(Talos's default authorizers)",
        to: `KubeAuthorizerConfig ${list.map((a) => a.name as string).join(", ")}`,
      });
    }
    return { moved, remove, writes };
  },
};

/** cluster.controllerManager / cluster.scheduler + machine.controlPlane.<component>.disabled. */
export function podComponent(opts: { id: string; section: string; machine: string; kind: string; known: string[]; fields: (s: JsonObject) => JsonObject }): Group {
  return {
    id: opts.id,
    triggers: [`cluster.${opts.section}`, "machine.controlPlane"],
    plan(ctx) {
      const section = getPath(ctx.v1, `cluster.${opts.section}`);
      const disabled = getPath(ctx.v1, `machine.controlPlane.${opts.machine}.disabled`);
      const machinePart = getPath(ctx.v1, `machine.controlPlane.${opts.machine}`);
      if (!has(section) && !has(machinePart)) return null;
      const moved: Move[] = [];
      const remove: Path[] = [];
      let fields: JsonObject = {};
      if (has(machinePart)) {
        if (isObj(machinePart)) {
          const bad = unknownKeys(machinePart, ["disabled"], `machine.controlPlane.${opts.machine}`);
          if (bad) return bad;
        }
        if (disabled === true) fields.enabled = false;
        moved.push({ from: `machine.controlPlane.${opts.machine}.disabled`, to: `${opts.kind}.enabled` });
        remove.push(split(`machine.controlPlane.${opts.machine}`));
      }
      if (isObj(section)) {
        const bad = unknownKeys(section, opts.known, `cluster.${opts.section}`) ?? noExtraVolumes(`cluster.${opts.section}`, section);
        if (bad) return bad;
        fields = { ...fields, ...opts.fields(section) };
        for (const k of Object.keys(section)) if (k !== "extraVolumes") moved.push({ from: `cluster.${opts.section}.${k}`, to: `${opts.kind}.${k === "extraConfig" ? "config" : k}` });
        remove.push(split(`cluster.${opts.section}`));
      }
      const existing = ctx.docs(opts.kind)[0];
      if (typeof (fields.image ?? existing?.image) !== "string") {
        return refuse(`${opts.kind} needs an image; set \`cluster.${opts.section}.image\` first`);
      }
      return { moved, remove, writes: [{ kind: opts.kind, fields }] };
    },
  };
}

export const controllerManager = podComponent({
  id: "controllerManager",
  section: "controllerManager",
  machine: "controllerManager",
  kind: "KubeControllerManagerConfig",
  known: ["image", "extraArgs", "extraVolumes", "env", "resources"],
  fields: (s) => compact({ image: s.image, extraArgs: nonEmpty(s.extraArgs) ? s.extraArgs : undefined, env: nonEmpty(s.env) ? s.env : undefined, resources: nonEmpty(s.resources) ? s.resources : undefined }),
});

export const scheduler = podComponent({
  id: "scheduler",
  section: "scheduler",
  machine: "scheduler",
  kind: "KubeSchedulerConfig",
  known: ["image", "extraArgs", "extraVolumes", "env", "resources", "config"],
  fields: (s) =>
    compact({
      image: s.image,
      config: nonEmpty(s.config) ? s.config : undefined,
      extraArgs: nonEmpty(s.extraArgs) ? s.extraArgs : undefined,
      env: nonEmpty(s.env) ? s.env : undefined,
      resources: nonEmpty(s.resources) ? s.resources : undefined,
    }),
});

export const proxy: Group = {
  id: "proxy",
  triggers: ["cluster.proxy"],
  plan(ctx) {
    const p = getPath(ctx.v1, "cluster.proxy");
    if (!isObj(p)) return null;
    const bad = unknownKeys(p, ["disabled", "image", "mode", "extraArgs"], "cluster.proxy");
    if (bad) return bad;
    // KubeProxyConfig runs kube-proxy from a config file (UseConfigFile, k8s/control_plane.go);
    // its legacy flags have KubeProxyConfiguration fields of other names, which a person maps.
    if (nonEmpty(p.extraArgs) && p.disabled !== true) {
      return refuse("with KubeProxyConfig kube-proxy runs from a config file; move the flags of `cluster.proxy.extraArgs` into its `config` (KubeProxyConfiguration fields) by hand");
    }
    const enabled = p.disabled === true ? false : undefined;
    if (enabled !== false && typeof p.image !== "string" && typeof ctx.docs("KubeProxyConfig")[0]?.image !== "string") {
      return refuse("KubeProxyConfig needs an image; set `cluster.proxy.image` first");
    }
    const fields = compact({ enabled, image: p.image, mode: p.mode, extraArgs: nonEmpty(p.extraArgs) ? p.extraArgs : undefined });
    const moved = Object.keys(p).map((k) => ({ from: `cluster.proxy.${k}`, to: `KubeProxyConfig.${k === "disabled" ? "enabled" : k}` }));
    return { moved, remove: [split("cluster.proxy")], writes: [{ kind: "KubeProxyConfig", fields }] };
  },
};

export const coreDNS: Group = {
  id: "coreDNS",
  triggers: ["cluster.coreDNS"],
  plan(ctx) {
    const c = getPath(ctx.v1, "cluster.coreDNS");
    if (!isObj(c)) return null;
    const bad = unknownKeys(c, ["disabled", "image"], "cluster.coreDNS");
    if (bad) return bad;
    const fields = compact({ enabled: c.disabled === true ? false : undefined, image: c.image });
    const moved = Object.keys(c).map((k) => ({ from: `cluster.coreDNS.${k}`, to: `KubeCoreDNSConfig.${k === "disabled" ? "enabled" : k}` }));
    return { moved, remove: [split("cluster.coreDNS")], writes: [{ kind: "KubeCoreDNSConfig", fields }] };
  },
};

/** cluster.network → KubeNetworkConfig, its CNI → KubeFlannelCNIConfig or external manifests. */
export const network: Group = {
  id: "network",
  triggers: ["cluster.network"],
  plan(ctx) {
    const n = getPath(ctx.v1, "cluster.network");
    if (!isObj(n)) return null;
    const bad = unknownKeys(n, ["cni", "dnsDomain", "podSubnets", "serviceSubnets"], "cluster.network");
    if (bad) return bad;
    if (!nonEmpty(n.podSubnets) || !nonEmpty(n.serviceSubnets)) {
      return refuse("KubeNetworkConfig needs podSubnets and serviceSubnets; set them in `cluster.network` first");
    }
    const moved: Move[] = [];
    const writes: Write[] = [{ kind: "KubeNetworkConfig", fields: compact({ dnsDomain: n.dnsDomain ?? "cluster.local", podSubnets: n.podSubnets, serviceSubnets: n.serviceSubnets }) }];
    for (const k of ["dnsDomain", "podSubnets", "serviceSubnets"]) if (has(n[k])) moved.push({ from: `cluster.network.${k}`, to: `KubeNetworkConfig.${k}` });
    const cni = isObj(n.cni) ? n.cni : {};
    const cniName = cni.name ?? "flannel";
    if (cniName === "flannel") {
      const flannel = isObj(cni.flannel) ? cni.flannel : {};
      // The legacy Flannel reader answers vxlan on 4789 (v1alpha1_cniconfig.go), as talosctl writes.
      writes.push({
        kind: "KubeFlannelCNIConfig",
        fields: compact({
          backendType: "vxlan",
          backendPort: 4789,
          extraArgs: nonEmpty(flannel.extraArgs) ? flannel.extraArgs : undefined,
          kubeNetworkPoliciesEnabled: flannel.kubeNetworkPoliciesEnabled,
        }),
      });
      moved.push({ from: "cluster.network.cni", to: "KubeFlannelCNIConfig" });
    } else if (cniName === "custom") {
      const urls = Array.isArray(cni.urls) ? cni.urls.filter((u): u is string => typeof u === "string") : [];
      if (urls.length > 1) return refuse("a custom CNI with several URLs needs one KubeExternalManifestConfig per URL with a name of your choice; move them by hand");
      if (urls.length === 1) {
        // talosctl names the custom CNI manifest "custom-cni" (generate/kubernetes.go).
        writes.push({ kind: "KubeExternalManifestConfig", name: "custom-cni", fields: { url: urls[0]! } });
        moved.push({ from: "cluster.network.cni.urls", to: "KubeExternalManifestConfig custom-cni" });
      }
    } else if (cniName === "none") {
      moved.push({ from: "cluster.network.cni", to: "(none: no CNI document)" });
    } else {
      return refuse(`unknown CNI name ${JSON.stringify(cniName)}`);
    }
    return { moved, remove: [split("cluster.network")], writes };
  },
};

export const encryption: Group = {
  id: "encryption",
  triggers: ["cluster.aescbcEncryptionSecret", "cluster.secretboxEncryptionSecret"],
  plan(ctx) {
    const aescbc = getPath(ctx.v1, "cluster.aescbcEncryptionSecret");
    const secretbox = getPath(ctx.v1, "cluster.secretboxEncryptionSecret");
    if (!has(aescbc) && !has(secretbox)) return null;
    if (ctx.docs("KubeEtcdEncryptionConfig").length > 0) {
      return refuse("a KubeEtcdEncryptionConfig document is already there; Talos rejects it next to the v1alpha1 keys. Add the keys to it by hand, keeping the provider names key1/key2");
    }
    // The same EncryptionConfiguration Talos renders from the v1alpha1 keys
    // (k8stemplates/apiserver.go legacy path), so existing Secrets stay readable.
    const providers: Json[] = [];
    if (typeof secretbox === "string" && secretbox !== "") providers.push({ secretbox: { keys: [{ name: "key2", secret: secretbox }] } });
    if (typeof aescbc === "string" && aescbc !== "") providers.push({ aescbc: { keys: [{ name: "key1", secret: aescbc }] } });
    providers.push({ identity: {} });
    const moved: Move[] = [];
    const remove: Path[] = [];
    if (has(secretbox)) {
      moved.push({ from: "cluster.secretboxEncryptionSecret", to: "KubeEtcdEncryptionConfig.config (secretbox key2)" });
      remove.push(split("cluster.secretboxEncryptionSecret"));
    }
    if (has(aescbc)) {
      moved.push({ from: "cluster.aescbcEncryptionSecret", to: "KubeEtcdEncryptionConfig.config (aescbc key1)" });
      remove.push(split("cluster.aescbcEncryptionSecret"));
    }
    return { moved, remove, writes: [{ kind: "KubeEtcdEncryptionConfig", fields: { config: { resources: [{ resources: ["secrets"], providers }] } } }] };
  },
};
