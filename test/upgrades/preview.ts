/** A made-up upgrade preview for store tests: node 0 a control plane, the rest workers, node 2 already on the target. */
import type { UpgradePreview } from "@/lib/schemas/upgrades";

export function preview(cluster = "lab", nodes = 2): UpgradePreview {
  return {
    cluster,
    targetVersion: "v1.14.0",
    image: "ghcr.io/siderolabs/installer:v1.14.0",
    strategy: { maxParallelWorkers: 1, healthTimeoutSeconds: 600, stopOnFailure: true, rebootMode: "default", force: false },
    nodes: Array.from({ length: nodes }, (_, i) => ({
      id: `10.5.0.${i + 2}@${cluster}`,
      address: `10.5.0.${i + 2}`,
      hostname: i === 0 ? "cp-1" : null,
      role: i === 0 ? ("controlplane" as const) : ("worker" as const),
      batch: i,
      position: i,
      fromVersion: "v1.13.4",
      alreadyOnTarget: i === 2,
    })),
    batches: Array.from({ length: nodes }, (_, i) => ({ index: i, role: i === 0 ? ("controlplane" as const) : ("worker" as const), nodes: [`10.5.0.${i + 2}@${cluster}`] })),
    checks: [{ level: "warn", code: "etcd", message: "etcd: one member is slow" }],
    canStart: true,
  } as UpgradePreview;
}
