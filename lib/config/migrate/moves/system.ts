/** Moves to the 1.14 layout. The machine itself: install, files, environment, time, sysctls, registries, udev, kernel modules, network and disks. Facts from Talos v1.14.0-rc.1 (see ../moves.ts). */
import type { Json, JsonObject } from "../stream";
import type { Move, Path } from "../types";
import { isObj, getPath, split, refuse, has, nonEmpty, compact, pemFromBase64, unknownKeys, type Write, type Group } from "./common";
import { legacyResolver } from "./node";

export const install: Group = {
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

export const simpleMap = (id: string, path: string, kind: string, field: string): Group => ({
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
export function stringValues(v: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === "string" ? x : typeof x === "number" || typeof x === "boolean" ? String(x) : x;
  return out;
}

export const udev: Group = {
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

export const kernel: Group = {
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

export const baseRuntimeSpec: Group = {
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

export const time: Group = {
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
export const registries: Group = {
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
export const machineNetwork: Group = {
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
export const LEGACY_CRI_PART = "/etc/cri/conf.d/20-customization.part";
/**
 * Its new name: "customization" itself is reserved (cri/customization.go) and drop-ins apply in
 * name order, so this one sorts where the legacy "customization" did.
 */
export const MIGRATED_CRI_NAME = "customization-migrated";

export const files: Group = {
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

export const disks: Group = {
  id: "disks",
  triggers: ["machine.disks"],
  plan(ctx) {
    const d = getPath(ctx.v1, "machine.disks");
    if (!has(d)) return null;
    return refuse("`machine.disks` partitions whole disks; UserVolumeConfig selects disks with CEL and sizes volumes differently, so the layout needs a person to choose");
  },
};

/** etcd.subnet is the one-item form of etcd.advertisedSubnets (same v1alpha1 document). */
export const etcdSubnet: Group = {
  id: "etcdSubnet",
  triggers: ["cluster.etcd.subnet"],
  plan(ctx) {
    const s = getPath(ctx.v1, "cluster.etcd.subnet");
    if (!has(s)) return null;
    if (nonEmpty(getPath(ctx.v1, "cluster.etcd.advertisedSubnets"))) return refuse("both `cluster.etcd.subnet` and `advertisedSubnets` are set; keep one");
    return { moved: [{ from: "cluster.etcd.subnet", to: "cluster.etcd.advertisedSubnets" }], remove: [split("cluster.etcd.subnet")], writes: [{ kind: "v1alpha1", fields: { "cluster.etcd.advertisedSubnets": [s!] } }] };
  },
};
