/**
 * startFleet: a fleet of simulated Talos nodes in one process. Each node is a real grpc-js server
 * with mTLS on its own loopback address (or its own port on 127.0.0.1), sharing one CA and one
 * set of handler definitions; per-node state is kept small so 1,000 nodes fit in one process.
 */
import path from "node:path";


import { ImageServiceService } from "../third_party/talos-proto/gen/machine/image";
import { LifecycleServiceService } from "../third_party/talos-proto/gen/machine/lifecycle";
import { MachineServiceService } from "../third_party/talos-proto/gen/machine/machine";
import { StateService } from "../third_party/talos-proto/gen/cosi/state";
import type { SecretsBundle } from "../talos/secrets/bundle";
import { type CertAndKey, issueClientCert, toTalosKeyPem } from "../talos/pki";
import { renderTalosconfig, writeTalosconfig } from "../talos/talosconfig";
import { realClock } from "../utils/clock";
import { type ControlBackend, type NodeRow, startControlApi, UnknownNodeError } from "./control-api";
import { describeFaults, type FaultSpec, faultSpecSchema } from "./faults";
import { layoutNodes } from "./fleet-layout";
import { fleetOptionsSchema, type FleetOptions } from "./fleet-options";
import { issueLeafSecrets } from "./leaf-secrets";
import { NodeServer } from "./node-server";
import { NodeTls, sameCert, talosApiTrust } from "./node-tls";
import { apidCertSans } from "../talos/cert-sans";
import { type ClusterRecipe, clusterRecipe } from "./recipe";
import { RecipeConfigs } from "./recipe-configs";
import { type ClusterContext, type NodeTiming, SimNode, type TimelineEntry } from "./node-state";
import type { NodeDirectory } from "./proxy";
import { setLeafSecrets } from "./resources";
import { loadOrCreateClusterSecrets, loadOrCreatePki, SIM_CLIENT_ROLES, SIM_TALOSCONFIG_FILES, type SimClientName } from "./secrets-store";
import { cosiStateImpl, type ResourceWatchers } from "./services/cosi";
import { imageServiceImpl, lifecycleServiceImpl } from "./services/lifecycle";
import { type ClientConfigIssuer, machineServiceImpl } from "./services/machine";
import { TALOS_API_PORT } from "../talos/constants";
import { KubeFleet, kubeEndpoints } from "./kubernetes";
import { TALOS_EVICT_RETRY_MS } from "./kubernetes/talos-drain";

export type { FaultSpec } from "./faults";
export { DEFAULT_TALOS_VERSION, fleetOptionsSchema, type ApidCertOptions, type FleetOptions } from "./fleet-options";
export type { TimelineEntry } from "./node-state";
export type { NodeRow } from "./control-api";
export type { ClusterRecipe, RecipeNode, RecipePatch, RecipeSelector } from "./recipe";

export interface SimNodeInfo {
  id: string;
  address: string;
  port: number;
  hostname: string;
  cluster: string;
  role: "controlplane" | "worker";
  version: string;
}

export interface Fleet {
  nodes: SimNodeInfo[];
  clusters: string[];
  /** talosconfig paths; one context per cluster (endpoints = its control planes, nodes = all its nodes). */
  talosconfig: { admin: string; operator: string; reader: string };
  caPem: string;
  controlUrl: string;
  /** Same as POST /faults; throws on an invalid spec or unknown node. */
  setFault(f: FaultSpec): void;
  /** Same as DELETE /faults[?node=]. */
  clearFaults(node?: string): void;
  /** Same as POST /nodes/:node/power-on: true when the node was off and now boots. */
  powerOn(node: string): boolean;
  /** Same as GET /nodes. */
  nodeStates(): NodeRow[];
  /** Same as GET /timeline. */
  timeline(): TimelineEntry[];
  /** How the cluster's configs were made (./recipe.ts), as GET /recipe?cluster=; throws for an unknown cluster. */
  recipe(cluster: string): ClusterRecipe;
  /** Each cluster's simulated Kubernetes API (the server of its Kubeconfig RPC's kubeconfig). */
  kubernetes: { url(cluster: string): string; caPem(cluster: string): string; kubeconfig(cluster: string): Promise<string> };
  /** Same as GET /kubernetes?cluster=; throws for an unknown cluster. */
  kubernetesState(cluster: string): Record<string, unknown>;
  /** Closes every listener and timer; the process can exit after it. */
  stop(): Promise<void>;
}

async function inBatches<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const TIMELINE_CAP = 100_000;

function unknownCluster(cluster: string): never {
  throw new Error(`no simulated cluster ${JSON.stringify(cluster)}`);
}

/** Starts the fleet: PKI, cluster secrets, one mTLS gRPC server per node, talosconfigs, control API. */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const parsed = fleetOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new Error(`invalid fleet options: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const o = parsed.data;
  const stateDir = path.resolve(o.stateDir);
  const layout = layoutNodes(o);
  const clusterNames = [...new Set(layout.map((l) => l.cluster))];

  const pki = await loadOrCreatePki(stateDir, { caValidDays: o.caValidDays, talosVersion: o.version });
  const secrets = new Map<string, SecretsBundle>(
    await Promise.all(clusterNames.map(async (name) => [name, await loadOrCreateClusterSecrets(stateDir, name, pki.ca, { caValidDays: o.caValidDays, talosVersion: o.version })] as const)),
  );

  const timing: NodeTiming = {
    rebootMs: o.rebootSeconds * 1000,
    bootMs: o.bootSeconds * 1000,
    readyMs: o.readySeconds * 1000,
    upgradeMs: o.upgradeSeconds * 1000,
    applyMs: o.applySeconds * 1000,
    dryRunMs: (o.applySeconds * 1000) / 3,
    closeDelayMs: 50,
  };

  const timelineEntries: TimelineEntry[] = [];
  const watchers: ResourceWatchers = new Map();
  const pendingNotify = new Set<SimNode>();
  const servers = new Map<SimNode, NodeServer>();
  const tlsOf = new Map<SimNode, { tls: NodeTls; configHash: string | null }>();
  let stopping = false;

  // Set once the Kubernetes side is up; node changes before that are picked up at its start.
  let kube: KubeFleet | undefined;

  const flushNotify = () => {
    const nodes = [...pendingNotify];
    pendingNotify.clear();
    for (const n of nodes) for (const fn of [...(watchers.get(n) ?? [])]) fn();
  };

  const hooks = {
    listenChanged: (n: SimNode) => {
      if (!stopping) void servers.get(n)?.reconcile();
      kube?.nodeChanged(n);
    },
    timeline: (e: TimelineEntry) => {
      timelineEntries.push(e);
      if (timelineEntries.length > TIMELINE_CAP) timelineEntries.splice(0, timelineEntries.length - TIMELINE_CAP);
    },
    drain: (n: SimNode) => kube?.drain(n) ?? Promise.resolve(),
    resourcesChanged: (n: SimNode) => {
      kube?.nodeChanged(n);
      followConfigTls(n);
      // Coalesce bursts (a boot touches several resources) into one watch evaluation per node.
      if (!watchers.has(n)) return;
      if (pendingNotify.size === 0) queueMicrotask(flushNotify);
      pendingNotify.add(n);
    },
  };

  const clusters = new Map<string, ClusterContext>();
  const recipes = new Map<string, ClusterRecipe>();
  for (const name of clusterNames) {
    const members = layout.filter((l) => l.cluster === name);
    const firstCp = members.find((l) => l.role === "controlplane")!;
    const recipe = clusterRecipe(name, members, { endpointHost: o.ports ? firstCp.hostname : firstCp.address });
    const configs = new RecipeConfigs(recipe, secrets.get(name)!);
    recipes.set(name, recipe);
    clusters.set(name, { name, nodes: [], kubernetesVersion: recipe.cluster.kubernetesVersion, pristineConfig: (n) => configs.pristine(n) });
  }

  const nodes: SimNode[] = layout.map((l) => {
    const cluster = clusters.get(l.cluster)!;
    const node = new SimNode({ ...l, cluster, clock: realClock, timing, hooks, target: o.ports ? l.hostname : l.address, extensionServices: o.extensionServices });
    cluster.nodes.push(node);
    return node;
  });

  const byName = new Map<string, SimNode>();
  for (const n of nodes) {
    byName.set(n.hostname, n);
    if (!o.ports) byName.set(n.address, n);
  }
  const dir: NodeDirectory = { find: (t) => byName.get(t), addressesAreShared: o.ports };

  const issuer: ClientConfigIssuer = {
    async issue(roles, ttlHours, clusterName) {
      const pair = await issueClientCert(pki.ca, { roles, validHours: ttlHours });
      const context = `${(roles[0] ?? "client").replace(/^os:/, "")}@${clusterName}`;
      const talosconfig = renderTalosconfig({
        current: context,
        contexts: { [context]: { endpoints: [], nodes: [], ca: pki.ca.certPem, crt: pair.certPem, key: pair.keyPem } },
      });
      return { ca: pki.ca.certPem, crt: pair.certPem, key: toTalosKeyPem(pair.keyPem), talosconfig };
    },
  };

  // apid's TLS follows machine.ca / machine.acceptedCAs of the running config (./node-tls.ts).
  const followConfigTls = (n: SimNode) => {
    const t = tlsOf.get(n);
    if (!t) return;
    const hash = n.configHash;
    if (t.configHash === hash) return;
    t.configHash = hash;
    t.tls.configChanged(n.runningConfigText());
    kube?.configChanged(n);
  };
  // trustd's part: a worker's apid certificate is signed by a control plane holding the CA key.
  const issuerKeyIn = (cluster: ClusterContext) => (issuerCert: string) => {
    if (sameCert(issuerCert, pki.ca.certPem)) return pki.ca.keyPem;
    for (const m of cluster.nodes) {
      if (m.role !== "controlplane") continue;
      const trust = talosApiTrust(m.runningConfigText());
      if (trust?.issuerKey && trust.issuerCert && sameCert(trust.issuerCert, issuerCert)) return trust.issuerKey;
    }
    return null;
  };
  const onServerError = (n: SimNode, e: unknown) => {
    process.stderr.write(`simulator: listener of ${n.hostname} (${n.address}:${n.port}): ${e instanceof Error ? e.message : String(e)}\n`);
  };

  const started: NodeServer[] = [];
  const cleanup = async () => {
    stopping = true;
    for (const n of nodes) n.dispose();
    await Promise.all([...started.map((s) => s.stop()), kube?.stop()]);
  };

  try {
    const certs: CertAndKey[] = await inBatches(nodes, 64, (n) =>
      pki.issueNodeCert(
        // The config template puts the node's address in machine.certSANs too.
        { hostname: n.hostname, addresses: [n.address], certSANs: [n.address], talosVersion: n.runningVersion },
        { ...o.apidCert, ...(o.nodeApidCerts[n.hostname] ?? (o.ports ? undefined : o.nodeApidCerts[n.address])) },
      ),
    );
    if (o.leafSecrets !== false) {
      const leafOptions = o.leafSecrets === true ? {} : o.leafSecrets;
      const controlPlanes = nodes.filter((n) => n.role === "controlplane");
      await inBatches(controlPlanes, 16, async (n) => {
        // cluster.controlPlane.endpoint names the cluster's first control plane (see the template).
        const firstCp = controlPlanes.find((m) => m.cluster === n.cluster)!;
        const endpointHost = o.ports ? firstCp.hostname : firstCp.address;
        setLeafSecrets(
          n,
          await issueLeafSecrets({ hostname: n.hostname, address: n.address, endpointHost, talosVersion: n.runningVersion }, secrets.get(n.cluster.name)!, leafOptions),
        );
      });
    }
    nodes.forEach((node, i) => {
      const cert = certs[i]!;
      const certOptions = { ...apidCertSans({ hostname: node.hostname, addresses: [node.address], certSANs: [node.address] }, node.runningVersion), validHours: (o.nodeApidCerts[node.hostname] ?? o.apidCert).validHours };
      const tls = new NodeTls(cert, pki.ca.certPem, certOptions, issuerKeyIn(node.cluster), (e) => onServerError(node, e));
      tlsOf.set(node, { tls, configHash: null });
      const creds = tls.credentials;
      const env = { entry: node, dir };
      const server = new NodeServer(
        node,
        creds,
        [
          { definition: MachineServiceService, implementation: machineServiceImpl(env, issuer, { kubeconfig: (c) => kube!.kubeconfig(c) }) },
          { definition: StateService, implementation: cosiStateImpl(env, watchers) },
          // Registered on every node so a proxying entry can reach a 1.13+ target; handlers
          // answer UNIMPLEMENTED when the target itself is older.
          { definition: LifecycleServiceService, implementation: lifecycleServiceImpl(env) },
          { definition: ImageServiceService, implementation: imageServiceImpl(env) },
        ],
        onServerError,
      );
      servers.set(node, server);
    });
    await inBatches(nodes, 100, async (n) => {
      const s = servers.get(n)!;
      started.push(s);
      await s.reconcile();
      if (!s.listening) throw new Error(`could not listen on ${n.address}:${n.port} for ${n.hostname}`);
    });
    // Pods follow the node timings unless told otherwise, so fast test fleets get fast pods.
    const podMs = (o.podSeconds ?? o.readySeconds) * 1000;
    kube = await KubeFleet.start({
      clusters: new Map(clusterNames.map((c) => [c, clusters.get(c)!.nodes])),
      secrets,
      endpoints: kubeEndpoints(clusterNames, nodes, o),
      clock: realClock,
      timing: {
        podStartMs: podMs,
        terminationMs: podMs,
        talosDrainMs: o.talosDrainSeconds * 1000,
        // Talos pauses 5 s after a refused eviction; the simulator's pods start faster, and so it retries sooner.
        talosEvictRetryMs: Math.max(50, Math.min(TALOS_EVICT_RETRY_MS, (o.talosDrainSeconds * 1000) / 10, podMs)),
      },
    });
  } catch (e) {
    await cleanup();
    throw e;
  }

  // talosconfigs: one context per cluster.
  const endpointOf = (n: SimNode) => (n.port === TALOS_API_PORT ? n.address : `${n.address}:${n.port}`);
  const targetOf = (n: SimNode) => n.target;
  const clientPairs = {} as Record<SimClientName, CertAndKey>;
  for (const name of Object.keys(SIM_CLIENT_ROLES) as SimClientName[]) {
    clientPairs[name] =
      options.clientCertValidHours === undefined
        ? pki.clients[name]
        : await issueClientCert(pki.ca, { roles: [SIM_CLIENT_ROLES[name]], validHours: o.clientCertValidHours });
  }
  const talosconfig = {} as Record<SimClientName, string>;
  for (const name of Object.keys(SIM_CLIENT_ROLES) as SimClientName[]) {
    const file = path.join(stateDir, SIM_TALOSCONFIG_FILES[name]);
    const contexts = Object.fromEntries(
      clusterNames.map((c) => {
        const members = clusters.get(c)!.nodes;
        return [
          c,
          {
            endpoints: members.filter((n) => n.role === "controlplane").map(endpointOf),
            nodes: members.map(targetOf),
            ca: pki.ca.certPem,
            crt: clientPairs[name].certPem,
            key: clientPairs[name].keyPem,
          },
        ];
      }),
    );
    await writeTalosconfig(file, { current: clusterNames[0]!, contexts });
    talosconfig[name] = file;
  }

  const findNode = (ref: string): SimNode => {
    const n = byName.get(ref) ?? nodes.find((x) => x.id === ref);
    if (!n) throw new UnknownNodeError(ref);
    return n;
  };
  const row = (n: SimNode): NodeRow => {
    const st = n.machineStatus();
    return {
      id: n.id,
      address: n.address,
      port: n.port,
      hostname: n.hostname,
      cluster: n.cluster.name,
      role: n.role,
      version: n.runningVersion,
      installedVersion: n.installedVersion,
      stage: st.stage,
      ready: st.ready,
      configHash: n.configHash,
      bootId: n.bootId,
      reachable: n.reachable,
      faults: describeFaults(n.faults),
      logStreams: n.logs.openStreams,
    };
  };
  const backend: ControlBackend = {
    nodes: () => nodes.map(row),
    timeline: () => [...timelineEntries],
    setFault(spec) {
      const n = findNode(spec.node);
      n.setFault(spec);
      kube!.faultsChanged(n);
      return row(n);
    },
    kubernetes: (cluster) => kube!.dump(cluster),
    recipe: (cluster) => {
      const r = recipes.get(cluster);
      return r && structuredClone(r);
    },
    powerOn(ref) {
      const n = findNode(ref);
      const poweredOn = n.powerOn();
      if (poweredOn) kube!.faultsChanged(n);
      return { row: row(n), poweredOn };
    },
    clearFaults(ref) {
      const list = ref === undefined ? nodes : [findNode(ref)];
      let count = 0;
      for (const n of list) {
        if (Object.keys(n.faults).length > 0 || !n.powered) count++;
        n.clearFaults();
        kube!.faultsChanged(n);
      }
      return count;
    },
  };

  let control: Awaited<ReturnType<typeof startControlApi>>;
  try {
    control = await startControlApi(backend, o.controlPort);
  } catch (e) {
    await cleanup();
    throw new Error(`control API could not listen on 127.0.0.1:${o.controlPort}: ${(e as Error).message}`);
  }

  let stopped: Promise<void> | undefined;
  return {
    nodes: nodes.map((n) => ({ id: n.id, address: n.address, port: n.port, hostname: n.hostname, cluster: n.cluster.name, role: n.role, version: n.runningVersion })),
    clusters: clusterNames,
    talosconfig: { admin: talosconfig.admin, operator: talosconfig.operator, reader: talosconfig.reader },
    caPem: pki.ca.certPem,
    controlUrl: control.url,
    setFault(f) {
      backend.setFault(faultSpecSchema.parse(f));
    },
    clearFaults(node) {
      backend.clearFaults(node);
    },
    powerOn: (node) => backend.powerOn(node).poweredOn,
    nodeStates: () => backend.nodes(),
    timeline: () => backend.timeline(),
    kubernetes: {
      url: (c) => kube!.url(c) ?? unknownCluster(c),
      caPem: (c) => kube!.caPem(c) ?? unknownCluster(c),
      kubeconfig: (c) => (kube!.url(c) ? kube!.kubeconfig(c) : unknownCluster(c)),
    },
    kubernetesState: (c) => kube!.dump(c) ?? unknownCluster(c),
    recipe(cluster) {
      const r = backend.recipe(cluster);
      if (!r) throw new Error(`no simulated cluster ${JSON.stringify(cluster)}`);
      return r;
    },
    stop() {
      stopped ??= (async () => {
        await cleanup();
        watchers.clear();
        await new Promise<void>((resolve) => {
          control.server.close(() => resolve());
          control.server.closeAllConnections();
        });
      })();
      return stopped;
    },
  };
}
