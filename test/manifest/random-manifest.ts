/**
 * Random cluster manifests for adoption's property test and bench: nodes of both roles with
 * labels, shared patches selected by role, label, hostname glob or node list, node patches and
 * generation inputs, each change drawn from realistic fields in the form the contract uses
 * (v1alpha1 up to 1.13, the Kube…, Sysctl and TimeSync documents on 1.14). Seeded: a seed names a
 * case for good.
 */
import { stringify } from "yaml";

import type { Manifest, ManifestNode } from "@/lib/manifest/schema";

/** mulberry32: small, fast, good enough to draw test cases. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]!, chance: (p: number) => next() < p };
}
export type Rng = ReturnType<typeof prng>;

type Obj = Record<string, unknown>;
/** Patch documents being built, by identity; merged the way a person would write one patch. */
type Docs = Map<string, Obj>;

function deepMerge(into: Obj, from: Obj): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (Array.isArray(cur) && Array.isArray(v)) into[k] = [...cur, ...v];
    else if (cur && typeof cur === "object" && !Array.isArray(cur) && v && typeof v === "object" && !Array.isArray(v)) deepMerge(cur as Obj, v as Obj);
    else into[k] = v;
  }
}

function add(docs: Docs, doc: Obj): void {
  const id = doc.kind ? `${String(doc.kind)}/${String(doc.name ?? "")}` : "v1alpha1";
  const cur = docs.get(id);
  if (cur) deepMerge(cur, structuredClone(doc));
  else docs.set(id, structuredClone(doc));
}

const v1 = (body: Obj): Obj => body;
const doc = (kind: string, body: Obj): Obj => ({ apiVersion: "v1alpha1", kind, ...body });

/** The password of the registry mirror some random patches name (`https://robot:…@cache.example.com`). */
export const MIRROR_PASSWORD = "mirr0r-pw";

/** One realistic change, in the form the contract uses. */
function fragment(rng: Rng, minor: number, address: string): Obj {
  const multiK8s = minor >= 14;
  const num = () => String(1000 + rng.int(900000));
  switch (rng.int(25)) {
    case 0: {
      const key = rng.pick(["vm.max_map_count", "net.core.somaxconn", "fs.inotify.max_user_watches", "kernel.pid_max"]);
      return multiK8s ? doc("SysctlConfig", { params: { [key]: num() } }) : v1({ machine: { sysctls: { [key]: num() } } });
    }
    case 1: {
      const key = rng.pick(["zone", "tier", "example.com/rack"]);
      const value = rng.pick(["a", "b", "c", "app", "db"]);
      return multiK8s ? doc("KubeNodeConfig", { labels: { [key]: value } }) : v1({ machine: { nodeLabels: { [key]: value } } });
    }
    case 2: {
      const key = rng.pick(["max-pods", "rotate-server-certificates", "node-status-update-frequency"]);
      const value = rng.pick(["110", "250", "true", "20s"]);
      return multiK8s ? doc("KubeletConfig", { extraArgs: { [key]: value } }) : v1({ machine: { kubelet: { extraArgs: { [key]: value } } } });
    }
    case 3: {
      const servers = [rng.pick(["time.cloudflare.com", "pool.ntp.org", "10.0.0.1"])];
      return multiK8s ? doc("TimeSyncConfig", { ntp: { servers } }) : v1({ machine: { time: { servers } } });
    }
    case 4:
      return v1({ machine: { certSANs: [rng.chance(0.5) ? address : `${rng.pick(["api", "k8s", "lb"])}.example.com`] } });
    case 5: {
      const host = rng.pick(["docker.io", "ghcr.io", "quay.io"]);
      // Sometimes with credentials: adoption must keep those in patches (redacted), out of `generate`.
      const url = `https://${rng.pick(["mirror-a", "mirror-b", "cache", `robot:${MIRROR_PASSWORD}@cache`])}.example.com`;
      if (minor >= 12) return doc("RegistryMirrorConfig", { name: host, endpoints: [{ url }] });
      return v1({ machine: { registries: { mirrors: { [host]: { endpoints: [url] } } } } });
    }
    case 6: {
      const key = rng.pick(["dedicated", "example.com/gpu"]);
      return multiK8s ? doc("KubeNodeConfig", { taints: { [key]: "true:NoSchedule" } }) : v1({ machine: { nodeTaints: { [key]: "true:NoSchedule" } } });
    }
    case 7: {
      const n = 100 + rng.int(200);
      return multiK8s ? doc("KubeletConfig", { config: { maxPods: n } }) : v1({ machine: { kubelet: { extraConfig: { maxPods: n, serializeImagePulls: rng.chance(0.5) } } } });
    }
    case 8:
      return v1({ machine: { network: { nameservers: [rng.pick(["1.1.1.1", "8.8.8.8", "10.0.0.53"])] } } });
    case 9:
      return multiK8s ? doc("KubeNodeConfig", { annotations: { "example.com/owner": rng.pick(["team-a", "team-b"]) } }) : v1({ machine: { install: { extraKernelArgs: [rng.pick(["console=ttyS0", "net.ifnames=0", "talos.dashboard.disabled=1"])] } } });
    case 10:
      // A field the base has, deleted.
      return multiK8s ? doc("KubeletConfig", { defaultRuntimeSeccompProfileEnabled: { $patch: "delete" } }) : v1({ machine: { features: { diskQuotaSupport: { $patch: "delete" } } } });
    case 11:
      return v1({ machine: { env: { [rng.pick(["http_proxy", "https_proxy", "no_proxy"])]: rng.pick(["http://proxy:3128", "localhost,10.0.0.0/8"]) } } });
    case 12:
      return v1({ machine: { kernel: { modules: [{ name: rng.pick(["br_netfilter", "nvme_tcp", "drbd"]) }] } } });
    case 13:
      // A keyed list: items with one interface merge.
      return v1({ machine: { network: { interfaces: [{ interface: rng.pick(["eth0", "eth1"]), mtu: rng.pick([1500, 9000]), dhcp: rng.chance(0.5) }] } } });
    case 14: {
      // Sizes: a patch that leaves minSize out of provisioning drops it (Talos's ByteSize merge).
      const provisioning: Obj = { maxSize: rng.pick(["50GiB", "100GiB"]) };
      if (rng.chance(0.6)) provisioning.minSize = rng.pick(["5GiB", "10GiB"]);
      if (rng.chance(0.5)) provisioning.diskSelector = { match: "!system_disk" };
      return doc("UserVolumeConfig", { name: "data", provisioning });
    }
    case 15:
      return v1({ machine: { certSANs: { $patch: "delete" } } });
    case 16:
      return v1({ debug: true });
    case 17: {
      const args = { [rng.pick(["audit-log-maxage", "event-ttl"])]: rng.pick(["30", "2h"]) };
      return multiK8s ? doc("KubeAPIServerConfig", { extraArgs: args }) : v1({ cluster: { apiServer: { extraArgs: args } } });
    }
    case 18:
      if (minor >= 12) return doc("HostnameConfig", { $patch: "delete" });
      return v1({ machine: { network: { hostname: { $patch: "delete" } } } });
    case 19: {
      const configuration = { defaults: { enforce: rng.pick(["privileged", "restricted"]) } };
      return multiK8s ? doc("KubeAdmissionControlConfig", { name: "PodSecurity", configuration }) : v1({ cluster: { apiServer: { admissionControl: [{ name: "PodSecurity", configuration }] } } });
    }
    case 20:
      return v1({ machine: { files: [{ content: `x=${num()}\n`, permissions: 0o644, path: rng.pick(["/var/etc/a.conf", "/var/etc/b.conf"]), op: "create" }] } });
    case 21:
      return multiK8s ? doc("KubeProxyConfig", { enabled: false }) : v1({ machine: { features: { kubePrism: { enabled: false } } } });
    case 22:
      return doc("ExtensionServiceConfig", { name: rng.pick(["nut-client", "tailscale"]), environment: [`KEY=${num()}`] });
    case 23:
      if (minor >= 12) return doc("StaticHostConfig", { name: rng.pick(["10.0.0.5", "10.0.0.6"]), hostnames: [rng.pick(["db.local", "cache.local"])] });
      return v1({ machine: { network: { extraHostEntries: [{ ip: "10.0.0.5", aliases: [rng.pick(["db.local", "cache.local"])] }] } } });
    default: {
      const endpoint = rng.pick(["https://lb.example.com:6443", "https://10.0.0.99:443"]);
      return multiK8s ? doc("KubeClusterConfig", { endpoint }) : v1({ cluster: { controlPlane: { endpoint } } });
    }
  }
}

function patchText(rng: Rng, minor: number, address: string, count: number): string {
  const docs: Docs = new Map();
  for (let i = 0; i < count; i++) add(docs, fragment(rng, minor, address));
  return [...docs.values()].map((d) => stringify(d)).join("---\n");
}

const VERSIONS: Record<number, string> = { 10: "v1.10.7", 11: "v1.11.5", 12: "v1.12.11", 13: "v1.13.9", 14: "v1.14.0" };

export function randomManifest(seed: number, minor: number): Manifest {
  const rng = prng(seed * 31 + minor);
  const cps = 1 + rng.int(3);
  const workers = rng.int(7);
  const nodes: ManifestNode[] = [];
  for (let i = 0; i < cps + workers; i++) {
    const cp = i < cps;
    const address = `10.0.${cp ? 0 : 1}.${10 + i}`;
    const node: ManifestNode = { address, hostname: cp ? `cp-${i + 1}` : `w-${i - cps + 1}`, role: cp ? "controlplane" : "worker" };
    if (rng.chance(0.7)) node.labels = { zone: rng.pick(["a", "b"]) };
    if (rng.chance(0.15)) node.setHostname = false;
    if (rng.chance(0.6)) node.patch = patchText(rng, minor, address, 1 + rng.int(3));
    nodes.push(node);
  }
  const selectors = [
    undefined,
    { role: "worker" as const },
    { role: "controlplane" as const },
    { labels: { zone: "a" } },
    { hostname: "w-*" },
    { nodes: [nodes[rng.int(nodes.length)]!.hostname] },
  ];
  const patches = Array.from({ length: rng.int(5) }, (_, i) => ({ name: `patch ${i}`, selector: rng.pick(selectors), patch: patchText(rng, minor, "10.9.9.9", 1 + rng.int(3)) }));
  const generate: Manifest["generate"] = {};
  if (rng.chance(0.5)) generate.additionalSans = ["api.example.com", ...(rng.chance(0.5) ? ["10.0.0.10"] : [])];
  if (rng.chance(0.2)) generate.dnsDomain = "cluster.internal";
  if (rng.chance(0.3)) generate.installDisk = rng.pick(["/dev/nvme0n1", "/dev/vda", ""]);
  if (rng.chance(0.2)) generate.installImage = "factory.talos.dev/installer/abc:v1.0.0";
  if (rng.chance(0.3)) generate.registryMirrors = { "docker.io": ["https://registry-1.example.com"] };
  if (rng.chance(0.2)) generate.discovery = false;
  if (rng.chance(0.2)) generate.kubeSpan = true;
  return {
    version: 1,
    cluster: { name: `c${seed}`, endpoint: rng.pick(["https://10.0.0.10:6443", "https://api.example.com:6443"]), talosVersion: VERSIONS[minor]!, kubernetesVersion: rng.pick(["v1.32.4", "v1.33.2"]) },
    generate,
    patches,
    nodes,
  };
}
