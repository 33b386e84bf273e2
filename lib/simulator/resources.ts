/**
 * The COSI resources a simulated node serves (types and namespaces as in pkg/machinery/resources), rendered from its state, plus the
 * access filter's registry: known namespaces and types, and which types are sensitive.
 */
import { isIP } from "node:net";

import { stringify } from "yaml";

import { Resource } from "../third_party/talos-proto/gen/cosi/resource";
import { MemberSpec as ClusterMemberSpec } from "../third_party/talos-proto/gen/resource/definitions/cluster/cluster";
import { MachineConfigSpec, MachineTypeSpec } from "../third_party/talos-proto/gen/resource/definitions/config/config";
import { MachineType } from "../third_party/talos-proto/gen/resource/definitions/enums/enums";
import { MemberSpec as EtcdMemberSpec } from "../third_party/talos-proto/gen/resource/definitions/etcd/etcd";
import { HostnameStatusSpec } from "../third_party/talos-proto/gen/resource/definitions/network/network";
import { BootIDSpec, MachineStatusSpec, VersionSpec } from "../third_party/talos-proto/gen/resource/definitions/runtime/runtime";
import { ServiceSpec } from "../third_party/talos-proto/gen/resource/definitions/v1alpha1/v1alpha1";
import type { LeafSecrets } from "./leaf-secrets";
import type { RenderedResource, ResourceTypeDef } from "./resource-types";
import { MANIFEST_RESOURCE_TYPES } from "./kubernetes/manifests";
import { STAGE_NUMBER, type SimNode } from "./node-state";
import { TALOS_RESOURCES } from "../talos/constants";
import { hasBootIdResource, yamlSpecIsScalar } from "../talos/features";

export type { RenderedResource, ResourceTypeDef } from "./resource-types";

/**
 * Leaf certificates a control plane serves from its secrets resources, when the fleet issued them
 * (`FleetOptions.leafSecrets`); without them those types are known but empty lists.
 */
const leafSecretsByNode = new WeakMap<SimNode, LeafSecrets>();

export function setLeafSecrets(node: SimNode, secrets: LeafSecrets): void {
  leafSecretsByNode.set(node, secrets);
}

function renderLeafSecret(type: keyof LeafSecrets) {
  return (n: SimNode): RenderedResource[] => {
    const r = leafSecretsByNode.get(n)?.[type];
    return r ? [{ id: r.id, proto: r.proto, yaml: r.yaml, owner: "secrets.LeafCertsController" }] : [];
  };
}

/** Go yaml.v3 style, which is what talosctl prints. */
const toYaml = (v: unknown) => stringify(v, { indent: 4, lineWidth: 0 });

const machineTypeEnum = (n: SimNode) => (n.configWiped ? MachineType.TYPE_UNKNOWN : n.role === "controlplane" ? MachineType.TYPE_CONTROL_PLANE : MachineType.TYPE_WORKER);

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split(".").map(Number));
  return Buffer.alloc(0);
}

function machineConfigResources(n: SimNode): RenderedResource[] {
  const scalar = yamlSpecIsScalar(n.runningVersion);
  const one = (id: string, text: string): RenderedResource => ({
    id,
    proto: Buffer.from(MachineConfigSpec.encode({ yamlMarshalled: Buffer.from(text, "utf8") }).finish()),
    // From 1.12 the YAML rendering is a string scalar holding the whole multi-document config.
    yaml: scalar ? toYaml(text) : text,
    owner: "",
    annotations: scalar ? { "talos.dev/yaml-spec": "1" } : undefined,
  });
  // A node reset into maintenance mode has no config at all.
  if (n.configWiped) return [];
  return [one("v1alpha1", n.runningConfigText()), one("persistent", n.persistentConfigText())];
}

export const RESOURCE_TYPES: ResourceTypeDef[] = [
  {
    ...TALOS_RESOURCES.machineConfig,
    displayType: "MachineConfig",
    aliases: [],
    sensitive: true,
    render: machineConfigResources,
  },
  {
    ...TALOS_RESOURCES.machineType,
    displayType: "MachineType",
    aliases: [],
    sensitive: false,
    render: (n) => [
      {
        id: "machine-type",
        proto: Buffer.from(MachineTypeSpec.encode({ machineType: machineTypeEnum(n) }).finish()),
        yaml: toYaml(n.configWiped ? "unknown" : n.role),
        owner: "config.MachineTypeController",
      },
    ],
  },
  {
    ...TALOS_RESOURCES.machineStatus,
    displayType: "MachineStatus",
    aliases: [],
    sensitive: false,
    render: (n) => {
      const st = n.machineStatus();
      return [
        {
          id: "machine",
          proto: Buffer.from(
            MachineStatusSpec.encode({
              stage: STAGE_NUMBER[st.stage] as number,
              status: { ready: st.ready, unmetConditions: st.unmetConditions },
            }).finish(),
          ),
          yaml: toYaml({ stage: st.stage, status: { ready: st.ready, unmetConditions: st.unmetConditions } }),
          owner: "runtime.MachineStatusPublisherController",
        },
      ];
    },
  },
  {
    ...TALOS_RESOURCES.version,
    displayType: "Version",
    aliases: [],
    sensitive: false,
    render: (n) => [
      {
        id: "version",
        proto: Buffer.from(VersionSpec.encode({ version: n.runningVersion, name: "Talos" }).finish()),
        yaml: toYaml({ version: n.runningVersion, name: "Talos" }),
        owner: "runtime.VersionController",
      },
    ],
  },
  {
    ...TALOS_RESOURCES.service,
    displayType: "Service",
    aliases: ["svc"],
    sensitive: false,
    render: (n) =>
      n.services().map((s) => ({
        id: s.id,
        proto: Buffer.from(ServiceSpec.encode({ running: s.running, healthy: s.healthy, unknown: s.unknown }).finish()),
        yaml: toYaml({ running: s.running, healthy: s.healthy, unknown: s.unknown }),
        owner: "",
      })),
  },
  {
    ...TALOS_RESOURCES.bootIds,
    displayType: "BootID",
    aliases: [],
    sensitive: false,
    availableOn: (n) => hasBootIdResource(n.runningVersion),
    render: (n) => [
      {
        id: "boot-id",
        proto: Buffer.from(BootIDSpec.encode({ bootId: n.bootId }).finish()),
        yaml: toYaml({ bootID: n.bootId }),
        owner: "runtime.BootIDController",
      },
    ],
  },
  {
    ...TALOS_RESOURCES.hostnameStatus,
    displayType: "HostnameStatus",
    aliases: ["hostname"],
    sensitive: false,
    render: (n) => [
      {
        id: "hostname",
        proto: Buffer.from(HostnameStatusSpec.encode({ hostname: n.hostname, domainname: "" }).finish()),
        yaml: toYaml({ hostname: n.hostname, domainname: "" }),
        owner: "network.HostnameStatusController",
      },
    ],
  },
  {
    ...TALOS_RESOURCES.member,
    displayType: "Member",
    aliases: [],
    sensitive: false,
    render: (n) =>
      n.cluster.nodes.map((m) => {
        const controlPlane = m.role === "controlplane" ? { apiServerPort: "6443" } : undefined;
        return {
          id: m.hostname,
          proto: Buffer.from(
            ClusterMemberSpec.encode({
              nodeId: m.nodeId,
              addresses: [{ ip: ipBytes(m.address) }],
              hostname: m.hostname,
              machineType: machineTypeEnum(m),
              operatingSystem: `Talos (${m.runningVersion})`,
              controlPlane,
            }).finish(),
          ),
          yaml: toYaml({
            nodeId: m.nodeId,
            addresses: [m.address],
            hostname: m.hostname,
            machineType: m.role,
            operatingSystem: `Talos (${m.runningVersion})`,
            ...(controlPlane ? { controlPlane: { apiServerPort: 6443 } } : {}),
          }),
          owner: "cluster.MemberController",
        };
      }),
  },
  {
    ...TALOS_RESOURCES.etcdMember,
    displayType: "EtcdMember",
    aliases: [],
    sensitive: false,
    render: (n) =>
      n.role === "controlplane"
        ? [
            {
              id: "local",
              proto: Buffer.from(EtcdMemberSpec.encode({ memberId: n.etcdMemberIdHex }).finish()),
              yaml: toYaml({ memberID: n.etcdMemberIdHex }),
              owner: "etcd.MemberController",
            },
          ]
        : [],
  },
  // Known types the simulator keeps empty: readable (or denied) exactly as on Talos.
  { ...TALOS_RESOURCES.diagnostic, displayType: "Diagnostic", aliases: [], sensitive: false, render: () => [] },
  { ...TALOS_RESOURCES.nodeAddress, displayType: "NodeAddress", aliases: [], sensitive: false },
  { ...TALOS_RESOURCES.volumeStatus, displayType: "VolumeStatus", aliases: [], sensitive: false },
  { ...TALOS_RESOURCES.nodeStatus, displayType: "NodeStatus", aliases: [], sensitive: false },
  { ...TALOS_RESOURCES.nodename, displayType: "Nodename", aliases: [], sensitive: false },
  { ...TALOS_RESOURCES.kubeletConfig, displayType: "KubeletConfig", aliases: [], sensitive: true },
  { ...TALOS_RESOURCES.kubeletSpec, displayType: "KubeletSpec", aliases: [], sensitive: true },
  ...[
    ["OSRootSecrets", "OSRootSecret"],
    ["ApiCertificates", "ApiCertificate"],
    ["TrustdCertificates", "TrustdCertificate"],
    ["EtcdRootSecrets", "EtcdRootSecret"],
    ["EtcdSecrets", "EtcdSecret"],
    ["KubernetesRootSecrets", "KubernetesRootSecret"],
    ["KubernetesDynamicCerts", "KubernetesDynamicCert"],
    ["KubernetesSecrets", "KubernetesSecret"],
    ["KubeletSecrets", "KubeletSecret"],
    ["CertSANs", "CertSAN"],
  ].map(([plural, single]) => {
    const type = `${plural}.secrets.talos.dev`;
    const leaf = type === TALOS_RESOURCES.etcdSecrets.type || type === TALOS_RESOURCES.kubernetesDynamicCerts.type;
    return {
      type,
      namespace: "secrets",
      displayType: single!,
      aliases: [],
      sensitive: true,
      ...(leaf ? { render: renderLeafSecret(type) } : {}),
    };
  }),
  ...MANIFEST_RESOURCE_TYPES,
];

/** Namespaces the access filter knows (reads in any other namespace are PermissionDenied). */
export const KNOWN_NAMESPACES = new Set([
  "meta", "config", "runtime", "network", "cluster", "etcd", "k8s", "k8s-controlplane", "controlplane", "secrets", "files",
  "hardware", "block", "perf", "kubespan", "cri", "siderolink", "v1alpha1",
]);

const RD_TYPE = "ResourceDefinitions.meta.cosi.dev";
const NS_TYPE = "Namespaces.meta.cosi.dev";

function allAliases(def: Pick<ResourceTypeDef, "type" | "displayType" | "aliases">): string[] {
  const singular = def.displayType.toLowerCase();
  const plural = def.type.split(".")[0]!.toLowerCase();
  const initials = def.displayType.replace(/[^A-Z]/g, "").toLowerCase();
  const out = [...def.aliases, singular, plural];
  if (initials.length > 1) out.push(initials, `${initials}s`);
  return [...new Set(out)];
}

/** What the node's ResourceDefinitions list: the access filter admits exactly these types. */
function resourceDefinitions(node: SimNode): RenderedResource[] {
  const defs = [...RESOURCE_TYPES.filter((d) => !d.availableOn || d.availableOn(node)), { type: RD_TYPE, namespace: "meta", displayType: "ResourceDefinition", aliases: ["api-resources"], sensitive: false }, { type: NS_TYPE, namespace: "meta", displayType: "Namespace", aliases: ["ns"], sensitive: false }];
  return defs.map((d) => ({
    id: d.type.toLowerCase(),
    // The ResourceDefinitionSpec proto is not in our subset; talosctl only reads yaml_spec.
    proto: Buffer.alloc(0),
    yaml: toYaml({
      resourceType: d.type,
      displayType: d.displayType,
      defaultNamespace: d.namespace,
      aliases: d.aliases,
      allAliases: allAliases(d),
      printColumns: [],
      ...(d.sensitive ? { sensitivity: "sensitive" } : {}),
    }),
    owner: "",
  }));
}

const META_TYPES: ResourceTypeDef[] = [
  { type: RD_TYPE, namespace: "meta", displayType: "ResourceDefinition", aliases: ["api-resources"], sensitive: false, render: resourceDefinitions },
  {
    type: NS_TYPE,
    namespace: "meta",
    displayType: "Namespace",
    aliases: ["ns"],
    sensitive: false,
    render: () => [...KNOWN_NAMESPACES].sort().map((ns) => ({ id: ns, proto: Buffer.alloc(0), yaml: toYaml({ description: "" }), owner: "" })),
  },
];

const BY_TYPE = new Map<string, ResourceTypeDef>([...RESOURCE_TYPES, ...META_TYPES].map((d) => [d.type, d]));

export function findResourceType(type: string): ResourceTypeDef | undefined {
  return BY_TYPE.get(type);
}

/** Full COSI Resource messages of a type on a node, in the given namespace (empty if it lives elsewhere). */
export function listResources(node: SimNode, def: ResourceTypeDef, namespace: string): Resource[] {
  if (namespace !== def.namespace || !def.render) return [];
  return def.render(node).map((r) => toResource(node, def, r));
}

export function toResource(node: SimNode, def: ResourceTypeDef, r: RenderedResource): Resource {
  const { version, updated } = node.resourceVersion(`${def.type}/${r.id}`, r.yaml);
  return {
    metadata: {
      namespace: def.namespace,
      type: def.type,
      id: r.id,
      version: String(version),
      owner: r.owner,
      phase: "running",
      created: new Date(node.created),
      updated: new Date(updated),
      finalizers: [],
      labels: {},
      annotations: r.annotations ?? {},
    },
    spec: { protoSpec: r.proto, yamlSpec: r.yaml },
  };
}
