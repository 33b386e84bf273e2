/**
 * How a simulated cluster is made: the way an operator makes one, as a manifest-like recipe
 * (issue 16's cluster manifest: cluster, generate, patches with selectors, nodes). One
 * `talosctl gen config` with one version contract for the whole cluster (the contract of its
 * oldest node: a cluster's configs are generated once and keep their contract through upgrades),
 * shared patches for every node and per role, and a few nodes with a patch of their own, so that
 * adopting a simulated cluster has real factoring to do.
 *
 * A node's config is: gen config for its role with the node's address as one more
 * `--additional-sans`, then the patches whose selector matches it in order, then its hostname
 * (hostnamePatch), then its own patch. Pure: no I/O, no secrets (the bundle stays in
 * `cluster-<name>-secrets.yaml`).
 */
import { contractFor, type GenerateInput } from "../talos/generate";
import type { SecretsBundle } from "../talos/secrets/bundle";
import type { TalosMinor } from "../talos/constants";
import { defaultKubernetesVersion } from "../talos/features";
import { installerImage } from "../talos/upgrade";
import { compareTalosVersions } from "../talos/version";
import type { NodeRole } from "./node-types";

/** Which nodes a patch is for: every node (`{}`) or one role. */
export interface RecipeSelector {
  role?: NodeRole;
}

export interface RecipePatch {
  name: string;
  selector: RecipeSelector;
  /** A Talos strategic-merge patch (YAML, one or more documents). */
  patch: string;
}

export interface RecipeNode {
  address: string;
  hostname: string;
  role: NodeRole;
  /** Labels declared on the node (the manifest's, for selectors); the node's patch sets its Kubernetes labels. */
  labels?: Record<string, string>;
  /** The node's own patch, applied last. */
  patch?: string;
}

export interface ClusterRecipe {
  cluster: {
    name: string;
    endpoint: string;
    /** The oldest member's version: its contract is the cluster's. */
    talosVersion: string;
    kubernetesVersion: string;
  };
  /** `talosctl gen config` inputs beyond the cluster's (each node's address is added as a SAN). */
  generate: { installImage: string };
  patches: RecipePatch[];
  nodes: RecipeNode[];
}

export interface RecipeMember {
  hostname: string;
  address: string;
  role: NodeRole;
  /** The Talos version the node runs when the fleet starts. */
  version: string;
}

/** The recipe's version contract (`--talos-version` of its gen config). */
export function recipeContract(recipe: ClusterRecipe): TalosMinor {
  return contractFor(recipe.cluster.talosVersion);
}

export function selects(selector: RecipeSelector, node: { role: NodeRole }): boolean {
  return selector.role === undefined || selector.role === node.role;
}

/** The gen config inputs of the recipe for one node (its address as an extra SAN), or for none. */
export function generateInput(recipe: ClusterRecipe, secrets: SecretsBundle, address?: string): GenerateInput {
  return {
    clusterName: recipe.cluster.name,
    endpoint: recipe.cluster.endpoint,
    kubernetesVersion: recipe.cluster.kubernetesVersion,
    talosVersion: recipeContract(recipe),
    installImage: recipe.generate.installImage,
    secrets,
    additionalSans: address === undefined ? [] : [address],
  };
}

// From the 1.14 contract these settings live in their own documents (lib/config/migrate moves
// machine.sysctls → SysctlConfig, machine.nodeLabels → KubeNodeConfig.labels, cluster.apiServer
// → KubeAPIServerConfig; Talos v1.14.0-rc.1 pkg/machinery/config/types/{runtime/sysctl.go,k8s/*.go});
// before it, in v1alpha1. Time servers moved earlier: TimeSyncConfig is new in Talos 1.12, where
// machine.time became deprecated (v1.12.0 v1alpha1_types.go: "Use 'TimeSyncConfig' instead").
const minorOf = (contract: TalosMinor) => Number(contract.split(".")[1]);
const multidoc = (contract: TalosMinor) => minorOf(contract) >= 14;

function sysctlPatch(contract: TalosMinor, params: Record<string, string>): string {
  const lines = Object.entries(params).map(([k, v]) => `${k}: "${v}"`);
  return multidoc(contract)
    ? ["apiVersion: v1alpha1", "kind: SysctlConfig", "params:", ...lines.map((l) => `    ${l}`)].join("\n") + "\n"
    : ["machine:", "    sysctls:", ...lines.map((l) => `        ${l}`)].join("\n") + "\n";
}

function nodeLabelPatch(contract: TalosMinor, labels: Record<string, string>): string {
  const lines = Object.entries(labels).map(([k, v]) => `${k}: ${v}`);
  return multidoc(contract)
    ? ["apiVersion: v1alpha1", "kind: KubeNodeConfig", "labels:", ...lines.map((l) => `    ${l}`)].join("\n") + "\n"
    : ["machine:", "    nodeLabels:", ...lines.map((l) => `        ${l}`)].join("\n") + "\n";
}

const TIME_SERVERS = ["time.cloudflare.com", "pool.ntp.org"];

function sharedPatches(contract: TalosMinor): RecipePatch[] {
  const servers = TIME_SERVERS.map((s) => `- ${s}`);
  return [
    {
      name: "time servers",
      selector: {},
      patch:
        minorOf(contract) >= 12
          ? ["apiVersion: v1alpha1", "kind: TimeSyncConfig", "ntp:", "    servers:", ...servers.map((s) => `        ${s}`)].join("\n") + "\n"
          : ["machine:", "    time:", "        servers:", ...servers.map((s) => `            ${s}`)].join("\n") + "\n",
    },
    { name: "worker sysctls", selector: { role: "worker" }, patch: sysctlPatch(contract, { "vm.max_map_count": "262144" }) },
    {
      name: "API server audit log retention",
      selector: { role: "controlplane" },
      patch: multidoc(contract)
        ? "apiVersion: v1alpha1\nkind: KubeAPIServerConfig\nextraArgs:\n    audit-log-maxage: \"30\"\n"
        : "cluster:\n    apiServer:\n        extraArgs:\n            audit-log-maxage: \"30\"\n",
    },
  ];
}

/**
 * The patch that gives a node its hostname: HostnameConfig's `hostname` in place of gen
 * config's `auto: stable` from the 1.12 contract (the two exclude each other: network/hostname.go
 * Validate), machine.network.hostname before. The simulator's templates write the same text
 * (lib/talos/generate/template.ts), by substitution.
 */
export function hostnamePatch(contract: TalosMinor, hostname: string): string {
  return minorOf(contract) >= 12
    ? `apiVersion: v1alpha1\nkind: HostnameConfig\nauto:\n    $patch: delete\nhostname: ${hostname}\n`
    : `machine:\n    network:\n        hostname: ${hostname}\n`;
}

/**
 * The recipe of one cluster from its members in layout order. Deterministic by position: the
 * first worker has an extra sysctl, the second a Kubernetes node label (and the same label
 * declared on its manifest entry); every other node is the shared patches alone.
 */
export function clusterRecipe(name: string, members: readonly RecipeMember[], opts: { endpointHost: string }): ClusterRecipe {
  if (members.length === 0) throw new Error(`cluster ${name} has no nodes`);
  const oldest = [...members].sort((a, b) => compareTalosVersions(a.version, b.version))[0]!.version;
  const contract = contractFor(oldest);
  // The oldest node's default Kubernetes version is inside every member's supported range.
  const kubernetesVersion = members
    .map((m) => defaultKubernetesVersion(m.version))
    .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]))[0]!;
  const workers = members.filter((m) => m.role === "worker");
  const own = new Map<string, Pick<RecipeNode, "labels" | "patch">>();
  if (workers[0]) own.set(workers[0].hostname, { patch: sysctlPatch(contract, { "net.core.somaxconn": "65535" }) });
  if (workers[1]) own.set(workers[1].hostname, { labels: { pool: "edge" }, patch: nodeLabelPatch(contract, { "minos.dev/pool": "edge" }) });
  return {
    cluster: { name, endpoint: `https://${opts.endpointHost}:6443`, talosVersion: oldest, kubernetesVersion },
    generate: { installImage: installerImage(oldest) },
    patches: sharedPatches(contract),
    nodes: members.map((m) => ({ address: m.address, hostname: m.hostname, role: m.role, ...own.get(m.hostname) })),
  };
}
