import { describe, expect, it } from "vitest";

import { actionAvailability } from "@/lib/auth/talos-roles";
import { bulkActionSchema, createBulkBodySchema } from "@/lib/schemas/bulk";

import { BULK_MINOS_ACTION, targetCluster } from "./bulk-bar";
import { parseLabels } from "./selector-fields";
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

  it("gates each action on the cluster's talosconfig: a reader-only one stops every Talos-backed action, with the reason", () => {
    const verdicts = Object.fromEntries(
      bulkActionSchema.options.map((a) => {
        const m = BULK_MINOS_ACTION[a];
        return [a, m === null ? { allowed: true } : actionAvailability("admin", m, ["os:reader"], "sim-1")];
      }),
    );
    expect(verdicts.reboot).toEqual({ allowed: false, reason: "Minos's talosconfig for cluster sim-1 has os:reader; Talos needs os:operator for Reboot" });
    expect(verdicts["service-restart"]).toMatchObject({ allowed: false, reason: expect.stringContaining("ServiceStart/Stop/Restart") });
    expect(verdicts.upgrade).toMatchObject({ allowed: false, reason: expect.stringContaining("os:admin for Upgrade") });
    expect(verdicts["apply-patch"]).toMatchObject({ allowed: false, reason: expect.stringContaining("os:admin for ApplyConfiguration") });
    // Cordon and uncordon are Kubernetes calls: the talosconfig does not limit them.
    expect(verdicts.cordon).toEqual({ allowed: true });
    expect(verdicts.uncordon).toEqual({ allowed: true });
    expect(actionAvailability("operator", BULK_MINOS_ACTION.reboot, ["os:operator"], "sim-1")).toEqual({ allowed: true });
  });

  it("checks the header's cluster, else the one cluster the chosen rows share", () => {
    expect(targetCluster("sim-2", ["10.5.0.2@sim-1"])).toBe("sim-2");
    expect(targetCluster(null, ["10.5.0.2@sim-1", "10.5.0.3@sim-1"])).toBe("sim-1");
    expect(targetCluster(null, ["10.5.0.2@sim-1", "10.6.0.2@sim-2"])).toBeNull();
    expect(targetCluster(null, [])).toBeNull();
  });
});
