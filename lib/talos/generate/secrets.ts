/**
 * A cluster's secrets bundle as `talosctl gen secrets` makes it (pkg/machinery/config/generate/
 * secrets/bundle.go): the Kubernetes, aggregator and etcd CAs, the service-account key and the
 * tokens. The OS CA is made apart (`createTalosCa("os")`), since the simulator keeps one for its
 * whole fleet. Pure generation: where a bundle is kept is the caller's business.
 */
import crypto from "node:crypto";

import { z } from "zod";

import { createTalosCa, toTalosKeyPem } from "../pki";

const pairSchema = z.object({ crt: z.string(), key: z.string() });

/** A cluster's secrets bundle as persisted (JSON) and fed to {@link buildConfigTemplate}. */
export const clusterSecretsSchema = z.object({
  clusterId: z.string(),
  clusterSecret: z.string(),
  bootstrapToken: z.string(),
  trustdToken: z.string(),
  secretboxEncryptionSecret: z.string(),
  k8sCa: pairSchema,
  aggregatorCa: pairSchema,
  etcdCa: pairSchema,
  serviceAccountKey: z.string(),
});

/** A cluster's secrets; PEM strings (keys already in the header style Talos writes). */
export type ClusterSecrets = z.infer<typeof clusterSecretsSchema>;

const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
function randomToken(len: number): string {
  const bytes = crypto.randomBytes(len);
  let s = "";
  for (let i = 0; i < len; i++) s += TOKEN_ALPHABET[bytes[i]! % TOKEN_ALPHABET.length];
  return s;
}

/** Kubernetes bootstrap-token shape `[a-z0-9]{6}.[a-z0-9]{16}` (also used for machine.token). */
export const makeToken = () => `${randomToken(6)}.${randomToken(16)}`;

/** One of Talos's ECDSA CAs with its key as Talos writes it (SEC1 `EC PRIVATE KEY`). */
async function talosCa(kind: "kubernetes" | "aggregator" | "etcd", options: ClusterSecretsOptions): Promise<{ crt: string; key: string }> {
  const ca = await createTalosCa(kind, { talosVersion: options.talosVersion, validDays: options.caValidDays, notBefore: options.notBefore });
  return { crt: ca.certPem, key: toTalosKeyPem(ca.keyPem) };
}

async function rsaKey(bits: number): Promise<string> {
  const { privateKey } = await new Promise<{ privateKey: crypto.KeyObject }>((resolve, reject) =>
    crypto.generateKeyPair("rsa", { modulusLength: bits }, (err, _pub, priv) => (err ? reject(err) : resolve({ privateKey: priv }))),
  );
  return privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

/** Options for {@link generateClusterSecrets}. */
export interface ClusterSecretsOptions {
  /** Validity of the K8s, aggregator and etcd CAs. Default 3650 days, as Talos. */
  caValidDays?: number;
  /** The Talos version whose `gen secrets` to imitate (1.10 differs in the CAs' key identifiers). */
  talosVersion?: string;
  /** When the CAs start; default now (Talos: the bundle's clock). */
  notBefore?: Date;
}

/**
 * Generates fresh cluster secrets as Talos's secrets bundle does (pkg/machinery/config/generate/
 * secrets/bundle.go populate, ca.go): Kubernetes (O=kubernetes), aggregator (empty subject) and
 * etcd (O=etcd) CAs, ECDSA P-256, 87600 h; the service-account key RSA-4096 PKCS#1
 * (UseRSAServiceAccountKey: every version after 1.6).
 */
export async function generateClusterSecrets(options: ClusterSecretsOptions = {}): Promise<ClusterSecrets> {
  const [k8sCa, aggregatorCa, etcdCa, serviceAccountKey] = await Promise.all([
    talosCa("kubernetes", options),
    talosCa("aggregator", options),
    talosCa("etcd", options),
    rsaKey(4096),
  ]);
  return {
    clusterId: crypto.randomBytes(32).toString("base64url"),
    clusterSecret: crypto.randomBytes(32).toString("base64"),
    bootstrapToken: makeToken(),
    trustdToken: makeToken(),
    secretboxEncryptionSecret: crypto.randomBytes(32).toString("base64"),
    k8sCa,
    aggregatorCa,
    etcdCa,
    serviceAccountKey,
  };
}
