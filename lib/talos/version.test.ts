import { describe, expect, it } from "vitest";

import { atLeastMinor, compareTalosVersions, compareVersionStrings, isTalosTag, normalizeTalosVersion, parseTalosVersion, sameTalosVersion, talosMinor } from "./version";

describe("parseTalosVersion", () => {
  it.each([
    ["v1.13.0-alpha.2", { major: 1, minor: 13, patch: 0, prerelease: ["alpha", 2], commits: 0, hash: "", dirty: false, hasPatch: true }],
    ["1.12.11", { major: 1, minor: 12, patch: 11, prerelease: [], commits: 0 }],
    ["v1.14.0-rc.1", { major: 1, minor: 14, patch: 0, prerelease: ["rc", 1], commits: 0 }],
    ["v1.15.0-alpha.0-42-g1a2b3c4d", { major: 1, minor: 15, patch: 0, prerelease: ["alpha", 0], commits: 42, hash: "1a2b3c4d" }],
    ["v1.14.0-alpha.1-23-gabcdef0", { prerelease: ["alpha", 1], commits: 23, hash: "abcdef0", dirty: false }],
    ["v1.12.0-15-gabcdef1-dirty", { major: 1, minor: 12, patch: 0, prerelease: [], commits: 15, hash: "abcdef1", dirty: true }],
    ["v1.14.0-dirty", { prerelease: [], commits: 0, dirty: true }],
    ["v1.13", { major: 1, minor: 13, patch: 0, prerelease: [], commits: 0, hasPatch: false }],
    ["v1.14.0+sha.abc", { patch: 0, prerelease: [], build: "sha.abc" }],
    ["  v1.14.0-rc-1 ", { prerelease: ["rc-1"], raw: "v1.14.0-rc-1" }],
  ])("%s", (input, expected) => {
    expect(parseTalosVersion(input)).toMatchObject(expected);
  });

  it.each(["", "latest", "v1", "vX.Y.Z", "1.2.3.4", "v1.14.0-", "v1.14.0-alpha..1", "v1.14.0 rc.1", "v-1.14.0"])("rejects %j", (input) => {
    expect(parseTalosVersion(input)).toBeNull();
  });
});

describe("compareTalosVersions: a total order", () => {
  // Strictly ascending: every earlier entry is older than every later one.
  const ascending = [
    "v1.9.0",
    "v1.10.0",
    "v1.12.11",
    "v1.12.11-3-gabcdef0",
    "v1.13.0-alpha",
    "v1.13.0-alpha.0",
    "v1.13.0-alpha.1",
    "v1.13.0-alpha.1-23-gabcdef0",
    "v1.13.0-alpha.1-23-gabcdef0-dirty",
    "v1.13.0-alpha.2",
    "v1.13.0-alpha.2-3-gabcdef0",
    "v1.13.0-alpha.10",
    "v1.13.0-beta.0",
    "v1.13.0-beta.1",
    "v1.13.0-rc.0",
    "v1.13.0-rc.2",
    "v1.13.0-rc.10",
    "v1.13.0",
    "v1.13.0-dirty",
    "v1.13.0-1-gabcdef0",
    "v1.13.0-15-gabcdef1-dirty",
    "v1.13.1",
    "v1.13.9",
    "v1.14.0-alpha.1-23-gabcdef0",
    "v1.14.0-rc.1",
    "v1.14.0",
    "v1.99.0",
    "v2.0.0-alpha.0",
  ];
  const pairs = ascending.flatMap((a, i) => ascending.slice(i + 1).map((b) => [a, b] as const));

  it.each(pairs)("%s < %s", (a, b) => {
    expect(compareTalosVersions(a, b)).toBe(-1);
    expect(compareTalosVersions(b, a)).toBe(1);
  });

  it("sorts a shuffled list back into order", () => {
    const shuffled = [...ascending].reverse().sort((a, b) => (a.length % 3) - (b.length % 3));
    expect(shuffled.sort(compareTalosVersions)).toEqual(ascending);
  });

  it.each([
    ["1.13", "v1.13.0"],
    ["1.14.0", "v1.14.0"],
    ["v1.14.0+build.1", "v1.14.0"],
    ["v1.14.0-alpha.1-23-gabcdef0", "v1.14.0-alpha.1-23-g1234567"],
  ])("%s and %s are the same version", (a, b) => {
    expect(compareTalosVersions(a, b)).toBe(0);
    expect(sameTalosVersion(a, b)).toBe(true);
  });

  it("throws on garbage", () => {
    expect(() => compareTalosVersions("nope", "v1.0.0")).toThrow(/not a Talos version: "nope"/);
  });
});

describe("compareVersionStrings", () => {
  it("orders versions by version, then anything else, deterministically", () => {
    const input = ["unknown", "v1.14.0", "v1.9.5", "v1.14.0-rc.1", "1.14.0", "v1.10.10", "", "v1.10.3"];
    expect([...input].sort(compareVersionStrings)).toEqual(["v1.9.5", "v1.10.3", "v1.10.10", "v1.14.0-rc.1", "1.14.0", "v1.14.0", "", "unknown"]);
    expect([...input].reverse().sort(compareVersionStrings)).toEqual([...input].sort(compareVersionStrings));
  });
});

describe("helpers", () => {
  it.each([
    ["v1.14.0", true],
    ["1.14.0-rc.1", true],
    ["v1.14.0-alpha.1-23-gabcdef0-dirty", true],
    ["v1.14", false],
    ["v1.14.0+build", false],
    ["latest", false],
  ])("isTalosTag(%j) is %s", (v, ok) => expect(isTalosTag(v)).toBe(ok));

  it("normalizes a missing v and leaves anything else alone", () => {
    expect(normalizeTalosVersion(" 1.14.0 ")).toBe("v1.14.0");
    expect(normalizeTalosVersion("v1.14.0")).toBe("v1.14.0");
    expect(normalizeTalosVersion("latest")).toBe("latest");
  });

  it("extracts major.minor", () => {
    expect(talosMinor("v1.14.0-rc.1")).toBe("1.14");
    expect(talosMinor("?")).toBeNull();
  });

  it.each([
    ["v1.14.0-alpha.0", 1, 14, true],
    ["v1.13.9", 1, 14, false],
    ["v2.0.0", 1, 14, true],
    ["garbage", 1, 0, false],
  ])("atLeastMinor(%s, %i, %i) is %s", (v, major, minor, ok) => expect(atLeastMinor(v, major, minor)).toBe(ok));

  it("sameTalosVersion is false for anything that is not a version", () => {
    expect(sameTalosVersion("latest", "latest")).toBe(false);
  });
});
