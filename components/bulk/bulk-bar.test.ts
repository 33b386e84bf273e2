import { describe, expect, it } from "vitest";

import { createBulkBodySchema } from "@/lib/schemas/bulk";

import { parseLabels } from "./bulk-bar";
import { bodyOf } from "./bulk-dialog";

const p = { concurrency: 2, continueOnFailure: false, mode: "powercycle" as const, drain: false, service: " kubelet ", version: " v1.14.0 ", patch: "machine: {}" };

describe("bulk bar and dialog", () => {
  it("reads labels as key=value pairs and refuses anything else", () => {
    expect(parseLabels("zone=a, gpu = true")).toEqual({ zone: "a", gpu: "true" });
    expect(parseLabels("")).toEqual({});
    expect(parseLabels("zone")).toBeNull();
    expect(parseLabels("=a")).toBeNull();
  });

  it("builds a body the API accepts for each action, from the rows or a selector", () => {
    const rows = { kind: "nodes" as const, nodes: ["10.5.0.2@sim-1"] };
    expect(createBulkBodySchema.parse(bodyOf("reboot", rows, p, true))).toMatchObject({ nodes: ["10.5.0.2@sim-1"], action: "reboot", mode: "powercycle", drain: { enabled: false }, concurrency: 2, dryRun: true });
    expect(createBulkBodySchema.parse(bodyOf("service-restart", rows, p, false))).toMatchObject({ service: "kubelet", dryRun: false });
    const sel = { kind: "selector" as const, selector: { cluster: "sim-1", role: "worker" as const } };
    expect(createBulkBodySchema.parse(bodyOf("upgrade", sel, p, false))).toMatchObject({ selector: { cluster: "sim-1", role: "worker" }, version: "v1.14.0" });
    expect(createBulkBodySchema.parse(bodyOf("apply-patch", sel, p, false))).toMatchObject({ patch: "machine: {}", mode: "auto" });
    expect(createBulkBodySchema.parse(bodyOf("uncordon", sel, p, false))).toMatchObject({ action: "uncordon" });
  });
});
