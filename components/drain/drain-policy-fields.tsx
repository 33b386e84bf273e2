"use client";

import { Input, Select } from "@/components/ui/input";
import type { DrainPolicy } from "@/lib/schemas/kubernetes";

/**
 * strategy.drain as form fields (Talos upgrades and config rollouts): drain or not, the timeout,
 * and what happens when it passes. Props in, changes out.
 */
export function DrainPolicyFields({ id, value, onChange }: { id: string; value: DrainPolicy; onChange: (next: DrainPolicy) => void }) {
  return (
    <fieldset className="space-y-3 rounded-md border border-border p-4">
      <legend className="px-1 text-sm font-medium">Kubernetes drain</legend>
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" className="mt-1" checked={value.enabled} onChange={(e) => onChange({ ...value, enabled: e.target.checked })} />
        <span>
          Cordon and drain each node before its reboot
          <span className="block text-xs text-fg-muted">Pods move through the Eviction API, honouring PodDisruptionBudgets; DaemonSet and static pods stay. The node is uncordoned once healthy.</span>
        </span>
      </label>
      {value.enabled ? (
        <div className="grid gap-4 md:grid-cols-2">
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-drain-timeout`} className="text-sm font-medium">
              Drain timeout (seconds)
            </label>
            <Input
              id={`${id}-drain-timeout`}
              type="number"
              min={10}
              max={86400}
              value={value.timeoutSeconds}
              onChange={(e) => onChange({ ...value, timeoutSeconds: Math.max(10, Math.min(86400, Number(e.target.value) || 300)) })}
            />
            <p className="text-xs text-fg-muted">Talos&apos;s own drain gives up after 300 s.</p>
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-drain-on-timeout`} className="text-sm font-medium">
              When pods will not move in time
            </label>
            <Select id={`${id}-drain-on-timeout`} value={value.onTimeout} onChange={(e) => onChange({ ...value, onTimeout: e.target.value as DrainPolicy["onTimeout"] })}>
              <option value="halt">Halt and wait for a person (retry, force or skip)</option>
              <option value="force">Force: delete the pods that are left</option>
            </Select>
            <p className="text-xs text-fg-muted">Also decides when Kubernetes cannot be asked: wait, or reboot without a drain.</p>
          </div>
        </div>
      ) : null}
    </fieldset>
  );
}
