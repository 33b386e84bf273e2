import { describe, expect, it } from "vitest";

import { compareTalosVersions, parseTalosVersion, talosMinor, upgradePathFor } from "./versions";

describe("parseTalosVersion", () => {
  it.each([
    ["v1.13.0-alpha.2", { major: 1, minor: 13, patch: 0, prerelease: ["alpha", 2], commits: 0 }],
    ["1.12.11", { major: 1, minor: 12, patch: 11, prerelease: [], commits: 0 }],
    ["v1.14.0-rc.1", { major: 1, minor: 14, patch: 0, prerelease: ["rc", 1], commits: 0 }],
    ["v1.15.0-alpha.0-42-g1a2b3c4d", { major: 1, minor: 15, patch: 0, prerelease: ["alpha", 0], commits: 42 }],
    ["v1.12.0-15-gabcdef1-dirty", { major: 1, minor: 12, patch: 0, prerelease: [], commits: 15 }],
    ["v1.13", { major: 1, minor: 13, patch: 0, prerelease: [], commits: 0 }],
  ])("%s", (input, expected) => {
    expect(parseTalosVersion(input)).toMatchObject(expected);
  });

  it.each(["", "latest", "v1", "vX.Y.Z", "1.2.3.4"])("rejects %j", (input) => {
    expect(parseTalosVersion(input)).toBeUndefined();
  });
});

describe("compareTalosVersions", () => {
  // Each row: a < b.
  it.each([
    ["v1.12.11", "v1.13.0-alpha.0"],
    ["v1.13.0-alpha.0", "v1.13.0-alpha.1"],
    ["v1.13.0-alpha.2", "v1.13.0-alpha.10"],
    ["v1.13.0-alpha.2", "v1.13.0-alpha.2-3-gabcdef0"],
    ["v1.13.0-alpha.2", "v1.13.0-beta.0"],
    ["v1.13.0-beta.1", "v1.13.0-rc.0"],
    ["v1.13.0-rc.0", "v1.13.0"],
    ["v1.13.0", "v1.13.0-1-gabcdef0"],
    ["v1.13.0", "v1.13.1"],
    ["v1.13.9", "v1.14.0-rc.1"],
    ["v1.9.0", "v1.10.0"],
    ["v1.99.0", "v2.0.0-alpha.0"],
    ["v1.13.0-alpha", "v1.13.0-alpha.0"],
  ])("%s < %s", (a, b) => {
    expect(compareTalosVersions(a, b)).toBe(-1);
    expect(compareTalosVersions(b, a)).toBe(1);
  });

  it("treats v-prefix and missing patch as equal", () => {
    expect(compareTalosVersions("1.13", "v1.13.0")).toBe(0);
  });

  it("throws on garbage", () => {
    expect(() => compareTalosVersions("nope", "v1.0.0")).toThrow(/not a Talos version/);
  });
});

describe("upgradePathFor", () => {
  it.each([
    ["v1.12.11", "legacy"],
    ["v1.13.0-alpha.1", "legacy"],
    ["v1.13.0-alpha.2", "legacy"],
    ["v1.13.0-alpha.2-1-gabcdef0", "lifecycle"],
    ["v1.13.0-alpha.3", "lifecycle"],
    ["v1.13.0-beta.0", "lifecycle"],
    ["v1.13.0", "lifecycle"],
    ["v1.13.9", "lifecycle"],
    ["v1.14.0-rc.1", "lifecycle"],
    ["v2.0.0", "lifecycle"],
    ["garbage", "legacy"],
  ])("%s → %s", (version, path) => {
    expect(upgradePathFor(version)).toBe(path);
  });
});

describe("talosMinor", () => {
  it("extracts major.minor", () => {
    expect(talosMinor("v1.14.0-rc.1")).toBe("1.14");
    expect(talosMinor("?")).toBeUndefined();
  });
});
