import { describe, expect, it } from "vitest";

import { installerImage, minimumUpgradeSource, upgradePathFor, upgradeSupported, versionFromImage } from "./upgrade";

describe("upgrade window", () => {
  it.each([
    ["v1.14.0", "v1.12.0"],
    ["v1.15.3", "v1.13.0"],
    ["v1.1.0", "v1.0.0"],
  ])("minimum source of %s is %s", (t, m) => expect(minimumUpgradeSource(t)).toBe(m));

  it.each([
    ["v1.12.0", "v1.14.0", true],
    ["v1.11.9", "v1.14.0", false],
    ["v1.12.0-rc.1", "v1.14.0", false],
    ["v1.12.0-1-gabcdef0", "v1.14.0", true],
  ])("%s → %s supported: %s", (f, t, ok) => expect(upgradeSupported(f, t)).toBe(ok));

  it("throws on a target that is not a version", () => {
    expect(() => minimumUpgradeSource("latest")).toThrow(/not a Talos version: "latest"/);
  });
});

describe("installer images", () => {
  it("Image Factory from 1.14, ghcr.io before", () => {
    expect(installerImage("v1.13.9")).toBe("ghcr.io/siderolabs/installer:v1.13.9");
    expect(installerImage("1.14.0")).toBe("factory.talos.dev/metal-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba:v1.14.0");
    expect(installerImage("v1.14.0", { platform: "aws", schematic: "abc" })).toBe("factory.talos.dev/aws-installer/abc:v1.14.0");
    expect(installerImage("v1.14.0-rc.1")).toMatch(/^factory\.talos\.dev\//);
  });

  it.each([
    ["ghcr.io/siderolabs/installer:v1.13.9", "v1.13.9"],
    ["factory.talos.dev/metal-installer/abc:1.14.0", "v1.14.0"],
    ["registry:5000/installer", null],
    ["ghcr.io/siderolabs/installer:latest", null],
    ["ghcr.io/siderolabs/installer:v1.14", null],
    ["ghcr.io/siderolabs/installer:v1.14.0@sha256:abcd", "v1.14.0"],
  ])("version of %s is %s", (img, v) => expect(versionFromImage(img)).toBe(v));
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
