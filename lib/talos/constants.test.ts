import { describe, expect, it } from "vitest";

import { LATEST_TALOS_MINOR, TALOS_MINORS, TALOS_RESOURCES, TALOS_ROLES } from "./constants";
import { compareTalosVersions } from "./version";

describe("Talos constants", () => {
  it("lists the config window oldest first, ending with the latest minor", () => {
    expect([...TALOS_MINORS].sort(compareTalosVersions)).toEqual([...TALOS_MINORS]);
    expect(TALOS_MINORS.at(-1)).toBe(LATEST_TALOS_MINOR);
  });

  it("names each resource type once, in Talos's <Plural>.<group>.talos.dev form", () => {
    const types = Object.values(TALOS_RESOURCES).map((r) => r.type);
    expect(new Set(types).size).toBe(types.length);
    for (const t of types) expect(t).toMatch(/^[A-Z][A-Za-z]+s\.[a-z0-9]+\.talos\.dev$/);
  });

  it("spells every role with Talos's os: prefix", () => {
    for (const r of Object.values(TALOS_ROLES)) expect(r).toMatch(/^os:[a-z:]+$/);
  });
});
