import { describe, expect, it } from "vitest";

import { configHash, dryRunSummary, effectOf, formatSeconds, rebootModeAvailable } from "./modes";

describe("modes", () => {
  it.each([
    [30, "30 s"],
    [60, "1 min"],
    [90, "1 min 30 s"],
    [120, "2 min"],
    [3600, "1 h"],
  ])("formats %i s as %s", (s, text) => expect(formatSeconds(s)).toBe(text));

  it("explains every mode in words", () => {
    expect(effectOf("no-reboot", 60)).toBe("applies now without a reboot");
    expect(effectOf("staged", 60)).toBe("staged until the next reboot");
    expect(effectOf("try", 120)).toBe("applied for 2 min, then reverted unless kept");
    expect(effectOf("reboot", 60)).toBe("reboots the node");
  });

  it.each([
    ["v1.13.9", true],
    ["v1.14.0", false],
    ["v1.15.0-alpha.1", false],
    ["v1.10.0", true],
    [null, true],
  ] as const)("REBOOT available on %s: %s", (v, ok) => expect(rebootModeAvailable(v)).toBe(ok));

  it("drops the node's unredacted diff from a dry run's details", () => {
    const details = "Dry run summary:\nApplied configuration without a reboot (skipped in dry-run).\n\nConfig diff:\n\n--- a\n+++ b\n-token: secret\n";
    expect(dryRunSummary(details)).toBe("Dry run summary:\nApplied configuration without a reboot (skipped in dry-run).");
  });

  it("hashes content, not formatting or comments", () => {
    const a = "machine:\n  type: worker\n  token: x # comment\n";
    const b = "machine:\n    token: x\n    type: worker\n";
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).not.toBe(configHash(a.replace("x", "y")));
  });
});
