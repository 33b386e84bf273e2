/**
 * Inputs built to make the validator slow. Each must come back with the right answer within
 * Vitest's timeout; each is sized so that the quadratic (or worse) code this replaced would need
 * minutes to hours for it (noted per case), while a linear validator needs a second or two.
 */
import { describe, expect, it } from "vitest";

import { validateConfig } from "./validate";

const opts = { talosVersion: "1.12", patch: true } as const;

describe("the validator on hostile input", () => {
  it("a size of '1', 200,000 spaces and 'x' (the old size pattern: about two minutes)", () => {
    const yaml = `apiVersion: v1alpha1\nkind: UserVolumeConfig\nname: data\nprovisioning:\n  diskSelector:\n    match: 'true'\n  minSize: "1${" ".repeat(200_000)}x"\n`;
    const r = validateConfig(yaml, opts);
    expect(r.issues.map((i) => [i.path.join("."), i.message.slice(0, 14)])).toEqual([["provisioning.minSize", "invalid size \""]]);
  });

  it("a disk selector size of 20,000 spaces and a newline (the old matcher was cubic: hours)", () => {
    const yaml = `machine:\n  install:\n    diskSelector:\n      size: "${" ".repeat(20_000)}\\n"\n`;
    const r = validateConfig(yaml, { ...opts, mode: "metal" });
    expect(r.issues.filter((i) => i.path.join(".") === "machine.install.diskSelector.size").length).toBeGreaterThan(0);
  });

  it("a certificate of 50,000 BEGIN lines and no END (the old PEM pattern: minutes)", () => {
    const crt = btoa("-----BEGIN CERTIFICATE-----\n".repeat(50_000));
    const r = validateConfig(`machine:\n  ca:\n    crt: ${crt}\n    key: ""\n`, opts);
    expect(r.issues.some((i) => i.path.join(".") === "machine.ca.crt")).toBe(true);
  });

  it("50,000 unknown keys in one mapping: one issue each, at its key (quadratic positions before)", () => {
    const n = 50_000;
    const yaml = `machine:\n${Array.from({ length: n }, (_, i) => `  k${i}: 1\n`).join("")}`;
    const r = validateConfig(yaml, opts);
    expect(r.issues).toHaveLength(n);
    expect(r.issues[n - 1]).toMatchObject({ message: `unknown key \`k${n - 1}\``, line: n + 1, column: 3 });
  });

  it("50,000 repeated keys: one duplicate-key issue each (yaml's own check was quadratic: about a minute)", () => {
    const n = 50_000;
    const yaml = `machine:\n  sysctls:\n${Array.from({ length: n }, (_, i) => `    k${i % 10}: "1"\n`).join("")}`;
    const r = validateConfig(yaml, opts);
    expect(r.issues).toHaveLength(n - 10);
    expect(r.issues[0]).toMatchObject({ message: "duplicate key `k0` (map keys must be unique)", line: 13, column: 5 });
  });

  it("a mapping of 60,000 distinct keys is valid", () => {
    const yaml = `machine:\n  sysctls:\n${Array.from({ length: 60_000 }, (_, i) => `    net.k${i}: "1"\n`).join("")}`;
    expect(validateConfig(yaml, opts).issues).toEqual([]);
  });

  it("1,000 aliases of a mapping with 100 bad keys: 100,000 issues, each at the anchored key", () => {
    const bad = Array.from({ length: 100 }, (_, i) => `b${i}: 1`).join(", ");
    const yaml = `machine:\n  network:\n    interfaces:\n      - &a {${bad}}\n${"      - *a\n".repeat(999)}`;
    const r = validateConfig(yaml, opts);
    const unknown = r.issues.filter((i) => i.message.startsWith("unknown key"));
    expect(unknown).toHaveLength(100_000);
    expect(unknown.every((i) => i.line === 4)).toBe(true);
  });

  it("40,000 distinct anchors and aliases (yaml's alias lookup was quadratic: about a minute)", () => {
    const n = 40_000;
    const yaml = `machine:\n  sysctls:\n${Array.from({ length: n }, (_, i) => `    a${i}: &x${i} "1"\n`).join("")}  nodeLabels:\n${Array.from({ length: n }, (_, i) => `    b${i}: *x${i}\n`).join("")}`;
    expect(validateConfig(yaml, opts).issues).toEqual([]);
  });

  it("an alias bomb is refused, not expanded", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const r = validateConfig(`${levels.join("\n")}\n`, opts);
    expect(r.issues[0]?.message).toMatch(/too many alias expansions/);
  });

  it.each([
    ["block mappings 2,000 deep", Array.from({ length: 2_000 }, (_, i) => `${" ".repeat(i)}a:\n`).join("")],
    ["flow sequences 100,000 deep", `machine: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`],
    ["flow mappings 50,000 deep", `machine: ${"{a: ".repeat(50_000)}1${"}".repeat(50_000)}\n`],
  ])("%s: an error, not a crash", (_, yaml) => {
    const r = validateConfig(yaml, opts);
    expect(r.valid).toBe(false);
    expect(r.issues.length).toBeGreaterThan(0);
  });
});
