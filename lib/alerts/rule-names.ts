import type { AlertRuleId } from "@/lib/schemas/alerts";

/**
 * Each built-in rule's name. Apart from the catalog (catalog.ts: descriptions, defaults,
 * thresholds) because the shell's bell and the overview name alerts on every page and need
 * nothing else of it.
 */
export const RULE_NAMES: Record<AlertRuleId, string> = {
  "node-unreachable": "Node unreachable",
  "node-not-ready": "Node not ready",
  "service-failing": "Service failing",
  "etcd-quorum": "etcd quorum degraded",
  "etcd-member-down": "etcd member down",
  "certificate-expiry": "Certificate expiring",
  "run-failed": "Run failed",
  "run-halted": "Run waiting for a person",
  "backup-failed": "etcd backup failed",
  "config-drift": "Config drift",
  "talos-unsupported": "Talos version unsupported",
};
