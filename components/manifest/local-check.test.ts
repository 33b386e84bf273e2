import { describe, expect, it } from "vitest";

import { localManifestIssues } from "./local-check";

const GOOD = `cluster:
  name: prod
  endpoint: https://10.0.0.10:6443
  talosVersion: v1.13.9
  kubernetesVersion: v1.33.2
nodes:
  - address: 10.0.0.11
    hostname: cp-1
    role: controlplane
`;

describe("localManifestIssues", () => {
  it("accepts a valid manifest", () => {
    expect(localManifestIssues(GOOD)).toEqual([]);
  });

  it("puts a bad value on its line", () => {
    const issues = localManifestIssues(GOOD.replace("role: controlplane", "role: master"));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 9, path: ["nodes", 0, "role"] });
  });

  it("puts an unknown key on the key", () => {
    const issues = localManifestIssues(GOOD.replace("    role: controlplane", "    role: controlplane\n    rolle: x"));
    expect(issues[0]).toMatchObject({ line: 10, path: ["nodes", 0, "rolle"] });
  });

  it("reports YAML syntax errors with their place", () => {
    const issues = localManifestIssues("cluster:\n  name: [a\n");
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(2);
  });
});

describe("localManifestIssues: semantic checks", () => {
  it("names a node listed twice on its entry", () => {
    const issues = localManifestIssues(GOOD + "  - address: 10.0.0.11\n    hostname: cp-2\n    role: controlplane\n");
    expect(issues.some((i) => i.line === 10 && /10\.0\.0\.11/.test(i.message))).toBe(true);
  });
});
