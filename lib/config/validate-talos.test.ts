/**
 * The validator accepts what Talos's own decoders accept (issue 15, item 4): the patcher's
 * constructs, text enums, sizes and the other custom scalars, each form from Talos's Go code
 * (v1.14.0-rc.1 and the older tags), with positions.
 */
import { describe, expect, it } from "vitest";

import { validateConfig } from "./validate";
import type { ConfigIssue, ValidateOptions } from "./types";

const doc = (kind: string, body: string) => `apiVersion: v1alpha1\nkind: ${kind}\n${body}`;
const errors = (r: { issues: ConfigIssue[] }) => r.issues.filter((i) => i.severity === "error");
const at = (i: ConfigIssue | undefined) => (i ? `${i.line}:${i.column}` : "none");

function ok(yaml: string, opts: ValidateOptions) {
  const r = validateConfig(yaml, opts);
  expect(errors(r).map((i) => `${at(i)} ${i.message}`)).toEqual([]);
  return r;
}

function fails(yaml: string, opts: ValidateOptions, message: string | RegExp, position: string) {
  const r = validateConfig(yaml, opts);
  const hit = errors(r).find((i) => (typeof message === "string" ? i.message.includes(message) : message.test(i.message)));
  expect(hit, `no error matching ${String(message)} in ${JSON.stringify(errors(r).map((i) => i.message))}`).toBeDefined();
  expect(at(hit)).toBe(position);
  return hit!;
}

const P14: ValidateOptions = { patch: true, talosVersion: "1.14" };

describe("patch mode: $patch: delete (configloader decoder/delete.go)", () => {
  it("deletes a map key, a list-typed key and a scalar key", () => {
    ok("machine:\n  network:\n    $patch: delete\n  certSANs:\n    $patch: delete\n  kubelet:\n    image:\n      $patch: delete\n", P14);
  });

  it("never validates what it deletes", () => {
    ok("machine:\n  kubelet:\n    $patch: delete\n    image: [not, a, string]\n    nodeIP: 5\n", P14);
    ok(doc("BondConfig", "name: bond0\nbondMode:\n  $patch: delete\n"), P14);
  });

  it("deletes a list item found by its first other key, whatever the item type", () => {
    ok("machine:\n  network:\n    interfaces:\n      - interface: eth0\n        $patch: delete\n        mtu: not-a-number\n", { patch: true, talosVersion: "1.12" });
    ok(doc("LinkConfig", "name: eth0\naddresses:\n  - address: 10.0.0.5/24\n    $patch: delete\n"), P14);
    // An item of a list of strings is matched the same way (makeSequenceSelector takes any key).
    ok("machine:\n  certSANs:\n    - value: 10.0.0.1\n      $patch: delete\n", P14);
  });

  it("deletes a whole document, which may be re-added by a later document of the same patch", () => {
    const r = ok(doc("LinkConfig", "name: eth0\n$patch: delete\n---\n") + doc("LinkConfig", "name: eth0\nmtu: 9000\n"), P14);
    expect(r.issues).toEqual([]);
    ok(doc("KubePrismConfig", "$patch: delete\n"), P14);
  });

  it("a document delete needs apiVersion and kind (makeSelector)", () => {
    fails("kind: LinkConfig\nname: eth0\n$patch: delete\n", P14, "missing apiVersion in document for which $patch: delete is used", "3:1");
    fails("version: v1alpha1\n$patch: delete\n", P14, "missing apiVersion", "2:1");
    fails("apiVersion: v1alpha1\nkind: ''\n$patch: delete\n", P14, "kind and apiVersion must be both set", "2:7");
  });

  it("a document delete of a kind Talos does not know matches nothing: a warning", () => {
    const r = validateConfig(doc("LinkConfg", "name: eth0\n$patch: delete\n"), P14);
    expect(r.valid).toBe(true);
    expect(r.issues.map((i) => [i.severity, at(i), i.message])).toEqual([["warning", "2:7", "unknown document kind `LinkConfg`: this delete matches no document"]]);
  });

  it("refuses a list item with nothing to find it by", () => {
    fails("machine:\n  network:\n    interfaces:\n      - $patch: delete\n", { patch: true, talosVersion: "1.12" }, "no key:val found in sequence node for path machine.network.interfaces", "4:9");
  });

  it("refuses a delete inside a list item (ensureNoSeqInChain)", () => {
    fails("machine:\n  network:\n    interfaces:\n      - interface: eth0\n        vip:\n          $patch: delete\n", { patch: true, talosVersion: "1.12" }, "cannot delete an inner key in 'machine.network.interfaces.[0].vip'", "6:11");
  });

  it("refuses other $patch directives", () => {
    fails("machine:\n  network:\n    $patch: replace\n", P14, "unknown patch directive `$patch: replace`", "3:13");
  });

  it("is not allowed in a whole config", () => {
    fails(doc("LinkConfig", "name: eth0\nmtu:\n  $patch: delete\n"), { talosVersion: "1.14" }, "expected an integer, got a map", "4:1");
  });
});

describe("patch mode: partial and multi-document patches", () => {
  it("requires nothing: a named document without its required fields, a v1alpha1 fragment", () => {
    ok(doc("BondConfig", "name: bond0\nmtu: 9000\n"), P14);
    ok("cluster:\n  apiServer:\n    certSANs: [10.0.0.1]\n", { patch: true, talosVersion: "1.13" });
    fails(doc("BondConfig", "name: bond0\nmtu: 9000\n"), { talosVersion: "1.14" }, "missing required field `links`", "1:1");
  });

  it("drops a document left with only version, kind and name after its deletes, unread (isEmptyDoc)", () => {
    // Deleting the only address empties `addresses`, which is deleted in turn: no apiVersion needed then.
    expect(validateConfig("kind: LinkConfig\nname: eth0\naddresses:\n  - address: 10.0.0.5/24\n    $patch: delete\n", P14).issues).toEqual([]);
    expect(validateConfig("machine:\n  network:\n    $patch: delete\n", P14).issues).toEqual([]);
    expect(validateConfig("{}\n---\nname: x\n", P14).issues).toEqual([]);
    // Not dropped when something else is left.
    fails("kind: LinkConfig\nname: eth0\nmtu: 9000\n", P14, "missing apiVersion", "1:1");
    expect(validateConfig("{}\n", { talosVersion: "1.14" }).valid).toBe(false);
  });

  it("validates each document of a multi-document patch by its kind", () => {
    const yaml = "machine:\n  install:\n    disk: /dev/sda\n---\n" + doc("LinkConfig", "name: eth0\nmtu: big\n---\n") + doc("HostnameConfig", "hostname: node-1\n");
    fails(yaml, P14, "expected an integer", "8:6");
  });
});

describe("patch mode: RFC 6902 JSON patches (configpatcher/load.go)", () => {
  it("accepts a YAML list of operations and JSON", () => {
    const r = ok(
      "- op: add\n  path: /machine/network/hostname\n  value: node-1\n- op: remove\n  path: /cluster/proxy\n- op: replace\n  path: /machine/install/disk\n  value: /dev/nvme0n1\n- op: move\n  from: /a\n  path: /b\n- op: copy\n  from: /a\n  path: /c\n- op: test\n  path: /machine/type\n  value: controlplane\n",
      P14,
    );
    expect(r.issues).toEqual([]);
    ok('[{"op": "remove", "path": "/cluster/proxy"}]', P14);
    ok("[]", P14);
    ok("- op: add\n  path: /machine/nodeLabels/a~1b\n  value: x\n", P14);
  });

  it.each([
    ["unknown op", "- op: frob\n  path: /x\n", "Unexpected kind: frob", "1:7"],
    ["missing op", "- path: /x\n", "missing `op`", "1:3"],
    ["missing path", "- op: remove\n", "missing `path` in a remove operation", "1:3"],
    ["relative path", "- op: remove\n  path: machine/type\n", 'invalid JSON pointer "machine/type": it must start with /', "2:9"],
    ["bad escape", "- op: remove\n  path: /a~2\n", "~ must be written ~0", "2:9"],
    ["missing value", "- op: replace\n  path: /machine/type\n", "missing `value` in a replace operation", "1:3"],
    ["missing from", "- op: move\n  path: /b\n", "missing `from` in a move operation", "1:3"],
    ["not a map", "- remove /x\n", "a JSON patch operation is a map", "1:3"],
  ])("%s", (_name, yaml, message, position) => {
    fails(yaml, P14, message, position);
  });

  it("ignores documents after the first, as LoadPatch does, with a warning", () => {
    const r = validateConfig("- op: remove\n  path: /x\n---\nmachine:\n  type: worker\n", P14);
    expect(r.valid).toBe(true);
    expect(r.issues.map((i) => [i.severity, at(i)])).toEqual([["warning", "4:1"]]);
  });

  it("is not a config: a list is an error outside patch mode", () => {
    fails("- op: remove\n  path: /x\n", { talosVersion: "1.14" }, "expected a YAML document", "1:1");
  });
});

describe("text enums (nethelpers, block and storage enumer types)", () => {
  it("a routing rule's action and table take Talos's names, numbers as text, any letter case", () => {
    ok(doc("RoutingRuleConfig", "name: 1000\ntable: main\naction: unicast\n"), { talosVersion: "1.14" });
    ok(doc("RoutingRuleConfig", "name: 1000\ntable: 100\naction: Blackhole\n"), { talosVersion: "1.13" });
    ok(doc("RoutingRuleConfig", "name: 1000\ntable: LOCAL\n"), { talosVersion: "1.14" });
    fails(doc("RoutingRuleConfig", "name: 1000\ntable: main\naction: 1\n"), { talosVersion: "1.14" }, '"1" does not belong to RoutingRuleAction values: expected `unspec`, `unicast`, `blackhole`, `unreachable`, `prohibit`', "5:9");
    fails(doc("RoutingRuleConfig", "name: 1000\ntable: 253\n"), { talosVersion: "1.14" }, "does not belong to RoutingTable values: expected `unspec`, `default`, `main`, `local` or a table number 1–252", "4:8");
  });

  it("bond settings", () => {
    ok(
      doc(
        "BondConfig",
        "name: bond0\nlinks: [eth0, eth1]\nbondMode: 802.3AD\nxmitHashPolicy: Layer3+4\narpValidate: filter-backup\narpAllTargets: all\nlacpRate: FAST\nadSelect: count\nadLACPActive: 'off'\nprimaryReselect: better\nfailOverMac: 2\n",
      ),
      { talosVersion: "1.14" },
    );
    fails(doc("BondConfig", "name: bond0\nlinks: [eth0]\nbondMode: lacp\n"), { talosVersion: "1.14" }, '"lacp" does not belong to BondMode values', "5:11");
    // FailOverMAC's own parser is case-sensitive and takes 0–2.
    fails(doc("BondConfig", "name: bond0\nlinks: [eth0]\nbondMode: active-backup\nfailOverMac: Active\n"), { talosVersion: "1.14" }, "invalid fail_over_mac value Active", "6:14");
    fails(doc("BondConfig", "name: bond0\nlinks: [eth0]\nbondMode: active-backup\nfailOverMac: 3\n"), { talosVersion: "1.14" }, "invalid fail_over_mac value 3", "6:14");
  });

  it("the other network enums", () => {
    ok(doc("VLANConfig", "name: eth0.5\nvlanID: 5\nparent: eth0\nvlanMode: 802.1AD\n"), { talosVersion: "1.14" });
    ok(doc("HostnameConfig", "auto: talos-addr\n"), { talosVersion: "1.12" });
    ok(doc("DHCPv4Config", "name: eth0\nclientIdentifier: DUID\nduidRaw: 00:01:00:01\n"), { talosVersion: "1.14" });
    ok(doc("EthernetConfig", "name: eth0\nwakeOnLan: [magic, Unicast]\n"), { talosVersion: "1.14" });
    ok(doc("NetworkDefaultActionConfig", "ingress: Block\n"), { talosVersion: "1.14" });
    ok(doc("NetworkRuleConfig", "name: web\nportSelector:\n  ports: [443]\n  protocol: TCP\ningress:\n  - subnet: 10.0.0.0/8\n"), { talosVersion: "1.14" });
    ok(doc("ResolverConfig", "nameservers:\n  - address: 1.1.1.1\n    protocol: dot\n"), { talosVersion: "1.14" });
    fails(doc("EthernetConfig", "name: eth0\nwakeOnLan: [magic, wol]\n"), { talosVersion: "1.14" }, '"wol" does not belong to WOLMode values', "4:20");
    fails(doc("HostnameConfig", "auto: true\n"), { talosVersion: "1.14" }, '"true" does not belong to AutoHostnameKind values', "3:7");
  });

  it("block and storage enums: decoded by name in a patch, narrowed by Validate() in a whole config", () => {
    const volume = (type: string) => doc("UserVolumeConfig", `name: data\nprovisioning:\n  diskSelector:\n    match: "!system_disk"\n  minSize: 1GiB\nfilesystem:\n  type: ${type}\n`);
    ok(volume("XFS"), { talosVersion: "1.14" });
    ok(volume("btrfs"), { talosVersion: "1.14" });
    fails(volume("vfat"), { talosVersion: "1.14" }, "unsupported value `vfat` here: expected `none`, `xfs`, `ext4`, `btrfs`", "9:9");
    ok(volume("vfat"), { patch: true, talosVersion: "1.14" });
    // The enumer name of FilesystemTypeSwap is "swapi" from 1.13 (its line comment), "swap" before.
    ok(volume("swap"), { patch: true, talosVersion: "1.12" });
    fails(volume("swap"), { patch: true, talosVersion: "1.13" }, '"swap" does not belong to FilesystemType values', "9:9");
    ok(volume("swapi"), { patch: true, talosVersion: "1.13" });
    ok(doc("LVMLogicalVolumeConfig", "name: lv\ntype: RAID10\n"), P14);
    ok(doc("RAIDArrayConfig", "name: md0\nlevel: raid1\nmetadata: 1.0\n"), P14);
    fails(doc("RAIDArrayConfig", "name: md0\nlevel: raid5\n"), P14, '"raid5" does not belong to MDLevel values: expected `raid1`', "4:8");
  });
});

describe("sizes (block.ByteSize, block.Size, v1alpha1.DiskSize, InstallDiskSizeMatcher)", () => {
  // minSize (or maxSize alone) is on line 7.
  const volume = (_: string, min = "", max = "") =>
    doc("VolumeConfig", `name: EPHEMERAL\nprovisioning:\n  diskSelector:\n    match: disk.transport == "nvme"\n${min ? `  minSize: ${min}\n` : ""}${max ? `  maxSize: ${max}\n` : ""}`);

  it.each([
    ["bytes as a number", "1073741824", "1.10"],
    ["IEC unit", "10GiB", "1.10"],
    ["SI unit", "1.5TB", "1.10"],
    ["short unit, any case", "512mi", "1.10"],
    ["space before the unit", "10 GiB", "1.10"],
    ["trailing dot", "1.GB", "1.10"],
    ["leading dot", ".5TB", "1.10"],
    ["thousands commas", "1,000MB", "1.10"],
    ["bytes unit", "4096B", "1.10"],
    ["percentage (1.12+)", "80%", "1.12"],
    ["fractional percentage", "12.5%", "1.12"],
    ["negative: all but 10 GiB (1.13+)", "-10GiB", "1.13"],
    ["negative percentage (1.13+)", "-20%", "1.13"],
  ])("maxSize accepts %s: %s from Talos %s", (_name, value, version) => {
    ok(volume("", "", value), { talosVersion: version });
  });

  it.each([
    ["an unknown unit", "10 GiBs", "1.14", "unhandled size name: gibs"],
    ["leading space", " 10GiB", "1.14", 'strconv.ParseFloat: parsing "": invalid syntax'],
    ["a sign other than -", "+10GiB", "1.14", "invalid syntax"],
    ["two minus signs", "--10GiB", "1.14", "invalid syntax"],
    ["too large", "20EiB", "1.14", "too large: 20EiB"],
    ["a percentage over 100", "150%", "1.14", "percentage must be between 0 and 100, got 150"],
    ["a percentage with a space", "50 %", "1.14", "invalid percentage value"],
    ["a percentage before 1.12", "80%", "1.11", "percentages need Talos ≥ 1.12"],
    ["a negative size before 1.13", "-10GiB", "1.12", "negative sizes need Talos ≥ 1.13"],
  ])("maxSize refuses %s: %s (Talos %s)", (_name, value, version, message) => {
    const issue = fails(volume("", "", JSON.stringify(value)), { talosVersion: version }, message, "7:12");
    expect(issue.path).toEqual(["provisioning", "maxSize"]);
  });

  it("minSize is a ByteSize: no percentage", () => {
    fails(volume("", "10%"), { talosVersion: "1.14" }, 'invalid size "10%": unhandled size name: %', "7:12");
  });

  it("Talos's ProvisioningSpec rules: min > max, negative min, required sizes", () => {
    fails(volume("", "20GiB", "10GiB"), { talosVersion: "1.14" }, "min size is greater than max size", "7:12");
    ok(volume("", "20GiB", "-10GiB"), { talosVersion: "1.14" });
    ok(volume("", "20GiB", "50%"), { talosVersion: "1.14" });
    fails(volume("", "-1GiB"), { talosVersion: "1.14" }, "min size cannot be negative", "7:12");
    ok(volume("", "-1GiB"), P14);
    const user = (body: string) => doc("UserVolumeConfig", `name: data\n${body}`);
    fails(user("provisioning:\n  diskSelector:\n    match: 'true'\n"), { talosVersion: "1.14" }, "min size or max size is required", "4:1");
    fails(user("volumeType: disk\nprovisioning:\n  diskSelector:\n    match: 'true'\n  maxSize: 10GiB\n"), { talosVersion: "1.14" }, "min size, max size and grow are not supported", "5:1");
    fails(user("provisioning:\n  minSize: 1GiB\n"), { talosVersion: "1.14" }, "disk selector is required", "4:1");
    fails(doc("LVMLogicalVolumeConfig", "name: lv\ntype: linear\nprovisioning:\n  volumeGroup: vg0\n  maxSize: -1GiB\n"), { talosVersion: "1.14" }, "provisioning.maxSize must not be negative", "7:12");
  });

  it("partition sizes (DiskSize) and the install disk size matcher", () => {
    const part = (size: string) => `machine:\n  disks:\n    - device: /dev/sdb\n      partitions:\n        - mountpoint: /var/mnt/a\n          size: ${size}\n`;
    ok(part("100 GB"), { patch: true, talosVersion: "1.12" });
    ok(part("0"), { patch: true, talosVersion: "1.12" });
    fails(part("-1GB"), { patch: true, talosVersion: "1.12" }, 'invalid size "-1GB": strconv.ParseFloat: parsing "": invalid syntax', "6:17");
    fails(part("50%"), { patch: true, talosVersion: "1.12" }, "unhandled size name: %", "6:17");
    const matcher = (size: string) => `machine:\n  install:\n    diskSelector:\n      size: ${size}\n`;
    for (const s of ["'>= 1TB'", "'<2TB'", "4GB", "'== 500 GiB'", "' > 1TB '"]) ok(matcher(s), { patch: true, talosVersion: "1.12" });
    fails(matcher("'=> 1TB'"), { patch: true, talosVersion: "1.12" }, "failed to parse disk size => 1TB", "4:13");
  });
});

describe("other custom scalars", () => {
  it("hardware addresses (nethelpers.HardwareAddr): hex bytes, colons optional", () => {
    for (const mac of ["52:54:00:12:34:56", "525400123456", "'00:01'"]) ok(doc("DummyLinkConfig", `name: dummy0\nhardwareAddr: ${mac}\n`), { talosVersion: "1.14" });
    fails(doc("DummyLinkConfig", "name: dummy0\nhardwareAddr: 52-54-00-12-34-56\n"), { talosVersion: "1.14" }, 'encoding/hex: invalid byte: "-"', "4:15");
    fails(doc("DummyLinkConfig", "name: dummy0\nhardwareAddr: 52:54:0\n"), { talosVersion: "1.14" }, "odd length hex string", "4:15");
  });

  it("port ranges (network.PortRange): an integer or a quoted lo-hi", () => {
    const rule = (ports: string) => doc("NetworkRuleConfig", `name: web\nportSelector:\n  ports: ${ports}\n  protocol: tcp\ningress:\n  - subnet: 10.0.0.0/8\n`);
    ok(rule("[80, 443, '30000-32767']"), { talosVersion: "1.14" });
    fails(rule("[80, '443']"), { talosVersion: "1.14" }, 'invalid port range: "443"', "5:15");
    fails(rule("[80, 70000]"), { talosVersion: "1.14" }, 'invalid port range: "70000"', "5:15");
    fails(rule("['1000 - 2000']"), { talosVersion: "1.14" }, 'invalid port range: "1000 - 2000"', "5:11");
    fails(rule("['2000-1000']"), { talosVersion: "1.14" }, "the start is after the end", "5:11");
    fails(rule("['1000-2000', 1500]"), { talosVersion: "1.14" }, "invalid port range: 1500, overlaps with 1000-2000", "5:24");
    // Overlaps and reversed ranges are Validate()'s: a patch is only decoded.
    ok(rule("['2000-1000', 1500]"), P14);
  });

  it("WireGuard peer endpoints (meta.AddrPort): an IP and a port, no host names", () => {
    const wg = (endpoint: string) => doc("WireguardConfig", `name: wg0\npeers:\n  - publicKey: ${"A".repeat(43)}=\n    endpoint: ${endpoint}\n`);
    ok(wg("192.168.1.2:51820"), P14);
    ok(wg("'[fd00::1]:51820'"), P14);
    fails(wg("vpn.example.com:51820"), P14, "no host names", "6:15");
    // KubeSpan's extra endpoints are netip.AddrPort too.
    ok(doc("KubeSpanEndpointsConfig", "extraAnnouncedEndpoints:\n  - 192.168.1.2:51820\n"), { talosVersion: "1.10" });
    fails(doc("KubeSpanEndpointsConfig", "extraAnnouncedEndpoints:\n  - node-1:51820\n"), { talosVersion: "1.10" }, "no host names", "4:5");
  });

  it("registry CA (v1alpha1.Base64Bytes): padded standard base64, PEM or not", () => {
    const reg = (ca: string) => `machine:\n  registries:\n    config:\n      r.example.com:\n        tls:\n          ca: ${ca}\n`;
    ok(reg("aGVsbG8="), { patch: true, talosVersion: "1.11" });
    fails(reg("aGVsbG8"), { patch: true, talosVersion: "1.11" }, "illegal base64 data", "6:15");
  });
});
