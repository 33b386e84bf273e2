// Cases ported from Talos's configpatcher tests (apply_test.go, load_test.go and their testdata)
// at v1.14.0-rc.1; expected outputs are what Talos's tests assert.
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";

import { SourceError } from "@/lib/talos/errors";

import { formatGoDuration, parseGoDuration } from "./duration";
import { formatGoUrl, mergeGoUrls, parseGoUrl } from "./gourl";
import { applyPatches, encodeConfig, loadPatch } from "./index";
import { canonicalAddr, canonicalAddrPort, canonicalPrefix } from "./netip";

const y = (s: string) => s.replace(/^\n/, "");

function apply(config: string, ...patches: string[]): string {
  return applyPatches(
    y(config),
    patches.map((p, i) => loadPatch(y(p), `patch${i + 1}.yaml`)),
  );
}

function applyError(config: string, ...patches: string[]): SourceError {
  try {
    apply(config, ...patches);
  } catch (e) {
    expect(e).toBeInstanceOf(SourceError);
    return e as SourceError;
  }
  throw new Error("expected an error");
}

function loadError(text: string, source = "p.yaml"): SourceError {
  try {
    loadPatch(y(text), source);
  } catch (e) {
    expect(e).toBeInstanceOf(SourceError);
    return e as SourceError;
  }
  throw new Error("expected an error");
}

const APPLY_CONFIG = `
version: v1alpha1
machine:
  network:
    hostname: hostname1
    interfaces:
      - interface: eth0
        dhcp: true
cluster:
  proxy:
    extraArgs:
       metrics-bind-address: $(POD_IP):10249
       foo: bar
`;

const MULTIDOC_CONFIG = `
version: v1alpha1
machine:
  network:
    hostname: hostname1
    interfaces:
      - interface: eth0
        dhcp: true
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://siderolink.api/join?jointoken=secret&user=alice
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
    - content: hello
      mountPath: /etc/foo
environment:
    - FOO=BAR
`;

describe("loadPatch (load_test.go)", () => {
  it("reads a JSON list of operations as a JSON patch", () => {
    expect(loadPatch(`[{"op": "add", "path": "/machine/certSANs", "value": ["foo.com"]}]`, "p.json").kind).toBe("json");
  });
  it("reads a YAML list of operations as a JSON patch", () => {
    expect(loadPatch("- op: add\n  path: /some/path\n  value: [a, b, c]\n", "p.yaml").kind).toBe("json");
  });
  it("reads config documents as a strategic merge patch", () => {
    expect(loadPatch("machine:\n  network:\n    hostname: foo.bar\n", "p.yaml").kind).toBe("strategic");
  });
  it("rejects unknown fields with the line and path, as Go's strict decoder", () => {
    const e = loadError(`
machine:
  network:
    hostnam: foo
`);
    expect(e.message).toBe("field hostnam not found in type v1alpha1.NetworkConfig");
    expect(e.place).toMatchObject({ source: "p.yaml", line: 3, column: 5, path: "machine.network.hostnam" });
  });
  it("rejects a list where Go has a map, at its line", () => {
    const e = loadError(`
machine:
  nodeLabels:
    - a
`);
    expect(e.message).toBe("cannot unmarshal !!seq into map[string]string");
    expect(e.place).toMatchObject({ line: 3, path: "machine.nodeLabels" });
  });
  it("rejects a document without kind, and unknown kinds", () => {
    expect(loadError("apiVersion: v1alpha1\nfoo: bar\n").message).toBe("missing kind");
    expect(loadError("apiVersion: v1alpha1\nkind: NoSuchConfig\n").message).toBe('"NoSuchConfig" "v1alpha1": not registered');
  });
  it("rejects an empty patch", () => {
    expect(loadError("# nothing\n").message).toBe("config not found");
  });
  it("returns the JSON error for broken text that starts with [", () => {
    expect(loadError("[1, 2").message).not.toBe("config not found");
  });
  it("rejects deleting a key inside a list item", () => {
    const e = loadError(`
machine:
  network:
    interfaces:
      - interface: eth0
        mtu:
          $patch: delete
`);
    expect(e.message).toBe("error processing patch delete statements: cannot delete an inner key in 'machine.network.interfaces.[0].mtu'");
    expect(e.place.line).toBe(6);
  });
  it("requires apiVersion and kind together for a document delete", () => {
    expect(loadError("kind: SideroLinkConfig\n$patch: delete\n").message).toBe("error processing patch delete statements: missing apiVersion in document for which $patch: delete is used");
  });
  it("refuses inputs over the size cap", () => {
    expect(loadError(`machine:\n  token: "${"a".repeat(4 * 1024 * 1024)}"\n`).message).toMatch(/larger than 4 MiB/);
  });
});

describe("applyPatches (apply_test.go)", () => {
  it("TestApply: strategic merges with keyed interfaces and VLANs, JSON patches, key delete", () => {
    const out = apply(
      APPLY_CONFIG,
      `
machine:
  network:
    interfaces:
      - interface: eth0
        dhcp: false
`,
      `
- op: add
  path: /machine/network/interfaces/0/addresses
  value:
     - 10.1.2.3/24
`,
      `
- op: replace
  path: /machine/network/hostname
  value: foo
`,
      `
machine:
  network:
    interfaces:
      - interface: eth0
        vip:
          ip: 10.3.5.6
      - interface: eth1
        vlans:
          - vlanId: 100
            addresses: [10.3.4.5]
`,
      `
machine:
  network:
    interfaces:
      - interface: eth1
        vlans:
          - vlanId: 100
            addresses: [10.3.4.6]
          - vlanId: 101
            addresses: [10.3.4.7]
cluster:
  proxy:
    extraArgs:
       metrics-bind-address: $(POD_IP):10249
       foo:
         $patch: delete
`,
    );
    expect(out).toBe(
      y(`
version: v1alpha1
machine:
    type: ""
    token: ""
    certSANs: []
    network:
        hostname: foo
        interfaces:
            - interface: eth0
              addresses:
                - 10.1.2.3/24
              dhcp: false
              vip:
                ip: 10.3.5.6
            - interface: eth1
              vlans:
                - addresses:
                    - 10.3.4.5
                    - 10.3.4.6
                  routes: []
                  vlanId: 100
                - addresses:
                    - 10.3.4.7
                  routes: []
                  vlanId: 101
cluster:
    proxy:
        extraArgs:
            metrics-bind-address: $(POD_IP):10249
`),
    );
  });

  it("TestApplyMultiDocFail: JSON patches need a single-document config", () => {
    const e = applyError(MULTIDOC_CONFIG, "- op: add\n  path: /machine/network/interfaces/0/addresses\n  value: [10.1.2.3/24]\n");
    expect(e.message).toBe("JSON6902 patches are not supported for multi-document machine configuration");
    expect(e.place.source).toBe("patch1.yaml");
  });

  it("TestApplyMultiDoc: documents merge by kind and name; deleting a missing document is skipped", () => {
    const out = apply(
      MULTIDOC_CONFIG,
      `
machine:
  network:
    interfaces:
      - interface: eth0
        dhcp: false
`,
      `
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://siderolink.api/join?jointoken=secret&user=bob
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
    - content: hello world
      mountPath: /etc/foo
    - content: another hello
      mountPath: /etc/bar
environment:
    - XXX=YYY
`,
      `
# this document doesn't exist in the base config
apiVersion: v1alpha1
kind: KubeFlannelCNIConfig
$patch: delete
`,
    );
    expect(out).toBe(
      y(`
version: v1alpha1
machine:
    type: ""
    token: ""
    certSANs: []
    network:
        hostname: hostname1
        interfaces:
            - interface: eth0
              dhcp: false
cluster: null
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://siderolink.api/join?jointoken=secret&user=bob
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
    - content: hello world
      mountPath: /etc/foo
    - content: another hello
      mountPath: /etc/bar
environment:
    - FOO=BAR
    - XXX=YYY
`),
    );
  });

  it("TestApplyToEmptyConfig: new documents are added", () => {
    const out = applyPatches("", [
      loadPatch("apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://a\n---\napiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\n", "p"),
    ]);
    expect(out).toBe("apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://a\n---\napiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\n");
  });

  it("TestApplyAuditPolicy: a merge:replace field is replaced, not merged", () => {
    const out = apply(
      `
version: v1alpha1
machine:
  network:
    hostname: hostname-foo
cluster:
  apiServer:
    auditPolicy:
      apiVersion: audit.k8s.io/v1
      kind: Policy
      rules:
        - level: Metadata
  controlPlane:
    endpoint: https://localhost:6443
`,
      `
cluster:
  apiServer:
    auditPolicy:
      apiVersion: audit.k8s.io/v1
      kind: Policy
      rules:
        - level: None
`,
    );
    expect(out).toBe(
      y(`
version: v1alpha1
machine:
    type: ""
    token: ""
    certSANs: []
    network:
        hostname: hostname-foo
cluster:
    controlPlane:
        endpoint: https://localhost:6443
    apiServer:
        auditPolicy:
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules:
                - level: None
`),
    );
  });

  it("TestApplyWithManifestNewline: inline manifests lose their leading blank line (ClusterInlineManifests.UnmarshalYAML)", () => {
    const out = apply(
      APPLY_CONFIG,
      `
cluster:
  inlineManifests:
    - name: cilium
      contents: | # the empty newline below is important

        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: cilium
          namespace: kube-system
        ---
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: cilium-operator
          namespace: kube-system
`,
    );
    expect(out).toBe(
      y(`
version: v1alpha1
machine:
    type: ""
    token: ""
    certSANs: []
    network:
        hostname: hostname1
        interfaces:
            - interface: eth0
              dhcp: true
cluster:
    proxy:
        extraArgs:
            foo: bar
            metrics-bind-address: $(POD_IP):10249
    inlineManifests:
        - name: cilium
          contents: |
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: cilium
              namespace: kube-system
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: cilium-operator
              namespace: kube-system
`),
    );
  });

  it("TestApplyMultiDocDelete: deletes of documents, list items and keys", () => {
    const out = apply(
      `
version: v1alpha1
machine:
  network:
    hostname: hostname1
    interfaces:
      - interface: eth0
        dhcp: true
      - interface: eth1
        addresses: [10.3.5.4/32]
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: https://siderolink.api/join?jointoken=secret&user=alice
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
    - content: hello
      mountPath: /etc/foo
environment:
    - FOO=BAR
`,
      `
apiVersion: v1alpha1
kind: SideroLinkConfig
$patch: delete
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
  - content: hello
    $patch: delete
  - content: hello2
    mountPath: /etc/foo2
---
version: v1alpha1
machine:
  network:
    hostname:
      $patch: delete
    interfaces:
      - interface: eth0
        $patch: delete
      - interface: eth1
        addresses: [10.3.5.5/32]
      - interface: eth0
        dummy: true
`,
    );
    expect(out).toBe(
      y(`
version: v1alpha1
machine:
    type: ""
    token: ""
    certSANs: []
    network:
        interfaces:
            - interface: eth1
              addresses:
                - 10.3.5.4/32
                - 10.3.5.5/32
            - interface: eth0
              dummy: true
cluster: null
---
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
    - content: hello2
      mountPath: /etc/foo2
environment:
    - FOO=BAR
`),
    );
  });

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

describe("merge rules (merge.go and the types' Merge methods)", () => {
  it("matches network devices by device selector; a selector with physical never matches (Go compares pointers)", () => {
    const out = apply(
      `
version: v1alpha1
machine:
  network:
    interfaces:
      - deviceSelector: {hardwareAddr: "00:11:*"}
        mtu: 1500
      - deviceSelector: {driver: e1000, physical: true}
        mtu: 1500
`,
      `
machine:
  network:
    interfaces:
      - deviceSelector: {hardwareAddr: "00:11:*"}
        mtu: 9000
      - deviceSelector: {driver: e1000, physical: true}
        mtu: 9000
`,
    );
    expect(out).toContain(
      y(`
        interfaces:
            - deviceSelector:
                hardwareAddr: 00:11:*
              mtu: 9000
            - deviceSelector:
                driver: e1000
                physical: true
              mtu: 1500
            - deviceSelector:
                driver: e1000
                physical: true
              mtu: 9000
`),
    );
  });

  it("merges admission plugins by name and extension config files by mount path", () => {
    const out = apply(
      `
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
  - content: a
    mountPath: /etc/a
`,
      `
apiVersion: v1alpha1
kind: ExtensionServiceConfig
name: foo
configFiles:
  - content: b
    mountPath: /etc/a
  - content: c
    mountPath: /etc/c
`,
    );
    expect(out).toBe("apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\nconfigFiles:\n    - content: b\n      mountPath: /etc/a\n    - content: c\n      mountPath: /etc/c\n");
  });

  it("appends plain lists, replaces merge:replace lists, and ignores zero scalars", () => {
    const out = apply(
      `
version: v1alpha1
machine:
  token: abc
  certSANs: [a]
cluster:
  network:
    podSubnets: [10.244.0.0/16]
`,
      `
machine:
  token: ""
  certSANs: [b]
cluster:
  network:
    podSubnets: [10.100.0.0/16]
`,
    );
    expect(out).toContain('    token: abc\n    certSANs:\n        - a\n        - b\n');
    expect(out).toContain("        podSubnets:\n            - 10.100.0.0/16\n");
  });

  it("extraArgs replace per key, written as Go's hand-built nodes (no YAML 1.1 quoting; empty is null)", () => {
    const out = apply(
      `
version: v1alpha1
machine:
  kubelet:
    extraArgs:
      a: "1"
      b: ["x"]
      c: ""
`,
      `
machine:
  kubelet:
    extraArgs:
      b: ["y"]
`,
    );
    expect(out).toContain("        extraArgs:\n            a: \"1\"\n            b:\n                - y\n            c: null\n");
  });

  it("map entries merge into the existing value (a mirror's endpoints append); new keys are added, keys written sorted", () => {
    const out = apply(
      "version: v1alpha1\nmachine:\n  registries:\n    mirrors:\n      docker.io:\n        endpoints: [https://a]\n",
      "machine:\n  registries:\n    mirrors:\n      ghcr.io:\n        endpoints: [https://c]\n      docker.io:\n        endpoints: [https://b]\n        skipFallback: false\n",
    );
    expect(out).toContain(
      "    registries:\n        mirrors:\n            docker.io:\n                endpoints:\n                    - https://a\n                    - https://b\n                skipFallback: false\n            ghcr.io:\n                endpoints:\n                    - https://c\n",
    );
  });

  it("free-form maps (meta.Unstructured) merge key by key, lists append, a null on the left is replaced (merge_test.go 'unstructured')", () => {
    const out = apply(
      "version: v1alpha1\nmachine:\n  baseRuntimeSpecOverrides:\n    a: aa\n    n: null\n    map:\n      slice: [s1]\n      some: value\n",
      "machine:\n  baseRuntimeSpecOverrides:\n    b: bb\n    n: {x: 1}\n    map:\n      slice: [s2]\n      other: thing\n",
    );
    expect(out).toContain("    baseRuntimeSpecOverrides:\n        a: aa\n        b: bb\n        map:\n            other: thing\n            slice:\n                - s1\n                - s2\n            some: value\n        'n':\n            x: 1\n");
  });

  it("TestVolumeConfigMerge: the disk selector expression and the size are replaced", () => {
    const out = apply(
      "apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n  diskSelector:\n    match: disk.size > 120\n",
      "apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n  diskSelector:\n    match: disk.size > 150\n  maxSize: 2.5TiB\n",
    );
    expect(out).toBe("apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n    diskSelector:\n        match: disk.size > 150\n    maxSize: 2.5TiB\n");
  });

  it("ByteSize's Merge copies the right side even when empty: a VolumeConfig patch drops minSize unless it repeats it (Talos's behaviour)", () => {
    const out = apply(
      "apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n  minSize: 10GiB\n  maxSize: 20GiB\n",
      "apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n  maxSize: 40GiB\n",
    );
    expect(out).toBe("apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nprovisioning:\n    maxSize: 40GiB\n");
  });

  it("errors when a free-form map merges a list into a map, naming the patch, line and path", () => {
    const e = applyError(
      `
version: v1alpha1
cluster:
  apiServer:
    admissionControl:
      - name: PodSecurity
        configuration:
          exemptions:
            namespaces: [kube-system]
`,
      `
cluster:
  apiServer:
    admissionControl:
      - name: PodSecurity
        configuration:
          exemptions:
            namespaces:
              kube-system: true
`,
    );
    expect(e.message).toBe("merge type mismatch left []interface {} right map[string]interface {}");
    expect(e.place).toMatchObject({ source: "patch1.yaml", line: 7, path: "cluster.apiServer.admissionControl[0].configuration.exemptions.namespaces" });
  });

  it("a whole-document delete needs apiVersion and kind, so the v1alpha1 document cannot be deleted", () => {
    expect(loadError("version: v1alpha1\n$patch: delete\n").message).toBe("error processing patch delete statements: missing apiVersion in document for which $patch: delete is used");
  });

  it("deleting a list item by a field that matches nothing fails", () => {
    const e = applyError("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.0.1/24\n", "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.9.9.9/24\n    $patch: delete\n");
    expect(e.message).toBe("named patch delete: document v1alpha1/LinkConfig: failed to delete path 'addresses.[0]': lookup failed");
  });
});

describe("JSON patches (json6902.go, evanphx/json-patch)", () => {
  const base = "version: v1alpha1\nmachine:\n  type: worker\n  certSANs: [a, b]\n";
  it("add, remove, replace, move, copy, test", () => {
    const out = apply(
      base,
      `
- op: test
  path: /machine/type
  value: worker
- op: add
  path: /machine/certSANs/-
  value: c
- op: copy
  from: /machine/certSANs/0
  path: /machine/token
- op: move
  from: /machine/certSANs/1
  path: /machine/certSANs/0
- op: remove
  path: /machine/certSANs/2
- op: replace
  path: /machine/type
  value: controlplane
`,
    );
    expect(out).toBe('version: v1alpha1\nmachine:\n    type: controlplane\n    token: a\n    certSANs:\n        - b\n        - a\ncluster: null\n');
  });
  it("a failing test names the operation's line", () => {
    const e = applyError(base, "- op: add\n  path: /machine/token\n  value: x\n- op: test\n  path: /machine/type\n  value: controlplane\n");
    expect(e.message).toBe("failure applying rfc6902 patches to talos machine config: testing value /machine/type failed: test failed");
    expect(e.place).toMatchObject({ source: "patch1.yaml", line: 4, path: "/machine/type" });
  });
  it("a path through a missing object fails", () => {
    expect(applyError(base, '[{"op": "add", "path": "/machine/network/hostname", "value": "x"}]').message).toBe(
      'failure applying rfc6902 patches to talos machine config: add operation does not apply: doc is missing path: "/machine/network/hostname": missing value',
    );
  });
  it("removing a missing key fails; move from a missing path fails; unknown ops fail", () => {
    expect(applyError(base, '[{"op": "remove", "path": "/machine/token"}]').message).toMatch(/error in remove for path: '\/machine\/token': Unable to remove nonexistent key: token: missing value/);
    expect(applyError(base, '[{"op": "move", "from": "/machine/nope/x", "path": "/machine/token"}]').message).toMatch(/move operation does not apply: doc is missing from path: \/machine\/nope\/x/);
    expect(applyError(base, '[{"op": "frobnicate", "path": "/machine"}]').message).toMatch(/Unexpected kind: frobnicate/);
  });
  it("negative indices count from the end; for add, -1 appends (json-patch's own rule)", () => {
    expect(apply(base, '[{"op": "add", "path": "/machine/certSANs/-1", "value": "z"}, {"op": "remove", "path": "/machine/certSANs/-3"}]')).toContain("    certSANs:\n        - b\n        - z\n");
    expect(applyError(base, '[{"op": "add", "path": "/machine/certSANs/5", "value": "z"}]').message).toBe(
      "failure applying rfc6902 patches to talos machine config: error in add for path: '/machine/certSANs/5': Unable to access invalid index: 5: invalid index referenced",
    );
    expect(applyError(base, '[{"op": "add", "path": "/machine/certSANs/x", "value": "z"}]').message).toBe(
      "failure applying rfc6902 patches to talos machine config: error in add for path: '/machine/certSANs/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax",
    );
  });
  it("an operation without a path, and a copy to a missing place, fail with json-patch's texts", () => {
    expect(applyError(base, '[{"op": "add", "value": 1}]').message).toBe("failure applying rfc6902 patches to talos machine config: add operation failed to decode path: missing value");
    expect(applyError(base, '[{"op": "copy", "from": "/machine/type", "path": "/nope/x"}]').message).toBe(
      "failure applying rfc6902 patches to talos machine config: copy operation does not apply: doc is missing destination path: /nope/x: missing value",
    );
  });
  it("replace of a missing object key adds it (json-patch v4)", () => {
    expect(apply(base, '[{"op": "replace", "path": "/machine/token", "value": "t"}]')).toContain("    token: t\n");
  });
  it("consecutive JSON patches act as one (LoadPatches joins them): only the end result is read strictly", () => {
    expect(apply(base, '[{"op": "add", "path": "/machine/nope", "value": 1}]', '[{"op": "move", "from": "/machine/nope", "path": "/machine/token"}]')).toContain('    token: "1"\n');
  });
  it("the result is read strictly again: unknown fields fail", () => {
    expect(applyError(base, '[{"op": "add", "path": "/machine/nope", "value": 1}]').message).toBe("field nope not found in type v1alpha1.MachineConfig");
  });
});

describe("encodeConfig", () => {
  it("writes Go field order, drops omitempty zero values, writes zero values of the others", () => {
    expect(encodeConfig([{ cluster: { clusterName: "c" }, machine: { certSANs: [], kubelet: { image: "k" }, type: "worker" }, version: "v1alpha1", debug: false }])).toBe(
      "version: v1alpha1\ndebug: false\nmachine:\n    type: worker\n    token: \"\"\n    certSANs: []\n    kubelet:\n        image: k\ncluster:\n    clusterName: c\n",
    );
  });
  it("puts v1alpha1 first, sorts Go maps, quotes what would read as another type, literal blocks for multi-line text", () => {
    const out = encodeConfig([
      { apiVersion: "v1alpha1", kind: "SideroLinkConfig", apiUrl: "https://x" },
      { version: "v1alpha1", machine: { type: "worker", nodeLabels: { b: "true", a: "1.5", c: "" }, files: [{ content: "a\nb\n", path: "/x", op: "create" }] } },
    ]);
    expect(out).toBe(
      'version: v1alpha1\nmachine:\n    type: worker\n    token: ""\n    certSANs: []\n    files:\n        - content: |\n            a\n            b\n          path: /x\n          op: create\n    nodeLabels:\n        a: "1.5"\n        b: "true"\n        c: ""\ncluster: null\n---\napiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: https://x\n',
    );
  });
  it("keeps unknown fields after the known ones, in input order", () => {
    expect(encodeConfig([{ apiVersion: "v1alpha1", zz: 1, kind: "SideroLinkConfig", aa: 2 }])).toBe('apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: ""\nzz: 1\naa: 2\n');
  });
});

describe("scalars as go-yaml v4 writes them (Talos's Marshal)", () => {
  const one = (v: unknown) => encodeConfig([{ version: "v1alpha1", machine: { nodeLabels: { k: v } } }]).split("\n")[6]!.replace(/^ {8}k: /, "");
  it.each([
    ["plain", "plain"],
    ["", '""'],
    ["123", '"123"'],
    ["0x1F", '"0x1F"'],
    ["08", '"08"'],
    ["1.5e3", '"1.5e3"'],
    [".5", '".5"'],
    ["1.2.3", "1.2.3"],
    ["true", '"true"'],
    ["null", '"null"'],
    ["~", '"~"'],
    ["yes", "'yes'"],
    ["off", "'off'"],
    ["1:20", "'1:20'"],
    ["<<", "'<<'"],
    ["2024-01-05", '"2024-01-05"'],
    ["-", "'-'"],
    ["a: b", "'a: b'"],
    ["a #b", "'a #b'"],
    ["a#b", "a#b"],
    ["*x", "'*x'"],
    [" lead", "' lead'"],
    ["it's", "it's"],
    ["'q", "'''q'"],
    ["tab\there", '"tab\\there"'],
    ["---x", "'---x'"],
    ["é ü", "é ü"],
    ["😀", '"\\U0001F600"'],
    ["$(POD_IP):10249", "$(POD_IP):10249"],
    ["00:11:*", "00:11:*"],
  ])("%j is written %s", (input, written) => {
    expect(one(input)).toBe(written);
  });
  it("writes multi-line text as literal blocks with Go's chomping and indentation hints", () => {
    const out = encodeConfig([{ version: "v1alpha1", machine: { nodeLabels: { a: "x\ny", b: "x\n", c: "x\n\n", d: "  x\n", e: "\n" } } }]);
    expect(out).toContain("        a: |-\n            x\n            y\n        b: |\n            x\n        c: |+\n            x\n\n        d: |4\n              x\n        e: \"\\n\"\n");
  });
});

describe("output as `talosctl machineconfig patch` prints it (Apply, then Bytes())", () => {
  const bytes = (config: string, ...patches: string[]) =>
    applyPatches(
      y(config),
      patches.map((p, i) => loadPatch(y(p), `patch${i + 1}.yaml`)),
      { output: "bytes" },
    );
  it("returns the input unchanged without patches", () => {
    expect(bytes("version: v1alpha1\nmachine: {type: worker}  # kept\n")).toBe("version: v1alpha1\nmachine: {type: worker}  # kept\n");
  });
  it("after a JSON patch: ghodss/yaml's text of the patched input (yaml.v2: sorted keys, indent 2, indentless lists)", () => {
    expect(bytes(APPLY_CONFIG, "- op: replace\n  path: /machine/network/hostname\n  value: foo\n")).toBe(
      y(`
cluster:
  proxy:
    extraArgs:
      foo: bar
      metrics-bind-address: $(POD_IP):10249
machine:
  network:
    hostname: foo
    interfaces:
    - dhcp: true
      interface: eth0
version: v1alpha1
`),
    );
  });
  it("a JSON patch after a merge sees the config as Talos's encoder wrote it", () => {
    expect(bytes("version: v1alpha1\nmachine: {type: worker}\n", "machine:\n  token: abc\n", '[{"op": "add", "path": "/machine/certSANs/-", "value": "yes"}]')).toBe(
      'cluster: null\nmachine:\n  certSANs:\n  - "yes"\n  token: abc\n  type: worker\nversion: v1alpha1\n',
    );
  });
  it("yaml.v2 folds long strings at spaces past column 80", () => {
    const long = Array.from({ length: 20 }, (_, i) => `word${i}`).join(" ");
    const out = bytes("version: v1alpha1\nmachine: {type: worker}\n", `[{"op": "add", "path": "/machine/token", "value": "${long}"}]`);
    expect(out).toBe(
      // The first space once past column 80 (after word11, at column 82) becomes a line break.
      "machine:\n  token: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\n    word12 word13 word14 word15 word16 word17 word18 word19\n  type: worker\nversion: v1alpha1\n",
    );
  });
  it("after a strategic patch: Talos's encoder, as for gen config", () => {
    expect(bytes("version: v1alpha1\nmachine: {type: worker}\n", "machine:\n  token: abc\n")).toBe('version: v1alpha1\nmachine:\n    type: worker\n    token: abc\n    certSANs: []\ncluster: null\n');
  });
});

describe("list item deletes", () => {
  it("each delete takes the first remaining item that matches, across keys, before the merge appends", () => {
    const out = apply(
      `
version: v1alpha1
machine:
  network:
    interfaces:
      - interface: eth0
        mtu: 1
      - interface: eth0
        mtu: 2
      - interface: eth1
        mtu: 3
      - interface: eth0
        mtu: 4
`,
      `
machine:
  network:
    interfaces:
      - interface: eth0
        $patch: delete
      - interface: eth0
        $patch: delete
      - interface: eth0
        mtu: 9
`,
    );
    expect(out).toContain("        interfaces:\n            - interface: eth1\n              mtu: 3\n            - interface: eth0\n              mtu: 9\n");
  });
  it("fails when there are more deletes than matching items", () => {
    const e = applyError(
      "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.0.1/24\n",
      "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.0.1/24\n    $patch: delete\n  - address: 10.0.0.1/24\n    $patch: delete\n",
    );
    // Go numbers the item after cutting the first directive out of the patch's list: [0] again.
    expect(e.message).toBe("named patch delete: document v1alpha1/LinkConfig: failed to delete path 'addresses.[0]': lookup failed");
    expect(e.place).toMatchObject({ line: 8, column: 5 });
  });
  it("never matches items by a number field (Go compares the field's text only for strings)", () => {
    expect(applyError("version: v1alpha1\nmachine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 5\n", "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vlans:\n          - vlanId: 5\n            $patch: delete\n").message).toBe(
      "patch delete: path 'machine.network.interfaces.[0].vlans.[0]' in document '/v1alpha1': failed to delete path 'machine.network.interfaces.[0].vlans.[0]': searching for complex paths in slices is not supported",
    );
  });
});

describe("values Go reads into strings keep their text", () => {
  it("numbers and booleans in string fields and extraArgs are read as written", () => {
    const out = apply("version: v1alpha1\nmachine:\n  type: worker\n", "machine:\n  nodeLabels:\n    v: 1.10\n    b: True\n    o: 017\n  kubelet:\n    extraArgs:\n      x: 1.20\n      y: [2.0, yes]\n");
    expect(out).toContain("        extraArgs:\n            x: \"1.20\"\n            'y':\n                - \"2.0\"\n                - yes\n");
    expect(out).toContain('    nodeLabels:\n        b: "True"\n        o: "017"\n        v: "1.10"\n');
  });
  it("a map where extraArgs wants a string or a list is refused", () => {
    expect(loadError("machine:\n  kubelet:\n    extraArgs:\n      x: {a: 1}\n").message).toBe("arg value must be a string or list of strings");
  });
  it("a boolean field accepts YAML 1.1 spellings, as Go's decoder does for typed booleans", () => {
    expect(apply("version: v1alpha1\nmachine:\n  type: worker\n", "debug: yes\n")).toContain("version: v1alpha1\ndebug: true\n");
  });
});

describe("the container's checks (container.New) on the config and on each merge result", () => {
  it("a patch adding a bond under a link's name conflicts", () => {
    const e = applyError("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n", "apiVersion: v1alpha1\nkind: BondConfig\nname: eth0\nlinks: [eth1]\n");
    expect(e.message).toBe("conflicting documents: LinkConfig/eth0 and BondConfig/eth0");
    expect(e.place.source).toBe("patch1.yaml");
  });
  it("a veth's peer claims its link name", () => {
    expect(applyError("apiVersion: v1alpha1\nkind: VethConfig\nname: veth0\npeer:\n  name: eth0\n", "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n").message).toBe(
      'conflicting link configurations: VethConfig/veth0 and LinkConfig/eth0 both configure "eth0"',
    );
  });
  it("a config with a document twice is refused, at the second one", () => {
    const e = applyError("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n---\napiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n", "machine: {}\n");
    expect(e.message).toBe("duplicate document: LinkConfig/eth0");
    expect(e.place).toMatchObject({ source: "config", line: 5 });
  });
  it("existing and user volumes share one namespace of names", () => {
    expect(applyError("apiVersion: v1alpha1\nkind: UserVolumeConfig\nname: data\n", "apiVersion: v1alpha1\nkind: ExistingVolumeConfig\nname: data\n").message).toBe("conflicting documents: UserVolumeConfig/data and ExistingVolumeConfig/data");
  });
});

describe("durations (time.Duration) read and written as Go does", () => {
  it.each([
    ["1m", "1m0s"],
    ["90s", "1m30s"],
    ["1h", "1h0m0s"],
    ["1.5s", "1.5s"],
    ["500ms", "500ms"],
    ["1500us", "1.5ms"],
    ["0", "0s"],
    ["2h45m", "2h45m0s"],
    ["-1m", "-1m0s"],
    ["10ns", "10ns"],
  ])("%s is written %s", (input, written) => {
    expect(formatGoDuration(parseGoDuration(input)!)).toBe(written);
  });
  it("rejects what ParseDuration rejects", () => {
    for (const bad of ["", "1", "1x", ".s", "1m-1s", "3000000h", "9223372036854775808ns", "2562048h"]) expect(parseGoDuration(bad)).toBeNull();
  });
  it("reads up to 1<<63 before the sign, as Go's ParseDuration does", () => {
    expect(parseGoDuration("-9223372036854775808ns")).toBe(-(1n << 63n));
    expect(parseGoDuration("9223372036854775807ns")).toBe((1n << 63n) - 1n);
    expect(parseGoDuration("2562047h")).toBe(2562047n * 3_600_000_000_000n);
  });
  it("a probe's interval is written back in Go's form; a bad duration is an error at its line", () => {
    expect(apply("apiVersion: v1alpha1\nkind: TCPProbeConfig\nname: p\nendpoint: 10.0.0.1:80\n", "apiVersion: v1alpha1\nkind: TCPProbeConfig\nname: p\ninterval: 1m\n")).toContain("interval: 1m0s\n");
    const e = loadError("apiVersion: v1alpha1\nkind: TCPProbeConfig\nname: p\ninterval: soon\n");
    expect(e.message).toBe("time: invalid duration");
    expect(e.place).toMatchObject({ line: 4, column: 11, path: "interval" });
  });
});

describe("URLs (net/url) in Endpoint and meta.URL fields", () => {
  it.each([
    ["https://127.0.0.1:6643/", "https://10.0.0.1", "https://10.0.0.1/"],
    ["https://a:6443", "https://b:6443/x?y=1", "https://b:6443/x?y=1"],
    ["https://a/p?q=1#f", "http://b", "http://b/p?q=1#f"],
    ["https://u@a/", "https://b", "https://u@b/"],
  ])("%s merged with %s is %s", (left, right, merged) => {
    expect(mergeGoUrls(left, right)).toBe(merged);
  });
  it("url.Parse lowercases the scheme; the text is written back with URL.String", () => {
    expect(formatGoUrl(parseGoUrl("HTTPS://Example.com:443/a")!)).toBe("https://Example.com:443/a");
    expect(formatGoUrl(parseGoUrl("mailto:x@y")!)).toBe("mailto:x@y");
    expect(parseGoUrl("a:b/c")?.opaque).toBe("b/c");
    expect(parseGoUrl("1a:b")).toBeNull();
  });
  it("a SideroLink URL is read with url.Parse and kept when the patch leaves it out", () => {
    expect(applyPatches("apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: HTTPS://omni/join\n", [loadPatch("apiVersion: v1alpha1\nkind: SideroLinkConfig\nuniqueToken: t\n", "p")])).toContain("apiUrl: https://omni/join\n");
  });
});

describe("the document types' own merge tests", () => {
  it("TestImageVerificationConfigMerge: rules with the same image are replaced whole, others appended", () => {
    const out = apply(
      `
apiVersion: v1alpha1
kind: ImageVerificationConfig
rules:
  - image: ghcr.io/siderolabs/talos*
    skip: true
  - image: docker.io/*
    keyless:
      issuer: https://accounts.google.com
      subject: user@example.com
  - image: "**"
    keyless:
      issuer: https://token.actions.githubusercontent.com
      subjectRegex: https://github.com/fallbackorg/.*
`,
      `
apiVersion: v1alpha1
kind: ImageVerificationConfig
rules:
  - image: ghcr.io/siderolabs/talos*
    keyless:
      issuer: https://token.actions.githubusercontent.com
      subjectRegex: https://github.com/differentorg/.*
  - image: "**"
    skip: true
`,
    );
    expect(out).toBe(
      y(`
apiVersion: v1alpha1
kind: ImageVerificationConfig
rules:
    - image: ghcr.io/siderolabs/talos*
      keyless:
        issuer: https://token.actions.githubusercontent.com
        subjectRegex: https://github.com/differentorg/.*
    - image: docker.io/*
      keyless:
        issuer: https://accounts.google.com
        subject: user@example.com
    - image: '**'
      skip: true
`),
    );
  });

  it("TestExtensionServiceConfigMerge: config files merge by mount path", () => {
    const out = apply(
      "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\nconfigFiles:\n  - content: hello\n    mountPath: /etc/foo\n",
      "apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\nconfigFiles:\n  - content: hello world\n    mountPath: /etc/foo\n  - content: bar\n    mountPath: /etc/bar\n",
    );
    expect(out).toBe("apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: foo\nconfigFiles:\n    - content: hello world\n      mountPath: /etc/foo\n    - content: bar\n      mountPath: /etc/bar\n");
  });

  it("TestBGPInstanceConfigMerge: replace lists are replaced, unset fields and addresses kept, a set pointer wins", () => {
    const out = apply(
      `
apiVersion: v1alpha1
kind: BGPInstanceConfig
name: fabric
vrf: vrf-fabric
localASN: 65001
routerID: 10.0.0.1
routeSource: 10.0.0.2
advertise: [lo]
maxPaths: 4
installRoutes: false
neighbors:
  - address: 192.0.2.1
    peerASN: 65000
importRoutes:
  - bgpInstance: workload
    prefixes: [198.51.100.0/24]
`,
      `
apiVersion: v1alpha1
kind: BGPInstanceConfig
name: fabric
localASN: 65001
advertise: [dummy0]
importRoutes:
  - bgpInstance: edge
    prefixes: [203.0.113.0/24]
neighbors:
  - address: 192.0.2.2
    peerASN: 65002
`,
    );
    expect(out).toContain("vrf: vrf-fabric\nlocalASN: 65001\nrouterID: 10.0.0.1\nrouteSource: 10.0.0.2\nadvertise:\n    - dummy0\n");
    expect(out).toContain("maxPaths: 4\ninstallRoutes: false\n");
    expect(out).toContain("importRoutes:\n    - bgpInstance: edge\n      prefixes:\n        - 203.0.113.0/24\n");
    expect(out).toContain("neighbors:\n    - address: 192.0.2.2\n      peerASN: 65002\n");
    expect(out).not.toContain("192.0.2.1");
    expect(out).not.toContain("workload");
  });

  it("TestCRIBaseRuntimeSpecConfigMergeIsIdempotent: merging a document into itself changes nothing (overrides replace)", () => {
    const doc = "apiVersion: v1alpha1\nkind: CRIBaseRuntimeSpecConfig\noverrides:\n  process:\n    rlimits:\n      - type: RLIMIT_NOFILE\n        hard: 1024\n        soft: 1024\n";
    const once = apply(doc, doc);
    expect(apply(once, doc)).toBe(once);
    expect(once).toContain("        rlimits:\n            - hard: 1024\n              soft: 1024\n              type: RLIMIT_NOFILE\n");
  });
});

describe("addresses and prefixes (net/netip) written in Go's canonical form", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["0:0:0:0:0:0:0:0", "::"],
    ["::ffff:10.0.0.1", "::ffff:10.0.0.1"],
    ["fe80::1%eth0", "fe80::1%eth0"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"],
  ])("address %s is %s", (input, out) => {
    expect(canonicalAddr(input)).toBe(out);
  });
  it("rejects what netip rejects", () => {
    for (const bad of ["010.0.0.1", "256.0.0.1", "1.2.3", "1::2::3", "fe80::1%", "12345::"]) expect(canonicalAddr(bad)).toBeNull();
    expect(canonicalPrefix("10.0.0.1/33")).toBeNull();
    expect(canonicalPrefix("fe80::1%eth0/64")).toBeNull();
    expect(canonicalAddrPort("[10.0.0.1]:80")).toBeNull();
  });
  it("prefixes are not masked; address-ports bracket IPv6", () => {
    expect(canonicalPrefix("10.0.0.5/24")).toBe("10.0.0.5/24");
    expect(canonicalPrefix("2001:DB8::0/32")).toBe("2001:db8::/32");
    expect(canonicalAddrPort("[2001:DB8::1]:51820")).toBe("[2001:db8::1]:51820");
  });
  it("a LinkConfig route written with an uppercase IPv6 gateway comes back canonical; a bad one is an error at its line", () => {
    expect(apply("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\n", "apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nroutes:\n  - gateway: 2001:DB8:0::1\n")).toContain("routes:\n    - gateway: 2001:db8::1\n");
    const e = loadError("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nroutes:\n  - gateway: 10.0.0.256\n");
    expect(e.message).toBe("netip.ParseAddr: invalid IP address");
    expect(e.place).toMatchObject({ line: 5, path: "routes[0].gateway" });
  });
});

describe("hardware addresses (nethelpers.HardwareAddr)", () => {
  it("are read as hex with the colons dropped and written as net.HardwareAddr.String()", () => {
    expect(apply("apiVersion: v1alpha1\nkind: DummyLinkConfig\nname: dummy0\n", "apiVersion: v1alpha1\nkind: DummyLinkConfig\nname: dummy0\nhardwareAddr: 0A:1B:2C:3D:4E:5F\n")).toContain("hardwareAddr: 0a:1b:2c:3d:4e:5f\n");
    expect(apply("apiVersion: v1alpha1\nkind: DummyLinkConfig\nname: dummy0\n", "apiVersion: v1alpha1\nkind: DummyLinkConfig\nname: dummy0\nhardwareAddr: 0a1b2c3d4e5f\n")).toContain("hardwareAddr: 0a:1b:2c:3d:4e:5f\n");
  });
  it("bad hex is Go's error at its line", () => {
    expect(loadError("apiVersion: v1alpha1\nkind: DummyLinkConfig\nname: dummy0\nhardwareAddr: 0g:11\n").message).toBe("encoding/hex: invalid byte");
    expect(loadError("apiVersion: v1alpha1\nkind: DummyLinkConfig\nname: dummy0\nhardwareAddr: 0a:1\n").message).toBe("encoding/hex: odd length hex string");
  });
});

describe("zero values of text types without omitempty", () => {
  it("an encryption section without a provider is written with Go's zero provider", () => {
    const out = apply("apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\n", "apiVersion: v1alpha1\nkind: VolumeConfig\nname: EPHEMERAL\nencryption:\n  keys:\n    - slot: 0\n      tpm: {}\n");
    expect(out).toContain("encryption:\n    provider: none\n    keys:\n        - slot: 0\n          tpm: {}\n");
  });
});

describe("integers read with Go's rules", () => {
  it("017 is octal and 1_500 is 1500 in an int field, as strconv.ParseInt(text, 0, 64) reads them", () => {
    const out = apply("version: v1alpha1\nmachine:\n  type: worker\n", "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: 1_500\n      - interface: eth1\n        mtu: 017\n");
    expect(out).toContain("            - interface: eth0\n              mtu: 1500\n            - interface: eth1\n              mtu: 15\n");
  });
  it("a quoted number is a string, which an int field refuses", () => {
    expect(loadError('machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: "1500"\n').message).toBe("cannot unmarshal !!str into int");
  });
});

describe("hostile keys", () => {
  it("a __proto__ key is an ordinary key through load, merge, JSON patch and encode", () => {
    const out = apply("version: v1alpha1\nmachine:\n  nodeLabels:\n    a: b\n", "machine:\n  nodeLabels:\n    __proto__: x\n", '[{"op": "add", "path": "/machine/nodeAnnotations", "value": {"__proto__": "v1", "polluted": "v2"}}]');
    expect(out).toContain("    nodeLabels:\n        __proto__: x\n        a: b\n");
    expect(out).toContain("    nodeAnnotations:\n        __proto__: v1\n        polluted: v2\n");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("no value in an error message (values may be keys, tokens or credentials)", () => {
  const SECRET = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpzM2NyM3Q=";
  const expectHidden = (e: SourceError, secret: string) => {
    expect(e.message).not.toContain(secret);
    expect(JSON.stringify(e.place)).not.toContain(secret);
  };
  it("a string where a map is expected: the tag, the type and the path only", () => {
    const e = loadError(`cluster:\n  serviceAccount: ${SECRET}\n`);
    expect(e.message).toBe("cannot unmarshal !!str into x509.PEMEncodedKey");
    expect(e.place).toMatchObject({ line: 2, path: "cluster.serviceAccount" });
    expectHidden(e, SECRET);
  });
  it("a KubeServiceAccountConfig's PEM given as a list item", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAs3cr3t\n-----END RSA PRIVATE KEY-----\n";
    const e = loadError(`cluster:\n  serviceAccount:\n    key: [${JSON.stringify(pem)}]\n`);
    expect(e.message).toMatch(/^cannot unmarshal !!seq into /);
    expectHidden(e, "s3cr3t");
  });
  it("a URL with credentials that does not parse (a control character)", () => {
    const e = loadError("apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: \"https://admin:hunter2@omni/join\\x01\"\n");
    expect(e.message).toBe("parse URL: invalid URL");
    expect(e.place).toMatchObject({ line: 3, path: "apiUrl" });
    expectHidden(e, "hunter2");
  });
  it("durations, addresses and hardware addresses name the field, not its text", () => {
    expectHidden(loadError("apiVersion: v1alpha1\nkind: TCPProbeConfig\nname: p\ninterval: hunter2\n"), "hunter2");
    expectHidden(loadError("apiVersion: v1alpha1\nkind: LinkConfig\nname: eth0\nroutes:\n  - gateway: hunter2\n"), "hunter2");
    expectHidden(loadError("apiVersion: v1alpha1\nkind: DummyLinkConfig\nname: dummy0\nhardwareAddr: hunter2\n"), "hunter2");
  });
  it("scalars of the wrong type (bool, int) do not show the value either", () => {
    expectHidden(loadError("machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu: hunter2\n"), "hunter2");
    expectHidden(loadError("debug: hunter2\n"), "hunter2");
  });
  it("a failed JSON patch test names the path, never the value held or expected", () => {
    const e = applyError(`version: v1alpha1\nmachine:\n  token: ${SECRET}\n`, `- op: test\n  path: /machine/token\n  value: hunter2\n`);
    expect(e.message).toBe("failure applying rfc6902 patches to talos machine config: testing value /machine/token failed: test failed");
    expectHidden(e, SECRET);
    expectHidden(e, "hunter2");
  });
});

describe("size caps on what a patch can make", () => {
  it("copies of a subtree into itself stop at MAX_CONFIG_BYTES instead of doubling until memory runs out", () => {
    // Each copy doubles /machine/a: 20 copies make 2^20 times the first value (about 40 MB).
    const ops = Array.from({ length: 20 }, () => "- op: copy\n  from: /machine/certSANs\n  path: /machine/certSANs/-\n").join("");
    const e = applyError("version: v1alpha1\nmachine:\n  certSANs: [xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx]\n", ops);
    expect(e.message).toMatch(/^failure applying rfc6902 patches to talos machine config: copy operation would make the config larger than 4 MiB \(4194304 bytes\): refusing it$/);
    expect(e.place).toMatchObject({ source: "patch1.yaml", path: "/machine/certSANs/-" });
  });
  it("copies that stay small still apply, and removing makes room again", () => {
    const config = `version: v1alpha1\nmachine:\n  certSANs: [${"x".repeat(1024 * 1024)}]\n`;
    // 40 copies of 1 MiB, each removed before the next: never more than 2 MiB at once.
    const ops = Array.from({ length: 40 }, () => "- op: copy\n  from: /machine/certSANs\n  path: /machine/b\n- op: remove\n  path: /machine/b\n").join("");
    expect(apply(config, ops)).toBe(apply(config, "- op: test\n  path: /machine/certSANs/0\n  value: x\n".replace("value: x", `value: ${"x".repeat(1024 * 1024)}`)));
  });
  it("the encoded output is capped: nesting writes far more indentation than the input holds", () => {
    // 2200 keys 500 maps deep: about 25 kB of YAML, written at 4 columns per level (~4.5 MB).
    let value = `{${Array.from({ length: 2200 }, (_, i) => `k${i}: 1`).join(", ")}}`;
    for (let i = 0; i < 500; i++) value = `{k: ${value}}`;
    const e = applyError("version: v1alpha1\nmachine: {}\n", `machine:\n  kubelet:\n    extraConfig: ${value}\n`);
    expect(e.message).toBe("the patched config is larger than 4 MiB (4194304 bytes): refusing to write it");
    expect(e.place).toMatchObject({ source: "patch1.yaml" });
  });
});

describe("yaml.v2 folding is linear in the length of the string", () => {
  it("a 200k-character string of escapes folds (the old fold sliced the rest of the string per escape)", () => {
    // \x01, \L and \uFEFF escapes (4, 2 and 6 characters) and spaces to fold at.
    const value = "\u0001\u2028\ufeff ".repeat(50_000);
    const out = applyPatches("version: v1alpha1\nmachine: {type: worker}\n", [loadPatch(`[{"op": "add", "path": "/machine/token", "value": ${JSON.stringify(value)}}]`, "p.json")], { output: "bytes" });
    const back = parseDocument(out).toJS() as { machine: { token: string } };
    expect(back.machine.token).toBe(value);
    expect(out.split("\n").length).toBeGreaterThan(1000);
  });
});
