import "server-only";

/**
 * Kubernetes upgrades, the flow of `talosctl upgrade-k8s`: the pure planner (./plan) and step
 * machine (./machine), the resumable runner (./runner, its steps in ./steps, its reads in
 * ./probes) over the store (./repository), and the process-wide service (./service).
 */
import { AppError } from "@/lib/server/platform/errors";
import type { KubernetesUpgradePreview, ParsedKubernetesUpgradeRequest } from "@/lib/schemas/kubernetes-upgrades";

import { withKubernetesUpgradeRunner } from "./service";

export { getKubernetesUpgradeRunner, startKubernetesUpgradeRunner, withKubernetesUpgradeRunner } from "./service";
export { KubernetesUpgradeRunner, type KubernetesUpgradeDeps } from "./runner";

/** The preview, refused with 422 `unsupported_upgrade_path` (and the preview in details) when upgrade-k8s would refuse the jump. */
export async function previewKubernetesUpgrade(req: ParsedKubernetesUpgradeRequest): Promise<KubernetesUpgradePreview> {
  const preview = await withKubernetesUpgradeRunner((r) => r.preview(req));
  const path = preview.checks.find((c) => c.code === "unsupported_path");
  if (path) throw new AppError("unsupported_upgrade_path", path.message, { details: { preview } });
  return preview;
}
