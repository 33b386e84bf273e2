/**
 * The Kubernetes manifests parse, and say what docs/deployment.md promises: three replicas on
 * the `minos` Secret's database and key, probes on /api/health that Minos's Host check admits,
 * a non-root read-only container whose writable paths are volumes, the talosconfig where Minos
 * looks for it, and settings that agree with the Dockerfile and with Minos's own env parser.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

import { allowedHostsFrom, isAllowedHost } from "@/lib/auth/hosts";
import { parseEnv } from "@/lib/schemas/env";
import { TALOS_SERVICE_ACCOUNT_CONFIG } from "@/lib/talosconfig-path";
import { envOf, lastStep, parseDockerfile } from "@/scripts/deploy/dockerfile";

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are checked field by field below */
type Manifest = Record<string, any>;

const dir = path.dirname(new URL(import.meta.url).pathname);
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

function load(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(path.join(dir, file), "utf8"));
  for (const d of docs) {
    expect(d.errors.map((e) => e.message), file).toEqual([]);
    expect(d.warnings.map((e) => e.message), file).toEqual([]);
  }
  return docs.map((d) => d.toJS() as Manifest).filter(Boolean);
}

const all = files.flatMap((f) => load(f).map((m) => ({ file: f, m })));
const one = (kind: string): Manifest => {
  const found = all.filter((x) => x.m.kind === kind);
  expect(found.map((x) => x.file), kind).toHaveLength(1);
  return found[0]!.m;
};

const deployment = one("Deployment");
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const envList: Array<{ name: string; value?: string }> = container.env ?? [];
const envValue = (name: string) => envList.find((e) => e.name === name)?.value;
const dockerfile = parseDockerfile(readFileSync(path.join(dir, "../../Dockerfile"), "utf8"));
const runtime = dockerfile.stages.at(-1)!;
const imageEnv = envOf(runtime);

describe("kubernetes manifests", () => {
  it("are valid YAML, each object named, and kustomization.yaml lists every one", () => {
    const manifests = all.filter((x) => x.m.kind !== "Kustomization");
    expect(manifests.length).toBeGreaterThanOrEqual(6);
    for (const { file, m } of manifests) {
      expect(typeof m.apiVersion, file).toBe("string");
      expect(m.metadata?.name, file).toMatch(/^[a-z0-9-]+$/);
    }
    const kustomization = one("Kustomization");
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== "kustomization.yaml"));
  });

  it("run three replicas that one Service, one PodDisruptionBudget and the Ingress select", () => {
    expect(deployment.spec.replicas).toBe(3);
    const labels = deployment.spec.template.metadata.labels;
    expect(labels).toMatchObject(deployment.spec.selector.matchLabels);
    const service = one("Service");
    expect(labels).toMatchObject(service.spec.selector);
    expect(service.spec.sessionAffinity).toBe("None");
    expect(container.ports.map((p: Manifest) => p.name)).toContain(service.spec.ports[0].targetPort);
    const pdb = one("PodDisruptionBudget");
    expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(2);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    const backend = one("Ingress").spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: service.metadata.name, port: { name: service.spec.ports[0].name } });
  });

  it("probe /api/health on the image's port with a Host header Minos answers to", () => {
    const port = container.ports.find((p: Manifest) => p.name === "http").containerPort;
    expect(port).toBe(Number(imageEnv.get("PORT")));
    expect(lastStep(runtime, "EXPOSE")?.ports).toContain(port);
    const allowed = allowedHostsFrom(new URL(envValue("MINOS_ORIGIN")!), "");
    // A probe's default Host is the pod's address, which Minos refuses (DNS rebinding defence).
    expect(isAllowedHost("10.244.1.7:3000", { allowedHosts: allowed })).toBe(false);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const get = container[probe]?.httpGet;
      expect(get?.path, probe).toBe("/api/health");
      expect(get.port, probe).toBe("http");
      const host = get.httpHeaders?.find((h: Manifest) => h.name === "Host")?.value;
      expect(isAllowedHost(`${host}:${port}`, { allowedHosts: allowed }), probe).toBe(true);
    }
  });

  it("take MINOS_DATABASE_URL and MINOS_SECRET_KEY from the Secret, which holds placeholders only", () => {
    const secret = one("Secret");
    expect(container.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
    expect(Object.keys(secret.stringData).sort()).toEqual(["MINOS_DATABASE_URL", "MINOS_SECRET_KEY"]);
    expect(secret.data).toBeUndefined();
    // The template cannot start Minos by mistake: its key is refused at boot.
    expect(() => parseEnv({ MINOS_SECRET_KEY: secret.stringData.MINOS_SECRET_KEY })).toThrow(/MINOS_SECRET_KEY/);
    expect(secret.stringData.MINOS_DATABASE_URL).toContain("REPLACE-ME");
    // Every other setting is one Minos accepts, with a real key in its place.
    const env = parseEnv({
      ...Object.fromEntries(imageEnv),
      ...Object.fromEntries(envList.map((e) => [e.name, e.value])),
      MINOS_DATABASE_URL: secret.stringData.MINOS_DATABASE_URL,
      MINOS_SECRET_KEY: "0".repeat(64),
    });
    expect(env.MINOS_TRUSTED_PROXIES.length).toBeGreaterThan(0);
    expect(new URL(envValue("MINOS_ORIGIN")!).host).toBe(one("Ingress").spec.rules[0].host);
  });

  it("run as the image's non-root user, read-only, with every writable path a volume", () => {
    const user = lastStep(runtime, "USER")!.user;
    expect(user.uid).not.toBe(0);
    // What Pod Security "restricted" (namespace.yaml) admits.
    expect(one("Namespace").metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: user.uid, runAsGroup: user.gid, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    const mounts = new Map<string, string>(container.volumeMounts.map((m: Manifest) => [m.mountPath, m.name]));
    const stateDir = envValue("MINOS_STATE_DIR") ?? imageEnv.get("MINOS_STATE_DIR");
    expect(stateDir).toBe(imageEnv.get("MINOS_STATE_DIR"));
    for (const writable of ["/tmp", stateDir]) {
      const volume = pod.volumes.find((v: Manifest) => v.name === mounts.get(writable!));
      expect(volume?.emptyDir, writable).toBeDefined();
    }
    expect(container.resources.requests.memory).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
  });

  it("mount the optional talosconfig Secret where Minos looks for an in-pod talosconfig", () => {
    const mount = container.volumeMounts.find((m: Manifest) => m.mountPath === path.posix.dirname(TALOS_SERVICE_ACCOUNT_CONFIG));
    expect(mount?.readOnly).toBe(true);
    const volume = pod.volumes.find((v: Manifest) => v.name === mount.name);
    expect(volume.secret).toMatchObject({ optional: true, items: [{ key: "config", path: path.posix.basename(TALOS_SERVICE_ACCOUNT_CONFIG) }] });
    // An explicit TALOSCONFIG would win over the mount and fail when the Secret is absent.
    expect(envValue("TALOSCONFIG")).toBeUndefined();
  });
});
