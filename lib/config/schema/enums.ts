/**
 * Talos's text enums: Go types whose YAML form is a name, read by an `UnmarshalText` method.
 * Names copied from the enumer-generated files of each tag (v1.10.9 … v1.14.0-rc.1):
 * - nethelpers: pkg/machinery/nethelpers/arpalltargets_enumer.go
 * - block: pkg/machinery/resources/block/volumetype_enumer.go
 * - storage: pkg/machinery/resources/storage/lvmlogicalvolumetype_enumer.go
 * `names` lists, per first minor, the names that minor accepts (oldest first).
 *
 * enumer's `XString(s)` accepts `s` when it is a name, or when `strings.ToLower(s)` is the
 * lowercase form of one. go-yaml hands any scalar's source text to UnmarshalText, so a YAML
 * number is read by its text (`table: 100` is the name "100"). FailOverMAC is separate: it has
 * a hand-written UnmarshalText (pkg/machinery/nethelpers/failovermac.go), see scalars.ts.
 */
import type { TalosMinor } from "@/lib/config/types";

export interface TextEnum {
  /** Go package and type, for messages and docs. */
  readonly go: string;
  readonly names: ReadonlyArray<readonly [TalosMinor, readonly string[]]>;
}

/** RoutingTable's numbered tables: enumer names them "1" … "252" (253–255 are default, main, local). */
const TABLE_NUMBERS = Array.from({ length: 252 }, (_, i) => String(i + 1));

export const TEXT_ENUMS = {
  ADLACPActive: { go: "nethelpers.ADLACPActive", names: [["1.12", ["off", "on"]]] },
  ADSelect: { go: "nethelpers.ADSelect", names: [["1.10", ["stable", "bandwidth", "count"]]] },
  ARPAllTargets: { go: "nethelpers.ARPAllTargets", names: [["1.10", ["any", "all"]]] },
  ARPValidate: { go: "nethelpers.ARPValidate", names: [["1.10", ["none", "active", "backup", "all"]], ["1.12", ["none", "active", "backup", "all", "filter", "filter-active", "filter-backup"]]] },
  AutoHostnameKind: { go: "nethelpers.AutoHostnameKind", names: [["1.12", ["off", "talos-addr", "stable"]]] },
  BondMode: { go: "nethelpers.BondMode", names: [["1.10", ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"]]] },
  BondXmitHashPolicy: { go: "nethelpers.BondXmitHashPolicy", names: [["1.10", ["layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4"]]] },
  ClientIdentifier: { go: "nethelpers.ClientIdentifier", names: [["1.12", ["none", "mac", "duid"]]] },
  DefaultAction: { go: "nethelpers.DefaultAction", names: [["1.10", ["accept", "block"]]] },
  DNSProtocol: { go: "nethelpers.DNSProtocol", names: [["1.14", ["Do53", "DoT", "DoH"]]] },
  LACPRate: { go: "nethelpers.LACPRate", names: [["1.10", ["slow", "fast"]]] },
  PrimaryReselect: { go: "nethelpers.PrimaryReselect", names: [["1.10", ["always", "better", "failure"]]] },
  Protocol: { go: "nethelpers.Protocol", names: [["1.10", ["icmp", "tcp", "udp", "icmpv6"]]] },
  RoutingRuleAction: { go: "nethelpers.RoutingRuleAction", names: [["1.13", ["unspec", "unicast", "blackhole", "unreachable", "prohibit"]]] },
  RoutingTable: { go: "nethelpers.RoutingTable", names: [["1.10", ["unspec", "default", "main", "local"]], ["1.12", ["unspec", ...TABLE_NUMBERS, "default", "main", "local"]]] },
  VLANProtocol: { go: "nethelpers.VLANProtocol", names: [["1.10", ["802.1q", "802.1ad"]]] },
  WOLMode: { go: "nethelpers.WOLMode", names: [["1.12", ["phy", "unicast", "multicast", "broadcast", "magic", "magicsecure", "filter"]]] },
  EncryptionProviderType: { go: "block.EncryptionProviderType", names: [["1.10", ["none", "luks2"]]] },
  FilesystemType: { go: "block.FilesystemType", names: [["1.10", ["none", "xfs", "vfat", "ext4", "iso9660"]], ["1.11", ["none", "xfs", "vfat", "ext4", "iso9660", "swap"]], ["1.13", ["none", "xfs", "vfat", "ext4", "iso9660", "swapi", "virtiofs"]], ["1.14", ["none", "xfs", "vfat", "ext4", "iso9660", "swapi", "virtiofs", "btrfs"]]] },
  VolumeType: { go: "block.VolumeType", names: [["1.10", ["partition", "disk", "tmpfs", "directory", "symlink", "overlay"]], ["1.13", ["partition", "disk", "tmpfs", "directory", "symlink", "overlay", "external"]]] },
  LVMLogicalVolumeType: { go: "storage.LVMLogicalVolumeType", names: [["1.14", ["linear", "raid1", "raid0", "raid10"]]] },
  MDLevel: { go: "storage.MDLevel", names: [["1.14", ["raid1"]]] },
  MDMetadata: { go: "storage.MDMetadata", names: [["1.14", ["1.0", "1.2"]]] },
} as const satisfies Record<string, TextEnum>;

export type TextEnumName = keyof typeof TEXT_ENUMS;
