/** Where a move needs a person: the fix says why, and the field stays; and the fields with special cases. */
import { describe, expect, it } from "vitest";

import { doc, docs, errors, get, v1, warningAt, withV1, type Obj } from "@/test/config-migrate";

import { decisionFor, migrateConfig, quickFixesFor } from ".";


describe("decisions", () => {
  const cases: { name: string; text: string; field: string; message: RegExp; keep?: string }[] = [
    {
      name: "a KubeNodeConfig label with another value",
      text: withV1(() => {}, "---\napiVersion: v1alpha1\nkind: KubeNodeConfig\nlabels:\n    topology.kubernetes.io/zone: lab-b\n"),
      field: "machine.nodeLabels",
      message: /KubeNodeConfig already sets `labels.topology.kubernetes.io\/zone` to "lab-b"/,
    },
    {
      name: "KubeAuthorizerConfig documents without RBAC (Talos stops adding it)",
      text: withV1((v) => delete (get(v, "cluster.apiServer") as Obj).authorizationConfig, "---\napiVersion: v1alpha1\nkind: KubeAuthorizerConfig\nname: node\ntype: Node\n"),
      field: "cluster.apiServer",
      message: /stops adding the Node and RBAC authorizers.*lack RBAC/,
    },
    {
      name: "authorizers in both places",
      text: withV1(() => {}, "---\napiVersion: v1alpha1\nkind: KubeAuthorizerConfig\nname: node\ntype: Node\n"),
      field: "cluster.apiServer",
      message: /both in `cluster.apiServer.authorizationConfig` and in KubeAuthorizerConfig/,
    },
    {
      name: "apiServer extra args that set the authentication config",
      text: withV1((v) => ((get(v, "cluster.apiServer.extraArgs") as Obj)["anonymous-auth"] = "true")),
      field: "cluster.apiServer",
      message: /sets --anonymous-auth; with KubeAPIServerConfig Talos owns the authentication config/,
    },
    {
      name: "kube-proxy flags (KubeProxyConfig uses a config file)",
      text: withV1((v) => ((get(v, "cluster.proxy") as Obj).extraArgs = { "metrics-bind-address": "0.0.0.0:10249" })),
      field: "cluster.proxy",
      message: /config file.*KubeProxyConfiguration/,
    },
    {
      name: "apiServer extra volumes",
      text: withV1((v) => ((get(v, "cluster.apiServer") as Obj).extraVolumes = [{ hostPath: "/var/lib/audit", mountPath: "/var/lib/audit" }])),
      field: "cluster.apiServer",
      message: /extraVolumes` has no place/,
    },
    {
      name: "kubelet extra mounts",
      text: withV1((v) => ((get(v, "machine.kubelet") as Obj).extraMounts = [{ destination: "/var/local", type: "bind", source: "/var/local", options: ["bind", "rw"] }])),
      field: "machine.kubelet",
      message: /extraMounts` has no place/,
      // The node fields of the kubelet still move (to KubeNodeConfig, which replaces them as a whole).
      keep: "machine.kubelet.extraMounts",
    },
    {
      name: "install by disk selector",
      text: withV1((v) => {
        const i = get(v, "machine.install") as Obj;
        delete i.disk;
        i.diskSelector = { size: ">= 100GB" };
      }),
      field: "machine.install",
      message: /diskSelector.*CEL/,
    },
    {
      name: "install without the UKI command line (UnattendedInstallConfig always uses it)",
      text: withV1((v) => {
        (get(v, "machine.install") as Obj).grubUseUKICmdline = false;
      }),
      field: "machine.install",
      message: /grubUseUKICmdline/,
    },
    {
      name: "an encryption document already there",
      text: withV1(() => {}, "---\napiVersion: v1alpha1\nkind: KubeEtcdEncryptionConfig\nconfig:\n    resources: []\n"),
      field: "cluster.aescbcEncryptionSecret",
      message: /already there/,
    },
    {
      name: "a sysctl set differently in SysctlConfig",
      text: withV1(() => {}, '---\napiVersion: v1alpha1\nkind: SysctlConfig\nparams:\n    vm.nr_hugepages: "2048"\n'),
      field: "machine.sysctls",
      message: /SysctlConfig already sets `params.vm.nr_hugepages` to "2048"/,
    },
    {
      name: "a stable hostname next to `auto: off`",
      text: withV1((v) => {
        (get(v, "machine.features") as Obj).stableHostname = true;
        delete (get(v, "machine.network") as Obj).hostname;
      }, "---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: off\n"),
      field: "machine.features.stableHostname",
      message: /HostnameConfig already sets `auto`/,
    },
  ];

  it.each(cases)("$name", ({ text, field, message, keep = field }) => {
    expect(errors(text).filter((e) => !/conflict|already set/i.test(e.message))).toEqual([]);
    const issue = warningAt(text, field);
    expect(issue).toBeDefined();
    expect(quickFixesFor(text, issue!)).toEqual([]);
    expect(decisionFor(text, issue!)?.message).toMatch(message);
    const r = migrateConfig(text, { to: "1.14" });
    expect(r.decisions.find((d) => d.path === field)?.message).toMatch(message);
    expect(get(v1(r.yaml), keep)).toEqual(get(v1(text), keep));
  });
});

describe("a node's config with redacted secrets", () => {
  it("leaves the fields that hold a placeholder, moves the rest", () => {
    const text = withV1((v) => {
      (get(v, "cluster.serviceAccount") as Obj).key = "******";
      (get(v, "cluster") as Obj).secretboxEncryptionSecret = "******";
    });
    const r = migrateConfig(text, { to: "1.14" });
    expect(r.decisions.map((d) => d.path).sort()).toEqual(["cluster.aescbcEncryptionSecret", "cluster.clusterName"]);
    expect(r.decisions[0]!.message).toMatch(/redacted/);
    expect(r.yaml).toContain("kind: SysctlConfig");
    expect(get(v1(r.yaml), "cluster.serviceAccount.key")).toBe("******");
    // The only errors are the placeholders' own (the editor hides those), as before.
    expect(errors(r.yaml).map((e) => e.message)).toEqual(errors(text).map((e) => e.message));
  });
});

describe("machine.network.extraHostEntries", () => {
  it("entries of one IP become one StaticHostConfig", () => {
    const text = withV1((v) => {
      (get(v, "machine.network") as Obj).extraHostEntries = [
        { ip: "10.5.0.20", aliases: ["a.internal"] },
        { ip: "10.5.0.21", aliases: ["c.internal"] },
        { ip: "10.5.0.20", aliases: ["b.internal"] },
      ];
    });
    const r = migrateConfig(text, { to: "1.14" });
    expect(docs(r.yaml).filter((d) => d.kind === "StaticHostConfig").map((d) => [d.name, d.hostnames])).toEqual([
      ["10.5.0.20", ["a.internal", "b.internal"]],
      ["10.5.0.21", ["c.internal"]],
    ]);
    expect(errors(r.yaml)).toEqual([]);
  });
});

describe("machine.network with legacy interfaces", () => {
  it("moves hostname, resolver, hosts and KubeSpan; leaves the interfaces with a decision", () => {
    const interfaces = [{ interface: "eth0", addresses: ["10.5.0.2/24"], routes: [{ network: "0.0.0.0/0", gateway: "10.5.0.1" }] }];
    const text = withV1((v) => ((get(v, "machine.network") as Obj).interfaces = interfaces));
    const fix = quickFixesFor(text, warningAt(text, "machine.network")!)[0]!;
    expect(fix.title).toMatch(/the rest needs a decision/);
    expect(fix.left).toEqual([{ path: "machine.network.interfaces", message: expect.stringMatching(/stops Talos's default DHCP/) }]);
    expect(get(v1(fix.text), "machine.network")).toEqual({ interfaces });
    expect(doc(fix.text, "ResolverConfig")).toMatchObject({ nameservers: [{ address: "1.1.1.1" }] });
    expect(doc(fix.text, "HostnameConfig")).toMatchObject({ hostname: "cp-1" });
    expect(errors(fix.text)).toEqual([]);
  });

  it("hostDNS takes the legacy nameservers along: a ResolverConfig replaces the whole legacy resolver", () => {
    const interfaces = [{ interface: "eth0", dhcp: true }];
    const text = withV1((v) => ((get(v, "machine.network") as Obj).interfaces = interfaces));
    const after = quickFixesFor(text, warningAt(text, "machine.features.hostDNS")!)[0]!.text;
    expect(doc(after, "ResolverConfig")).toMatchObject({ nameservers: [{ address: "1.1.1.1" }], searchDomains: { domains: ["example.internal"] }, hostDNS: { enabled: true } });
    expect(get(v1(after), "machine.network.nameservers")).toBeUndefined();
    expect(get(v1(after), "machine.network.interfaces")).toEqual(interfaces);
  });
});

describe("machine.files", () => {
  const cri = { content: "[plugins]\n  [plugins.\"io.containerd.cri.v1.runtime\"]\n    enable_unprivileged_ports = true\n", permissions: 0o644, path: "/etc/cri/conf.d/20-customization.part", op: "create" };
  it("the legacy containerd drop-in becomes a CRICustomizationConfig", () => {
    const text = withV1((v) => ((get(v, "machine") as Obj).files = [cri]));
    const issue = warningAt(text, "machine.files")!;
    const after = quickFixesFor(text, issue)[0]!.text;
    expect(doc(after, "CRICustomizationConfig", "customization-migrated")).toMatchObject({ content: cri.content });
    expect(get(v1(after), "machine.files")).toBeUndefined();
    expect(errors(after)).toEqual([]);
  });

  it("a file under /var has no document: a decision", () => {
    const text = withV1((v) => ((get(v, "machine") as Obj).files = [cri, { content: "x", permissions: 0o644, path: "/var/etc/x.conf", op: "create" }]));
    const issue = warningAt(text, "machine.files")!;
    expect(quickFixesFor(text, issue)).toEqual([]);
    expect(decisionFor(text, issue)?.message).toMatch(/\/var\/etc\/x\.conf/);
  });
});

describe("cluster.proxy disabled", () => {
  it("becomes `enabled: false`; Talos validates nothing else of a disabled kube-proxy (k8s/proxy.go)", () => {
    const text = withV1((v) => ((get(v, "cluster") as Obj).proxy = { disabled: true }));
    const r = migrateConfig(text, { to: "1.14" });
    expect(doc(r.yaml, "KubeProxyConfig")).toEqual({ apiVersion: "v1alpha1", kind: "KubeProxyConfig", enabled: false });
    expect(errors(r.yaml)).toEqual([]);
  });
});

describe("cluster.etcd.subnet", () => {
  it("becomes advertisedSubnets in the same document", () => {
    const text = withV1((v) => {
      const e = get(v, "cluster.etcd") as Obj;
      delete e.advertisedSubnets;
      e.subnet = "10.5.0.0/24";
    });
    const issue = warningAt(text, "cluster.etcd.subnet")!;
    const after = quickFixesFor(text, issue)[0]!.text;
    expect(get(v1(after), "cluster.etcd.advertisedSubnets")).toEqual(["10.5.0.0/24"]);
    expect(get(v1(after), "cluster.etcd.subnet")).toBeUndefined();
    expect(errors(after)).toEqual([]);
  });
});
