"use client";

import { Eye } from "lucide-react";
import { useId, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import type { KubernetesUpgradeRequest } from "@/lib/schemas/kubernetes-upgrades";
import { parseKubernetesVersion } from "@/lib/talos/kubernetes";

interface KubeUpgradeFormProps {
  clusters: string[];
  defaultCluster?: string;
  /** Each cluster's control-plane Kubernetes version (null when unknown): the placeholder suggests the next minor. */
  currentVersions?: Record<string, string | null>;
  busy: boolean;
  /** Called with the request to preview; starting happens from the preview. */
  onPreview: (request: KubernetesUpgradeRequest) => void;
  /** Any edit invalidates a preview shown below. */
  onChange?: () => void;
}

/** Cluster, target Kubernetes version and upgrade-k8s's options; submitting asks for the preview. */
/** The next minor of a version ("v1.35.2" → "1.36.0"), upgrade-k8s's usual step; the fallback when unknown. */
export function suggestedTarget(current: string | null | undefined): string {
  const v = current ? parseKubernetesVersion(current) : null;
  return v ? `${v.major}.${v.minor + 1}.0` : "1.34.1";
}

export function KubeUpgradeForm({ clusters, defaultCluster, currentVersions, busy, onPreview, onChange }: KubeUpgradeFormProps) {
  const id = useId();
  const [cluster, setCluster] = useState(defaultCluster ?? clusters[0] ?? "");
  const [version, setVersion] = useState("");
  const [prePullImages, setPrePull] = useState(true);
  const [upgradeKubelet, setKubelet] = useState(true);
  const [stepTimeoutSeconds, setTimeout] = useState(300);
  const versionOk = parseKubernetesVersion(version.trim()) !== null && /^v?\d+\.\d+\.\d+/.test(version.trim());
  const changed = (fn: () => void) => {
    fn();
    onChange?.();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!versionOk || !cluster) return;
    onPreview({ cluster, version: version.trim(), prePullImages, upgradeKubelet, stepTimeoutSeconds });
  };
  return (
    <form onSubmit={submit} className="grid gap-4 sm:grid-cols-2" aria-label="Kubernetes upgrade">
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-cluster`} className="text-sm font-medium">
          Cluster
        </label>
        <Select id={`${id}-cluster`} value={cluster} onChange={(e) => changed(() => setCluster(e.target.value))}>
          {clusters.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </Select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-version`} className="text-sm font-medium">
          Target Kubernetes version
        </label>
        <Input id={`${id}-version`} value={version} placeholder={suggestedTarget(currentVersions?.[cluster])} aria-invalid={version !== "" && !versionOk} onChange={(e) => changed(() => setVersion(e.target.value))} />
        <p className="text-xs text-fg-muted">The same minor or the next one (upgrade-k8s refuses bigger jumps and downgrades).</p>
      </div>
      <div className="flex flex-col gap-2 text-sm">
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={prePullImages} onChange={(e) => changed(() => setPrePull(e.target.checked))} />
          Pre-pull the images on every node first
        </label>
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={upgradeKubelet} onChange={(e) => changed(() => setKubelet(e.target.checked))} />
          Upgrade the kubelets too
        </label>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-timeout`} className="text-sm font-medium">
          Wait per component (seconds)
        </label>
        <Input id={`${id}-timeout`} type="number" min={10} max={3600} value={stepTimeoutSeconds} onChange={(e) => changed(() => setTimeout(Number(e.target.value)))} />
      </div>
      <div className="sm:col-span-2">
        <Button type="submit" variant="primary" disabled={busy || !versionOk || !cluster}>
          <Eye aria-hidden className="size-4" />
          Preview
        </Button>
      </div>
    </form>
  );
}
