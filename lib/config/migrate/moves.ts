/**
 * The moves from the v1alpha1 document to the documents of the 1.14 layout, one group per set of
 * fields that Talos reads together. Talos 1.14 reads a setting from the new document when one
 * exists and falls back to v1alpha1 otherwise (pkg/machinery/config/container), and rejects an old
 * field next to its new document (the types' V1Alpha1ConflictValidate). So a group moves every
 * field one reader covers at once; a partial move would silently drop the fields left behind
 * (e.g. a KubeNodeConfig makes Talos ignore machine.kubelet.nodeIP).
 *
 * Facts from Talos v1.14.0-rc.1: the v1alpha1 bridge (pkg/machinery/config/types/v1alpha1/
 * v1alpha1_k8s_bridge.go) for the effective values of old fields, the new types under
 * pkg/machinery/config/types/{k8s,cluster,runtime,network,cri} for names and formats, and
 * pkg/machinery/config/generate for how talosctl fills the new documents.
 */
import type { Json, JsonObject } from "./stream";
import type { Move, Path } from "./types";

/** A document of the 1.14 layout to create or merge into. Field order = Talos's struct order. */
export interface Write {
  kind: string;
  /** For named kinds: the document's `name`. */
  name?: string;
  fields: JsonObject;
  /** Map fields merge key by key into an existing document (Talos merges these maps too). */
  mergeMaps?: boolean;
}

export interface Plan {
  moved: Move[];
  /** v1alpha1 paths to delete. */
  remove: Path[];
  writes: Write[];
  /** Parts of the group left in place for a person (the rest moved). */
  leave?: { path: string; message: string }[];
}

export interface Refusal {
  decision: string;
}

export type Outcome = Plan | Refusal;

export interface Ctx {
  /** The v1alpha1 document's current value. */
  v1: JsonObject;
  /** Current documents of a kind (plain values). */
  docs(kind: string): JsonObject[];
}

export interface Group {
  id: string;
  /** The deprecation warnings this group resolves, as dotted v1alpha1 paths. */
  triggers: readonly string[];
  /** null: nothing of this group is in the config. */
  plan(ctx: Ctx): Outcome | null;
}

export const isObj = (v: unknown): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

export function getPath(root: unknown, dotted: string): Json | undefined {
  let cur: unknown = root;
  for (const seg of dotted.split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[seg];
  }
  return cur as Json | undefined;
}

const split = (dotted: string): Path => dotted.split(".");
const refuse = (decision: string): Refusal => ({ decision });
const has = (v: unknown) => v !== undefined && v !== null;
const nonEmpty = (v: unknown) => (Array.isArray(v) ? v.length > 0 : isObj(v) ? Object.keys(v).length > 0 : has(v));

/** `{a: 1, b: undefined}` → `{a: 1}`, keeping order (Go's omitempty on what we did not set). */
function compact(fields: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

/** v1alpha1 holds PEM as base64 of the PEM text; the new k8s documents hold the PEM text. */
export function pemFromBase64(value: Json | undefined): string | null {
  if (typeof value !== "string" || value === "") return null;
  let text: string;
  try {
    text = atob(value.replace(/\s+/g, ""));
  } catch {
    return null;
  }
  return /^-----BEGIN [A-Z0-9 ]+-----/.test(text) ? text : null;
}

const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

function machineType(v1: JsonObject): string {
  const t = getPath(v1, "machine.type");
  return typeof t === "string" ? t : "";
}
const isControlPlane = (v1: JsonObject) => ["controlplane", "init"].includes(machineType(v1));

/** Extra volumes have no field in the new pod documents (Talos 1.14 has none for them). */
function noExtraVolumes(base: string, section: JsonObject): Refusal | null {
  return nonEmpty(section.extraVolumes)
    ? refuse(`\`${base}.extraVolumes\` has no place in the 1.14 documents; remove the volumes or keep the old field`)
    : null;
}

function unknownKeys(section: JsonObject, known: readonly string[], base: string): Refusal | null {
  const extra = Object.keys(section).filter((k) => !known.includes(k));
  return extra.length > 0 ? refuse(`\`${base}\` has fields this fix does not know (${extra.join(", ")}); move them by hand`) : null;
}

// ---------------------------------------------------------------------------------------------

const discoveryIdentity: Group = {
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
const kubeCluster: Group = {
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
function effectiveAuthorizers(list: Json[]): JsonObject[] {
  const out = list.filter(isObj).map((a) => compact({ name: a.name, type: a.type, webhook: a.webhook }));
  if (!out.some((a) => a.type === "Node")) out.splice(0, 0, { name: "node", type: "Node" });
  if (!out.some((a) => a.type === "RBAC")) out.splice(1, 0, { name: "rbac", type: "RBAC" });
  return out;
}

const apiServer: Group = {
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
function podComponent(opts: { id: string; section: string; machine: string; kind: string; known: string[]; fields: (s: JsonObject) => JsonObject }): Group {
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

const controllerManager = podComponent({
  id: "controllerManager",
  section: "controllerManager",
  machine: "controllerManager",
  kind: "KubeControllerManagerConfig",
  known: ["image", "extraArgs", "extraVolumes", "env", "resources"],
  fields: (s) => compact({ image: s.image, extraArgs: nonEmpty(s.extraArgs) ? s.extraArgs : undefined, env: nonEmpty(s.env) ? s.env : undefined, resources: nonEmpty(s.resources) ? s.resources : undefined }),
});

const scheduler = podComponent({
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

const proxy: Group = {
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

const coreDNS: Group = {
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
const network: Group = {
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

const encryption: Group = {
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

/** cluster.ca + cluster.acceptedCAs → KubeAPIServerCAConfig (worker: the CA cert is accepted, as talosctl writes). */
const apiServerCA: Group = {
  id: "apiServerCA",
  triggers: ["cluster.ca", "cluster.acceptedCAs"],
  plan(ctx) {
    const ca = getPath(ctx.v1, "cluster.ca");
    const accepted = getPath(ctx.v1, "cluster.acceptedCAs");
    if (!has(ca) && !has(accepted)) return null;
    const fields: JsonObject = {};
    const acceptedOut: string[] = [];
    const moved: Move[] = [];
    const remove: Path[] = [];
    if (isObj(ca)) {
      const crt = pemFromBase64(ca.crt);
      if (crt === null) return refuse("`cluster.ca.crt` is not base64 PEM");
      const key = ca.key === undefined || ca.key === "" ? "" : pemFromBase64(ca.key);
      if (key === null) return refuse("`cluster.ca.key` is not base64 PEM");
      if (key !== "") {
        fields.issuingCA = { cert: crt, key };
        moved.push({ from: "cluster.ca", to: "KubeAPIServerCAConfig.issuingCA" });
      } else {
        acceptedOut.push(crt);
        moved.push({ from: "cluster.ca", to: "KubeAPIServerCAConfig.acceptedCAs" });
      }
      remove.push(split("cluster.ca"));
    }
    if (Array.isArray(accepted)) {
      for (const a of accepted) {
        const crt = pemFromBase64(isObj(a) ? a.crt : undefined);
        if (crt === null) return refuse("an entry of `cluster.acceptedCAs` is not base64 PEM");
        acceptedOut.push(crt);
      }
      moved.push({ from: "cluster.acceptedCAs", to: "KubeAPIServerCAConfig.acceptedCAs" });
      remove.push(split("cluster.acceptedCAs"));
    }
    if (acceptedOut.length > 0) fields.acceptedCAs = acceptedOut;
    return { moved, remove, writes: [{ kind: "KubeAPIServerCAConfig", fields }] };
  },
};

const aggregatorCA: Group = {
  id: "aggregatorCA",
  triggers: ["cluster.aggregatorCA"],
  plan(ctx) {
    const ca = getPath(ctx.v1, "cluster.aggregatorCA");
    if (!has(ca)) return null;
    if (!isObj(ca)) return refuse("`cluster.aggregatorCA` is not a certificate and key");
    const crt = pemFromBase64(ca.crt);
    const key = pemFromBase64(ca.key);
    if (crt === null || key === null) return refuse("`cluster.aggregatorCA` is not base64 PEM (crt and key)");
    return {
      moved: [{ from: "cluster.aggregatorCA", to: "KubeAggregatorCAConfig.issuingCA" }],
      remove: [split("cluster.aggregatorCA")],
      writes: [{ kind: "KubeAggregatorCAConfig", fields: { issuingCA: { cert: crt, key } } }],
    };
  },
};

/** DiscoveryServiceConfig: only the service registry has a 1.14 document (the legacy reader ignores the Kubernetes registry too). */
const discovery: Group = {
  id: "discovery",
  triggers: ["cluster.discovery"],
  plan(ctx) {
    const d = getPath(ctx.v1, "cluster.discovery");
    if (!isObj(d)) return null;
    const service = getPath(d, "registries.service");
    const enabled = d.enabled === true && !(isObj(service) && service.disabled === true);
    const moved: Move[] = [];
    const writes: Write[] = [];
    if (enabled) {
      const endpoint = isObj(service) && typeof service.endpoint === "string" ? service.endpoint : "https://discovery.talos.dev/";
      if (ctx.docs("DiscoveryServiceConfig").length > 0) return refuse("DiscoveryServiceConfig documents are already there; Talos rejects them next to `cluster.discovery`. Keep one");
      // talosctl names its discovery service document "default" (generate/init.go).
      writes.push({ kind: "DiscoveryServiceConfig", name: "default", fields: { endpoint } });
      moved.push({ from: "cluster.discovery", to: "DiscoveryServiceConfig default" });
    } else {
      moved.push({ from: "cluster.discovery", to: "(discovery off: no DiscoveryServiceConfig)" });
    }
    return { moved, remove: [split("cluster.discovery")], writes };
  },
};

/** extraManifests (+ headers) → one KubeExternalManifestConfig per URL, named by its URL as the legacy reader does. */
const extraManifests: Group = {
  id: "extraManifests",
  triggers: ["cluster.extraManifests", "cluster.extraManifestHeaders"],
  plan(ctx) {
    const urls = getPath(ctx.v1, "cluster.extraManifests");
    const headers = getPath(ctx.v1, "cluster.extraManifestHeaders");
    if (!has(urls) && !has(headers)) return null;
    const list = Array.isArray(urls) ? urls.filter((u): u is string => typeof u === "string") : [];
    const writes: Write[] = list.map((url) => ({ kind: "KubeExternalManifestConfig", name: url, fields: compact({ headers: nonEmpty(headers) ? headers : undefined, url }) }));
    const moved: Move[] = [];
    if (has(urls)) moved.push({ from: "cluster.extraManifests", to: `KubeExternalManifestConfig × ${list.length}` });
    if (has(headers)) moved.push({ from: "cluster.extraManifestHeaders", to: list.length > 0 ? "KubeExternalManifestConfig.headers" : "(no manifests: headers unused)" });
    return { moved, remove: [split("cluster.extraManifests"), split("cluster.extraManifestHeaders")], writes };
  },
};

const inlineManifests: Group = {
  id: "inlineManifests",
  triggers: ["cluster.inlineManifests"],
  plan(ctx) {
    const list = getPath(ctx.v1, "cluster.inlineManifests");
    if (!has(list)) return null;
    const items = Array.isArray(list) ? list.filter(isObj) : [];
    const writes: Write[] = [];
    for (const m of items) {
      if (typeof m.name !== "string" || m.name === "") return refuse("an inline manifest has no name");
      writes.push({ kind: "KubeInlineManifestConfig", name: m.name, fields: { manifest: typeof m.contents === "string" ? m.contents : "" } });
    }
    return { moved: [{ from: "cluster.inlineManifests", to: `KubeInlineManifestConfig × ${items.length}` }], remove: [split("cluster.inlineManifests")], writes };
  },
};

/**
 * Node registration: KubeNodeConfig replaces the whole legacy reader, which combines
 * machine.nodeLabels/nodeAnnotations/nodeTaints, kubelet.nodeIP/registerWithFQDN/
 * skipNodeRegistration and, on control planes, the control-plane label and (unless
 * cluster.allowSchedulingOnControlPlanes) the NoSchedule taint. All of it moves at once, the
 * implicit label and taint written out, as talosctl writes them for 1.14.
 */
const nodeGroup: Group = {
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
const kubelet: Group = {
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
const pods: Group = {
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

const kubePrism: Group = {
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

const talosAPIAccess: Group = {
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
function legacyResolver(ctx: Ctx): { fields: JsonObject; moved: Move[]; remove: Path[] } {
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

const hostDNS: Group = {
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

const imageCache: Group = {
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

const stableHostname: Group = {
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
function dropNoOp(id: string, path: string, why: string): Group {
  return {
    id,
    triggers: [path],
    plan(ctx) {
      if (!has(getPath(ctx.v1, path))) return null;
      return { moved: [{ from: path, to: `(dropped: ${why})` }], remove: [split(path)], writes: [] };
    },
  };
}

const install: Group = {
  id: "install",
  triggers: ["machine.install"],
  plan(ctx) {
    const i = getPath(ctx.v1, "machine.install");
    if (!isObj(i)) return null;
    // With an UnattendedInstallConfig the installer always uses the UKI command line
    // (cmd/installer/cmd/installer/install.go), so only `grubUseUKICmdline: false` is lost.
    const noTarget = ["diskSelector", "extraKernelArgs", "legacyBIOSSupport", "grubUseUKICmdline", "extensions"].filter((k) =>
      k === "grubUseUKICmdline" ? i[k] === false : nonEmpty(i[k]) && i[k] !== false,
    );
    if (noTarget.length > 0) {
      return refuse(`\`machine.install\` has ${noTarget.map((k) => `\`${k}\``).join(", ")}, which UnattendedInstallConfig cannot express 1:1 (disk selectors are CEL there, kernel args and extensions live in the boot assets); move them by hand`);
    }
    const bad = unknownKeys(i, ["disk", "image", "wipe", "bootloader", "diskSelector", "extraKernelArgs", "legacyBIOSSupport", "grubUseUKICmdline", "extensions"], "machine.install");
    if (bad) return bad;
    if (typeof i.disk !== "string" || i.disk === "") return refuse("UnattendedInstallConfig selects the disk with a CEL expression; `machine.install` has no disk to turn into one");
    if (ctx.docs("UnattendedInstallConfig").length > 0) return refuse("an UnattendedInstallConfig document is already there; keep one of the two");
    return {
      moved: Object.keys(i).map((k) => ({ from: `machine.install.${k}`, to: k === "disk" ? "UnattendedInstallConfig.provisioning.diskSelector.match" : k === "image" ? "UnattendedInstallConfig.installer.image" : k === "wipe" ? "UnattendedInstallConfig.provisioning.wipe" : k === "grubUseUKICmdline" ? "(dropped: always on with UnattendedInstallConfig)" : "(dropped: Talos always installs a bootloader)" })),
      remove: [split("machine.install")],
      writes: [
        {
          kind: "UnattendedInstallConfig",
          fields: compact({
            installer: has(i.image) ? { image: i.image! } : undefined,
            // The selector talosctl writes for --install-disk (generate/init.go).
            provisioning: compact({ diskSelector: { match: `disk.dev_path == ${JSON.stringify(i.disk)}` }, wipe: i.wipe }),
          }),
        },
      ],
    };
  },
};

const simpleMap = (id: string, path: string, kind: string, field: string): Group => ({
  id,
  triggers: [path],
  plan(ctx) {
    const v = getPath(ctx.v1, path);
    if (!has(v)) return null;
    if (!isObj(v)) return refuse(`\`${path}\` is not a map`);
    // Talos merges these maps with the document's entries winning; a key set differently in both is a decision.
    return { moved: [{ from: path, to: `${kind}.${field}` }], remove: [split(path)], writes: [{ kind, fields: { [field]: stringValues(v) }, mergeMaps: true }] };
  },
});

/** sysctls and env values are strings in the new documents (map[string]string). */
function stringValues(v: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? x : typeof x === "number" || typeof x === "boolean" ? String(x) : x;
  return out;
}

const udev: Group = {
  id: "udev",
  triggers: ["machine.udev"],
  plan(ctx) {
    const u = getPath(ctx.v1, "machine.udev");
    if (!has(u)) return null;
    const rules = isObj(u) && Array.isArray(u.rules) ? u.rules : [];
    if (ctx.docs("UdevRulesConfig").length > 0) return refuse("an UdevRulesConfig document is already there; add the rules to it by hand");
    return { moved: [{ from: "machine.udev.rules", to: "UdevRulesConfig.rules" }], remove: [split("machine.udev")], writes: rules.length > 0 ? [{ kind: "UdevRulesConfig", fields: { rules } }] : [] };
  },
};

const kernel: Group = {
  id: "kernel",
  triggers: ["machine.kernel"],
  plan(ctx) {
    const k = getPath(ctx.v1, "machine.kernel");
    if (!has(k)) return null;
    const modules = isObj(k) && Array.isArray(k.modules) ? k.modules.filter(isObj) : [];
    const writes: Write[] = [];
    for (const m of modules) {
      if (typeof m.name !== "string") return refuse("a kernel module has no name");
      writes.push({ kind: "KernelModuleConfig", name: m.name, fields: compact({ parameters: nonEmpty(m.parameters) ? m.parameters : undefined }) });
    }
    return { moved: [{ from: "machine.kernel.modules", to: `KernelModuleConfig × ${modules.length}` }], remove: [split("machine.kernel")], writes };
  },
};

const baseRuntimeSpec: Group = {
  id: "baseRuntimeSpec",
  triggers: ["machine.baseRuntimeSpecOverrides"],
  plan(ctx) {
    const o = getPath(ctx.v1, "machine.baseRuntimeSpecOverrides");
    if (!has(o)) return null;
    if (ctx.docs("CRIBaseRuntimeSpecConfig").length > 0) return refuse("a CRIBaseRuntimeSpecConfig document is already there; merge the overrides by hand");
    return {
      moved: [{ from: "machine.baseRuntimeSpecOverrides", to: "CRIBaseRuntimeSpecConfig.overrides" }],
      remove: [split("machine.baseRuntimeSpecOverrides")],
      writes: nonEmpty(o) ? [{ kind: "CRIBaseRuntimeSpecConfig", fields: { overrides: o! } }] : [],
    };
  },
};

const time: Group = {
  id: "time",
  triggers: ["machine.time"],
  plan(ctx) {
    const t = getPath(ctx.v1, "machine.time");
    if (!isObj(t)) return null;
    if (ctx.docs("TimeSyncConfig").length > 0) return refuse("a TimeSyncConfig document is already there; Talos reads only that one. Merge `machine.time` into it by hand");
    return {
      moved: [{ from: "machine.time", to: "TimeSyncConfig" }],
      remove: [split("machine.time")],
      writes: [
        {
          kind: "TimeSyncConfig",
          fields: compact({ enabled: t.disabled === true ? false : undefined, bootTimeout: t.bootTimeout, ntp: nonEmpty(t.servers) ? { servers: t.servers! } : undefined }),
        },
      ],
    };
  },
};

/** machine.registries → RegistryMirrorConfig / RegistryAuthConfig / RegistryTLSConfig per host. */
const registries: Group = {
  id: "registries",
  triggers: ["machine.registries"],
  plan(ctx) {
    const r = getPath(ctx.v1, "machine.registries");
    if (!isObj(r)) return null;
    const writes: Write[] = [];
    const mirrors = isObj(r.mirrors) ? r.mirrors : {};
    for (const [host, m] of Object.entries(mirrors)) {
      if (!isObj(m)) continue;
      const endpoints = Array.isArray(m.endpoints) ? m.endpoints : [];
      writes.push({
        kind: "RegistryMirrorConfig",
        name: host,
        fields: compact({ endpoints: endpoints.map((url) => compact({ url, overridePath: m.overridePath === true ? true : undefined })), skipFallback: m.skipFallback }),
      });
    }
    const configs = isObj(r.config) ? r.config : {};
    for (const [host, c] of Object.entries(configs)) {
      if (!isObj(c)) continue;
      if (isObj(c.auth)) writes.push({ kind: "RegistryAuthConfig", name: host, fields: compact({ username: c.auth.username, password: c.auth.password, auth: c.auth.auth, identityToken: c.auth.identityToken }) });
      if (isObj(c.tls)) {
        const tls = c.tls;
        let clientIdentity: Json | undefined;
        if (isObj(tls.clientIdentity)) {
          const cert = pemFromBase64(tls.clientIdentity.crt);
          const key = pemFromBase64(tls.clientIdentity.key);
          if (cert === null || key === null) return refuse(`the client identity of registry ${host} is not base64 PEM`);
          clientIdentity = { cert, key };
        }
        let ca: string | undefined;
        if (has(tls.ca)) {
          const pem = pemFromBase64(tls.ca);
          if (pem === null) return refuse(`the CA of registry ${host} is not base64 PEM`);
          ca = pem;
        }
        writes.push({ kind: "RegistryTLSConfig", name: host, fields: compact({ clientIdentity, ca, insecureSkipVerify: tls.insecureSkipVerify }) });
      }
    }
    return { moved: [{ from: "machine.registries", to: `Registry*Config × ${writes.length}` }], remove: [split("machine.registries")], writes };
  },
};

/** machine.network (1.13): the parts with a 1:1 document; interfaces need a person. */
/**
 * machine.network (deprecated in 1.13): hostname, resolver, extra hosts and KubeSpan move to
 * their documents. Interfaces stay for a person: each maps to a different set of link documents,
 * and one link document stops Talos's default DHCP on every other link (operator_config.go),
 * which legacy interfaces never did.
 */
const machineNetwork: Group = {
  id: "machineNetwork",
  triggers: ["machine.network"],
  plan(ctx) {
    const n = getPath(ctx.v1, "machine.network");
    if (!isObj(n)) return null;
    const bad = unknownKeys(n, ["hostname", "interfaces", "nameservers", "searchDomains", "extraHostEntries", "kubespan", "disableSearchDomain"], "machine.network");
    if (bad) return bad;
    const moved: Move[] = [];
    const writes: Write[] = [];
    const remove: Path[] = [];
    if (has(n.hostname)) {
      const existing = ctx.docs("HostnameConfig")[0];
      if (existing && existing.auto === "stable") return refuse("a HostnameConfig with `auto: stable` is already there, and `machine.network.hostname` sets a static name; decide which one stays");
      writes.push({ kind: "HostnameConfig", fields: { hostname: n.hostname! } });
      moved.push({ from: "machine.network.hostname", to: "HostnameConfig.hostname" });
      remove.push(split("machine.network.hostname"));
    }
    const resolver = legacyResolver(ctx);
    if (nonEmpty(resolver.fields)) writes.push({ kind: "ResolverConfig", fields: resolver.fields });
    moved.push(...resolver.moved);
    remove.push(...resolver.remove);
    if (Array.isArray(n.extraHostEntries)) {
      // One StaticHostConfig per IP (documents are keyed by name): entries of one IP merge, as /etc/hosts lines would.
      const byIP = new Map<string, Json[]>();
      for (const e of n.extraHostEntries.filter(isObj)) {
        if (typeof e.ip !== "string") return refuse("an extra host entry has no ip");
        byIP.set(e.ip, [...(byIP.get(e.ip) ?? []), ...(Array.isArray(e.aliases) ? e.aliases : [])]);
      }
      for (const [ip, hostnames] of byIP) writes.push({ kind: "StaticHostConfig", name: ip, fields: { hostnames } });
      moved.push({ from: "machine.network.extraHostEntries", to: "StaticHostConfig" });
      remove.push(split("machine.network.extraHostEntries"));
    }
    if (isObj(n.kubespan)) {
      if (ctx.docs("KubeSpanConfig").length > 0) return refuse("a KubeSpanConfig document is already there; merge `machine.network.kubespan` into it by hand");
      const k = n.kubespan;
      writes.push({
        kind: "KubeSpanConfig",
        fields: compact({
          enabled: k.enabled,
          advertiseKubernetesNetworks: k.advertiseKubernetesNetworks,
          allowDownPeerBypass: k.allowDownPeerBypass,
          harvestExtraEndpoints: k.harvestExtraEndpoints,
          mtu: k.mtu,
          filters: nonEmpty(k.filters) ? k.filters : undefined,
        }),
      });
      moved.push({ from: "machine.network.kubespan", to: "KubeSpanConfig" });
      remove.push(split("machine.network.kubespan"));
    }
    if (!nonEmpty(n.interfaces)) return { moved, remove: [split("machine.network")], writes };
    const leave = [
      {
        path: "machine.network.interfaces",
        message:
          "`machine.network.interfaces` maps to LinkConfig, BondConfig, BridgeConfig, VLANConfig, Layer2VIPConfig and DHCP documents depending on each interface, and any link document stops Talos's default DHCP on the other links (legacy interfaces did not); move them by hand",
      },
    ];
    return { moved, remove, writes, leave };
  },
};

/** The legacy CRI drop-in path Talos still reads from machine.files (constants.CRICustomizationConfigPart). */
const LEGACY_CRI_PART = "/etc/cri/conf.d/20-customization.part";
/**
 * Its new name: "customization" itself is reserved (cri/customization.go) and drop-ins apply in
 * name order, so this one sorts where the legacy "customization" did.
 */
const MIGRATED_CRI_NAME = "customization-migrated";

const files: Group = {
  id: "files",
  triggers: ["machine.files"],
  plan(ctx) {
    const f = getPath(ctx.v1, "machine.files");
    if (!has(f)) return null;
    const list = Array.isArray(f) ? f : [];
    if (list.length === 0) return { moved: [{ from: "machine.files", to: "(empty)" }], remove: [split("machine.files")], writes: [] };
    const other = list.filter((x) => !isObj(x) || x.path !== LEGACY_CRI_PART);
    if (other.length > 0) {
      const paths = other.map((x) => (isObj(x) && typeof x.path === "string" ? x.path : "?"));
      return refuse(`\`machine.files\` writes ${paths.join(", ")}: EtcFileConfig only writes under /etc and Talos 1.14 has no document for other paths, so these need a person to choose`);
    }
    const file = list[0] as JsonObject;
    if (list.length > 1) return refuse(`\`machine.files\` has ${LEGACY_CRI_PART} more than once; keep one`);
    if (ctx.docs("CRICustomizationConfig").some((d) => d.name === MIGRATED_CRI_NAME)) return refuse(`a CRICustomizationConfig named ${MIGRATED_CRI_NAME} is already there`);
    return {
      moved: [{ from: "machine.files", to: `CRICustomizationConfig ${MIGRATED_CRI_NAME}` }],
      remove: [split("machine.files")],
      writes: [{ kind: "CRICustomizationConfig", name: MIGRATED_CRI_NAME, fields: { content: typeof file.content === "string" ? file.content : "" } }],
    };
  },
};

const disks: Group = {
  id: "disks",
  triggers: ["machine.disks"],
  plan(ctx) {
    const d = getPath(ctx.v1, "machine.disks");
    if (!has(d)) return null;
    return refuse("`machine.disks` partitions whole disks; UserVolumeConfig selects disks with CEL and sizes volumes differently, so the layout needs a person to choose");
  },
};

/** etcd.subnet is the one-item form of etcd.advertisedSubnets (same v1alpha1 document). */
const etcdSubnet: Group = {
  id: "etcdSubnet",
  triggers: ["cluster.etcd.subnet"],
  plan(ctx) {
    const s = getPath(ctx.v1, "cluster.etcd.subnet");
    if (!has(s)) return null;
    if (nonEmpty(getPath(ctx.v1, "cluster.etcd.advertisedSubnets"))) return refuse("both `cluster.etcd.subnet` and `advertisedSubnets` are set; keep one");
    return { moved: [{ from: "cluster.etcd.subnet", to: "cluster.etcd.advertisedSubnets" }], remove: [split("cluster.etcd.subnet")], writes: [{ kind: "v1alpha1", fields: { "cluster.etcd.advertisedSubnets": [s!] } }] };
  },
};

/** In the order they run; later groups see the earlier ones' documents. */
export const GROUPS: readonly Group[] = [
  discoveryIdentity,
  kubeCluster,
  apiServer,
  controllerManager,
  scheduler,
  proxy,
  coreDNS,
  network,
  encryption,
  apiServerCA,
  aggregatorCA,
  discovery,
  extraManifests,
  inlineManifests,
  kubelet,
  nodeGroup,
  pods,
  kubePrism,
  talosAPIAccess,
  hostDNS,
  imageCache,
  stableHostname,
  dropNoOp("rbac", "machine.features.rbac", "RBAC is always on"),
  dropNoOp("apidCheckExtKeyUsage", "machine.features.apidCheckExtKeyUsage", "the check is always on"),
  install,
  files,
  simpleMap("env", "machine.env", "EnvironmentConfig", "variables"),
  time,
  simpleMap("sysctls", "machine.sysctls", "SysctlConfig", "params"),
  simpleMap("sysfs", "machine.sysfs", "SysfsConfig", "params"),
  registries,
  udev,
  kernel,
  baseRuntimeSpec,
  machineNetwork,
  disks,
  etcdSubnet,
];
