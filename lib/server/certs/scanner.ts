import "server-only";

import { nodeId } from "@/lib/fleet/node-id";
import type { CertClusterScan, CertificatesResponse, CertScanError, CertSource } from "@/lib/schemas/certs";
import { isAppError } from "@/lib/server/platform/errors";
import { publicFailure } from "@/lib/server/talos/errors";
import { certificatesInMachineConfig, certificatesInSecret, LEAF_SECRET_TYPES, pemCertificates, type CertObservation } from "@/lib/server/certs/extract";
import { fetchServedCertificate, type HandshakeCredentials, type ServedCertificate } from "@/lib/server/certs/handshake";
import { buildInventory, countTiers } from "@/lib/server/certs/inventory";
import type { TalosClient } from "@/lib/server/talos";
import { parseTalosEndpoint, TALOS_API_DEFAULT_PORT, type TalosContext } from "@/lib/server/talos/talosconfig";
import { TALOS_ROLES } from "@/lib/talos/constants";
import { mapLimit } from "@/lib/utils/map-limit";

/** A finished scan: the response body without the scheduling fields. */
export type CertInventory = Omit<CertificatesResponse, "nextScanAt" | "scannedAt" | "scanning"> & { scannedAt: string };

/** What a scan reads from, injected so tests can drive it against a simulator. */
export interface CertScanDeps {
  contexts: readonly TalosContext[];
  /** The Talos client of a context (admin reads: machine configs, secrets). */
  client(context: TalosContext): TalosClient | Promise<TalosClient>;
  /** Reads the certificate a node presents. Default: a TLS handshake ({@link fetchServedCertificate}). */
  served?(target: { host: string; port: number }, credentials: HandshakeCredentials, timeoutMs: number, node: string): Promise<ServedCertificate>;
  /** Where to dial a node directly for the handshake. Default: the node as host[:port], port 50000. */
  resolveNode?(context: TalosContext, node: string): { host: string; port: number };
  now?(): Date;
  /** Nodes scanned at once per cluster. Default 8 (each has at most two calls in flight). */
  concurrency?: number;
  /** Per call. Default 5 s. */
  timeoutMs?: number;
}

const ADMIN_ROLE = TALOS_ROLES.admin;
const CONTROL_PLANE_TYPES = new Set(["controlplane", "init"]);

/** A scan error as every viewer of the inventory sees it: transport failures all read the same (see publicFailure). */
function scanError(cluster: string, node: string | null, source: CertSource, e: unknown): CertScanError {
  if (isAppError(e)) {
    const shown = publicFailure(e);
    if (shown.message !== e.message) console.warn(`[minos] certificate scan of ${node ?? cluster} (${source}): ${e.message}`);
    return { cluster, node, source, code: shown.code, message: shown.message };
  }
  return { cluster, node, source, code: "internal", message: e instanceof Error ? e.message : String(e) };
}

function defaultResolve(_context: TalosContext, node: string): { host: string; port: number } {
  const ep = parseTalosEndpoint(node);
  return ep ? { host: ep.host, port: ep.port } : { host: node, port: TALOS_API_DEFAULT_PORT };
}

interface ClusterScan {
  observations: CertObservation[];
  errors: CertScanError[];
  summary: CertClusterScan;
}

async function scanCluster(context: TalosContext, deps: CertScanDeps, now: () => Date): Promise<ClusterScan> {
  const cluster = context.name;
  const observations: CertObservation[] = [];
  const errors: CertScanError[] = [];
  const admin = context.roles.includes(ADMIN_ROLE);
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const served = deps.served ?? fetchServedCertificate;
  const resolve = deps.resolveNode ?? defaultResolve;

  // What the talosconfig itself holds: readable with any role, and the one thing Talos never renews.
  observations.push({ cluster, node: null, source: "talosconfig", role: "talosconfig-client", pem: context.certPem, roles: context.roles });
  for (const pem of pemCertificates(context.caPem)) observations.push({ cluster, node: null, source: "talosconfig", role: "talos-ca", pem });

  let client: TalosClient | null = null;
  if (admin) {
    try {
      client = await deps.client(context);
    } catch (e) {
      errors.push(scanError(cluster, null, "machine-config", e));
    }
  }

  let secretsListed = 0;
  let secretsFound = 0;
  let secretsFailed = 0;

  await mapLimit(context.nodes, deps.concurrency ?? 8, async (node) => {
    const id = nodeId(cluster, node);
    const handshake = (async () => {
      try {
        const cert = await served(resolve(context, node), context, timeoutMs, node);
        observations.push({
          cluster,
          node: id,
          source: "tls-handshake",
          role: "apid-server",
          pem: cert.pem,
          ...(cert.verifyError ? { note: `does not verify against the talosconfig CA: ${cert.verifyError}` } : {}),
        });
      } catch (e) {
        errors.push(scanError(cluster, id, "tls-handshake", e));
      }
    })();

    const adminReads = (async () => {
      if (!client) return;
      let machineType: string | null = null;
      try {
        const config = await client.machineConfig(node, { timeoutMs });
        const found = certificatesInMachineConfig(config.yaml);
        machineType = found.machineType;
        for (const f of found.found) observations.push({ cluster, node: id, source: "machine-config", role: f.role, pem: f.pem });
      } catch (e) {
        errors.push(scanError(cluster, id, "machine-config", e));
        return;
      }
      // etcd and kube-apiserver run on control planes only; asking workers would be noise.
      if (!machineType || !CONTROL_PLANE_TYPES.has(machineType)) return;
      for (const type of Object.keys(LEAF_SECRET_TYPES)) {
        try {
          const resources = await client.cosiList(node, "secrets", type, { timeoutMs });
          secretsListed++;
          for (const r of resources) {
            for (const f of certificatesInSecret(type, r.yamlSpec, r.protoSpec)) {
              secretsFound++;
              observations.push({ cluster, node: id, source: "secrets", role: f.role, pem: f.pem, ...(f.purpose ? { purpose: f.purpose } : {}) });
            }
          }
        } catch (e) {
          secretsFailed++;
          errors.push(scanError(cluster, id, "secrets", e));
        }
      }
    })();
    await Promise.all([handshake, adminReads]);
  });

  const leafSecrets: CertClusterScan["leafSecrets"] = !admin
    ? "forbidden"
    : secretsFound > 0
      ? "served"
      : secretsListed > 0
        ? "none"
        : secretsFailed > 0 || client === null
          ? "failed"
          : "none";
  return {
    observations,
    errors,
    summary: { cluster, roles: [...context.roles], admin, leafSecrets, nodesScanned: context.nodes.length, scannedAt: now().toISOString() },
  };
}

/**
 * Gathers every certificate the fleet's credentials can see and builds the inventory. Never
 * throws for a node or a cluster: failures are returned in `errors` beside the data.
 */
export async function scanCertificates(deps: CertScanDeps): Promise<CertInventory> {
  const now = deps.now ?? (() => new Date());
  // Clusters one after another: the per-cluster node concurrency is the bound on open calls.
  const scans: ClusterScan[] = [];
  for (const context of deps.contexts) {
    try {
      scans.push(await scanCluster(context, deps, now));
    } catch (e) {
      // Whatever went wrong is this cluster's alone: the others' inventory is still served.
      scans.push({
        observations: [],
        errors: [scanError(context.name, null, "talosconfig", e)],
        summary: { cluster: context.name, roles: [...(context.roles ?? [])], admin: false, leafSecrets: "failed", nodesScanned: 0, scannedAt: now().toISOString() },
      });
    }
  }
  const built = buildInventory(
    scans.flatMap((s) => s.observations),
    now(),
  );
  const sortErrors = (a: CertScanError, b: CertScanError) =>
    a.cluster.localeCompare(b.cluster) || (a.node ?? "").localeCompare(b.node ?? "") || a.source.localeCompare(b.source);
  return {
    certificates: built.certificates,
    clusters: scans.map((s) => s.summary),
    errors: [...scans.flatMap((s) => s.errors), ...built.errors].sort(sortErrors),
    counts: countTiers(built.certificates),
    scannedAt: now().toISOString(),
  };
}
