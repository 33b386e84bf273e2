/**
 * What the simulator keeps in its state directory so that talosconfig files and machine configs
 * handed out earlier keep working across restarts: the OS CA, the three client identities, and
 * each cluster's secrets bundle. The certificates and bundles themselves are made by lib/talos.
 *
 * Plain Node module (no "server-only"): the simulator runs as its own process under tsx.
 */
import crypto from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";

import { z } from "zod";

import { apidCertSans, type ApidSansNode } from "../talos/cert-sans";
import { LATEST_TALOS_MINOR, TALOS_ROLES } from "../talos/constants";
import { contractFor } from "../talos/generate";
import { createCa, issueClientCert, issueServerCert, keyMatchesCert, subjectKeyIdStyleOf, toTalosKeyPem, type CertAndKey, type KeyAlgorithm } from "../talos/pki";
import { generateSecretsBundle, parseSecretsBundle, stringifySecretsBundle, type Pair, type SecretsBundle } from "../talos/secrets/bundle";
import { writeFileAtomic } from "../utils/write-file-atomic";

const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------
// The OS CA and the client identities
// ---------------------------------------------------------------------------------------------

/** The three client identities the simulator hands out, and the role each carries. */
export const SIM_CLIENT_ROLES = {
  admin: TALOS_ROLES.admin,
  operator: TALOS_ROLES.operator,
  reader: TALOS_ROLES.reader,
} as const;
export type SimClientName = keyof typeof SIM_CLIENT_ROLES;

/** talosconfig file name per client identity, in the output directory. */
export const SIM_TALOSCONFIG_FILES: Record<SimClientName, string> = {
  admin: "talosconfig",
  operator: "talosconfig-operator",
  reader: "talosconfig-reader",
};

/** A simulated node's identity, for its apid server certificate. */
export interface SimNodeIdentity extends ApidSansNode {
  /** The node's Talos version: 1.14 added 127.0.0.1 to apid's SANs. */
  talosVersion?: string;
}

/** What {@link loadOrCreatePki} returns. */
export interface SimulatorPki {
  stateDir: string;
  /** The OS CA, persisted as `ca.crt` / `ca.key`. */
  ca: CertAndKey;
  /** Client certificates, persisted as `client-<name>.crt` / `.key`. */
  clients: Record<SimClientName, CertAndKey>;
  /**
   * Issues a fresh 24 h apid certificate for a node: SANs are its addresses, 127.0.0.1, its
   * hostname and FQDN (as Talos does). Not persisted: call it at each start.
   */
  issueNodeCert(node: SimNodeIdentity, options?: { validHours?: number; notBefore?: Date }): Promise<CertAndKey>;
}

/** Options for {@link loadOrCreatePki}. */
export interface LoadOrCreatePkiOptions {
  /** Key type for a new CA (an existing CA keeps its own). Default "ed25519". */
  keyAlgorithm?: KeyAlgorithm;
  /** Client certs with less than this left are reissued. Default 1 hour. */
  minRemainingMs?: number;
  /** Injected clock for tests. */
  now?: () => Date;
  /** Validity of a new CA (an existing CA keeps its own). Default 3650 days, as Talos. */
  caValidDays?: number;
  /** The Talos version whose `gen secrets` a new CA imitates (1.10: SHA-1 key identifier). */
  talosVersion?: string;
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

async function savePair(stateDir: string, base: string, pair: CertAndKey): Promise<void> {
  // Key first: a crash between the two writes then leaves a cert-less key, which is reissued.
  await writeFileAtomic(path.join(stateDir, `${base}.key`), pair.keyPem, 0o600);
  await writeFileAtomic(path.join(stateDir, `${base}.crt`), pair.certPem, 0o644);
}

async function loadPair(stateDir: string, base: string): Promise<CertAndKey | null> {
  const [certPem, keyPem] = await Promise.all([
    readIfExists(path.join(stateDir, `${base}.crt`)),
    readIfExists(path.join(stateDir, `${base}.key`)),
  ]);
  return certPem !== null && keyPem !== null ? { certPem, keyPem } : null;
}

/**
 * Loads the simulator's PKI from `stateDir`, creating what is missing.
 *
 * - The CA (`ca.crt`, `ca.key`) is created once and reused on every later start, so talosconfig
 *   files handed out earlier keep working. A half-present or unusable CA is an error (delete the
 *   state directory to start over) rather than silently replaced.
 * - Client certificates (`client-{admin,operator,reader}.{crt,key}`) are reused, and reissued when
 *   missing, unreadable, not from this CA, or within `minRemainingMs` of expiry.
 * - Node server certificates are not persisted: use {@link SimulatorPki.issueNodeCert} per start.
 *
 * Keys are written 0600, certificates 0644, the directory 0700.
 */
export async function loadOrCreatePki(stateDir: string, options: LoadOrCreatePkiOptions = {}): Promise<SimulatorPki> {
  const now = options.now ?? (() => new Date());
  const minRemainingMs = options.minRemainingMs ?? HOUR_MS;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });

  let ca = await loadPair(stateDir, "ca");
  if (ca) {
    const caCert = new crypto.X509Certificate(ca.certPem);
    if (!caCert.ca || !keyMatchesCert(ca)) {
      throw new Error(`PKI state in ${stateDir} is unusable: ca.crt is not a CA or does not match ca.key; delete the directory to start over`);
    }
  } else {
    const halfThere = (await readIfExists(path.join(stateDir, "ca.crt"))) ?? (await readIfExists(path.join(stateDir, "ca.key")));
    if (halfThere !== null) {
      throw new Error(`PKI state in ${stateDir} has only one of ca.crt and ca.key; delete the directory to start over`);
    }
    ca = await createCa({ keyAlgorithm: options.keyAlgorithm, validDays: options.caValidDays, subjectKeyId: subjectKeyIdStyleOf(options.talosVersion) });
    await savePair(stateDir, "ca", ca);
  }
  const caPair = ca;
  const caCert = new crypto.X509Certificate(caPair.certPem);

  const usable = (pair: CertAndKey | null): pair is CertAndKey => {
    if (!pair || !keyMatchesCert(pair)) return false;
    const cert = new crypto.X509Certificate(pair.certPem);
    const remaining = new Date(cert.validTo).getTime() - now().getTime();
    return cert.checkIssued(caCert) && cert.verify(caCert.publicKey) && remaining > minRemainingMs;
  };

  const clients = {} as Record<SimClientName, CertAndKey>;
  for (const name of Object.keys(SIM_CLIENT_ROLES) as SimClientName[]) {
    const base = `client-${name}`;
    const existing = await loadPair(stateDir, base);
    if (usable(existing)) {
      clients[name] = existing;
    } else {
      clients[name] = await issueClientCert(caPair, { roles: [SIM_CLIENT_ROLES[name]] });
      await savePair(stateDir, base, clients[name]);
    }
  }

  return {
    stateDir,
    ca: caPair,
    clients,
    issueNodeCert(node, opts = {}) {
      const sans = apidCertSans(node, node.talosVersion);
      return issueServerCert(caPair, { ...sans, validHours: opts.validHours, notBefore: opts.notBefore });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Cluster secrets
// ---------------------------------------------------------------------------------------------

/** Options for {@link loadOrCreateClusterSecrets}; they shape only a bundle created now. */
export interface ClusterSecretsOptions {
  /** Validity of new CAs; default Talos's 87600 h. */
  caValidDays?: number;
  /** The Talos version whose talosctl made the cluster (1.10: SHA-1 key identifiers on the CAs). */
  talosVersion?: string;
}

/** The JSON the simulator kept before it wrote talosctl's format; read once and converted. */
const legacyPair = z.object({ crt: z.string(), key: z.string() });
const legacySecretsSchema = z.object({
  clusterId: z.string(),
  clusterSecret: z.string(),
  bootstrapToken: z.string(),
  trustdToken: z.string(),
  secretboxEncryptionSecret: z.string(),
  k8sCa: legacyPair,
  aggregatorCa: legacyPair,
  etcdCa: legacyPair,
  serviceAccountKey: z.string(),
});

const osPair = (ca: CertAndKey): Pair => ({ crt: ca.certPem, key: toTalosKeyPem(ca.keyPem) });

/**
 * Loads the cluster's secrets bundle, `<stateDir>/cluster-<name>-secrets.yaml` in talosctl's
 * format (so `talosctl gen config --with-secrets` takes it), creating it on first use (0600: it
 * holds CA keys). Its OS CA is always the fleet's (`osCa`), which every cluster shares.
 */
export async function loadOrCreateClusterSecrets(stateDir: string, clusterName: string, osCa: CertAndKey, options: ClusterSecretsOptions = {}): Promise<SecretsBundle> {
  const file = path.join(stateDir, `cluster-${clusterName}-secrets.yaml`);
  const text = await readIfExists(file);
  if (text !== null) {
    let stored: SecretsBundle;
    try {
      stored = parseSecretsBundle(text, file);
    } catch (e) {
      throw new Error(`cluster secrets ${file} are unreadable (${(e as Error).message}); delete the file to regenerate them`);
    }
    const os = osPair(osCa);
    if (stored.certs.os.crt === os.crt && stored.certs.os.key === os.key) return stored;
    // The fleet's CA was reissued: keep the file true, since `gen config --with-secrets` reads it.
    const bundle = { ...stored, certs: { ...stored.certs, os } };
    await writeFileAtomic(file, stringifySecretsBundle(bundle), 0o600);
    return bundle;
  }
  let bundle: SecretsBundle;
  const legacyFile = path.join(stateDir, `cluster-${clusterName}.json`);
  const legacy = await readIfExists(legacyFile);
  if (legacy !== null) {
    let l: z.infer<typeof legacySecretsSchema>;
    try {
      l = legacySecretsSchema.parse(JSON.parse(legacy));
    } catch (e) {
      throw new Error(`cluster secrets ${legacyFile} are unreadable (${(e as Error).message}); delete the file to regenerate them`);
    }
    bundle = {
      cluster: { id: l.clusterId, secret: l.clusterSecret },
      secrets: { bootstraptoken: l.bootstrapToken, secretboxencryptionsecret: l.secretboxEncryptionSecret },
      trustdinfo: { token: l.trustdToken },
      certs: { etcd: l.etcdCa, k8s: l.k8sCa, k8saggregator: l.aggregatorCa, k8sserviceaccount: { key: l.serviceAccountKey }, os: osPair(osCa) },
    };
  } else {
    bundle = await generateSecretsBundle({
      talosVersion: contractFor(options.talosVersion ?? LATEST_TALOS_MINOR),
      caValidDays: options.caValidDays,
      talosctlVersion: options.talosVersion,
      os: osPair(osCa),
    });
  }
  await writeFileAtomic(file, stringifySecretsBundle(bundle), 0o600);
  // The old JSON held the same CA keys in clear: once converted, it must not linger.
  if (legacy !== null) await rm(legacyFile, { force: true });
  return bundle;
}
