import crypto from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";

import { AppError } from "@/lib/server/platform/errors";
import {
  getTalosContextOrThrow,
  loadTalosconfig,
  parseTalosconfig,
  resolveTalosconfigPath,
  TALOS_SERVICE_ACCOUNT_CONFIG,
} from "@/lib/server/talos/talosconfig";
import { createCa, issueClientCert, toTalosKeyPem, type CertAndKey } from "@/lib/talos/pki";
import { writeTalosconfig } from "@/lib/talos/talosconfig";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const SRC = "/root/.talos/config";

type RawContext = Record<string, unknown>;
type RawFile = { context?: unknown; contexts: Record<string, RawContext> };

let edCa: CertAndKey;
let edAdmin: CertAndKey;
let edMulti: CertAndKey;
let ecCa: CertAndKey;
let ecReader: CertAndKey;
let rsaClient: CertAndKey;
let otherAdmin: CertAndKey;

/** A context as talosctl writes it: base64 PEM, Talos key headers. */
function ctx(ca: CertAndKey, client: CertAndKey, extra: RawContext = {}): RawContext {
  return { endpoints: ["10.5.0.2"], nodes: ["10.5.0.2", "10.5.0.3"], ca: b64(ca.certPem), crt: b64(client.certPem), key: b64(toTalosKeyPem(client.keyPem)), ...extra };
}

function file(contexts: Record<string, RawContext>, current = Object.keys(contexts)[0]): string {
  return stringify({ context: current, contexts } satisfies RawFile);
}

beforeAll(async () => {
  edCa = await createCa();
  [edAdmin, edMulti, rsaClient, otherAdmin] = await Promise.all([
    issueClientCert(edCa, { roles: ["os:admin"], commonName: "admin" }),
    issueClientCert(edCa, { roles: ["os:reader", "os:operator"] }),
    issueClientCert(edCa, { roles: ["os:reader"], keyAlgorithm: "rsa-2048" }),
    issueClientCert(edCa, { roles: ["os:admin"] }),
  ]);
  ecCa = await createCa({ keyAlgorithm: "ecdsa-p256" });
  ecReader = await issueClientCert(ecCa, { roles: ["os:reader"] });
});

describe("parseTalosconfig: valid files", () => {
  it("parses an Ed25519 context with the Talos key header, its roles and validity", () => {
    const text = file({ prod: ctx(edCa, edAdmin) });
    expect(Buffer.from(text.match(/key: (\S+)/)![1]!, "base64").toString()).toMatch(/^-----BEGIN ED25519 PRIVATE KEY-----/);

    const config = parseTalosconfig(text, SRC);
    expect(config.source).toBe(SRC);
    expect(config.current).toBe("prod");
    const prod = getTalosContextOrThrow(config);
    expect(prod.name).toBe("prod");
    expect(prod.roles).toEqual(["os:admin"]);
    expect(prod.certSubject).toBe("O=os:admin, CN=admin");
    expect(prod.certNotAfter.getTime() - prod.certNotBefore.getTime()).toBe(8760 * 3_600_000);
    expect(prod.certNotAfter.getTime()).toBeGreaterThan(Date.now());
    expect(prod.certFingerprint).toBe(new crypto.X509Certificate(edAdmin.certPem).fingerprint256);
    expect(prod.nodes).toEqual(["10.5.0.2", "10.5.0.3"]);
    expect(prod.caPem).toBe(edCa.certPem);
    expect(prod.certPem).toBe(edAdmin.certPem);
    expect(prod.keyPem).toBe(edAdmin.keyPem);
    expect(prod.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it("reads several O values as several roles", () => {
    const config = parseTalosconfig(file({ ops: ctx(edCa, edMulti) }));
    expect(config.contexts[0]!.roles).toEqual(["os:operator", "os:reader"]);
  });

  it.each([
    ["ECDSA key (SEC1 EC PRIVATE KEY)", () => ctx(ecCa, ecReader), "EC PRIVATE KEY"],
    ["RSA key (PKCS#1 RSA PRIVATE KEY)", () => ctx(edCa, rsaClient), "RSA PRIVATE KEY"],
  ])("parses an %s and returns it as PKCS#8", (_name, make, header) => {
    const c = make();
    expect(Buffer.from(c.key as string, "base64").toString()).toContain(`BEGIN ${header}`);
    const parsed = parseTalosconfig(file({ x: c })).contexts[0]!;
    expect(parsed.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(new crypto.X509Certificate(parsed.certPem).checkPrivateKey(crypto.createPrivateKey(parsed.keyPem))).toBe(true);
    expect(parsed.roles).toEqual(["os:reader"]);
  });

  it.each([
    ["10.5.0.2", { host: "10.5.0.2", port: 50000, address: "10.5.0.2:50000" }],
    ["10.5.0.2:50001", { host: "10.5.0.2", port: 50001, address: "10.5.0.2:50001" }],
    ["cp-1.example.com", { host: "cp-1.example.com", port: 50000, address: "cp-1.example.com:50000" }],
    ["[::1]:50000", { host: "::1", port: 50000, address: "[::1]:50000" }],
    ["[fd00::2]", { host: "fd00::2", port: 50000, address: "[fd00::2]:50000" }],
    ["fd00::2", { host: "fd00::2", port: 50000, address: "[fd00::2]:50000" }],
  ])("endpoint %s", (raw, expected) => {
    const parsed = parseTalosconfig(file({ x: ctx(edCa, edAdmin, { endpoints: [raw] }) })).contexts[0]!;
    expect(parsed.endpoints).toEqual([expected]);
  });

  it("merges the deprecated target into endpoints, without duplicates", () => {
    const merged = parseTalosconfig(file({ x: ctx(edCa, edAdmin, { endpoints: ["10.5.0.2"], target: "10.5.0.9" }) })).contexts[0]!;
    expect(merged.endpoints.map((e) => e.address)).toEqual(["10.5.0.2:50000", "10.5.0.9:50000"]);
    const dup = parseTalosconfig(file({ x: ctx(edCa, edAdmin, { endpoints: ["10.5.0.2"], target: "10.5.0.2:50000" }) })).contexts[0]!;
    expect(dup.endpoints.map((e) => e.address)).toEqual(["10.5.0.2:50000"]);
    const only = parseTalosconfig(file({ x: ctx(edCa, edAdmin, { endpoints: undefined, target: "10.5.0.9" }) })).contexts[0]!;
    expect(only.endpoints.map((e) => e.address)).toEqual(["10.5.0.9:50000"]);
  });

  it("keeps every context in order, tolerates extra keys, and accepts a CA bundle", () => {
    const bundle = b64(edCa.certPem + ecCa.certPem);
    const text = file(
      {
        staging: ctx(ecCa, ecReader, { nodes: undefined, cluster: "staging", "proxy-url": "http://proxy:3128", future: 1 }),
        prod: ctx(edCa, edAdmin, { ca: bundle }),
      },
      "prod",
    );
    const config = parseTalosconfig(text);
    expect(config.contexts.map((c) => c.name)).toEqual(["staging", "prod"]);
    expect(config.current).toBe("prod");
    expect(config.contexts[0]!.nodes).toEqual([]);
    expect(config.contexts[0]!.cluster).toBe("staging");
    expect(config.contexts[1]!.caPem).toBe(edCa.certPem + ecCa.certPem);
    expect(getTalosContextOrThrow(config, "staging").name).toBe("staging");
  });

  it("uses the only context when `context` is empty, and none when there are several", () => {
    expect(parseTalosconfig(stringify({ contexts: { a: ctx(edCa, edAdmin) } })).current).toBe("a");
    const several = parseTalosconfig(stringify({ context: "", contexts: { a: ctx(edCa, edAdmin), b: ctx(edCa, edAdmin) } }));
    expect(several.current).toBeNull();
    expect(() => getTalosContextOrThrow(several)).toThrow(/choose one/);
  });
});

describe("parseTalosconfig: errors name the context and field", () => {
  const cases: [string, () => string, RegExp, { context: string | null; field: string | null; line?: number }][] = [
    ["missing crt", () => file({ prod: ctx(edCa, edAdmin, { crt: undefined }) }), /^talosconfig \/root\/\.talos\/config: context "prod": field "crt" is missing \(line \d+\)$/, { context: "prod", field: "crt" }],
    ["crt not base64", () => file({ prod: ctx(edCa, edAdmin, { crt: "not base64!!" }) }), /context "prod": field "crt" is not valid base64 PEM: the value is not base64/, { context: "prod", field: "crt" }],
    ["crt not PEM", () => file({ prod: ctx(edCa, edAdmin, { crt: b64("hello") }) }), /context "prod": field "crt" is not valid base64 PEM: no CERTIFICATE block/, { context: "prod", field: "crt" }],
    ["corrupt certificate", () => file({ prod: ctx(edCa, edAdmin, { crt: b64("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") }) }), /field "crt" is not valid base64 PEM: the certificate cannot be parsed/, { context: "prod", field: "crt" }],
    ["ca not PEM", () => file({ prod: ctx(edCa, edAdmin, { ca: b64("nope") }) }), /context "prod": field "ca" is not valid base64 PEM: no CERTIFICATE block/, { context: "prod", field: "ca" }],
    ["key not a key", () => file({ prod: ctx(edCa, edAdmin, { key: b64(edAdmin.certPem) }) }), /field "key" is not valid base64 PEM: no PRIVATE KEY block/, { context: "prod", field: "key" }],
    ["key of another cert", () => file({ prod: ctx(edCa, edAdmin, { key: b64(toTalosKeyPem(otherAdmin.keyPem)) }) }), /context "prod": field "key" does not match the certificate in "crt"/, { context: "prod", field: "key" }],
    ["encrypted key", () => file({ prod: ctx(edCa, edAdmin, { key: b64(crypto.createPrivateKey(edAdmin.keyPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "x" }).toString()) }) }), /field "key" is an encrypted private key/, { context: "prod", field: "key" }],
    ["Omni context", () => file({ omni: { endpoints: ["https://omni.example"], auth: { siderov1: { identity: "me@example.com" } } } }), /context "omni": field "endpoints\[0\]" \("https:\/\/omni.example"\) is not host or host:port/, { context: "omni", field: "endpoints[0]" }],
    ["Omni context without certs", () => file({ omni: { endpoints: ["10.0.0.1"], auth: { siderov1: { identity: "me" } } } }), /context "omni": field "ca" is missing \(contexts that authenticate through "auth"/, { context: "omni", field: "ca" }],
    ["bad port", () => file({ prod: ctx(edCa, edAdmin, { endpoints: ["10.5.0.2:99999"] }) }), /context "prod": field "endpoints\[0\]" \("10.5.0.2:99999"\) is not host or host:port/, { context: "prod", field: "endpoints[0]" }],
    ["bad target", () => file({ prod: ctx(edCa, edAdmin, { target: "a b" }) }), /context "prod": field "target"/, { context: "prod", field: "target" }],
    ["endpoints not a list", () => file({ prod: ctx(edCa, edAdmin, { endpoints: "10.5.0.2" }) }), /context "prod": field "endpoints" must be a list, not a string \(line 4\)/, { context: "prod", field: "endpoints", line: 4 }],
    ["node not a string", () => file({ prod: ctx(edCa, edAdmin, { nodes: ["a", 5] }) }), /context "prod": field "nodes\[1\]" must be a string, not a number/, { context: "prod", field: "nodes[1]" }],
    ["context not a mapping", () => stringify({ context: "prod", contexts: { prod: "x" } }), /context "prod": must be a mapping, not a string/, { context: "prod", field: null }],
    ["current context undefined", () => file({ prod: ctx(edCa, edAdmin) }, "dev"), /field "context" names context "dev", which is not defined \(line 1\)/, { context: null, field: "context", line: 1 }],
    ["no contexts key", () => "context: prod\n", /field "contexts" is missing/, { context: null, field: "contexts" }],
    ["no contexts", () => "context: prod\ncontexts: {}\n", /field "contexts" defines no context/, { context: null, field: "contexts" }],
    ["a list", () => "- a\n- b\n", /: is a list, not a mapping with "context" and "contexts"$/, { context: null, field: null }],
    ["empty file", () => "", /^talosconfig \/root\/\.talos\/config: is empty$/, { context: null, field: null }],
    ["invalid YAML", () => "context: prod\ncontexts:\n  prod: {\n", /^talosconfig \/root\/\.talos\/config: is not valid YAML at line 4, column 1: Flow map in block collection must be sufficiently indented and end with a }$/, { context: null, field: null, line: 4 }],
    ["duplicate key", () => "context: a\ncontext: b\ncontexts: {}\n", /is not valid YAML at line 2, column 1: Map keys must be unique/, { context: null, field: null, line: 2 }],
  ];

  it.each(cases)("%s", (_name, make, message, where) => {
    let error: unknown;
    try {
      parseTalosconfig(make(), SRC);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe("misconfigured");
    expect(appError.message).toMatch(message);
    expect(appError.message).not.toMatch(/\n|\s+at\s+\S+:\d+/);
    expect(appError.details).toMatchObject({ source: SRC, ...where });
  });

  it("says just `talosconfig` when the source is unknown", () => {
    expect(() => parseTalosconfig(file({ prod: ctx(edCa, edAdmin, { crt: undefined }) }))).toThrow(/^talosconfig: context "prod": field "crt" is missing/);
  });
});

describe("resolveTalosconfigPath", () => {
  const home = "/home/op";
  const homeConfig = "/home/op/.talos/config";
  it.each([
    ["$TALOSCONFIG wins, existing or not", { TALOSCONFIG: "/etc/tc", TALOS_HOME: "/th" }, [homeConfig], "/etc/tc"],
    ["$TALOS_HOME/config when present", { TALOS_HOME: "/th" }, ["/th/config", homeConfig], "/th/config"],
    ["$TALOS_HOME/config even when absent", { TALOS_HOME: "/th" }, [homeConfig], "/th/config"],
    ["~/.talos/config when present", {}, [homeConfig, TALOS_SERVICE_ACCOUNT_CONFIG], homeConfig],
    ["the service-account config only when present", {}, [TALOS_SERVICE_ACCOUNT_CONFIG], TALOS_SERVICE_ACCOUNT_CONFIG],
    ["$TALOS_HOME falls back to the service-account config", { TALOS_HOME: "/th" }, [TALOS_SERVICE_ACCOUNT_CONFIG], TALOS_SERVICE_ACCOUNT_CONFIG],
    ["nothing", {}, [], null],
    ["empty variables count as unset", { TALOSCONFIG: "", TALOS_HOME: "" }, [homeConfig], homeConfig],
  ] as const)("%s", (_name, env, existing, expected) => {
    const present = new Set<string>(existing);
    expect(resolveTalosconfigPath(env, home, (f) => present.has(f))).toBe(expected);
  });
});

describe("loadTalosconfig", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "minos-talosconfig-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a file written by the simulator PKI", async () => {
    const file = path.join(dir, "talosconfig");
    await writeTalosconfig(file, {
      current: "sim",
      contexts: { sim: { endpoints: ["127.0.10.1"], nodes: ["127.0.10.1"], ca: edCa.certPem, crt: edAdmin.certPem, key: edAdmin.keyPem } },
    });
    const config = await loadTalosconfig(file);
    expect(config.source).toBe(file);
    expect(config.contexts[0]!.roles).toEqual(["os:admin"]);
    expect(config.contexts[0]!.endpoints[0]!.address).toBe("127.0.10.1:50000");
  });

  it("names the path of a missing file", async () => {
    const missing = path.join(dir, "nope");
    await expect(loadTalosconfig(missing)).rejects.toMatchObject({
      code: "misconfigured",
      message: `talosconfig ${missing}: file does not exist`,
      details: { source: missing, context: null, field: null },
    });
  });
});
