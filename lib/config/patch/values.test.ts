// The document types' own merge tests, Go's value types, and the caps on hostile input.

import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";

import { y, apply, applyError, loadError } from "@/test/config-patch";
import { SourceError } from "@/lib/talos/errors";

import { applyPatches, loadPatch } from "./index";
import { canonicalAddr, canonicalAddrPort, canonicalPrefix } from "./netip";

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
