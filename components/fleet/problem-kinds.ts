import type { ProblemKind } from "@/lib/schemas/fleet";

/** Short names for problem kinds, for filters and badges. */
export const problemKindLabels: Record<ProblemKind, string> = {
  down: "Offline",
  not_ready: "Not ready",
  stage: "Not running",
  service_failing: "Service failing",
  etcd: "etcd",
  forbidden: "No access",
  memory: "Low memory",
};
