/**
 * apid's TLS as Talos derives it from the machine config (machined's secrets.RootOSController and
 * apid's provider): the client CAs apid accepts are `machine.acceptedCAs` plus `machine.ca`'s
 * certificate, and the certificate it serves is issued by `machine.ca`. A worker's config holds
 * only the CA's certificate; its apid certificate comes from trustd on a control plane, which
 * holds the key: the simulator signs with the key of whichever node of the cluster has it.
 *
 * The credentials are grpc-js certificate-provider credentials, so an apply that changes the
 * CAs swaps the secure context of the listening server without dropping it (Talos reloads apid's
 * certificates in place too); connections already open keep their handshake.
 */
import crypto from "node:crypto";

import * as grpc from "@grpc/grpc-js";
import { parseAllDocuments } from "yaml";

import { isV1Alpha1Document } from "../talos/documents";
import { type CertAndKey, fromTalosKeyHeader, issueServerCert, keyMatchesCert, type ServerCertOptions } from "../talos/pki";

/** What a machine config says about one API's TLS trust (PEM texts, decoded from the config's base64). */
export interface ConfigTrust {
  /** The issuing CA's certificate (`machine.ca.crt` / `cluster.ca.crt`), if any. */
  issuerCert: string | null;
  /** Its key, on control planes only. */
  issuerKey: string | null;
  /** The explicitly accepted CAs (`machine.acceptedCAs` / `cluster.acceptedCAs`). */
  accepted: string[];
}

type CertificateProvider = grpc.experimental.CertificateProvider;
type CaCertificateUpdateListener = grpc.experimental.CaCertificateUpdateListener;
type IdentityCertificateUpdateListener = grpc.experimental.IdentityCertificateUpdateListener;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function decodePem(v: unknown): string | null {
  if (typeof v !== "string" || v === "") return null;
  const text = Buffer.from(v, "base64").toString("utf8");
  return text.includes("-----BEGIN") ? text : null;
}

function v1alpha1Of(configText: string): Record<string, unknown> | null {
  try {
    for (const doc of parseAllDocuments(configText)) {
      const js = doc.toJS() as unknown;
      if (isObject(js) && isV1Alpha1Document(js)) return js;
    }
  } catch {
    // An unreadable config leaves the TLS as it was (apply validates configs before they land).
  }
  return null;
}

function trustIn(section: unknown): ConfigTrust {
  if (!isObject(section)) return { issuerCert: null, issuerKey: null, accepted: [] };
  const ca = isObject(section.ca) ? section.ca : {};
  const accepted = Array.isArray(section.acceptedCAs) ? section.acceptedCAs.flatMap((a) => (isObject(a) ? [decodePem(a.crt)] : [])).filter((p): p is string => p !== null) : [];
  return { issuerCert: decodePem(ca.crt), issuerKey: decodePem(ca.key), accepted };
}

/** The Talos API trust in a machine config: `machine.ca` and `machine.acceptedCAs`; null when unreadable. */
export function talosApiTrust(configText: string): ConfigTrust | null {
  const cfg = v1alpha1Of(configText);
  return cfg ? trustIn(cfg.machine) : null;
}

/** The Kubernetes API trust in a machine config: `cluster.ca` and `cluster.acceptedCAs`; null when unreadable. */
export function kubernetesApiTrust(configText: string): ConfigTrust | null {
  const cfg = v1alpha1Of(configText);
  return cfg ? trustIn(cfg.cluster) : null;
}

/** Certificates are compared by their DER bytes: PEM texts of one certificate may differ in layout. */
export function sameCert(a: string, b: string): boolean {
  try {
    return new crypto.X509Certificate(a).raw.equals(new crypto.X509Certificate(b).raw);
  } catch {
    return false;
  }
}

/**
 * The client CAs a server with this trust accepts, deduplicated. Talos API: the accepted ones,
 * then the issuer's (RootOSController appends it); Kubernetes API: the issuer's first
 * (apiServerCAConfigShim.AcceptedCAs inserts it at 0), which is also the order of the admin
 * kubeconfig's certificate-authority-data.
 */
export function acceptedClientCas(trust: ConfigTrust, issuerFirst = false): string[] {
  const out: string[] = [];
  const issuer = trust.issuerCert ? [trust.issuerCert] : [];
  for (const pem of issuerFirst ? [...issuer, ...trust.accepted] : [...trust.accepted, ...issuer]) {
    if (!out.some((p) => sameCert(p, pem))) out.push(pem);
  }
  return out;
}

/**
 * A certificate provider whose CA bundle and identity can be replaced at any time; listeners
 * get the current value as soon as they register (grpc-js builds each server's first secure
 * context from it).
 */
class SwappableProvider implements CertificateProvider {
  private ca: Buffer;
  private identity: { certificate: Buffer; privateKey: Buffer };
  private readonly caListeners = new Set<CaCertificateUpdateListener>();
  private readonly identityListeners = new Set<IdentityCertificateUpdateListener>();

  constructor(ca: string[], identity: CertAndKey) {
    this.ca = Buffer.from(ca.join(""));
    this.identity = { certificate: Buffer.from(identity.certPem), privateKey: Buffer.from(fromTalosKeyHeader(identity.keyPem)) };
  }

  setCa(ca: string[]): void {
    this.ca = Buffer.from(ca.join(""));
    for (const l of this.caListeners) l({ caCertificate: this.ca });
  }

  setIdentity(identity: CertAndKey): void {
    this.identity = { certificate: Buffer.from(identity.certPem), privateKey: Buffer.from(fromTalosKeyHeader(identity.keyPem)) };
    for (const l of this.identityListeners) l(this.identity);
  }

  addCaCertificateListener(l: CaCertificateUpdateListener): void {
    this.caListeners.add(l);
    l({ caCertificate: this.ca });
  }
  removeCaCertificateListener(l: CaCertificateUpdateListener): void {
    this.caListeners.delete(l);
  }
  addIdentityCertificateListener(l: IdentityCertificateUpdateListener): void {
    this.identityListeners.add(l);
    l(this.identity);
  }
  removeIdentityCertificateListener(l: IdentityCertificateUpdateListener): void {
    this.identityListeners.delete(l);
  }
}

/** Finds the key of the CA `issuerCert` among the trusts of the cluster's nodes (trustd's role). */
export type IssuerKeyLookup = (issuerCert: string) => string | null;

/** One node's apid TLS, following its running config. */
export class NodeTls {
  readonly credentials: grpc.ServerCredentials;
  private readonly provider: SwappableProvider;
  private issuerCert: string;
  private lastConfig: string | null = null;
  private pending: Promise<void> = Promise.resolve();

  /**
   * @param initial the certificate the node starts with, issued by `issuerCert`
   * @param certOptions how the node's apid certificate is made (SANs, validity), reused on reissue
   */
  constructor(
    initial: CertAndKey,
    issuerCert: string,
    private readonly certOptions: ServerCertOptions,
    private readonly findIssuerKey: IssuerKeyLookup,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {
    this.issuerCert = issuerCert;
    this.provider = new SwappableProvider([issuerCert], initial);
    // grpc-js's parameter names are swapped (its constructor takes the identity provider first);
    // one provider serves both, so the order cannot matter.
    this.credentials = grpc.experimental.createCertificateProviderServerCredentials(this.provider, this.provider, true);
    // A watcher that never leaves keeps the provider registered, so every server (one per
    // boot) starts from a computed context instead of dropping its first connections.
    this.credentials._addWatcher(() => undefined);
  }

  /**
   * Brings the TLS in line with the node's running config. Trust changes at once; a new issuer
   * means a new serving certificate, issued asynchronously (awaitable through {@link settled}).
   */
  configChanged(configText: string): void {
    if (configText === this.lastConfig) return;
    this.lastConfig = configText;
    const trust = talosApiTrust(configText);
    if (!trust || (!trust.issuerCert && trust.accepted.length === 0)) return;
    this.provider.setCa(acceptedClientCas(trust));
    const issuer = trust.issuerCert;
    if (!issuer || sameCert(issuer, this.issuerCert)) return;
    const key = trust.issuerKey ?? this.findIssuerKey(issuer);
    // Without the key anywhere in the cluster, trustd could not issue: the node keeps its certificate.
    if (!key || !keyMatchesCert({ certPem: issuer, keyPem: key })) return;
    this.issuerCert = issuer;
    this.pending = this.pending
      .then(async () => {
        const cert = await issueServerCert({ certPem: issuer, keyPem: key }, this.certOptions);
        // A later config may have moved the issuer on while this one was being signed.
        if (this.issuerCert === issuer) this.provider.setIdentity(cert);
      })
      .catch(this.onError);
  }

  /** Resolves once every certificate reissue started so far has landed. */
  settled(): Promise<void> {
    return this.pending;
  }
}
