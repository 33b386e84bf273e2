import { describe, expect, it } from "vitest";

import { parseSource, sourceKey, sourceLabel, urlForSource } from "./source";

describe("template sources with a version contract", () => {
  it("reads ?template=worker&version=1.12 and writes it back", () => {
    const source = parseSource({ template: "worker", version: "1.12" });
    expect(source).toEqual({ kind: "template", role: "worker", talosVersion: "1.12" });
    expect(urlForSource(source, new URL("http://x/config?node=a&version=1.10"))).toBe("/config?template=worker&version=1.12");
    expect(sourceKey(source)).toBe("template:worker:1.12");
    expect(sourceLabel(source)).toBe("new worker config (Talos 1.12)");
  });

  it("ignores a version Minos does not generate, and keeps the latest template's URL unchanged", () => {
    expect(parseSource({ template: "controlplane", version: "1.9" })).toEqual({ kind: "template", role: "controlplane" });
    expect(urlForSource({ kind: "template", role: "controlplane" }, new URL("http://x/config?version=1.12"))).toBe("/config?template=controlplane");
  });
});
