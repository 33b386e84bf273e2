import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";

import { validateConfig } from "@/lib/config/validate";
import { RateLimitedError } from "@/lib/server/auth/guard";
import { ReadyPool } from "@/lib/server/configs/ready-pool";
import { generateConfigTemplate, makeTemplateSecrets, type TemplateSecrets } from "@/lib/server/configs/template";
import { AppError } from "@/lib/server/platform/errors";

/** A generated config's documents: the v1alpha1 one, and the others by kind. */
function docs(yaml: string) {
  const all = YAML.parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
  return { v1: all.find((d) => d.version === "v1alpha1")!, kind: (k: string) => all.find((d) => d.kind === k) };
}

// One real set of secrets (one RSA-4096 key), shared by the tests that only need valid material.
let real: TemplateSecrets;
beforeAll(async () => {
  real = await makeTemplateSecrets();
});

/** A pool whose generator hands out the real set once, then never finishes: it counts its calls. */
function stockedPool() {
  let calls = 0;
  const pool = new ReadyPool<TemplateSecrets>({
    make: () => (++calls === 1 ? Promise.resolve(real) : new Promise<TemplateSecrets>(() => {})),
    size: 1,
    maxWaiting: 1,
  });
  return { pool, calls: () => calls };
}

async function stocked() {
  const p = stockedPool();
  p.pool.fill();
  await new Promise((r) => setImmediate(r));
  expect(p.pool.stock).toBe(1);
  return p;
}

describe("generateConfigTemplate", () => {
  it.each([
    ["controlplane", "v1.14.0"],
    ["worker", "v1.14.0"],
    ["controlplane", "1.12"],
    ["worker", "v1.13.9"],
  ] as const)("a %s template for %s is gen config's for that contract and validates with no issue", async (role, talosVersion) => {
    const { pool } = await stocked();
    const t = await generateConfigTemplate({ role, talosVersion, clusterName: "lab", endpoint: "https://10.0.0.10:6443" }, pool);
    const { v1, kind } = docs(t.yaml);
    expect(v1.machine.type).toBe(role);
    expect(Boolean(v1.machine.ca.key)).toBe(role === "controlplane");
    if (talosVersion === "v1.14.0") {
      // 1.14's multi-document layout: the cluster's name and endpoint live in KubeClusterConfig.
      expect(kind("KubeClusterConfig")).toMatchObject({ clusterName: "lab", endpoint: "https://10.0.0.10:6443" });
      expect(v1.cluster.controlPlane).toBeUndefined();
      expect(kind("UnattendedInstallConfig")?.installer.image).toMatch(/:v1\.14\.0$/);
    } else {
      expect(v1.cluster.clusterName).toBe("lab");
      expect(v1.cluster.controlPlane.endpoint).toBe("https://10.0.0.10:6443");
      expect(v1.machine.install.image).toBe(talosVersion === "1.12" ? "ghcr.io/siderolabs/installer:v1.12.0" : "ghcr.io/siderolabs/installer:v1.13.9");
    }
    expect(validateConfig(t.yaml, { talosVersion: t.talosVersion }).issues).toEqual([]);
  });

  it("refuses a version it has no contract for", async () => {
    const { pool } = await stocked();
    await expect(generateConfigTemplate({ role: "worker", talosVersion: "v1.9.5", clusterName: "lab", endpoint: "https://10.0.0.10:6443" }, pool)).rejects.toBeInstanceOf(AppError);
  });

  it("keeps Talos's RSA-4096 service-account key", () => {
    const pem = real.certs.k8sserviceaccount.key;
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    // PKCS#1 DER of a 4096-bit key is ~2.35 KB, base64 in the PEM ~3.2 KB (2048-bit: ~1.7 KB).
    expect(pem.length).toBeGreaterThan(3000);
  });

  it("takes its secrets from the pool and never generates on the request path while the pool is stocked", async () => {
    const { pool, calls } = await stocked();
    expect(calls()).toBe(1);
    // The replacement the take starts never finishes, so the request would hang if it waited for it.
    const t = await generateConfigTemplate({ role: "controlplane", clusterName: "lab", endpoint: "https://10.0.0.10:6443" }, pool);
    expect(docs(t.yaml).kind("DiscoveryIdentityConfig")?.clusterSecret).toBe(real.cluster.secret);
    expect(calls()).toBe(2);
    expect(pool.stock).toBe(0);
  });

  it("answers 429 (rate limited) when too many requests already wait for fresh secrets", async () => {
    const pool = new ReadyPool<TemplateSecrets>({ make: () => new Promise(() => {}), size: 1, maxWaiting: 1, retryAfterSeconds: 3 });
    const input = { role: "worker", clusterName: "lab", endpoint: "https://10.0.0.10:6443" } as const;
    void generateConfigTemplate(input, pool);
    await expect(generateConfigTemplate(input, pool)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("makes new secrets every time (the default pool)", async () => {
    const input = { role: "controlplane", clusterName: "lab", endpoint: "https://10.0.0.10:6443" } as const;
    const [a, b] = await Promise.all([generateConfigTemplate(input), generateConfigTemplate(input)]);
    expect(docs(a.yaml).kind("DiscoveryIdentityConfig")?.clusterSecret).not.toBe(docs(b.yaml).kind("DiscoveryIdentityConfig")?.clusterSecret);
    expect(docs(a.yaml).kind("KubeServiceAccountConfig")?.issuer.privateKey).not.toBe(docs(b.yaml).kind("KubeServiceAccountConfig")?.issuer.privateKey);
  }, 60_000);
});
