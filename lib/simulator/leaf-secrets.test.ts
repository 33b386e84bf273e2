import crypto from "node:crypto";

import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import { generateSecretsBundle, type SecretsBundle } from "../talos/secrets/bundle";
import { issueLeafSecrets } from "./leaf-secrets";

describe("Talos's control-plane leaves", () => {
  let secrets: SecretsBundle;
  beforeAll(async () => {
    secrets = await generateSecretsBundle({ talosVersion: "1.14" });
  }, 60_000);

  const read = (yaml: string, key: string) => {
    const spec = parse(yaml) as Record<string, { crt: string }>;
    return Buffer.from(spec[key]!.crt, "base64").toString("utf8");
  };

  it.each([
    ["v1.12.4", "IP Address:127.0.10.1, IP Address:127.0.0.1", false],
    ["v1.13.0", "IP Address:127.0.10.1, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", false],
    ["v1.14.0", "IP Address:127.0.10.1, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1", true],
  ])("%s: etcd server SANs and the kube-apiserver PEM", async (version, etcdIps, chained) => {
    const leaves = await issueLeafSecrets({ hostname: "cp-1", address: "127.0.10.1", talosVersion: version }, secrets);
    const etcd = new crypto.X509Certificate(read(leaves["EtcdSecrets.secrets.talos.dev"].yaml, "etcd"));
    expect(etcd.subject).toBe("CN=cp-1");
    expect(etcd.subjectAltName).toBe(`DNS:cp-1, DNS:localhost, ${etcdIps}`);
    const apiPem = read(leaves["KubernetesDynamicCerts.secrets.talos.dev"].yaml, "apiServer");
    expect(apiPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(chained ? 2 : 1);
    const api = new crypto.X509Certificate(apiPem);
    expect(api.subject).toBe("O=kube-master\nCN=kube-apiserver");
    expect(api.subjectAltName).toBe(
      "DNS:cp-1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, DNS:localhost, " +
        "IP Address:10.96.0.1, IP Address:127.0.0.1, IP Address:127.0.10.1",
    );
    const client = new crypto.X509Certificate(read(leaves["KubernetesDynamicCerts.secrets.talos.dev"].yaml, "apiServerKubeletClient"));
    expect(client.subject).toBe("O=system:masters\nCN=apiserver-kubelet-client");
  });
});
