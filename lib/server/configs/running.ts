import "server-only";

import { redactConfig } from "@/lib/config/redact";
import type { NodeConfigResponse } from "@/lib/schemas/node-config";
import { getClusterClient } from "@/lib/server/fleet/clients";
import { resolveNodeOrThrow } from "@/lib/server/fleet/nodes";

/**
 * A node's running machine config, read from its COSI MachineConfig resource (admin
 * credentials needed) together with its Talos version; secrets redacted unless `reveal`.
 */
export async function getRunningConfig(id: string, { reveal }: { reveal: boolean }): Promise<NodeConfigResponse> {
  const { cluster, address } = await resolveNodeOrThrow(id);
  const client = await getClusterClient(cluster);
  const [config, talosVersion] = await Promise.all([
    client.machineConfig(address),
    client.talosVersion(address).catch(() => null),
  ]);
  return {
    node: id,
    cluster,
    address,
    yaml: reveal ? config.yaml : redactConfig(config.yaml),
    redacted: !reveal,
    talosVersion,
  };
}
