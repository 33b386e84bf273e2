"use client";

import { Eye } from "lucide-react";
import { useId, useState, type FormEvent, type ReactNode } from "react";

import { DrainPolicyFields } from "@/components/drain/drain-policy-fields";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import { DEFAULT_DRAIN_POLICY } from "@/lib/schemas/kubernetes";
import type { UpgradeRequest, UpgradeStrategy } from "@/lib/schemas/upgrades";
import { DEFAULT_SCHEMATIC, installerImage, SUGGESTED_VERSIONS, usesImageFactory, versionFromImage } from "@/lib/talos/upgrade";
import { isTalosTag } from "@/lib/talos/version";

export interface FormCluster {
  name: string;
  nodes: string[];
}

interface UpgradeFormProps {
  clusters: FormCluster[];
  defaultCluster?: string;
  busy: boolean;
  /** Called with the request to preview (nothing starts from the form itself). */
  onPreview: (request: UpgradeRequest) => void;
  /** Any edit invalidates a preview shown below. */
  onChange?: () => void;
}

const defaults: UpgradeStrategy = { maxParallelWorkers: 1, healthTimeoutSeconds: 600, stopOnFailure: true, rebootMode: "default", force: false, drain: DEFAULT_DRAIN_POLICY };

function Field({ label, hint, htmlFor, children }: { label: string; hint?: string; htmlFor: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={htmlFor} className="text-sm font-medium">
        {label}
      </label>
      {children}
      {hint ? <p className="text-xs text-fg-muted">{hint}</p> : null}
    </div>
  );
}

/**
 * The upgrade request: cluster, target version (the installer image follows it unless edited),
 * which nodes, and the strategy. Submitting asks for a preview; starting happens from the preview.
 */
export function UpgradeForm({ clusters, defaultCluster, busy, onPreview, onChange }: UpgradeFormProps) {
  const id = useId();
  const [cluster, setCluster] = useState(defaultCluster ?? clusters[0]?.name ?? "");
  const [version, setVersion] = useState<string>(SUGGESTED_VERSIONS[0]);
  const [platform, setPlatform] = useState("metal");
  const [schematic, setSchematic] = useState(DEFAULT_SCHEMATIC);
  const [customImage, setCustomImage] = useState<string | null>(null);
  const [allNodes, setAllNodes] = useState(true);
  const [picked, setPicked] = useState<string[]>([]);
  const [strategy, setStrategy] = useState<UpgradeStrategy>(defaults);

  const nodes = clusters.find((c) => c.name === cluster)?.nodes ?? [];
  const versionOk = isTalosTag(version);
  const image = customImage ?? (versionOk ? installerImage(version, { platform, schematic }) : "");
  const imageVersion = versionFromImage(image);
  const mismatch = versionOk && imageVersion !== null && imageVersion !== (version.startsWith("v") ? version : `v${version}`);
  const problem = !cluster
    ? "Choose a cluster."
    : !versionOk
      ? "The version must look like v1.14.0."
      : !imageVersion
        ? "The installer image needs a version tag, e.g. …:v1.14.0."
        : mismatch
          ? `The image's tag (${imageVersion}) is not the version (${version}).`
          : !allNodes && picked.length === 0
            ? "Choose at least one node."
            : null;

  function changed<T>(set: (v: T) => void) {
    return (v: T) => {
      set(v);
      onChange?.();
    };
  }
  const setS = <K extends keyof UpgradeStrategy>(k: K, v: UpgradeStrategy[K]) => changed(setStrategy)({ ...strategy, [k]: v });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (problem) return;
    onPreview({ cluster, version, image, nodes: allNodes ? undefined : picked, strategy });
  }

  return (
    <form onSubmit={submit} aria-label="Upgrade" className="space-y-5">
      <div className="grid gap-4 md:grid-cols-3">
        <Field label="Cluster" htmlFor={`${id}-cluster`}>
          <Select id={`${id}-cluster`} value={cluster} onChange={(e) => { changed(setCluster)(e.target.value); setPicked([]); }}>
            {clusters.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.nodes.length} nodes)
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Target version" htmlFor={`${id}-version`} hint="Pick a release or type any Talos tag.">
          <Input id={`${id}-version`} list={`${id}-versions`} value={version} onChange={(e) => changed(setVersion)(e.target.value.trim())} spellCheck={false} aria-invalid={!versionOk} />
          <datalist id={`${id}-versions`}>
            {SUGGESTED_VERSIONS.map((v) => (
              <option key={v} value={v} />
            ))}
          </datalist>
        </Field>
        <Field label="Reboot mode" htmlFor={`${id}-reboot`} hint="Power-cycle skips kexec: slower, but a full firmware reboot.">
          <Select id={`${id}-reboot`} value={strategy.rebootMode} onChange={(e) => setS("rebootMode", e.target.value as UpgradeStrategy["rebootMode"])}>
            <option value="default">Default (kexec when possible)</option>
            <option value="powercycle">Power-cycle</option>
          </Select>
        </Field>
      </div>

      <fieldset className="space-y-3 rounded-md border border-border p-4">
        <legend className="px-1 text-sm font-medium">Installer image</legend>
        {customImage === null && versionOk && usesImageFactory(version) ? (
          <div className="grid gap-4 md:grid-cols-3">
            <Field label="Platform" htmlFor={`${id}-platform`}>
              <Input id={`${id}-platform`} value={platform} onChange={(e) => changed(setPlatform)(e.target.value.trim() || "metal")} spellCheck={false} />
            </Field>
            <div className="md:col-span-2">
              <Field label="Image Factory schematic" htmlFor={`${id}-schematic`} hint="The default schematic has no system extensions.">
                <Input id={`${id}-schematic`} value={schematic} onChange={(e) => changed(setSchematic)(e.target.value.trim() || DEFAULT_SCHEMATIC)} spellCheck={false} className="font-mono text-xs" />
              </Field>
            </div>
          </div>
        ) : null}
        <Field label="Image" htmlFor={`${id}-image`} hint={customImage === null ? "Derived from the version (Image Factory from 1.14, ghcr.io before). Edit to use your own." : "Custom image: its tag must be the target version."}>
          <div className="flex gap-2">
            <Input id={`${id}-image`} value={image} onChange={(e) => changed(setCustomImage)(e.target.value)} spellCheck={false} className="min-w-0 flex-1 font-mono text-xs" />
            {customImage !== null ? (
              <Button onClick={() => changed(setCustomImage)(null)}>
                Use the default
              </Button>
            ) : null}
          </div>
        </Field>
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-border p-4">
        <legend className="px-1 text-sm font-medium">Nodes</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={allNodes} onChange={(e) => changed(setAllNodes)(e.target.checked)} />
          Every node of the cluster ({nodes.length})
        </label>
        {!allNodes ? (
          <div role="group" aria-label="Nodes to upgrade" className="grid gap-1 sm:grid-cols-2 lg:grid-cols-4">
            {nodes.map((n) => (
              <label key={n} className="flex items-center gap-2 font-mono text-xs">
                <input
                  type="checkbox"
                  checked={picked.includes(n)}
                  onChange={(e) => changed(setPicked)(e.target.checked ? [...picked, n] : picked.filter((p) => p !== n))}
                />
                {n}
              </label>
            ))}
          </div>
        ) : null}
      </fieldset>

      <fieldset className="space-y-3 rounded-md border border-border p-4">
        <legend className="px-1 text-sm font-medium">Strategy</legend>
        <p className="text-xs text-fg-muted">Control planes always go first and one at a time, so etcd keeps its quorum.</p>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Workers at once" htmlFor={`${id}-parallel`} hint="Workers upgraded in parallel, batch by batch.">
            <Input id={`${id}-parallel`} type="number" min={1} max={100} value={strategy.maxParallelWorkers} onChange={(e) => setS("maxParallelWorkers", Math.max(1, Math.min(100, Number(e.target.value) || 1)))} />
          </Field>
          <Field label="Health timeout (seconds)" htmlFor={`${id}-timeout`} hint="How long a node may take to come back healthy after its reboot.">
            <Input id={`${id}-timeout`} type="number" min={5} max={7200} value={strategy.healthTimeoutSeconds} onChange={(e) => setS("healthTimeoutSeconds", Math.max(5, Math.min(7200, Number(e.target.value) || 600)))} />
          </Field>
        </div>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-1" checked={strategy.stopOnFailure} onChange={(e) => setS("stopOnFailure", e.target.checked)} />
          <span>
            Stop at the first failed node
            <span className="block text-xs text-fg-muted">A failed control plane always stops the upgrade.</span>
          </span>
        </label>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" className="mt-1" checked={strategy.force} onChange={(e) => setS("force", e.target.checked)} />
          <span>
            Force
            <span className="block text-xs text-fg-muted">Start even if etcd is not healthy with all members. Risks losing quorum.</span>
          </span>
        </label>
      </fieldset>

      <DrainPolicyFields id={id} value={strategy.drain} onChange={(drain) => setS("drain", drain)} />

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="primary" disabled={busy || problem !== null}>
          <Eye aria-hidden className="size-4" />
          {busy ? "Checking the nodes…" : "Preview plan"}
        </Button>
        {problem ? (
          <p role="status" className="text-sm text-fg-muted">
            {problem}
          </p>
        ) : (
          <p className="text-sm text-fg-muted">Nothing changes until you start the previewed plan.</p>
        )}
      </div>
    </form>
  );
}
