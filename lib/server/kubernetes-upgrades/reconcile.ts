import "server-only";

/**
 * Whether an applied object has been reconciled ("Current" in kstatus terms, which upgrade-k8s's
 * SSA manager waits for after the manifests sync): its controller has seen the latest generation
 * and every replica runs the new template and is available. Kinds without a rollout are current
 * once applied. Pure: `reason` says what is still waited for.
 */
export function reconciled(o: Record<string, unknown>): { ok: true } | { ok: false; reason: string } {
  const kind = o.kind as string | undefined;
  const meta = (o.metadata ?? {}) as { name?: string; namespace?: string; generation?: number };
  const status = (o.status ?? {}) as Record<string, number | undefined>;
  const spec = (o.spec ?? {}) as { replicas?: number };
  const what = `${kind} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? "?"}`;
  if (kind !== "DaemonSet" && kind !== "Deployment") return { ok: true };
  if ((status.observedGeneration ?? 0) < (meta.generation ?? 0)) return { ok: false, reason: `${what}: the controller has not seen generation ${meta.generation} yet` };
  if (kind === "DaemonSet") {
    const desired = status.desiredNumberScheduled ?? 0;
    const updated = status.updatedNumberScheduled ?? 0;
    const available = status.numberAvailable ?? 0;
    if (updated < desired) return { ok: false, reason: `${what}: ${updated} of ${desired} pods updated` };
    if (available < desired) return { ok: false, reason: `${what}: ${available} of ${desired} pods available` };
    return { ok: true };
  }
  const want = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  if (updated < want) return { ok: false, reason: `${what}: ${updated} of ${want} replicas updated` };
  if (total > updated) return { ok: false, reason: `${what}: ${total - updated} old replica${total - updated === 1 ? "" : "s"} still terminating` };
  if (available < want) return { ok: false, reason: `${what}: ${available} of ${want} replicas available` };
  return { ok: true };
}
