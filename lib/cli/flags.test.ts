import { describe, expect, it } from "vitest";

import { classifyPatchArg, parseContract, validateClusterEndpoint } from "./common";
import { flagGetters, parseFlags, splitCsv, UsageError, type FlagSpec } from "./flags";

const specs: FlagSpec[] = [
  { name: "output", short: "o", kind: "string" },
  { name: "force", short: "f", kind: "bool" },
  { name: "with-docs", kind: "bool" },
  { name: "additional-sans", kind: "stringSlice" },
  { name: "config-patch", kind: "stringArray" },
];

describe("parseFlags (pflag's rules)", () => {
  it("reads Go-style booleans only after =", () => {
    const p = parseFlags(["--with-docs=false", "a", "--force", "b"], specs);
    expect(p.values.get("with-docs")).toBe(false);
    expect(p.values.get("force")).toBe(true);
    expect(p.positionals).toEqual(["a", "b"]);
    // `--with-docs false` leaves "false" as an argument, as pflag does.
    expect(parseFlags(["--with-docs", "false"], specs).positionals).toEqual(["false"]);
    for (const v of ["0", "f", "F", "FALSE", "False"]) expect(parseFlags([`--with-docs=${v}`], specs).values.get("with-docs")).toBe(false);
    for (const v of ["1", "t", "TRUE", "True"]) expect(parseFlags([`--with-docs=${v}`], specs).values.get("with-docs")).toBe(true);
  });

  it("rejects a boolean that is not one with strconv's message", () => {
    expect(() => parseFlags(["--with-docs=no"], specs)).toThrow(
      'invalid argument "no" for "--with-docs" flag: strconv.ParseBool: parsing "no": invalid syntax',
    );
  });

  it("takes values as --x v, --x=v, -o v, -ov, -o=v; groups short booleans", () => {
    for (const argv of [["--output", "d"], ["--output=d"], ["-o", "d"], ["-od"], ["-o=d"], ["-fo", "d"]]) {
      expect(flagGetters(parseFlags(argv, specs)).str("output")).toBe("d");
    }
    expect(parseFlags(["-fo", "d"], specs).values.get("force")).toBe(true);
  });

  it("splits string slices on commas (CSV quoting) and repeats; string arrays keep commas", () => {
    const p = parseFlags(["--additional-sans", "a,b", "--additional-sans=c", "--config-patch", "[{a: 1, b: 2}]", "--config-patch", "@x"], specs);
    expect(p.values.get("additional-sans")).toEqual(["a", "b", "c"]);
    expect(p.values.get("config-patch")).toEqual(["[{a: 1, b: 2}]", "@x"]);
    expect(splitCsv('"a,b",c')).toEqual(["a,b", "c"]);
    expect(splitCsv("")).toEqual([]);
  });

  it("keeps - as an argument and ends flags at --", () => {
    const p = parseFlags(["-", "--", "--force"], specs);
    expect(p.positionals).toEqual(["-", "--force"]);
    expect(p.values.has("force")).toBe(false);
  });

  it.each([
    [["--bogus"], "unknown flag: --bogus"],
    [["-x"], "unknown shorthand flag: 'x' in -x"],
    [["--output"], "flag needs an argument: --output"],
    [["-o"], "flag needs an argument: 'o' in -o"],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseFlags(argv, specs)).toThrow(UsageError);
    expect(() => parseFlags(argv, specs)).toThrow(message);
  });
});

describe("parseContract (config.ParseContractFromVersion)", () => {
  it.each([
    ["1.13", "1.13"],
    ["v1.13", "1.13"],
    ["v1.13.9", "1.13"],
    ["1.10.0-rc.1", "1.10"],
    ["v1.14.0-rc.1", "1.14"],
  ])("%s → %s", (v, minor) => expect(parseContract(v)).toBe(minor));

  it("refuses what Talos cannot parse and contracts Minos does not generate", () => {
    expect(() => parseContract("latest")).toThrow('invalid talos-version: error parsing version "vlatest"');
    expect(() => parseContract("1.13-beta")).toThrow("error parsing version");
    expect(() => parseContract("1.9")).toThrow("unsupported Talos version contract v1.9");
    expect(() => parseContract("2.0")).toThrow("unsupported");
  });
});

describe("validateClusterEndpoint (talosctl gen config)", () => {
  it("accepts https URLs with a host and a valid port", () => {
    for (const e of ["https://10.0.0.1:6443", "https://cp.example.com:6443", "https://[2001:db8::1]:6443", "https://cp.example.com"]) {
      expect(() => validateClusterEndpoint(e)).not.toThrow();
    }
  });

  it.each([
    ["10.0.0.1:6443", 'no scheme specified for the cluster endpoint URL\ntry: "https://10.0.0.1:6443"'],
    ["10.0.0.1", 'no scheme and port specified for the cluster endpoint URL\ntry: "https://10.0.0.1:6443"'],
    ["http://cp:6443", 'the control plane endpoint URL should have scheme https://\ntry: "https://cp:6443"'],
    ["https://cp:99999", "error validating the cluster endpoint URL: port number must be between 1 and 65535"],
    ["https://:6443", "error validating the cluster endpoint URL: hostname must not be blank"],
    ["https://2001:db8::1:6443", "IPv6 addresses MUST be enclosed by square brackets"],
  ])("%s", (endpoint, message) => expect(() => validateClusterEndpoint(endpoint)).toThrow(message));
});

describe("classifyPatchArg (configpatcher.LoadPatches)", () => {
  it("@file, a bare file name, or inline text", () => {
    expect(classifyPatchArg("@p.yaml", "x")).toEqual({ kind: "file", path: "p.yaml" });
    expect(classifyPatchArg("patches/p.yaml", "x")).toEqual({ kind: "file", path: "patches/p.yaml" });
    expect(classifyPatchArg("machine:\n  type: worker", "x")).toEqual({ kind: "inline", text: "machine:\n  type: worker", source: "x" });
    expect(classifyPatchArg('[{"op":"remove","path":"/machine/install"}]', "x").kind).toBe("inline");
    expect(classifyPatchArg("{machine: {}}", "x").kind).toBe("inline");
  });
});
