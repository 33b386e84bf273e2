import type { RevisionSource } from "@/lib/schemas/configs";

/** Absolute local time, for titles and the 3 a.m. operator who needs the exact minute. */
export function exactTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

export const SOURCE_LABEL: Record<RevisionSource, string> = {
  apply: "Applied from the editor",
  rollback: "Rollback",
  rollout: "Rollout",
  adopt: "Adopted (changed outside Minos)",
  reapply: "Re-applied after drift",
  "kubernetes-upgrade": "Kubernetes upgrade (component image)",
};
