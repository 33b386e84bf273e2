/**
 * Talos's secrets bundle, in the `secrets.yaml` format `talosctl gen secrets` writes
 * (pkg/machinery/config/generate/secrets, v1.14.0-rc.1): read, write, generate, and extract
 * from a control plane's config (`--from-controlplane-config`).
 *
 * The file: the Go struct Bundle marshalled by yaml.v4 with no yaml tags, so every key is the
 * lowercased Go field name (`bootstraptoken`, `k8saggregator`), in field order; certificates and
 * keys are base64 of PEM (siderolabs/crypto PEMEncodedCertificateAndKey's YAML form, which
 * always writes both `crt` and `key`); `aescbcencryptionsecret` and `secretboxencryptionsecret`
 * are `omitempty` (secrets.go). In memory the PEM is decoded text.
 */
import crypto from "node:crypto";

import { isMap, isScalar, LineCounter, parseAllDocuments, parseDocument, type Document as YamlDocument, type Node as YamlNode, type YAMLError, type YAMLMap } from "yaml";

import { MAX_CONFIG_BYTES } from "../constants";
import type { TalosMinor } from "../constants";
import { SourceError } from "../errors";
import { encodeGoYaml, type GoYamlValue } from "../generate/yaml";
import { createTalosCa, subjectKeyIdStyleOf, talos1Minor, toTalosKeyPem } from "../pki";

/** A certificate and its key, PEM text (keys in the header style Talos writes). */
export interface Pair {
  crt: string;
  key: string;
}

export interface SecretsBundle {
  cluster: { id: string; secret: string };
  secrets: { bootstraptoken: string; aescbcencryptionsecret?: string; secretboxencryptionsecret?: string };
  trustdinfo: { token: string };
  certs: { etcd: Pair; k8s: Pair; k8saggregator: Pair; k8sserviceaccount: { key: string }; os: Pair };
}

// ---------------------------------------------------------------------------------------------
// Generation (bundle.go NewBundle → populate)
// ---------------------------------------------------------------------------------------------

/** secrets.go CAValidityTime: 87600 h. */
const CA_VALID_DAYS = 3650;
/** constants.DefaultClusterIDSize / DefaultClusterSecretSize. */
const CLUSTER_ID_BYTES = 32;
const CLUSTER_SECRET_BYTES = 32;

/**
 * utils.go randBootstrapTokenString: characters of `[0-9a-z]`, bytes ≥ 252 discarded so every
 * character is equally likely.
 */
function randomTokenString(length: number): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  let out = "";
  while (out.length < length) {
    for (const b of crypto.randomBytes(length * 2)) {
      if (b >= 252) continue;
      out += alphabet[b % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** utils.go genToken(6, 16): `abcdef.0123456789abcdef`, kubeadm's bootstrap-token shape. */
export function genToken(): string {
  return `${randomTokenString(6)}.${randomTokenString(16)}`;
}

async function rsaServiceAccountKey(): Promise<string> {
  // siderolabs/crypto x509.NewRSAKey: RSA-4096, PKCS#1 PEM.
  const privateKey = await new Promise<crypto.KeyObject>((resolve, reject) =>
    crypto.generateKeyPair("rsa", { modulusLength: 4096 }, (err, _pub, priv) => (err ? reject(err) : resolve(priv))),
  );
  return privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

function ecdsaServiceAccountKey(): string {
  return crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "sec1", format: "pem" }).toString();
}

const minorOf = (v: TalosMinor) => Number(v.split(".")[1]);

/** bundle.go populate: talosctl ≤ 1.13 base64.URLEncoding (padded), 1.14 cluster.ClusterIDEncoding = StdEncoding. */
function clusterIdEncoding(talosctlVersion: string | undefined): (b: Buffer) => string {
  const minor = talos1Minor(talosctlVersion);
  if (minor !== null && minor < 14) return (b) => b.toString("base64url").padEnd(Math.ceil(b.length / 3) * 4, "=");
  return (b) => b.toString("base64");
}

/** Refuses input past the config parser's cap before any YAML or PEM work (one clear error). */
function checkSize(text: string, source: string): void {
  if (text.length > MAX_CONFIG_BYTES || Buffer.byteLength(text, "utf8") > MAX_CONFIG_BYTES) {
    throw new SourceError(`input is larger than ${MAX_CONFIG_BYTES} bytes`, { source });
  }
}

/**
 * The label of the first PEM block in `text` whose BEGIN line starts a line and which has its
 * END line, or null. One pass: the END line is found with indexOf, not a backtracking regex
 * (a `[\s\S]*?` between BEGIN and END retried at every BEGIN line was quadratic).
 */
export function firstPemBlockLabel(text: string): string | null {
  const at = text.startsWith("-----BEGIN ") ? 0 : text.indexOf("\n-----BEGIN ");
  if (at < 0) return null;
  const begin = at === 0 ? 0 : at + 1;
  const labelStart = begin + "-----BEGIN ".length;
  const labelEnd = text.indexOf("-----\n", labelStart);
  if (labelEnd < 0) return null;
  const label = text.slice(labelStart, labelEnd);
  if (!/^[A-Z0-9 ]+$/.test(label)) return null;
  return text.indexOf(`\n-----END ${label}-----`, labelEnd + "-----\n".length) < 0 ? null : label;
}

export interface GenerateSecretsOptions {
  talosVersion: TalosMinor;
  /** The bundle's clock: every CA starts here. Default now. */
  now?: Date;
  /**
   * The talosctl whose CA key identifiers to imitate (the simulator's 1.10 clusters were made by
   * talosctl 1.10, whose CAs carry SHA-1 key identifiers). Default: talosctl 1.14 (random), which
   * is what `gen secrets` writes for every contract.
   */
  talosctlVersion?: string;
  /** Validity of the new CAs; default Talos's 87600 h (the simulator shortens it in tests). */
  caValidDays?: number;
  /**
   * An OS CA to keep instead of making one (populate fills only what is missing: the simulator
   * shares one OS CA across its clusters).
   */
  os?: Pair;
}

/**
 * A new bundle as `talosctl gen secrets` makes it (bundle.go populate): etcd, Kubernetes and
 * aggregator CAs ECDSA P-256 (ca.go: ECDSA(true)), the OS CA Ed25519 (NewTalosCA: no ECDSA
 * option), all valid 87600 h from `now`; the service-account key RSA-4096 for contracts after 1.6
 * (UseRSAServiceAccountKey), else ECDSA P-256; the secretbox secret for contracts after 1.2
 * (else AES-CBC); bootstrap and trustd tokens; 32-byte cluster id and secret, standard base64
 * (cluster.ClusterIDEncoding, ClusterSecretEncoding). The id's encoding follows the talosctl, not
 * the contract: talosctl 1.14 writes StdEncoding (discovery_identity.go: "starting with Talos
 * 1.14, talosctl gen secrets will generate a StdEncoding clusterID"), older ones URLEncoding.
 */
export async function generateSecretsBundle(opts: GenerateSecretsOptions): Promise<SecretsBundle> {
  const minor = minorOf(opts.talosVersion);
  const notBefore = opts.now ?? new Date();
  const style = subjectKeyIdStyleOf(opts.talosctlVersion);
  const ca = async (kind: "etcd" | "kubernetes" | "aggregator" | "os"): Promise<Pair> => {
    const pair = await createTalosCa(kind, { notBefore, validDays: opts.caValidDays ?? CA_VALID_DAYS, talosVersion: style === "sha1" ? opts.talosctlVersion : undefined });
    return { crt: pair.certPem, key: toTalosKeyPem(pair.keyPem) };
  };
  const [etcd, k8s, k8saggregator, os, saKey] = await Promise.all([
    ca("etcd"),
    ca("kubernetes"),
    ca("aggregator"),
    opts.os ? Promise.resolve({ crt: opts.os.crt, key: toTalosKeyPem(opts.os.key) }) : ca("os"),
    minor > 6 ? rsaServiceAccountKey() : Promise.resolve(ecdsaServiceAccountKey()),
  ]);
  const encryption = crypto.randomBytes(32).toString("base64"); // cis.CreateEncryptionToken
  return {
    cluster: { id: clusterIdEncoding(opts.talosctlVersion)(crypto.randomBytes(CLUSTER_ID_BYTES)), secret: crypto.randomBytes(CLUSTER_SECRET_BYTES).toString("base64") },
    secrets: minor > 2 ? { bootstraptoken: genToken(), secretboxencryptionsecret: encryption } : { bootstraptoken: genToken(), aescbcencryptionsecret: encryption },
    trustdinfo: { token: genToken() },
    certs: { etcd, k8s, k8saggregator, k8sserviceaccount: { key: saKey }, os },
  };
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");
const pairYaml = (p: Pair) => ({ crt: b64(p.crt), key: b64(p.key) });

/** The bundle as `talosctl gen secrets` writes it, byte for byte. */
export function stringifySecretsBundle(b: SecretsBundle): string {
  const doc: GoYamlValue = {
    cluster: { id: b.cluster.id, secret: b.cluster.secret },
    secrets: {
      bootstraptoken: b.secrets.bootstraptoken,
      aescbcencryptionsecret: b.secrets.aescbcencryptionsecret || undefined,
      secretboxencryptionsecret: b.secrets.secretboxencryptionsecret || undefined,
    },
    trustdinfo: { token: b.trustdinfo.token },
    certs: {
      etcd: pairYaml(b.certs.etcd),
      k8s: pairYaml(b.certs.k8s),
      k8saggregator: pairYaml(b.certs.k8saggregator),
      k8sserviceaccount: { key: b64(b.certs.k8sserviceaccount.key) },
      os: pairYaml(b.certs.os),
    },
  };
  return encodeGoYaml(doc);
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

function yamlError(err: YAMLError, lc: LineCounter, source: string): SourceError {
  const pos = err.linePos?.[0] ?? lc.linePos(err.pos[0]);
  return new SourceError(`malformed YAML: ${err.message.split("\n")[0]}`, { source, line: pos.line, column: pos.col });
}

class Reader {
  constructor(
    private readonly source: string,
    private readonly lc: LineCounter,
  ) {}

  fail(message: string, node: YamlNode | null | undefined, path: string): never {
    const offset = node?.range?.[0];
    const pos = offset === undefined ? undefined : this.lc.linePos(offset);
    throw new SourceError(message, { source: this.source, line: pos?.line, column: pos?.col, path });
  }

  map(parent: YAMLMap | null, parentNode: YamlNode | null, key: string, path: string): YAMLMap {
    const node = parent ? (parent.get(key, true) as YamlNode | undefined) : undefined;
    if (node === undefined || (isScalar(node) && node.value === null)) this.fail(`${path} is required`, parentNode, path);
    if (!isMap(node)) this.fail(`${path} must be a mapping`, node, path);
    return node;
  }

  string(parent: YAMLMap, key: string, path: string, required = true): { value: string; node?: YamlNode } {
    const node = parent.get(key, true) as YamlNode | undefined;
    if (node === undefined || (isScalar(node) && (node.value === null || node.value === ""))) {
      if (required) this.fail(`${path} is required`, node ?? parent, path);
      return { value: "" };
    }
    if (!isScalar(node) || typeof node.value === "object") this.fail(`${path} must be a string`, node, path);
    // Go's decoder fills a string field from any scalar; keep the source text for numbers and booleans.
    return { value: typeof node.value === "string" ? node.value : String(node.source ?? node.value), node };
  }

  /** A base64-of-PEM field: decoded, and checked to be the PEM block it should be. */
  pem(parent: YAMLMap, key: string, path: string, kind: "certificate" | "key"): string {
    const { value, node } = this.string(parent, key, path);
    const compact = value.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) this.fail(`${path} is not valid base64`, node, path);
    const text = Buffer.from(compact, "base64").toString("utf8");
    const label = firstPemBlockLabel(text);
    if (label === null) this.fail(`${path} is not a PEM ${kind === "certificate" ? "certificate" : "private key"}`, node, path);
    try {
      if (kind === "certificate") {
        if (label !== "CERTIFICATE") throw new Error(`PEM block is ${label}, expected CERTIFICATE`);
        new crypto.X509Certificate(text);
      } else {
        if (!label.endsWith("PRIVATE KEY")) throw new Error(`PEM block is ${label}, expected a private key`);
        crypto.createPrivateKey(text.replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----"));
      }
    } catch (e) {
      this.fail(`${path} is invalid: ${(e as Error).message}`, node, path);
    }
    return text;
  }

  pair(certs: YAMLMap, certsNode: YamlNode, key: string): Pair {
    const path = `certs.${key}`;
    const m = this.map(certs, certsNode, key, path);
    return { crt: this.pem(m, "crt", `${path}.crt`, "certificate"), key: this.pem(m, "key", `${path}.key`, "key") };
  }
}

/**
 * Reads a `secrets.yaml` (as `talosctl gen config --with-secrets` does: LoadBundle, then
 * Bundle.Validate). Unknown keys are ignored, as Go's decoder ignores them.
 * @throws SourceError with the line and column of malformed YAML, of the mapping that lacks a
 * required field, or of a value that is not base64 of the PEM it should be.
 */
export function parseSecretsBundle(text: string, source: string): SecretsBundle {
  checkSize(text, source);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    throw yamlError(err, lc, source);
  }
  const r: Reader = new Reader(source, lc);
  const root = doc.contents as YamlNode | null;
  if (!isMap(root)) r.fail("a secrets bundle must be a YAML mapping", root, "");

  const cluster = r.map(root, root, "cluster", "cluster");
  const secrets = r.map(root, root, "secrets", "secrets");
  const trustd = r.map(root, root, "trustdinfo", "trustdinfo");
  const certs = r.map(root, root, "certs", "certs");
  const certsNode = root.get("certs", true) as YamlNode;

  const aescbc = r.string(secrets, "aescbcencryptionsecret", "secrets.aescbcencryptionsecret", false).value;
  const secretbox = r.string(secrets, "secretboxencryptionsecret", "secrets.secretboxencryptionsecret", false).value;
  // bundle.go Validate's texts.
  if (!aescbc && !secretbox) r.fail("one of [secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret] is required", secrets, "secrets");
  if (aescbc && secretbox) r.fail("only one of [secrets.secretboxencryptionsecret, secrets.aescbcencryptionsecret] is allowed", secrets, "secrets");

  const sa = r.map(certs, certsNode, "k8sserviceaccount", "certs.k8sserviceaccount");
  return {
    cluster: { id: r.string(cluster, "id", "cluster.id").value, secret: r.string(cluster, "secret", "cluster.secret").value },
    secrets: {
      bootstraptoken: r.string(secrets, "bootstraptoken", "secrets.bootstraptoken").value,
      ...(aescbc ? { aescbcencryptionsecret: aescbc } : {}),
      ...(secretbox ? { secretboxencryptionsecret: secretbox } : {}),
    },
    trustdinfo: { token: r.string(trustd, "token", "trustdinfo.token").value },
    certs: {
      etcd: r.pair(certs, certsNode, "etcd"),
      k8s: r.pair(certs, certsNode, "k8s"),
      k8saggregator: r.pair(certs, certsNode, "k8saggregator"),
      k8sserviceaccount: { key: r.pem(sa, "key", "certs.k8sserviceaccount.key", "key") },
      os: r.pair(certs, certsNode, "os"),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// From a control plane's config (bundle.go NewBundleFromConfig)
// ---------------------------------------------------------------------------------------------

type Doc = Record<string, unknown>;

/**
 * The bundle a control plane's machine config holds, as `talosctl gen secrets
 * --from-controlplane-config` extracts it (bundle.go NewBundleFromConfig), for the legacy
 * v1alpha1 layout and the 1.14 multi-document one:
 * - Kubernetes CA: KubeAPIServerCAConfig.issuingCA, else cluster.ca; aggregator CA:
 *   KubeAggregatorCAConfig.issuingCA, else cluster.aggregatorCA; service-account key:
 *   KubeServiceAccountConfig.issuer.privateKey, else cluster.serviceAccount.key;
 *   etcd CA cluster.etcd.ca; OS CA machine.ca (v1alpha1_k8s_bridge.go, container.go);
 * - cluster id/secret: cluster.id/secret when either is set, else DiscoveryIdentityConfig
 *   (container.go DiscoveryIdentityConfig: the v1alpha1 identity takes priority);
 * - trustd token machine.token; bootstrap token cluster.token;
 * - aescbc/secretbox secrets from cluster.*EncryptionSecret, the secretbox one replaced by the
 *   first key of the first `secrets` resource block of a KubeEtcdEncryptionConfig whose first
 *   provider is secretbox; Minos also takes the first aescbc key of those blocks when
 *   cluster.aescbcEncryptionSecret is empty (Talos drops it). A bundle holding both secrets
 *   is what the config holds; Talos's Bundle.Validate would refuse it for gen config.
 * Talos takes whatever is there; Minos refuses a bundle that could not generate configs: a
 * worker's config (no CA keys), or a config that lacks a key.
 * @throws SourceError naming the missing field.
 */
export function secretsBundleFromConfig(text: string, source: string): SecretsBundle {
  checkSize(text, source);
  const lc = new LineCounter();
  const docs: Doc[] = [];
  const parsed: { js: Doc; doc: YamlDocument }[] = [];
  for (const d of parseAllDocuments(text, { lineCounter: lc, prettyErrors: false })) {
    const err = d.errors[0];
    if (err) {
      throw yamlError(err, lc, source);
    }
    const js = d.toJS() as unknown;
    if (js && typeof js === "object" && !Array.isArray(js)) {
      docs.push(js as Doc);
      parsed.push({ js: js as Doc, doc: d });
    }
  }
  /** Fails at `path` (`Kind.a.b` for a document of that kind, `a.b` in v1alpha1): the line of the deepest part that exists. */
  const fail = (message: string, path: string): never => {
    const [head, ...rest] = path.split(".");
    const byDoc = parsed.find((p) => p.js.kind === head);
    const target = byDoc ?? parsed.find((p) => p.js.version === "v1alpha1" && p.js.kind === undefined);
    const segments = byDoc ? rest : [head!, ...rest];
    let offset: number | undefined = target?.doc.contents?.range?.[0];
    // Walk the keys: a key's own position (an empty value has none worth pointing at).
    let parent: unknown = target?.doc.contents;
    for (const seg of segments) {
      if (!isMap(parent)) break;
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === seg);
      const keyNode = pair?.key as YamlNode | undefined;
      if (!pair || !keyNode?.range) break;
      const value = pair.value as YamlNode | null;
      // The value itself when it is there (`type: worker`), else its key.
      offset = isScalar(value) && value.value !== null && value.range ? value.range[0] : keyNode.range[0];
      parent = value;
    }
    const pos = offset === undefined ? undefined : lc.linePos(offset);
    throw new SourceError(message, { source, path, line: pos?.line, column: pos?.col });
  };
  const v1 = docs.find((d) => d.version === "v1alpha1" && d.kind === undefined);
  const byKind = (kind: string) => docs.find((d) => d.kind === kind);
  const get = (o: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((acc, k) => (acc && typeof acc === "object" ? (acc as Doc)[k] : undefined), o);
  const str = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));
  const unb64 = (v: unknown) => (str(v) ? Buffer.from(str(v), "base64").toString("utf8") : "");

  const machineType = str(get(v1, "machine", "type"));
  if (machineType === "worker" || machineType === "join") {
    fail(`the config is a ${machineType}'s: only a control plane's config holds the cluster's CA keys`, "machine.type");
  }

  const apiCa = get(byKind("KubeAPIServerCAConfig"), "issuingCA");
  const aggCa = get(byKind("KubeAggregatorCAConfig"), "issuingCA");
  const saDoc = byKind("KubeServiceAccountConfig");
  const identity = byKind("DiscoveryIdentityConfig");

  const pair = (docPair: unknown, legacyPath: string[], name: string, docKind: string): Pair => {
    const p: Pair = docPair
      ? { crt: str(get(docPair, "cert")), key: str(get(docPair, "key")) }
      : { crt: unb64(get(v1, ...legacyPath, "crt")), key: unb64(get(v1, ...legacyPath, "key")) };
    const where = docPair ? `${docKind}.issuingCA` : legacyPath.join(".");
    if (!p.crt) fail(`the config has no ${name} certificate (${where})`, docPair ? `${docKind}.issuingCA.cert` : `${legacyPath.join(".")}.crt`);
    if (!p.key) fail(`the config has no ${name} key (${where}); is it a control plane's config?`, docPair ? `${docKind}.issuingCA.key` : `${legacyPath.join(".")}.key`);
    return p;
  };

  const k8s = pair(apiCa, ["cluster", "ca"], "Kubernetes CA", "KubeAPIServerCAConfig");
  const k8saggregator = pair(aggCa, ["cluster", "aggregatorCA"], "aggregator CA", "KubeAggregatorCAConfig");
  const etcd = pair(undefined, ["cluster", "etcd", "ca"], "etcd CA", "");
  const os = pair(undefined, ["machine", "ca"], "OS CA", "");
  const saKey = saDoc ? str(get(saDoc, "issuer", "privateKey")) : unb64(get(v1, "cluster", "serviceAccount", "key"));
  if (!saKey) fail("the config has no service-account key", saDoc ? "KubeServiceAccountConfig.issuer.privateKey" : "cluster.serviceAccount.key");

  // container.go DiscoveryIdentityConfig: the v1alpha1 identity wins when it has an id or a
  // secret (v1alpha1_discoveryidentity.go), else the first DiscoveryIdentityConfig.
  const legacyIdentity = !!(str(get(v1, "cluster", "id")) || str(get(v1, "cluster", "secret")));
  const fromDoc = !legacyIdentity && identity !== undefined;
  const clusterId = fromDoc ? str(get(identity, "clusterID")) : str(get(v1, "cluster", "id"));
  const clusterSecret = fromDoc ? str(get(identity, "clusterSecret")) : str(get(v1, "cluster", "secret"));
  if (!clusterId) fail("the config has no cluster id", fromDoc ? "DiscoveryIdentityConfig.clusterID" : "cluster.id");
  if (!clusterSecret) fail("the config has no cluster secret", fromDoc ? "DiscoveryIdentityConfig.clusterSecret" : "cluster.secret");
  const trustd = str(get(v1, "machine", "token"));
  if (!trustd) fail("the config has no trustd token", "machine.token");
  const bootstrap = str(get(v1, "cluster", "token"));
  if (!bootstrap) fail("the config has no bootstrap token", "cluster.token");

  let aescbc = str(get(v1, "cluster", "aescbcEncryptionSecret"));
  let secretbox = str(get(v1, "cluster", "secretboxEncryptionSecret"));
  const encryption = get(byKind("KubeEtcdEncryptionConfig"), "config");
  const resources = get(encryption, "resources");
  // bundle.go: only resource blocks that encrypt secrets count.
  const secretBlocks = (Array.isArray(resources) ? resources : []).filter((res) => {
    const names = get(res, "resources");
    return Array.isArray(names) && names.includes("secrets");
  });
  const providersOf = (res: unknown): unknown[] => {
    const providers = get(res, "providers");
    return Array.isArray(providers) ? providers : [];
  };
  const firstKey = (provider: unknown, type: "secretbox" | "aescbc"): string | undefined => {
    const keys = get(provider, type, "keys");
    return Array.isArray(keys) && keys.length > 0 ? str(get(keys[0], "secret")) : undefined;
  };
  // bundle.go, as Talos does it: the first such block whose first provider is secretbox with a
  // key replaces the secretbox secret (a block whose first provider is anything else is skipped).
  for (const res of secretBlocks) {
    const key = firstKey(providersOf(res)[0], "secretbox");
    if (key !== undefined) {
      secretbox = key;
      break;
    }
  }
  // Where Talos loses it (an aescbc provider first, or after the secretbox one, as the migration
  // of cluster.aescbcEncryptionSecret writes it): the first aescbc key fills the legacy field,
  // so a migrated AES-CBC cluster keeps its key.
  if (!aescbc) {
    for (const provider of secretBlocks.flatMap(providersOf)) {
      const key = firstKey(provider, "aescbc");
      if (key) {
        aescbc = key;
        break;
      }
    }
  }
  if (!aescbc && !secretbox) fail("the config has no secretbox or AES-CBC encryption secret", "cluster.secretboxEncryptionSecret");

  return {
    cluster: { id: clusterId, secret: clusterSecret },
    secrets: { bootstraptoken: bootstrap, ...(aescbc ? { aescbcencryptionsecret: aescbc } : {}), ...(secretbox ? { secretboxencryptionsecret: secretbox } : {}) },
    trustdinfo: { token: trustd },
    certs: { etcd, k8s, k8saggregator, k8sserviceaccount: { key: saKey }, os },
  };
}
