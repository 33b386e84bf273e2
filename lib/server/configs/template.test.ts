import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";

import { validateConfig } from "@/lib/config/validate";
import { RateLimitedError } from "@/lib/server/auth/guard";
import { ReadyPool } from "@/lib/server/configs/ready-pool";
import { generateConfigTemplate, makeTemplateSecrets, type TemplateSecrets } from "@/lib/server/configs/template";

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
  ] as const)("a %s template for %s validates with no errors", async (role, talosVersion) => {
    const { pool } = await stocked();
    const t = await generateConfigTemplate({ role, talosVersion, clusterName: "lab", endpoint: "https://10.0.0.10:6443" }, pool);
    const config = YAML.parse(t.yaml);
    expect(config.machine.type).toBe(role);
    expect(config.cluster.clusterName).toBe("lab");
    expect(config.cluster.controlPlane.endpoint).toBe("https://10.0.0.10:6443");
    expect(Boolean(config.machine.ca.key)).toBe(role === "controlplane");
    const result = validateConfig(t.yaml, { talosVersion: t.talosVersion });
    expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("keeps Talos's RSA-4096 service-account key", () => {
    const pem = real.secrets.serviceAccountKey;
    expect(pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    // PKCS#1 DER of a 4096-bit key is ~2.35 KB, base64 in the PEM ~3.2 KB (2048-bit: ~1.7 KB).
    expect(pem.length).toBeGreaterThan(3000);
  });

  it("takes its secrets from the pool and never generates on the request path while the pool is stocked", async () => {
    const { pool, calls } = await stocked();
    expect(calls()).toBe(1);
    // The replacement the take starts never finishes, so the request would hang if it waited for it.
    const t = await generateConfigTemplate({ role: "controlplane", clusterName: "lab", endpoint: "https://10.0.0.10:6443" }, pool);
    expect(YAML.parse(t.yaml).cluster.secret).toBe(real.secrets.clusterSecret);
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
    expect(YAML.parse(a.yaml).cluster.secret).not.toBe(YAML.parse(b.yaml).cluster.secret);
    expect(YAML.parse(a.yaml).cluster.serviceAccount.key).not.toBe(YAML.parse(b.yaml).cluster.serviceAccount.key);
  }, 60_000);
});
