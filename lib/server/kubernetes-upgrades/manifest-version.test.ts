import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { ManifestRepository } from "@/lib/server/manifests/repo";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { testDb } from "@/test/db";

import { manifestKubernetesVersion, recordManifestKubernetesVersion, withKubernetesVersion } from "./manifest-version";

const MANIFEST = `# the prod cluster
cluster: {name: prod, endpoint: "https://10.0.0.10:6443", talosVersion: v1.13.2, kubernetesVersion: v1.35.4}
nodes:
  - {address: 10.0.0.2, role: controlplane}
`;

describe("withKubernetesVersion", () => {
  it("sets the version in the form the manifest used, keeping comments", () => {
    const r = withKubernetesVersion(MANIFEST, "1.36.3");
    expect(r.changed).toBe(true);
    expect(r.text).toContain("kubernetesVersion: v1.36.3");
    expect(r.text).toContain("# the prod cluster");
    expect(withKubernetesVersion(MANIFEST.replace("v1.35.4", "1.35.4"), "v1.36.3").text).toContain("kubernetesVersion: 1.36.3");
    expect(withKubernetesVersion(MANIFEST, "1.35.4")).toEqual({ text: MANIFEST, changed: false });
  });
});

describe("recordManifestKubernetesVersion", () => {
  it("stores a new revision with the new version when the cluster has a manifest, and nothing when it has none", async () => {
    const db = await testDb();
    const box = new SecretBox(randomBytes(32));
    const repo = new ManifestRepository(db, box);
    expect(await recordManifestKubernetesVersion(db, box, "prod", "1.36.3", "k1")).toBeNull();
    expect(await manifestKubernetesVersion(db, box, "prod")).toBeNull();
    await repo.insert({ cluster: "prod", author: "user:ada", at: new Date(), source: "adopt", yaml: MANIFEST, base: null });
    expect(await recordManifestKubernetesVersion(db, box, "prod", "1.36.3", "k1")).toBe(2);
    const latest = (await repo.latest("prod"))!;
    expect(latest).toMatchObject({ revision: 2, author: "kubernetes-upgrade:k1", source: "edit", message: "Kubernetes upgrade to 1.36.3" });
    expect(await repo.manifest("prod", 2)).toContain("kubernetesVersion: v1.36.3");
    expect(await manifestKubernetesVersion(db, box, "prod")).toBe("v1.36.3");
    // Already on it: no new revision.
    expect(await recordManifestKubernetesVersion(db, box, "prod", "1.36.3", "k2")).toBe(2);
  });
});
