import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments, parseDocument } from "yaml";

import { adoptCluster } from "@/lib/server/manifests/adopt";
import { makeManifestDeps, type ManifestDeps } from "@/lib/server/manifests/deps";
import { clusterScrubber, SecretScrubber } from "@/lib/server/manifests/scrub";
import { getManifest, putManifest, renderManifestNode, validateManifest } from "@/lib/server/manifests/service";
import { AppError } from "@/lib/server/platform/errors";
import { SecretBox } from "@/lib/server/platform/secret-box";
import { parseSecretsBundle } from "@/lib/talos/secrets/bundle";
import { testDb } from "@/test/db";
import { startTestFleet, type TestFleet } from "@/test/talos/fleet";

const ADMIN = "user:ann";
const VIEWER = { label: "user:vic", reveal: false };
// A registry password an admin keeps in a patch (a JSON patch op's value, redacted for viewers).
const PASSWORD = "s3cret-registry-pw-Zq81";

let t: TestFleet;
let cluster: string;
let d: ManifestDeps;
let cp: string;
let worker: string;
let secrets: string[];

/** What a viewer answer must never hold: the bundle's secrets and the stored patch's password. */
function expectNoSecret(answer: unknown) {
  const text = JSON.stringify(answer);
  for (const s of [...secrets, PASSWORD]) expect(text, `leaks ${s.slice(0, 12)}…`).not.toContain(s);
}

/** The outcome of a call, answer or error, as JSON: a leak may be in either. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { error: { code: e.code, message: e.message, details: e.details } };
  }
}

/** Adds a shared patch first: JSON patches apply while the config is still one document. */
function first(doc: ReturnType<typeof parseDocument>, entry: { name: string; patch: string }) {
  const list = doc.get("patches") as { items: unknown[] } | undefined;
  if (list) list.items.unshift(doc.createNode(entry));
  else doc.set("patches", doc.createNode([entry]));
}

/** The viewer's redacted manifest on an older contract (where JSON patches reach v1alpha1) with one more shared patch. */
function viewerManifest(base: string, patch: string): string {
  const doc = parseDocument(base.replace(/talosVersion: v1\.\d+\.\d+/, "talosVersion: v1.10.0"));
  first(doc, { name: "peek", patch });
  return doc.toString();
}

beforeAll(async () => {
  t = await startTestFleet({ firstAddress: "127.0.176.1", controlPlanes: 1, workers: 1 });
  cluster = t.fleet.clusters[0]!;
  const addresses = t.fleet.nodes.map((n) => n.address);
  cp = t.fleet.nodes.find((n) => n.role === "controlplane")!.address;
  worker = t.fleet.nodes.find((n) => n.role === "worker")!.address;
  d = makeManifestDeps({
    db: await testDb(),
    box: new SecretBox(randomBytes(32)),
    clusterNodes: async () => addresses,
    client: async () => t.clients.admin,
    nodeTimeoutMs: 3_000,
    concurrency: 4,
  });
  const adopted = (await adoptCluster(d, cluster, { reveal: true }, ADMIN)).yaml;
  const b = parseSecretsBundle((await d.repo.secrets(cluster))!, "test");
  secrets = [b.cluster.secret, b.secrets.bootstraptoken, b.trustdinfo.token, b.certs.os.key, b.certs.k8s.key, b.certs.etcd.key, b.certs.k8sserviceaccount.key];
  if (b.secrets.secretboxencryptionsecret) secrets.push(b.secrets.secretboxencryptionsecret);
  if (b.secrets.aescbcencryptionsecret) secrets.push(b.secrets.aescbcencryptionsecret);
  // The admin keeps a registry password in a JSON patch op.
  const doc = parseDocument(adopted);
  const entry = {
    name: "registry",
    patch: [
      "- op: add",
      "  path: /machine/registries",
      "  value: {config: {reg.example.com: {auth: {username: bot}}}}",
      "- op: add",
      "  path: /machine/registries/config/reg.example.com/auth/password",
      `  value: ${PASSWORD}`,
      "",
    ].join("\n"),
  };
  first(doc, entry);
  // Only v1alpha1 on the older contract: the simulator's TimeSyncConfig needs Talos 1.12.
  const list = doc.get("patches") as { items: { get(k: string): unknown }[] };
  list.items = list.items.filter((p) => p.get("name") !== "all nodes");
  const withRegistry = doc.toString().replace(/talosVersion: v1\.\d+\.\d+/, "talosVersion: v1.10.0");
  await putManifest(d, cluster, { yaml: withRegistry, baseRevision: 1, message: "registry" }, ADMIN);
});
afterAll(() => t?.stop());

describe("a viewer's manifest rendered with the cluster's bundle", () => {
  const MOVES = [
    "- {op: add, path: /machine/nodeLabels, value: {}}",
    "- {op: move, from: /machine/token, path: /machine/nodeLabels/a}",
    "- {op: move, from: /cluster/token, path: /machine/install/image}",
    "- {op: copy, from: /cluster/secret, path: /machine/nodeLabels/b}",
    "- {op: copy, from: /machine/ca/key, path: /machine/nodeLabels/c}",
  ].join("\n");

  it("gets no secret back from render when a JSON patch moves secrets to ordinary fields", async () => {
    const base = (await getManifest(d, cluster, { reveal: false })).yaml;
    for (const [node, extra] of [
      [worker, ""],
      [cp, "\n- {op: move, from: /cluster/secretboxEncryptionSecret, path: /machine/nodeLabels/d}"],
    ] as const) {
      const r = await renderManifestNode(d, cluster, { yaml: viewerManifest(base, MOVES + extra), node }, VIEWER);
      // The moves happened: the fields are there, with the marker instead of the value.
      expect(r.config).toMatch(/nodeLabels:\n(\s+\w: .*\n)*\s+a: '?\*{6}/);
      expect(r.diff).not.toBeNull();
      // Still YAML: a marker starting a plain scalar is quoted (a bare one would be an alias).
      expect(parseAllDocuments(r.config).flatMap((doc) => doc.errors)).toEqual([]);
      expectNoSecret(r);
    }
  });

  it("gets no secret back from validate's messages (a secret moved to /machine/type)", async () => {
    const base = (await getManifest(d, cluster, { reveal: false })).yaml;
    const yaml = viewerManifest(
      base,
      ["- {op: move, from: /machine/token, path: /machine/type}", "- {op: move, from: /cluster/token, path: /cluster/network/dnsDomain}"].join("\n"),
    );
    const v = await validateManifest(d, cluster, yaml);
    expect(v.valid).toBe(false);
    expect(v.issues.some((i) => i.message.includes("******"))).toBe(true);
    expectNoSecret(v);
    expectNoSecret(await outcome(renderManifestNode(d, cluster, { yaml, node: worker }, VIEWER)));
  });

  it("does not reflect a stored patch secret whose redacted op the viewer pointed elsewhere", async () => {
    const redacted = (await getManifest(d, cluster, { reveal: false })).yaml;
    expect(redacted).not.toContain(PASSWORD);
    // The op keeps its place (merge-back by position) but now writes the value to /machine/type.
    const doc = parseDocument(redacted);
    const patches = doc.get("patches") as { items: unknown[] };
    const i = (doc.toJS() as { patches: { name: string }[] }).patches.findIndex((p) => p.name === "registry");
    expect(i).toBeGreaterThanOrEqual(0);
    expect(patches.items.length).toBeGreaterThan(i);
    const op = String(doc.getIn(["patches", i, "patch"]));
    expect(op).not.toContain(PASSWORD);
    const moved = op.replace("path: /machine/registries/config/reg.example.com/auth/password", "path: /machine/type");
    expect(moved).not.toBe(op);
    doc.setIn(["patches", i, "patch"], moved);
    const attack = doc.toString();
    expectNoSecret(await outcome(validateManifest(d, cluster, attack)));
    expectNoSecret(await outcome(renderManifestNode(d, cluster, { yaml: attack, node: worker }, VIEWER)));
    // The value as it was: a redacted op left in place.
    const kept = doc.toString().replace("path: /machine/type", "path: /machine/registries/config/reg.example.com/auth/password");
    expectNoSecret(await outcome(renderManifestNode(d, cluster, { yaml: kept, node: worker }, VIEWER)));
  });

  it("reads the running config only of the cluster's own nodes", async () => {
    const base = (await getManifest(d, cluster, { reveal: false })).yaml;
    const stranger = "127.0.176.99";
    const yaml = base.replace(`address: ${worker}`, `address: ${stranger}`);
    const r = await renderManifestNode(d, cluster, { yaml, node: stranger }, VIEWER);
    expect(r.diff).toBeNull();
    expect(r.runningError).toContain(`is not a node of cluster "${cluster}"`);
  });
});

describe("SecretScrubber", () => {
  it("replaces known secrets longest first and leaves short strings alone", () => {
    const s = new SecretScrubber(["", "ab", "abcdefgh", "abcdefgh-and-more"]);
    expect(s.size).toBe(2);
    expect(s.config("x: abcdefgh-and-more\ny: abcdefgh\nz: ab\nu: https://me:abcdefgh@host")).toBe("x: '******'\ny: '******'\nz: ab\nu: https://me:******@host");
    expect(s.message('unknown machine type "abcdefgh-and-mo"')).not.toContain("abcdefgh");
  });

  it("holds the bundle's secrets as gen config writes them", async () => {
    const b = parseSecretsBundle((await d.repo.secrets(cluster))!, "test");
    const s = clusterScrubber(b, []);
    expect(s.config(`token: ${b.trustdinfo.token}`)).toBe("token: '******'");
  });
});
