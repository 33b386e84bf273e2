/**
 * The inputs of `talosctl gen config` read back from running configs. Each is read where either
 * contract writes it (the v1alpha1 document up to 1.13, the multi-document form after), and the
 * value most nodes agree on wins (control planes counted first on a tie): nodes that differ get
 * the difference in their patch.
 */
import type { GenerateOptions } from "@/lib/manifest/schema";
import { defaultInstallVersion, type MachineRole } from "@/lib/talos/generate";
import type { TalosMinor } from "@/lib/talos/constants";
import { installerImage } from "@/lib/talos/upgrade";

import { isObj, type ConfigDocument } from "./delta";
import { dig, docOfKind } from "./documents";

export interface InferInput {
  readonly role: MachineRole;
  readonly docs: readonly ConfigDocument[];
}

/** What the configs say about gen config's inputs, before the contract is chosen. */
export interface Inferred {
  clusterName: string;
  endpoint: string;
  /** With its `v` (`v1.33.2`). */
  kubernetesVersion: string;
  dnsDomain: string;
  installDisk: string;
  /** "" when the configs name no installer image. */
  installImage: string;
  additionalSans: string[];
  registryMirrors: Record<string, string[]>;
  discovery: boolean;
  kubeSpan: boolean;
}

export class AdoptError extends Error {}

const K8S_VERSION = /^v?1\.\d{1,3}\.\d{1,4}(-[0-9A-Za-z.-]{1,64})?$/;
const ENDPOINT = /^https:\/\/[^\s/]+$/;

/** The most common value (by JSON), control planes first on a tie; undefined when none is given. */
function majority<T>(values: readonly (T | undefined)[]): T | undefined {
  const counts = new Map<string, { value: T; n: number; first: number }>();
  values.forEach((v, i) => {
    if (v === undefined) return;
    const key = JSON.stringify(v);
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { value: v, n: 1, first: i });
  });
  let best: { value: T; n: number; first: number } | undefined;
  for (const c of counts.values()) if (!best || c.n > best.n || (c.n === best.n && c.first < best.first)) best = c;
  return best?.value;
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** The tag of an image reference (after the last `:` that follows the last `/`), without a digest. */
export function imageTag(image: string): string | undefined {
  const ref = image.split("@")[0]!;
  const colon = ref.lastIndexOf(":");
  return colon > ref.lastIndexOf("/") ? ref.slice(colon + 1) : undefined;
}

function commonPrefix<T>(lists: readonly (readonly T[])[], same: (a: T, b: T) => boolean = (a, b) => a === b): T[] {
  if (lists.length === 0) return [];
  const out: T[] = [];
  const first = lists[0]!;
  for (let i = 0; i < first.length; i++) {
    if (!lists.every((l) => i < l.length && same(l[i]!, first[i]!))) break;
    out.push(first[i]!);
  }
  return out;
}

/** The registry mirrors of one config: host → endpoints, from either form. */
function mirrorsOf(docs: readonly ConfigDocument[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const legacy = dig(docOfKind(docs, "v1alpha1"), "machine", "registries", "mirrors");
  if (isObj(legacy)) {
    for (const [host, m] of Object.entries(legacy)) {
      const eps = dig(m, "endpoints");
      if (Array.isArray(eps)) out.set(host, eps.filter((e): e is string => typeof e === "string"));
    }
  }
  for (const d of docs) {
    if (d.kind !== "RegistryMirrorConfig") continue;
    const eps = d.body.endpoints;
    out.set(String(d.body.name ?? ""), Array.isArray(eps) ? eps.map((e) => dig(e, "url")).filter((e): e is string => typeof e === "string") : []);
  }
  return out;
}

/** The install disk a config installs to ("" when it installs nowhere), or undefined when unknown. */
function installDiskOf(docs: readonly ConfigDocument[]): string | undefined {
  const unattended = docOfKind(docs, "UnattendedInstallConfig");
  if (unattended) {
    const match = str(dig(unattended, "provisioning", "diskSelector", "match"));
    const m = match ? /^disk\.dev_path == ("(?:[^"\\]|\\.)*")$/.exec(match) : null;
    if (m) {
      try {
        return JSON.parse(m[1]!) as string;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
  const install = dig(docOfKind(docs, "v1alpha1"), "machine", "install");
  if (isObj(install)) return str(install.disk) ?? "";
  // 1.14 writes no installer document when there is no disk; older contracts always write install.
  return docs.some((d) => d.kind === "KubeletConfig") ? "" : undefined;
}

function installImageOf(docs: readonly ConfigDocument[]): string | undefined {
  return str(dig(docOfKind(docs, "UnattendedInstallConfig"), "installer", "image")) ?? str(dig(docOfKind(docs, "v1alpha1"), "machine", "install", "image"));
}

/** Reads gen config's inputs from the nodes' running configs. @throws AdoptError */
export function inferInputs(nodes: readonly InferInput[], given: { kubernetesVersion?: string } = {}): Inferred {
  // Control planes first: they carry the cluster-wide fields (and win ties).
  const ordered = [...nodes.filter((n) => n.role === "controlplane"), ...nodes.filter((n) => n.role !== "controlplane")];
  const each = <T>(f: (docs: readonly ConfigDocument[], v1: Record<string, unknown> | undefined) => T | undefined) => ordered.map((n) => f(n.docs, docOfKind(n.docs, "v1alpha1")));

  const clusterName = majority(each((docs, v1) => str(dig(docOfKind(docs, "KubeClusterConfig"), "clusterName")) ?? str(dig(v1, "cluster", "clusterName"))));
  if (!clusterName) throw new AdoptError("no node's config names the cluster (cluster.clusterName or KubeClusterConfig.clusterName)");

  let endpoint = majority(each((docs, v1) => str(dig(docOfKind(docs, "KubeClusterConfig"), "endpoint")) ?? str(dig(v1, "cluster", "controlPlane", "endpoint"))));
  if (!endpoint) throw new AdoptError("no node's config names the Kubernetes API endpoint (cluster.controlPlane.endpoint or KubeClusterConfig.endpoint)");
  if (!ENDPOINT.test(endpoint) || endpoint.includes("@")) {
    // The manifest takes https://host:port; a path, a trailing slash or credentials (userinfo)
    // stay in the patches, the only part of a manifest that redaction covers.
    try {
      const u = new URL(endpoint);
      if (u.protocol !== "https:") throw new Error();
      endpoint = `https://${u.host}`;
    } catch {
      throw new AdoptError(`the cluster endpoint ${JSON.stringify(endpoint)} is not an https:// URL`);
    }
  }

  let kubernetesVersion = given.kubernetesVersion;
  if (kubernetesVersion !== undefined && !K8S_VERSION.test(kubernetesVersion)) throw new AdoptError(`${JSON.stringify(kubernetesVersion)} is not a Kubernetes version like v1.33.2`);
  if (!kubernetesVersion) {
    const tags = each((docs, v1) => {
      const image = str(dig(docOfKind(docs, "KubeletConfig"), "image")) ?? str(dig(v1, "machine", "kubelet", "image"));
      const tag = image ? imageTag(image) : undefined;
      return tag && K8S_VERSION.test(tag) ? tag : undefined;
    });
    kubernetesVersion = majority(tags);
    if (!kubernetesVersion) throw new AdoptError("cannot tell the Kubernetes version: no node's kubelet image has a version tag (pass kubernetesVersion)");
  }
  if (!kubernetesVersion.startsWith("v")) kubernetesVersion = `v${kubernetesVersion}`;

  const dnsDomain = majority(each((docs, v1) => str(dig(docOfKind(docs, "KubeNetworkConfig"), "dnsDomain")) ?? str(dig(v1, "cluster", "network", "dnsDomain")))) ?? "cluster.local";
  const installDisk = majority(each((docs) => installDiskOf(docs))) ?? "/dev/sda";
  const installImage = majority(each((docs) => installImageOf(docs))) ?? "";

  // --additional-sans goes to every node's machine.certSANs and to the API server's SANs of the
  // control planes (after the endpoint's host up to 1.11): the prefix all of them share.
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : []);
  let endpointHost = "";
  try {
    endpointHost = new URL(endpoint).hostname.replace(/^\[|\]$/g, "");
  } catch {
    /* checked above */
  }
  const sanLists = ordered.map((n) => strings(dig(docOfKind(n.docs, "v1alpha1"), "machine", "certSANs")));
  const machinePrefix = commonPrefix(sanLists);
  for (const n of ordered) {
    if (n.role !== "controlplane") continue;
    const apiDoc = docOfKind(n.docs, "KubeAPIServerConfig");
    const list = strings(apiDoc ? apiDoc.certExtraSANs : dig(docOfKind(n.docs, "v1alpha1"), "cluster", "apiServer", "certSANs"));
    // Which reading holds the most of the machine SANs: with or without the endpoint's host first.
    const stripped = list[0] === endpointHost ? list.slice(1) : list;
    sanLists.push(commonPrefix([machinePrefix, stripped]).length >= commonPrefix([machinePrefix, list]).length ? stripped : list);
  }
  const additionalSans = commonPrefix(sanLists);

  const mirrorMaps = ordered.map((n) => mirrorsOf(n.docs));
  const registryMirrors: Record<string, string[]> = {};
  // A mirror whose endpoints carry credentials (`https://user:pw@mirror`) stays out of
  // `generate`: patch strings are the only part of a manifest that redaction covers, so the
  // whole mirror goes to a patch. Any `@` counts: being wrong costs a longer patch, not a leak.
  const credentialed = new Set(mirrorMaps.flatMap((m) => [...m].filter(([, eps]) => eps.some((e) => e.includes("@"))).map(([h]) => h)));
  const hosts = [...(mirrorMaps[0]?.keys() ?? [])].filter((h) => !credentialed.has(h) && mirrorMaps.every((m) => m.has(h))).sort();
  for (const host of hosts) {
    const eps = commonPrefix(mirrorMaps.map((m) => m.get(host)!));
    if (eps.length > 0) registryMirrors[host] = eps;
  }

  const discovery =
    majority(
      each((docs, v1) => {
        if (docs.some((d) => d.kind === "DiscoveryServiceConfig")) return true;
        const legacy = dig(v1, "cluster", "discovery", "enabled");
        if (typeof legacy === "boolean") return legacy;
        // 1.14: discovery is its own document; none means gen config ran without it.
        return docs.some((d) => d.kind === "DiscoveryIdentityConfig") ? false : undefined;
      }),
    ) ?? true;
  const kubeSpan =
    majority(
      each((docs, v1) => {
        const doc = docOfKind(docs, "KubeSpanConfig");
        if (doc) return doc.enabled === true;
        const legacy = dig(v1, "machine", "network", "kubespan", "enabled");
        return typeof legacy === "boolean" ? legacy : false;
      }),
    ) ?? false;

  return { clusterName, endpoint, kubernetesVersion, dnsDomain, installDisk, installImage, additionalSans, registryMirrors, discovery, kubeSpan };
}

/**
 * The manifest's `generate` for a contract: what differs from gen config's defaults, and the
 * installer image always (when the configs use one). The image's default is the newest release
 * of the contract Minos knows (SUGGESTED_VERSIONS), which moves with Minos releases: left out, an
 * adopted manifest would render another image after an upgrade of Minos (drift on every node,
 * every plan updating every node, CLIs of different versions rendering different files). The
 * other defaults are talosctl's own and fixed (/dev/sda, cluster.local, discovery on, no KubeSpan).
 */
export function generateOptions(inferred: Inferred, contract: TalosMinor): GenerateOptions {
  const g: GenerateOptions = {};
  if (inferred.additionalSans.length > 0) g.additionalSans = [...inferred.additionalSans];
  if (inferred.dnsDomain !== "cluster.local") g.dnsDomain = inferred.dnsDomain;
  if (inferred.installDisk !== "/dev/sda") g.installDisk = inferred.installDisk;
  // Without a disk 1.14 writes no installer document: its image would be unused.
  const imageUsed = inferred.installDisk !== "" || contract !== "1.14";
  if (imageUsed) g.installImage = inferred.installImage;
  if (Object.keys(inferred.registryMirrors).length > 0) g.registryMirrors = Object.fromEntries(Object.entries(inferred.registryMirrors).map(([h, e]) => [h, [...e]]));
  if (!inferred.discovery) g.discovery = false;
  if (inferred.kubeSpan) g.kubeSpan = true;
  return g;
}

/**
 * How many of gen config's inputs a contract needs set away from its defaults: the installer
 * image counts only when it is not the contract's default, so between contracts whose bases are
 * equally close, the one whose default image the configs carry wins.
 */
export function nonDefaultInputs(inferred: Inferred, contract: TalosMinor): number {
  const g = generateOptions(inferred, contract);
  const n = Object.keys(g).length;
  return g.installImage === installerImage(defaultInstallVersion(contract)) ? n - 1 : n;
}
