/**
 * The Kubernetes side of a simulated fleet: per cluster a KubeCluster (objects and controllers)
 * and its HTTPS API server, the admin kubeconfig the Kubeconfig RPC hands out, the Kubernetes
 * faults, and Talos's own drain (./talos-drain.ts).
 */
import type { SecretsBundle } from "../../talos/secrets/bundle";
import { issueLeaf, type CertAndKey, type LeafOptions } from "../../talos/pki";
import type { Clock } from "../../utils/clock";
import type { SimNode } from "../node-state";
import { KubeCluster, type KubeTiming } from "./cluster";
import { generateAdminKubeconfig } from "./kubeconfig";
import { buildRouter } from "./routes";
import { served } from "./routes/generic";
import { KubeApiServer } from "./server";
import { RESOURCES } from "./objects";
import { acceptedClientCas, kubernetesApiTrust, sameCert } from "../node-tls";

export { KubeCluster, type KubeTiming } from "./cluster";
export { tarGzSingleFile } from "./kubeconfig";

/** The Kubernetes API of each cluster listens here. */
export interface KubeEndpoint {
  address: string;
  port: number;
  /** Tried in turn when `address` is taken (two fleets on one host with the same first address). */
  fallbackAddresses: string[];
}

/**
 * Default mode: one loopback address per cluster, `127.<b+64>.<c>.<i>` for a fleet whose first
 * node is 127.<b>.<c>.<d> (a fleet's nodes never leave their second octet, so the two cannot
 * collide, and fleets with their own node addresses get their own API addresses too), port 6443.
 * Ports mode: 127.0.0.1, port 0 (ephemeral) or the first port after the nodes'.
 */
export function kubeEndpoints(clusters: string[], nodes: { address: string; port: number }[], o: { ports: boolean; basePort: number; firstAddress: string }): Map<string, KubeEndpoint> {
  const out = new Map<string, KubeEndpoint>();
  const taken = new Set(nodes.map((n) => `${n.address}:${n.port}`));
  const [, b, c] = o.firstAddress.split(".").map(Number) as [number, number, number, number];
  clusters.forEach((name, i) => {
    const ep: KubeEndpoint = o.ports
      ? { address: "127.0.0.1", port: o.basePort === 0 ? 0 : o.basePort + nodes.length + i, fallbackAddresses: [] }
      : { address: `127.${(b + 64) % 256}.${c}.${i + 1}`, port: 6443, fallbackAddresses: [1, 2, 3, 4].map((k) => `127.${(b + 64) % 256}.${c}.${i + 1 + 50 * k}`) };
    if (ep.port > 65535) throw new Error(`Kubernetes API port ${ep.port} of ${name} is out of range: lower basePort`);
    if (ep.port !== 0 && taken.has(`${ep.address}:${ep.port}`)) throw new Error(`Kubernetes API address ${ep.address}:${ep.port} of ${name} collides with a node`);
    out.set(name, ep);
  });
  return out;
}

export interface KubeFleetInit {
  clusters: Map<string, SimNode[]>;
  secrets: Map<string, SecretsBundle>;
  endpoints: Map<string, KubeEndpoint>;
  clock: Clock;
  timing: KubeTiming;
}

export class KubeFleet {
  private readonly clusters = new Map<string, KubeCluster>();
  private readonly servers = new Map<string, KubeApiServer>();
  private readonly cas = new Map<string, CertAndKey>();
  /** Per cluster: the CAs its API accepts (issuer first), and how its serving certificate is made. */
  private readonly accepted = new Map<string, string[]>();
  private readonly serving = new Map<string, LeafOptions>();
  private tlsChain: Promise<void> = Promise.resolve();

  private constructor() {}

  static async start(init: KubeFleetInit): Promise<KubeFleet> {
    const f = new KubeFleet();
    const router = buildRouter();
    try {
      for (const [name, nodes] of init.clusters) {
        const bundle = init.secrets.get(name)!;
        const ca = { certPem: bundle.certs.k8s.crt, keyPem: bundle.certs.k8s.key };
        f.cas.set(name, ca);
        const ep = init.endpoints.get(name)!;
        const servingOptions: LeafOptions = {
          commonName: "kube-apiserver",
          organizations: ["kube-master"],
          dnsNames: ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local", "localhost"],
          ipAddresses: [...new Set([ep.address, ...ep.fallbackAddresses, "127.0.0.1", "10.96.0.1"])],
          validHours: 8760,
          keyEncipherment: true,
          extKeyUsage: ["serverAuth"],
        };
        f.serving.set(name, servingOptions);
        f.accepted.set(name, [ca.certPem]);
        const serving = await issueLeaf(ca, servingOptions);
        const cluster = new KubeCluster(name, nodes, init.clock, init.timing);
        f.clusters.set(name, cluster);
        const server = new KubeApiServer(cluster, router, { ...ep, certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem });
        f.servers.set(name, server);
        await server.reconcile();
        if (!server.listening) throw new Error(`could not listen on ${ep.address}:${ep.port} for the Kubernetes API of ${name}: ${server.lastError?.message ?? "unknown error"}`);
      }
    } catch (e) {
      await f.stop();
      throw e;
    }
    return f;
  }

  cluster(name: string): KubeCluster | undefined {
    return this.clusters.get(name);
  }

  url(cluster: string): string | undefined {
    return this.servers.get(cluster)?.url;
  }

  caPem(cluster: string): string | undefined {
    return this.cas.get(cluster)?.certPem;
  }

  /** The admin kubeconfig of a cluster, pointing at its simulated API. */
  kubeconfig(cluster: string): Promise<string> {
    const ca = this.cas.get(cluster);
    const server = this.servers.get(cluster);
    if (!ca || !server) throw new Error(`no simulated cluster ${JSON.stringify(cluster)}`);
    return generateAdminKubeconfig({ clusterName: cluster, server: server.url, ca, acceptedCaPems: this.accepted.get(cluster) });
  }

  /**
   * A control plane's running config changed: the cluster's API follows its `cluster.ca` and
   * `cluster.acceptedCAs` (one simulated API server per cluster, so the control plane changed last
   * wins; a rotation changes them all before it verifies). A new issuer reissues the serving
   * certificate and the admin kubeconfigs handed out from then on. Workers hold no CA key and
   * run no API server: their changes are ignored.
   */
  configChanged(n: SimNode): void {
    const name = n.cluster.name;
    const server = this.servers.get(name);
    const current = this.cas.get(name);
    if (n.role !== "controlplane" || !server || !current) return;
    const trust = kubernetesApiTrust(n.runningConfigText());
    if (!trust?.issuerCert || !trust.issuerKey) return;
    const accepted = acceptedClientCas(trust, true);
    const before = this.accepted.get(name) ?? [];
    const issuerChanged = !sameCert(trust.issuerCert, current.certPem);
    if (!issuerChanged && accepted.length === before.length && accepted.every((p, i) => sameCert(p, before[i]!))) return;
    this.accepted.set(name, accepted);
    const ca = issuerChanged ? { certPem: trust.issuerCert, keyPem: trust.issuerKey } : current;
    this.cas.set(name, ca);
    this.tlsChain = this.tlsChain
      .then(async () => {
        const serving = issuerChanged ? await issueLeaf(ca, this.serving.get(name)!) : server.servingPair();
        // A later change may have moved the issuer on while this one was being signed.
        if (this.cas.get(name) === ca) server.setTls({ ...serving, caPem: this.accepted.get(name)!.join("") });
      })
      .catch((e: unknown) => {
        process.stderr.write(`simulator: Kubernetes API TLS of ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
      });
  }

  /** Resolves once the TLS changes started so far have landed. */
  tlsSettled(): Promise<void> {
    return this.tlsChain;
  }

  /** A Talos node changed (status, power, config): its Node and pods follow. */
  nodeChanged(n: SimNode): void {
    this.clusters.get(n.cluster.name)?.syncNode(n);
  }

  /** Talos's own drain of a node (legacy upgrade, shutdown). */
  drain(n: SimNode): Promise<void> {
    return this.clusters.get(n.cluster.name)?.talosDrain(n) ?? Promise.resolve();
  }

  /** The node's faults changed: pinned workloads, the API listener, kubelet readiness. */
  faultsChanged(n: SimNode): void {
    const c = this.clusters.get(n.cluster.name);
    if (!c) return;
    if (n.faults.pdbBlocks) c.controllers.addPinned(n);
    else c.controllers.removePinned(n);
    void this.servers.get(n.cluster.name)?.reconcile();
    c.syncNode(n);
  }

  /** GET /kubernetes?cluster=: the objects tests look at. */
  dump(cluster: string): Record<string, unknown> | undefined {
    const c = this.clusters.get(cluster);
    if (!c) return undefined;
    const all = (r: (typeof RESOURCES)[keyof typeof RESOURCES]) => c.store.list(r.resource).map((o) => served(r, o));
    return {
      cluster,
      url: this.url(cluster),
      apiDown: c.apiDown,
      resourceVersion: c.store.resourceVersion,
      nodes: all(RESOURCES.nodes),
      pods: all(RESOURCES.pods),
      poddisruptionbudgets: all(RESOURCES.poddisruptionbudgets),
      deployments: all(RESOURCES.deployments),
      daemonsets: all(RESOURCES.daemonsets),
    };
  }

  async stop(): Promise<void> {
    for (const c of this.clusters.values()) c.dispose();
    await Promise.all([...this.servers.values()].map((s) => s.stop()));
  }
}
