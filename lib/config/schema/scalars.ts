/**
 * Scalar decoders: each accepts exactly what Talos's Go decoder accepts for that kind of field
 * (Go's yaml.v3 plus Talos's own UnmarshalYAML methods), as one zod schema with a JSON Schema
 * hint for the editor. Isomorphic: no Node APIs (atob and URL exist in browsers and Node).
 *
 * Every optional scalar accepts YAML null (`key:` with no value): Go leaves the zero value.
 */
import { z } from "zod";

import type { TalosMinor } from "@/lib/config/types";
import { parseGoDuration } from "@/lib/config/patch/duration";

import { TEXT_ENUMS, type TextEnumName } from "./enums";
import { byteSizeDialect, checkInstallDiskSizeMatcher, checkVolumeSize, humanizeParseBytes, volumeSizeDialect } from "./sizes";
import { minorBefore } from "./versions";

type Check = (value: unknown) => string | null;

/** Short rendering of a value for messages. */
export function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  const s = typeof value === "string" ? JSON.stringify(value) : String(value);
  return s.length > 60 ? `${s.slice(0, 57)}…"` : s;
}

/** A scalar schema from a check function and the JSON Schema the editor should see. */
function scalar(json: Record<string, unknown>, check: Check): z.ZodType {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (value === undefined || value === null) return;
      const message = check(value);
      if (message !== null) ctx.addIssue({ code: "custom", message, input: value });
    })
    .meta(json);
}

const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

// ---- plain Go types ----

/** Go string: any YAML scalar (numbers and booleans are read as their text). */
export const goString = scalar({ type: ["string", "number", "boolean"] }, (v) =>
  isScalar(v) ? null : `expected a string, got ${show(v)}`,
);

/** Go integer: a YAML number without a fraction. A quoted "10" is a string, which Go rejects. */
export const goInt = scalar({ type: "integer" }, (v) => {
  if (typeof v === "number") return Number.isInteger(v) ? null : `expected an integer, got ${show(v)}`;
  return `expected an integer, got ${typeof v === "string" ? `the string ${show(v)}` : show(v)}`;
});

/**
 * Go bool: YAML booleans, plus the YAML 1.1 words (yes/no, on/off, y/n) that go-yaml v3 still
 * accepts when it decodes into a typed bool. "true" in quotes stays a string and is refused.
 */
const YAML11_BOOLS = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]);
export const goBool = scalar({ type: "boolean" }, (v) =>
  typeof v === "boolean" || (typeof v === "string" && YAML11_BOOLS.has(v))
    ? null
    : `expected a boolean (true or false), got ${typeof v === "string" ? `the string ${show(v)}` : show(v)}`,
);

/** A string-valued check over a Go string (numbers and booleans are turned into their text). */
function stringCheck(json: Record<string, unknown>, what: string, test: (s: string) => string | true): z.ZodType {
  return scalar({ type: "string", ...json }, (v) => {
    if (!isScalar(v)) return `expected ${what}, got ${show(v)}`;
    const r = test(String(v));
    return r === true ? null : r;
  });
}

/** enum(a|b|c): a Go string compared with the allowed values. */
export function goEnum(values: readonly string[]): z.ZodType {
  const set = new Set(values);
  const list = values.map((x) => `\`${x}\``).join(", ");
  // Go compares the scalar's text; YAML numbers lose theirs (`1.0` → 1), so compare numerically too.
  const numeric = values.filter((x) => x.trim() !== "" && !Number.isNaN(Number(x))).map(Number);
  return scalar({ type: "string", enum: [...values] }, (v) => {
    if (!isScalar(v)) return `expected one of ${list}, got ${show(v)}`;
    if (set.has(String(v)) || (typeof v === "number" && numeric.includes(v))) return null;
    return `invalid value ${show(v)}: expected one of ${list}`;
  });
}

// ---- network ----

const V4_OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const V4 = new RegExp(`^${V4_OCTET}(\\.${V4_OCTET}){3}$`);

export function isIPv4(s: string): boolean {
  return V4.test(s);
}

export function isIPv6(input: string, allowZone = true): boolean {
  let s = input;
  const zone = s.indexOf("%");
  if (zone >= 0) {
    if (!allowZone || zone === s.length - 1) return false;
    s = s.slice(0, zone);
  }
  if (s.length < 2) return false;
  const halves = s.split("::");
  if (halves.length > 2) return false;
  const groups = (part: string | undefined) => (!part ? [] : part.split(":"));
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const all = [...head, ...tail];
  let count = all.length;
  for (const [i, g] of all.entries()) {
    if (i === all.length - 1 && g.includes(".")) {
      if (!isIPv4(g)) return false;
      count += 1; // an embedded IPv4 address takes two groups
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

export function isCIDR(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  if (isIPv4(addr)) return n <= 32;
  if (isIPv6(addr, false)) return n <= 128;
  return false;
}

const LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** RFC 1123 host name, possibly fully qualified (with an optional trailing dot). */
export function isHostname(input: string): boolean {
  const s = input.endsWith(".") ? input.slice(0, -1) : input;
  if (s.length === 0 || s.length > 253) return false;
  return s.split(".").every((label) => LABEL.test(label));
}

export const ip = stringCheck({}, "an IP address", (s) =>
  isIP(s) ? true : `invalid IP address ${show(s)}: expected e.g. 10.0.0.1 or fd00::1`,
);

export const cidr = stringCheck({}, "a CIDR", (s) =>
  isCIDR(s) ? true : `invalid CIDR ${show(s)}: expected an address with a prefix length, e.g. 10.0.0.0/8 or fd00::/64`,
);

export const ipOrCidr = stringCheck({}, "an IP address or CIDR", (s) =>
  isIP(s) || isCIDR(s) ? true : `invalid address ${show(s)}: expected an IP (10.0.0.1) or a CIDR (10.0.0.1/24)`,
);

export const mac = stringCheck({ pattern: "^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5,19}$" }, "a hardware address", (s) =>
  /^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5,19}$/.test(s) ? true : `invalid hardware address ${show(s)}: expected e.g. 52:54:00:12:34:56`,
);

export const hostname = stringCheck({ format: "hostname" }, "a host name", (s) =>
  isHostname(s) ? true : `invalid host name ${show(s)}: use letters, digits and hyphens, dot-separated labels of at most 63 characters`,
);

export const dnsName = stringCheck({ format: "hostname" }, "a DNS domain", (s) =>
  isHostname(s) ? true : `invalid DNS domain ${show(s)}: expected e.g. cluster.local`,
);

function validPort(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 65535;
}

/** host:port, with an IPv6 host in brackets. */
export const hostPort = stringCheck({}, "host:port", (s) => {
  const m = /^(\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s);
  const host = (m ? (m[2] ?? m[3]) : undefined) ?? "";
  const ok = m && validPort(Number(m[4])) && (m[2] ? isIPv6(host) : isIPv4(host) || isHostname(host));
  return ok ? true : `invalid endpoint ${show(s)}: expected host:port, e.g. 192.168.1.2:51820 or [fd00::1]:51820`;
});

/** meta.AddrPort (netip.ParseAddrPort): an IP address and a port, IPv6 in brackets; no host names. */
export const addrPort = stringCheck({}, "ip:port", (s) => {
  if (s === "") return true;
  const m = /^(\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s);
  const ok = m && validPort(Number(m[4])) && (m[2] ? isIPv6(m[2]) : isIPv4(m[3] ?? ""));
  return ok ? true : `invalid endpoint ${show(s)}: expected ip:port, e.g. 192.168.1.2:51820 or [fd00::1]:51820 (no host names)`;
});

export const duid = stringCheck({ pattern: "^([0-9a-fA-F]{2}(:[0-9a-fA-F]{2})+)$" }, "a DUID", (s) =>
  /^([0-9a-fA-F]{2}(:[0-9a-fA-F]{2})+)$/.test(s) ? true : `invalid DUID ${show(s)}: expected hex bytes separated by colons, e.g. 00:01:00:01:2a:6e:6c:21`,
);

/** A TCP/UDP port number. */
export const port = scalar({ type: "integer", minimum: 0, maximum: 65535 }, (v) =>
  typeof v === "number" && validPort(v) ? null : `expected a port number (0–65535), got ${show(v)}`,
);

/** One PortRange as network.PortRange.UnmarshalYAML reads it (port_range.go): [lo, hi] or an error. */
function readPortRange(v: unknown): [number, number] | string {
  // First as a uint16 (a YAML integer), then as a string `lo-hi` (strconv.ParseUint, base 10).
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 65535) return [v, v];
  const text = scalarText(v);
  if (text === null) return `expected a port or a port range, got ${show(v)}`;
  const dash = text.indexOf("-");
  const lo = dash < 0 ? "" : text.slice(0, dash);
  const hi = dash < 0 ? "" : text.slice(dash + 1);
  const u16 = (x: string) => (/^\d{1,5}$/.test(x) && Number(x) <= 65535 ? Number(x) : null);
  const a = u16(lo);
  const b = u16(hi);
  if (a === null || b === null) return `invalid port range: ${JSON.stringify(text)} (expected a port such as 80 or a range such as 1000-2000)`;
  return [a, b];
}

/**
 * `ports` of a NetworkRuleConfig (network.PortRanges): each item a port (`80`) or a range
 * string (`"1000-2000"`). In a whole config, Talos's PortRanges.Validate also refuses a range
 * whose start is after its end and ranges that overlap.
 */
export function portRanges(patch: boolean): z.ZodType {
  const item = scalar({ type: ["integer", "string"], pattern: "^\\d+-\\d+$" }, (v) => {
    const r = readPortRange(v);
    return typeof r === "string" ? r : null;
  });
  return z.array(item, { error: (iss) => `expected a list of ports, got ${show(iss.input)}` }).superRefine((list, ctx) => {
    if (patch) return;
    const ranges: { lo: number; hi: number; i: number }[] = [];
    list.forEach((v, i) => {
      const r = readPortRange(v);
      if (typeof r !== "string") ranges.push({ lo: r[0], hi: r[1], i });
    });
    const text = (r: { lo: number; hi: number }) => (r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`);
    for (const r of ranges) if (r.lo > r.hi) ctx.addIssue({ code: "custom", path: [r.i], message: `invalid port range: ${text(r)}: the start is after the end` });
    const sorted = ranges.filter((r) => r.lo <= r.hi).sort((a, b) => a.lo - b.lo);
    for (let k = 1; k < sorted.length; k++) {
      const prev = sorted[k - 1]!;
      const cur = sorted[k]!;
      if (cur.lo <= prev.hi) ctx.addIssue({ code: "custom", path: [cur.i], message: `invalid port range: ${text(cur)}, overlaps with ${text(prev)}` });
    }
  });
}

/**
 * nethelpers.HardwareAddr (hwaddr.go): hex bytes, colons optional (`52:54:00:12:34:56` or
 * `525400123456`); any even number of hex digits, none at all included.
 */
export const hardwareAddr = scalar({ type: "string", pattern: "^([0-9a-fA-F]{2}:?)*$" }, (v) => {
  const text = scalarText(v);
  if (text === null) return `expected a hardware address, got ${show(v)}`;
  const hex = text.replaceAll(":", "");
  const bad = /[^0-9a-fA-F]/.exec(hex);
  if (bad) return `invalid hardware address ${show(v)}: encoding/hex: invalid byte: ${JSON.stringify(bad[0])} (expected hex bytes such as 52:54:00:12:34:56)`;
  if (hex.length % 2 !== 0) return `invalid hardware address ${show(v)}: encoding/hex: odd length hex string`;
  return null;
});

/**
 * v1alpha1.Base64Bytes (v1alpha1_marshal.go): base64.StdEncoding, padded; Go's decoder skips
 * `\r` and `\n` only.
 */
export const base64Bytes = stringCheck({ contentEncoding: "base64" }, "base64", (s) => {
  const compact = s.replace(/[\r\n]/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact)) {
    return "illegal base64 data: expected standard, padded base64 (base64 -w0 < file)";
  }
  return true;
});

/** A URL whose scheme is one of `schemes`. */
export function url(schemes: readonly string[]): z.ZodType {
  const list = schemes.map((s) => `${s}://`).join(" or ");
  return stringCheck({ format: "uri", pattern: `^(${schemes.join("|")})://` }, "a URL", (s) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return `invalid URL ${show(s)}: expected ${list}…`;
    }
    const scheme = u.protocol.slice(0, -1);
    return schemes.includes(scheme) ? true : `unsupported URL scheme \`${scheme}\` in ${show(s)}: expected ${list}`;
  });
}

// ---- time and size ----

/** The shape only, for the JSON schema's `pattern` (editors); the validator also checks the range. */
const GO_DURATION = /^[-+]?(((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+|0)$/;

/**
 * time.ParseDuration accepts it: the patcher's parser, so the validator and the patcher agree
 * (`3000000h` has the shape but overflows Go's int64 nanoseconds).
 */
export function isGoDuration(s: string): boolean {
  return parseGoDuration(s) !== null;
}

/** Go duration string: `30s`, `1h30m`, `500ms`, `1.5h` (a bare number other than 0 is rejected). */
export const duration = scalar({ type: "string", pattern: GO_DURATION.source }, (v) => {
  if (v === 0) return null;
  if (typeof v === "string" && isGoDuration(v)) return null;
  return `invalid duration ${show(v)}: expected a Go duration such as 30s, 1h30m or 500ms`;
});

/** The text Go's decoder hands to UnmarshalText for a YAML scalar (a number arrives as its text). */
const scalarText = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null);

/**
 * block.ByteSize (`minSize`): bytes or a human size (`10GiB`, `1.5TB`, `1,000MB`); from 1.13 a
 * leading `-` (Talos's own errors for the rest: see ./sizes.ts).
 */
export function byteSize(version: TalosMinor): z.ZodType {
  const dialect = byteSizeDialect(version);
  return scalar({ type: ["string", "integer"] }, (v) => {
    const text = scalarText(v);
    if (text === null) return `expected a size such as 10GiB, got ${show(v)}`;
    const err = checkVolumeSize(text, dialect);
    if (err === null) return null;
    if (!dialect.negative && text.startsWith("-")) return `invalid size ${show(v)}: negative sizes need Talos ≥ 1.13`;
    return `invalid size ${show(v)}: ${err} (expected bytes or a size such as 10GiB, 1.5TB, 512MiB${dialect.negative ? ", -10GiB" : ""})`;
  });
}

/**
 * block.Size (`maxSize`): a ByteSize, or from 1.12 a percentage (`80%`); from 1.13 either may
 * be negative (`-10GiB`: all but 10 GiB).
 */
export function volumeSize(version: TalosMinor): z.ZodType {
  const dialect = volumeSizeDialect(version);
  return scalar({ type: ["string", "integer"] }, (v) => {
    const text = scalarText(v);
    if (text === null) return `expected a size such as 10GiB or 80%, got ${show(v)}`;
    const err = checkVolumeSize(text, dialect);
    if (err === null) return null;
    if (!dialect.negative && text.startsWith("-")) return `invalid size ${show(v)}: negative sizes need Talos ≥ 1.13`;
    if (!dialect.percent && text.includes("%")) return `invalid size ${show(v)}: percentages need Talos ≥ 1.12`;
    const forms = ["10GiB", "1.5TB"];
    if (dialect.percent) forms.push("80%");
    if (dialect.negative) forms.push("-10GiB");
    return `invalid size ${show(v)}: ${err} (expected bytes or a size such as ${forms.join(", ")})`;
  });
}

/** v1alpha1.DiskSize (partition `size`): bytes or a human size; 0 fills the disk. */
export const diskSize = scalar({ type: ["string", "integer"] }, (v) => {
  const text = scalarText(v);
  if (text === null) return `expected a size such as 100GB, got ${show(v)}`;
  const err = humanizeParseBytes(text);
  return err === null ? null : `invalid size ${show(v)}: ${err} (expected bytes or a size such as 100GB or 1.5TiB)`;
});

/** `install.diskSelector.size` (v1alpha1.InstallDiskSizeMatcher): a size, optionally after a comparison (`>= 1TB`, `<2TB`). */
export const sizeMatcher = scalar({ type: ["string", "integer"] }, (v) => {
  const text = scalarText(v);
  if (text === null) return `expected a size or a comparison such as >= 1TB, got ${show(v)}`;
  const err = checkInstallDiskSizeMatcher(text);
  return err === null ? null : `invalid size matcher ${show(v)}: ${err} (expected a size (4GB) or a comparison (>= 1TB))`;
});

// ---- text enums ----

/** The names a Talos minor accepts for a text enum (see ./enums.ts). */
export function textEnumNames(name: TextEnumName, version: TalosMinor): readonly string[] {
  let names: readonly string[] = [];
  for (const [since, list] of TEXT_ENUMS[name].names) if (!minorBefore(version, since)) names = list;
  return names;
}

function describeNames(name: TextEnumName, names: readonly string[]): string {
  if (name === "RoutingTable" && names.length > 100) return "`unspec`, `default`, `main`, `local` or a table number 1–252";
  return names.map((x) => `\`${x}\``).join(", ");
}

/**
 * A Go enum read by enumer's UnmarshalText: a name, in any letter case. `allowed`: the subset
 * Talos's Validate() then accepts in a whole config (a patch is only decoded, never validated).
 */
export function textEnum(name: TextEnumName, version: TalosMinor, allowed?: readonly string[]): z.ZodType {
  const names = textEnumNames(name, version);
  const exact = new Set(names);
  const lower = new Map(names.map((n) => [n.toLowerCase(), n]));
  const numeric = new Map(names.filter((n) => /^\d+(\.\d+)?$/.test(n)).map((n) => [Number(n), n]));
  const canonical = (v: unknown): string | undefined => {
    // YAML numbers lose their text (`1.0` → 1): compare them by value.
    if (typeof v === "number" && numeric.has(v)) return numeric.get(v);
    const text = scalarText(v);
    if (text === null) return undefined;
    return exact.has(text) ? text : lower.get(text.toLowerCase());
  };
  const go = TEXT_ENUMS[name].go;
  const allowedSet = allowed ? new Set(allowed) : null;
  const offered = allowed ? names.filter((n) => allowedSet!.has(n)) : names;
  const meta = name === "RoutingTable" ? { type: ["string", "integer"], examples: ["main", "local", 100] } : { type: "string", enum: [...offered] };
  return z
    .unknown()
    .superRefine((v, ctx) => {
      if (v === undefined || v === null) return;
      const c = canonical(v);
      if (c === undefined) {
        const what = scalarText(v) === null ? show(v) : JSON.stringify(scalarText(v));
        ctx.addIssue({ code: "custom", input: v, message: `${what} does not belong to ${go.split(".")[1]} values: expected ${describeNames(name, names)}` });
        return;
      }
      if (allowedSet && !allowedSet.has(c)) {
        ctx.addIssue({ code: "custom", input: v, message: `unsupported value \`${c}\` here: expected ${describeNames(name, offered)}` });
      }
    })
    .meta(meta);
}

/**
 * nethelpers.FailOverMAC (failovermac.go): "" / none, active, follow (exact case), or for
 * compatibility their numbers 0–2 (strconv.ParseInt base 10).
 */
export const failOverMac = scalar({ type: ["string", "integer"], enum: ["none", "active", "follow"] }, (v) => {
  const text = scalarText(v);
  if (text === null) return `expected none, active or follow, got ${show(v)}`;
  if (text === "" || text === "none" || text === "active" || text === "follow") return null;
  if (/^[+-]?\d+$/.test(text) && Number(text) >= 0 && Number(text) <= 2) return null;
  return `invalid fail_over_mac value ${text}: expected none, active or follow (or 0–2)`;
});

// ---- certificates ----

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64(s: string): string | null {
  const compact = s.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !B64.test(compact)) return null;
  try {
    return atob(compact);
  } catch {
    return null;
  }
}

const isPem = (s: string) => /^\s*-----BEGIN [A-Z0-9 ]+-----/.test(s);

/** v1alpha1 `crt`/`key`: base64 of a PEM block (empty allowed: a worker's `key: ""`). */
export const b64pem = stringCheck({ contentEncoding: "base64" }, "base64-encoded PEM", (s) => {
  if (s === "") return true;
  if (isPem(s)) return "this is plain PEM: Talos expects it base64-encoded here (base64 -w0 < file.pem)";
  const text = decodeBase64(s);
  if (text === null) return "invalid base64: expected base64-encoded PEM";
  return isPem(text) ? true : "the base64 does not decode to a PEM block (-----BEGIN …-----)";
});

/** Plain PEM text (the 1.14 Kube*CAConfig documents). */
export const pem = stringCheck({}, "PEM", (s) =>
  s === "" || isPem(s) ? true : "expected PEM text starting with -----BEGIN …-----",
);

// ---- Talos-specific ----

/** `machine.type`: controlplane, worker, init; `join` is read as worker with a warning. */
export const machineType = z
  .unknown()
  .superRefine((v, ctx) => {
    if (v === undefined || v === null) return;
    const s = isScalar(v) ? String(v) : null;
    if (s === "controlplane" || s === "worker" || s === "init") return;
    if (s === "join" || s === "") {
      ctx.addIssue({
        code: "custom",
        input: v,
        message: `machine type ${s === "" ? "\"\"" : "`join`"} is read as \`worker\`: write \`worker\``,
        params: { severity: "warning" },
      });
      return;
    }
    ctx.addIssue({ code: "custom", input: v, message: `unknown machine type ${show(v)}: expected controlplane, worker or init` });
  })
  .meta({ type: "string", enum: ["controlplane", "worker", "init"] });

const argValue = (v: unknown) => isScalar(v) || (Array.isArray(v) && v.every(isScalar));

/** extraArgs from 1.13: each value a string or a list of strings (repeated flags). */
export const extraArgs = z
  .record(
    z.string(),
    scalar(
      { anyOf: [{ type: ["string", "number", "boolean"] }, { type: "array", items: { type: ["string", "number", "boolean"] } }] },
      (v) => (argValue(v) ? null : `expected a string or a list of strings, got ${show(v)}`),
    ),
    { error: (iss) => `expected a map of flag names to values, got ${show(iss.input)}` },
  );
