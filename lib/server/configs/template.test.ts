import { describe, expect, it } from "vitest";
import YAML from "yaml";

import { validateConfig } from "@/lib/config/validate";
import { generateConfigTemplate } from "@/lib/server/configs/template";

describe("generateConfigTemplate", () => {
  it.each([
    ["controlplane", "v1.14.0"],
    ["worker", "v1.14.0"],
    ["controlplane", "1.12"],
    ["worker", "v1.13.9"],
  ] as const)("a %s template for %s validates with no errors", async (role, talosVersion) => {
    const t = await generateConfigTemplate({ role, talosVersion, clusterName: "lab", endpoint: "https://10.0.0.10:6443" });
    const config = YAML.parse(t.yaml);
    expect(config.machine.type).toBe(role);
    expect(config.cluster.clusterName).toBe("lab");
    expect(config.cluster.controlPlane.endpoint).toBe("https://10.0.0.10:6443");
    expect(Boolean(config.machine.ca.key)).toBe(role === "controlplane");
    const result = validateConfig(t.yaml, { talosVersion: t.talosVersion });
    expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("makes new secrets every time", async () => {
    const input = { role: "controlplane", clusterName: "lab", endpoint: "https://10.0.0.10:6443" } as const;
    const [a, b] = await Promise.all([generateConfigTemplate(input), generateConfigTemplate(input)]);
    expect(YAML.parse(a.yaml).cluster.secret).not.toBe(YAML.parse(b.yaml).cluster.secret);
  });
});
