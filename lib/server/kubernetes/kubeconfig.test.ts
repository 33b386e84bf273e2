import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";

import { createCa, issueClientCert, type CertAndKey } from "@/lib/talos/pki";

import { parseKubeconfig } from "./kubeconfig";

let ca: CertAndKey;
let admin: CertAndKey;
const b64 = (s: string) => Buffer.from(s).toString("base64");

beforeAll(async () => {
  ca = await createCa();
  admin = await issueClientCert(ca, { roles: ["system:masters"], commonName: "admin", validHours: 24 });
});

/** A kubeconfig as Talos writes it (admin@<cluster>), with per-test changes to its user and cluster. */
function kubeconfig(o: { user?: Record<string, unknown>; cluster?: Record<string, unknown>; current?: string; extraUsers?: unknown[] } = {}): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "prod", cluster: { server: "https://10.5.0.2:6443", "certificate-authority-data": b64(ca.certPem), ...o.cluster } }],
    users: [{ name: "admin@prod", user: o.user ?? { "client-certificate-data": b64(admin.certPem), "client-key-data": b64(admin.keyPem) } }, ...(o.extraUsers ?? [])],
    contexts: [{ name: "admin@prod", context: { cluster: "prod", user: "admin@prod", namespace: "default" } }],
    "current-context": o.current ?? "admin@prod",
  });
}

describe("parseKubeconfig", () => {
  it("reads a Talos admin kubeconfig: server, context, the certificate's expiry, one context in the client config", () => {
    const p = parseKubeconfig(kubeconfig());
    expect(p.server).toBe("https://10.5.0.2:6443");
    expect(p.context).toBe("admin@prod");
    expect(p.certNotAfter!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(p.certNotAfter!.getTime()).toBeLessThan(Date.now() + 25 * 3600_000);
    expect(p.config.getCurrentCluster()?.server).toBe("https://10.5.0.2:6443");
    expect(p.config.getCurrentUser()?.certData).toBe(b64(admin.certPem));
    expect(p.config.getContexts().map((c) => c.name)).toEqual(["admin@prod"]);
  });

  it("keeps only the current context's user: other users (even with plugins) never reach the client", () => {
    const p = parseKubeconfig(kubeconfig({ extraUsers: [{ name: "other", user: { token: "t" } }] }));
    expect(p.config.getUsers().map((u) => u.name)).toEqual(["admin@prod"]);
  });

  it("accepts a bearer token", () => {
    const p = parseKubeconfig(kubeconfig({ user: { token: "abc.def" } }));
    expect(p.certNotAfter).toBeNull();
    expect(p.config.getCurrentUser()?.token).toBe("abc.def");
  });

  it.each([
    ["an exec plugin", { exec: { apiVersion: "client.authentication.k8s.io/v1", command: "/bin/sh", args: ["-c", "id"] } }, /exec.*run a program/],
    ["an auth-provider", { "auth-provider": { name: "oidc", config: {} } }, /auth-provider/],
    ["a token file", { "token-file": "/etc/shadow" }, /token-file/],
    ["certificate files", { "client-certificate": "/tmp/c.pem", "client-key": "/tmp/k.pem" }, /client-certificate, client-key/],
    ["no credentials", {}, /has no credentials/],
    ["a certificate without its key", { "client-certificate-data": "eA==" }, /go together/],
  ])("refuses a user with %s", (_, user, message) => {
    expect(() => parseKubeconfig(kubeconfig({ user }))).toThrow(message);
  });

  it("never reads a token file while checking (the file does not exist, yet the error is Minos's)", () => {
    let err: Error | undefined;
    try {
      parseKubeconfig(kubeconfig({ user: { "token-file": "/nonexistent/minos-token" } }));
    } catch (e) {
      err = e as Error;
    }
    expect(err).toMatchObject({ code: "invalid_config" });
    expect(err!.message).not.toMatch(/ENOENT/);
  });

  it.each([
    ["a plain-http server", { server: "http://10.5.0.2:6443" }, /must be https/],
    ["a server that is no URL", { server: "10.5.0.2:6443" }, /not a URL|must be https/],
    ["a CA file", { "certificate-authority": "/etc/ca.pem" }, /certificate-authority names a file/],
    ["TLS verification skipped", { "insecure-skip-tls-verify": true }, /insecure-skip-tls-verify is not allowed.*certificate-authority-data/],
    ["TLS verification skipped and no CA", { "insecure-skip-tls-verify": true, "certificate-authority-data": undefined }, /insecure-skip-tls-verify is not allowed/],
    ["a username and password in the server URL", { server: "https://admin:s3cret@10.5.0.2:6443" }, /carries a username or password/],
    ["a username in the server URL", { server: "https://admin@10.5.0.2:6443" }, /carries a username or password/],
    ["a query in the server URL", { server: "https://10.5.0.2:6443/?token=abc" }, /query string/],
    ["a fragment in the server URL", { server: "https://10.5.0.2:6443/#x" }, /fragment/],
  ])("refuses a cluster with %s", (_, cluster, message) => {
    expect(() => parseKubeconfig(kubeconfig({ cluster }))).toThrow(message);
  });

  it("never echoes URL credentials, and never gives client-node a config that skips TLS verification", () => {
    expect(() => parseKubeconfig(kubeconfig({ cluster: { server: "https://admin:s3cret@10.5.0.2:6443" } }))).toThrow(expect.objectContaining({ code: "invalid_config", message: expect.not.stringContaining("s3cret") }));
    const p = parseKubeconfig(kubeconfig({ cluster: { "insecure-skip-tls-verify": false } }));
    expect(p.config.getCurrentCluster()?.skipTLSVerify).toBeFalsy();
    expect(p.config.getCurrentCluster()?.caData).toBe(b64(ca.certPem));
  });

  it("refuses a current context it does not define, and text that is not a kubeconfig", () => {
    expect(() => parseKubeconfig(kubeconfig({ current: "nope" }))).toThrow(/current context "nope" is not among/);
    expect(() => parseKubeconfig("clusters: [")).toThrow(/not YAML/);
    expect(() => parseKubeconfig("just text")).toThrow(/Invalid kubeconfig/);
  });

  it("says nothing of the credentials in its errors", () => {
    const key = b64(admin.keyPem);
    try {
      parseKubeconfig(kubeconfig({ user: { "client-key-data": key } }));
    } catch (e) {
      expect((e as Error).message).not.toContain(key.slice(0, 40));
      return;
    }
    throw new Error("expected a failure");
  });
});
