/**
 * Talos's custom scalar and enum types, unit by unit: the readers of ./sizes.ts against Go's
 * strconv / go-humanize behaviour, the per-version name sets of ./enums.ts, and the table's use
 * of them for every field whose Go type has its own (un)marshaller.
 */
import { describe, expect, it } from "vitest";
import { configJsonSchema, documentSchema } from ".";
import { TEXT_ENUMS } from "./enums";
import { TYPE_TABLE } from "./registry";
import { failOverMac, textEnum, textEnumNames } from "./scalars";
import { checkInstallDiskSizeMatcher, checkVolumeSize, goParseFloat, humanizeParseBytes, sizeValue } from "./sizes";

describe("strconv.ParseFloat", () => {
  it.each([
    ["1", 1],
    ["1.", 1],
    [".5", 0.5],
    ["+2.5", 2.5],
    ["-3", -3],
    ["1e3", 1000],
    ["1E-2", 0.01],
    ["0x1p-2", 0.25],
    ["0x1.8p1", 3],
    ["inf", Infinity],
    ["-Infinity", -Infinity],
  ])("%s → %d", (text, value) => {
    expect(goParseFloat(text)).toBe(value);
  });
  it("nan is a value (NaN)", () => expect(goParseFloat("NaN")).toBeNaN());
  it.each(["", ".", "e3", "1e", "1.2.3", "0x1", "1_000", " 1", "1 ", "1e400"])("refuses %j", (text) => {
    expect(goParseFloat(text)).toBeNull();
  });
});

describe("go-humanize ParseBytes", () => {
  it.each(["0", "42", "1.5GB", "1,000 MB", "10 gib", "1.GB", ".5TB", "7 EB", "5 k", "3 Mi", "9b"])("accepts %j", (text) => {
    expect(humanizeParseBytes(text)).toBeNull();
  });
  it.each([
    ["", 'strconv.ParseFloat: parsing "": invalid syntax'],
    ["GB", 'strconv.ParseFloat: parsing "": invalid syntax'],
    [" 1GB", 'strconv.ParseFloat: parsing "": invalid syntax'],
    ["1..2GB", 'strconv.ParseFloat: parsing "1..2": invalid syntax'],
    ["1 ZB", "unhandled size name: zb"],
    ["1e3", "unhandled size name: e3"],
    ["16EiB", "too large: 16EiB"],
    ["١GB", "invalid syntax"],
  ])("refuses %j: %s", (text, message) => {
    expect(humanizeParseBytes(text)).toContain(message);
  });
});

describe("block.ByteSize / block.Size / PercentageSize per minor", () => {
  const v10 = { negative: false, percent: false };
  const v12 = { negative: false, percent: true };
  const v13 = { negative: true, percent: true };
  it("percentages from 1.12, signs from 1.13", () => {
    expect(checkVolumeSize("80%", v10)).not.toBeNull();
    expect(checkVolumeSize("80%", v12)).toBeNull();
    expect(checkVolumeSize("-80%", v12)).toContain("percentage must be between 0 and 100, got -80");
    expect(checkVolumeSize("-80%", v13)).toBeNull();
    expect(checkVolumeSize("-10GiB", v12)).not.toBeNull();
    expect(checkVolumeSize("-10GiB", v13)).toBeNull();
    expect(checkVolumeSize("", v10)).toBeNull();
  });
  it("ParseFloat's forms inside a percentage, and its range check", () => {
    expect(checkVolumeSize("1e1%", v12)).toBeNull();
    expect(checkVolumeSize("+5%", v12)).toBeNull();
    // NaN passes Talos's `value < 0 || value > 100` check.
    expect(checkVolumeSize("NaN%", v12)).toBeNull();
    expect(checkVolumeSize("inf%", v12)).toBe("percentage must be between 0 and 100, got Infinity");
    expect(checkVolumeSize("%", v12)).toContain("invalid percentage value");
    expect(checkVolumeSize("80%%", v12)).toContain("invalid percentage value");
  });
  it("values as Talos computes them (for the min/max rules)", () => {
    expect(sizeValue("1.5GiB", v13)).toEqual({ value: 1610612736, negative: false, relative: false });
    expect(sizeValue("-10GB", v13)).toEqual({ value: 1e10, negative: true, relative: false });
    expect(sizeValue("12.9%", v13)).toEqual({ value: 12, negative: false, relative: true });
    expect(sizeValue("1,024 KiB", v13)).toEqual({ value: 1048576, negative: false, relative: false });
    expect(sizeValue("lots", v13)).toBeNull();
  });
  it("install disk size matchers", () => {
    for (const s of [">= 1TB", "<=1TB", "> 1TB", "<1TB", "==1TB", "1TB", "  >=  1 TB  "]) expect(checkInstallDiskSizeMatcher(s)).toBeNull();
    expect(checkInstallDiskSizeMatcher("=> 1TB")).toContain("failed to parse disk size => 1TB");
    expect(checkInstallDiskSizeMatcher("!= 1TB")).toContain("failed to parse disk size");
    expect(checkInstallDiskSizeMatcher(">=")).toContain("invalid syntax");
  });
});

describe("text enums", () => {
  it("names per minor, copied from the enumer files of each tag", () => {
    expect(textEnumNames("ARPValidate", "1.10")).toEqual(["none", "active", "backup", "all"]);
    expect(textEnumNames("ARPValidate", "1.12")).toContain("filter-backup");
    expect(textEnumNames("RoutingTable", "1.11")).toEqual(["unspec", "default", "main", "local"]);
    expect(textEnumNames("RoutingTable", "1.12")).toHaveLength(256);
    expect(textEnumNames("RoutingTable", "1.12")).toContain("252");
    expect(textEnumNames("FilesystemType", "1.10")).not.toContain("swap");
    expect(textEnumNames("FilesystemType", "1.12")).toContain("swap");
    expect(textEnumNames("FilesystemType", "1.13")).toContain("swapi");
    expect(textEnumNames("FilesystemType", "1.14")).toContain("btrfs");
    expect(textEnumNames("VolumeType", "1.12")).not.toContain("external");
    expect(textEnumNames("VolumeType", "1.13")).toContain("external");
    expect(textEnumNames("RoutingRuleAction", "1.12")).toEqual([]);
  });

  it("enumer's lookup: the name or its lowercase form; a YAML number by its text", () => {
    const dns = textEnum("DNSProtocol", "1.14");
    for (const v of ["Do53", "DoT", "dot", "DOH", null, undefined]) expect(dns.safeParse(v).success).toBe(true);
    for (const v of ["tls", 53, true, ["DoT"], { a: 1 }]) expect(dns.safeParse(v).success).toBe(false);
    const meta = textEnum("MDMetadata", "1.14");
    expect(meta.safeParse(1.0).success).toBe(true);
    expect(meta.safeParse(1.2).success).toBe(true);
    expect(meta.safeParse(1.1).success).toBe(false);
    const table = textEnum("RoutingTable", "1.14");
    expect(table.safeParse(100).success).toBe(true);
    expect(table.safeParse(0).success).toBe(false);
  });

  it("a subset for Validate(), named in the message", () => {
    const fs = textEnum("FilesystemType", "1.14", ["xfs", "ext4"]);
    expect(fs.safeParse("Ext4").success).toBe(true);
    const r = fs.safeParse("vfat");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("unsupported value `vfat` here: expected `xfs`, `ext4`");
  });

  it("FailOverMAC's hand-written parser: exact names, \"\", or 0–2", () => {
    for (const v of ["none", "active", "follow", "", 0, 2, "+1", "01"]) expect(failOverMac.safeParse(v).success).toBe(true);
    for (const v of ["Active", 3, -1, "1.0", "x"]) expect(failOverMac.safeParse(v).success).toBe(false);
  });

  it("every field whose Go type has a text or YAML unmarshaller uses Talos's reader", () => {
    // [table type, field, expression]: from `git grep` of the Go types at v1.14.0-rc.1 (nethelpers,
    // block, storage enums; ByteSize, Size, DiskSize, HardwareAddr, PortRanges, Base64Bytes, AddrPort).
    const expected: [string, string, string][] = [
      ["network.BondConfigV1Alpha1", "bondMode", "text(BondMode)"],
      ["network.BondConfigV1Alpha1", "xmitHashPolicy", "text(BondXmitHashPolicy)"],
      ["network.BondConfigV1Alpha1", "arpValidate", "text(ARPValidate)"],
      ["network.BondConfigV1Alpha1", "arpAllTargets", "text(ARPAllTargets)"],
      ["network.BondConfigV1Alpha1", "lacpRate", "text(LACPRate)"],
      ["network.BondConfigV1Alpha1", "failOverMac", "failOverMac"],
      ["network.BondConfigV1Alpha1", "adSelect", "text(ADSelect)"],
      ["network.BondConfigV1Alpha1", "adLACPActive", "text(ADLACPActive)"],
      ["network.BondConfigV1Alpha1", "primaryReselect", "text(PrimaryReselect)"],
      ["network.BondConfigV1Alpha1", "hardwareAddr", "hardwareAddr"],
      ["network.BridgeConfigV1Alpha1", "hardwareAddr", "hardwareAddr"],
      ["network.DummyLinkConfigV1Alpha1", "hardwareAddr", "hardwareAddr"],
      ["network.VRFConfigV1Alpha1", "hardwareAddr", "hardwareAddr"],
      ["network.VRFConfigV1Alpha1", "table", "text(RoutingTable)"],
      ["network.DHCPv4ConfigV1Alpha1", "clientIdentifier", "text(ClientIdentifier)"],
      ["network.DHCPv4ConfigV1Alpha1", "duidRaw", "hardwareAddr"],
      ["network.DHCPv6ConfigV1Alpha1", "clientIdentifier", "text(ClientIdentifier)"],
      ["network.DHCPv6ConfigV1Alpha1", "duidRaw", "hardwareAddr"],
      ["network.DefaultActionConfigV1Alpha1", "ingress", "text(DefaultAction)"],
      ["network.EthernetConfigV1Alpha1", "wakeOnLan", "[]text(WOLMode)"],
      ["network.HostnameConfigV1Alpha1", "auto", "text(AutoHostnameKind)"],
      ["network.RouteConfig", "table", "text(RoutingTable)"],
      ["network.RoutingRuleConfigV1Alpha1", "table", "text(RoutingTable)"],
      ["network.RoutingRuleConfigV1Alpha1", "action", "text(RoutingRuleAction)"],
      ["network.RoutingRuleConfigV1Alpha1", "src", "cidr"],
      ["network.RoutingRuleConfigV1Alpha1", "dst", "cidr"],
      ["network.RulePortSelector", "protocol", "text(Protocol)"],
      ["network.RulePortSelector", "ports", "portRanges"],
      ["network.VLANConfigV1Alpha1", "vlanMode", "text(VLANProtocol)"],
      ["network.NameserverConfig", "protocol", "text(DNSProtocol)"],
      ["network.WireguardPeer", "endpoint", "addrPort"],
      ["network.KubespanEndpointsConfigV1Alpha1", "extraAnnouncedEndpoints", "[]addrPort"],
      ["block.EncryptionSpec", "provider", "text(EncryptionProviderType:luks2)"],
      ["block.ExternalVolumeConfigV1Alpha1", "filesystemType", "text(FilesystemType:virtiofs)"],
      ["block.UserVolumeConfigV1Alpha1", "volumeType", "text(VolumeType:partition|disk|directory)"],
      ["block.ProvisioningSpec", "minSize", "byteSize"],
      ["block.ProvisioningSpec", "maxSize", "volumeSize"],
      ["block.XFSSpec", "minAllocationGroupSize", "byteSize"],
      ["storage.LVMLogicalVolumeConfigV1Alpha1", "type", "text(LVMLogicalVolumeType)"],
      ["storage.RAIDArrayConfigV1Alpha1", "level", "text(MDLevel)"],
      ["storage.RAIDArrayConfigV1Alpha1", "metadata", "text(MDMetadata)"],
      ["v1alpha1.InstallDiskSelector", "size", "sizeMatcher"],
      ["v1alpha1.RegistryTLSConfig", "ca", "base64"],
    ];
    const actual = expected.map(([type, field]) => {
      const t = TYPE_TABLE[type]?.fields[field]?.t;
      return [type, field, typeof t === "string" ? t : JSON.stringify(t)];
    });
    expect(actual).toEqual(expected);
  });

  it("every text enum of the table exists, and the editor's schema offers the names", () => {
    const used = new Set<string>();
    for (const spec of Object.values(TYPE_TABLE)) {
      for (const f of Object.values(spec.fields)) {
        for (const t of typeof f.t === "string" ? [f.t] : f.t.map(([, e]) => e)) {
          const m = /text\(([A-Za-z0-9]+)/.exec(t);
          if (m) used.add(m[1]!);
        }
      }
    }
    for (const name of used) expect(Object.keys(TEXT_ENUMS)).toContain(name);
    const json = JSON.stringify(configJsonSchema("1.14"));
    expect(json).toContain('"enum":["unspec","unicast","blackhole","unreachable","prohibit"]');
    // Every minor's schemas still build.
    for (const v of ["1.10", "1.11", "1.12", "1.13", "1.14"] as const) expect(() => documentSchema("UserVolumeConfig", v)).not.toThrow();
  });
});
