// Merge rules (merge.go, the types' Merge methods) and JSON patches (json6902.go, evanphx/json-patch), as Talos has them.

import { describe, expect, it } from "vitest";

import { y, apply, applyError, loadError } from "@/test/config-patch";

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
