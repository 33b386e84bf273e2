// More of Talos's apply_test.go cases (deletes, links, mixed patches) at v1.14.0-rc.1.

import { describe, expect, it } from "vitest";

import { y, apply, applyError } from "@/test/config-patch";

describe("applyPatches (apply_test.go): deletes and links", () => {
  it("TestApplyMultiDocCPDelete: deletes of admission plugins, map keys and a replace field", () => {
    // Talos's controlplane_orig.yaml, its keys and tokens shortened.
    const config = `
version: v1alpha1
debug: false
persist: true
machine:
  type: controlplane
  token: Xtoken
  ca:
    crt: Xcrt
    key: Xkey
  certSANs: []
  kubelet:
    image: ghcr.io/siderolabs/kubelet:v1.28.0
    defaultRuntimeSeccompProfileEnabled: true
    disableManifestsDirectory: true
  network: {}
  install:
    wipe: false
  features:
    rbac: true
    stableHostname: true
    apidCheckExtKeyUsage: true
    diskQuotaSupport: true
    kubePrism:
      enabled: true
      port: 7445
    hostDNS:
      enabled: true
      forwardKubeDNSToHost: true
  nodeLabels:
    node.kubernetes.io/exclude-from-external-load-balancers: ""
cluster:
  id: Xid
  secret: Xsecret
  controlPlane:
    endpoint: https://base:6443
  clusterName: base
  network:
    dnsDomain: cluster.local
    podSubnets:
    - 10.244.0.0/16
    serviceSubnets:
    - 10.96.0.0/12
  token: Xtoken
  secretboxEncryptionSecret: XsecretboxEncryptionSecret
  ca:
    crt: Xcrt
    key: Xkey
  aggregatorCA:
    crt: Xcrt
    key: Xkey
  serviceAccount:
    key: Xkey
  apiServer:
    image: registry.k8s.io/kube-apiserver:v1.28.0
    certSANs:
    - base
    disablePodSecurityPolicy: true
    admissionControl:
    - name: PodSecurity
      configuration:
        apiVersion: pod-security.admission.config.k8s.io/v1alpha1
        defaults:
          audit: restricted
          audit-version: latest
          enforce: baseline
          enforce-version: latest
          warn: restricted
          warn-version: latest
        exemptions:
          namespaces:
          - kube-system
          runtimeClasses: []
          usernames: []
        kind: PodSecurityConfiguration
    auditPolicy:
      apiVersion: audit.k8s.io/v1
      kind: Policy
      rules:
      - level: Metadata
  controllerManager:
    image: registry.k8s.io/kube-controller-manager:v1.28.0
  proxy:
    image: registry.k8s.io/kube-proxy:v1.28.0
  scheduler:
    image: registry.k8s.io/kube-scheduler:v1.28.0
  discovery:
    enabled: true
    registries:
      kubernetes:
        disabled: true
      service: {}
  etcd:
    ca:
      crt: Xcrt
      key: Xkey
`;
    const out = apply(
      config,
      `
version: v1alpha1
cluster:
  apiServer:
    admissionControl:
    - name: PodSecurity
      $patch: delete
machine:
  nodeLabels:
    node.kubernetes.io/exclude-from-external-load-balancers:
      $patch: delete
`,
      `
version: v1alpha1
cluster:
  apiServer:
    admissionControl:
    - name: PodSecurity2
      configuration:
        kind: PodSecurityConfiguration
    auditPolicy:
      $patch: delete
`,
      `
version: v1alpha1
cluster:
  apiServer:
    admissionControl:
    - name: PodSecurity2
      $patch: delete
`,
    );
    expect(out).toBe(
      y(`
version: v1alpha1
debug: false
persist: true
machine:
    type: controlplane
    token: Xtoken
    ca:
        crt: Xcrt
        key: Xkey
    certSANs: []
    kubelet:
        image: ghcr.io/siderolabs/kubelet:v1.28.0
        defaultRuntimeSeccompProfileEnabled: true
        disableManifestsDirectory: true
    network: {}
    install:
        wipe: false
    features:
        rbac: true
        stableHostname: true
        apidCheckExtKeyUsage: true
        diskQuotaSupport: true
        kubePrism:
            enabled: true
            port: 7445
        hostDNS:
            enabled: true
            forwardKubeDNSToHost: true
cluster:
    id: Xid
    secret: Xsecret
    controlPlane:
        endpoint: https://base:6443
    clusterName: base
    network:
        dnsDomain: cluster.local
        podSubnets:
            - 10.244.0.0/16
        serviceSubnets:
            - 10.96.0.0/12
    token: Xtoken
    secretboxEncryptionSecret: XsecretboxEncryptionSecret
    ca:
        crt: Xcrt
        key: Xkey
    aggregatorCA:
        crt: Xcrt
        key: Xkey
    serviceAccount:
        key: Xkey
    apiServer:
        image: registry.k8s.io/kube-apiserver:v1.28.0
        certSANs:
            - base
        disablePodSecurityPolicy: true
    controllerManager:
        image: registry.k8s.io/kube-controller-manager:v1.28.0
    proxy:
        image: registry.k8s.io/kube-proxy:v1.28.0
    scheduler:
        image: registry.k8s.io/kube-scheduler:v1.28.0
    discovery:
        enabled: true
        registries:
            kubernetes:
                disabled: true
            service: {}
    etcd:
        ca:
            crt: Xcrt
            key: Xkey
`),
    );
  });

  it("TestPatchDeleteMissing: deleting under a missing section fails with Talos's message", () => {
    const e = applyError("version: v1alpha1\nmachine: {}\n", "machine:\n  network:\n    hostname:\n      $patch: delete\n");
    expect(e.message).toBe("patch delete: path 'machine.network.hostname' in document '/v1alpha1': failed to delete path 'machine.network.hostname': lookup failed");
    expect(e.place).toMatchObject({ source: "patch1.yaml", line: 4, column: 7 });
  });

  it("TestPatchLink: a list item of a named document is deleted and another added", () => {
    const out = apply(
      `
apiVersion: v1alpha1
kind: LinkConfig
name: eth0
addresses:
  - address: 10.0.42.136/24
routes:
  - gateway: 10.0.42.1
`,
      `
apiVersion: v1alpha1
kind: LinkConfig
name: eth0
addresses:
  - address: 10.0.42.136/24
    $patch: delete
  - address: 10.0.42.137/24
`,
    );
    expect(out).toBe("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n    - address: 10.0.42.137/24\nroutes:\n    - gateway: 10.0.42.1\n");
  });

  it("TestPatchMixed: a key delete, a merge and a new field on one document across documents of a patch", () => {
    const out = apply(
      `
apiVersion: v1alpha1
kind: RegistryMirrorConfig
name: registry.k8s.io
endpoints:
  - url: http://172.20.0.1:5001
---
apiVersion: v1alpha1
kind: LinkConfig
name: eth0
addresses:
  - address: 10.0.42.136/24
routes:
  - gateway: 10.0.42.1
`,
      `
apiVersion: v1alpha1
kind: RegistryMirrorConfig
name: registry.k8s.io
endpoints:
  $patch: delete
---
apiVersion: v1alpha1
kind: RegistryMirrorConfig
name: registry.k8s.io
endpoints:
  - url: http://172.20.0.251:50001
---
apiVersion: v1alpha1
kind: RegistryMirrorConfig
name: registry.k8s.io
skipFallback: true
`,
    );
    expect(out).toBe(
      y(`
apiVersion: v1alpha1
kind: RegistryMirrorConfig
name: registry.k8s.io
endpoints:
    - url: http://172.20.0.251:50001
skipFallback: true
---
apiVersion: v1alpha1
kind: LinkConfig
name: eth0
addresses:
    - address: 10.0.42.136/24
routes:
    - gateway: 10.0.42.1
`),
    );
  });
});
