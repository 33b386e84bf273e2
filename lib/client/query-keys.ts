/**
 * The query keys of the features whose live events the shared event stream (use-event-stream.ts)
 * writes into the cache. A module of their own so that the stream, which every dashboard page
 * loads, does not pull in each feature's fetchers and query options.
 */

/** Query keys for rolling upgrades. */
export const upgradeKeys = {
  all: ["upgrades"] as const,
  list: (cluster?: string) => [...upgradeKeys.all, "list", cluster ?? "all"] as const,
  plan: (id: string) => [...upgradeKeys.all, "plan", id] as const,
};

/** Query keys for Kubernetes upgrades. */
export const kubernetesUpgradeKeys = {
  all: ["kubernetes-upgrades"] as const,
  list: (cluster?: string) => [...kubernetesUpgradeKeys.all, "list", cluster ?? "all"] as const,
  plan: (id: string) => [...kubernetesUpgradeKeys.all, "plan", id] as const,
};

/** Query keys for etcd backups and their schedules. */
export const backupKeys = {
  all: ["backups"] as const,
  list: (cluster?: string) => [...backupKeys.all, "list", cluster ?? "all"] as const,
  detail: (id: string) => [...backupKeys.all, "detail", id] as const,
  schedules: () => [...backupKeys.all, "schedules"] as const,
};

/** Query keys for bulk actions. */
export const bulkKeys = {
  all: ["bulk"] as const,
  list: () => [...bulkKeys.all, "list"] as const,
  run: (id: string) => [...bulkKeys.all, "run", id] as const,
};
