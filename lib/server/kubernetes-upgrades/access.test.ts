import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";

import { createKubeAccessProvider } from "@/lib/server/kubernetes/access";
import { createCa, issueClientCert, type CertAndKey } from "@/lib/talos/pki";

import { createUpgradeAccess } from "./access";

let ca: CertAndKey;
let admin: CertAndKey;
const b64 = (s: string) => Buffer.from(s).toString("base64");

beforeAll(async () => {
  ca = await createCa();
  admin = await issueClientCert(ca, { roles: ["system:masters"], commonName: "admin", validHours: 24 });
});

const kubeconfig = (server: string) =>
  stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "prod", cluster: { server, "certificate-authority-data": b64(ca.certPem) } }],
    users: [{ name: "admin@prod", user: { "client-certificate-data": b64(admin.certPem), "client-key-data": b64(admin.keyPem) } }],
    contexts: [{ name: "admin@prod", context: { cluster: "prod", user: "admin@prod" } }],
    "current-context": "admin@prod",
  });

describe("createUpgradeAccess", () => {
  it("builds the object API from the provider's cached kubeconfig, rebuilt when the provider's changes (upload, delete)", async () => {
    let upload: { kubeconfig: string; uploadedAt: string } | null = { kubeconfig: kubeconfig("https://10.5.0.2:6443"), uploadedAt: "1" };
    let talosCalls = 0;
    const provider = createKubeAccessProvider({
      uploaded: async () => upload,
      uploadStamp: async () => upload?.uploadedAt ?? null,
      talos: async () => ({
        client: {
          roles: ["os:admin"],
          kubeconfig: async () => {
            talosCalls++;
            return kubeconfig("https://10.5.0.9:6443");
          },
        },
        controlPlanes: ["10.5.0.9"],
      }),
      now: Date.now,
    });
    const access = createUpgradeAccess(provider);

    const first = await access("prod");
    const again = await access("prod");
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    // One cached client: the same object API, no kubeconfig read of its own.
    expect(again.objects).toBe(first.objects);
    expect(talosCalls).toBe(0);

    // A new upload: the provider rebuilds at once, and so does the upgrade's object API.
    upload = { kubeconfig: kubeconfig("https://10.5.0.3:6443"), uploadedAt: "2" };
    const replaced = await access("prod");
    expect(replaced.ok && replaced.objects).not.toBe(first.objects);
    expect(provider.info("prod").server).toBe("https://10.5.0.3:6443");

    // The upload deleted: Talos's kubeconfig, again with a new object API.
    upload = null;
    const fromTalos = await access("prod");
    expect(talosCalls).toBe(1);
    expect(fromTalos.ok && replaced.ok && fromTalos.objects).not.toBe(replaced.ok && replaced.objects);
  });

  it("says why when the provider has no access", async () => {
    const access = createUpgradeAccess({ forCluster: async () => ({ ok: false, access: "no-credentials", message: "no os:admin" }) });
    expect(await access("prod")).toEqual({ ok: false, message: "no os:admin" });
  });
});
