// Cases ported from Talos's configpatcher tests (apply_test.go, load_test.go and their testdata)
// at v1.14.0-rc.1; expected outputs are what Talos's tests assert.

import { describe, expect, it } from "vitest";

import { y, apply, applyError, loadError, APPLY_CONFIG, MULTIDOC_CONFIG } from "@/test/config-patch";

import { applyPatches, loadPatch } from "./index";

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
});
