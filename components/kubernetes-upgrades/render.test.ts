/**
 * The Kubernetes upgrade components rendered to HTML with real plan data (server rendering, as
 * the pages' first paint): what a person and the e2e locators find in them.
 */
import { QueryClientProvider } from "@tanstack/react-query";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { authKeys } from "@/lib/client/auth";
import { kubernetesUpgradeQueryOptions } from "@/lib/client/kubernetes-upgrades";
import { makeQueryClient } from "@/lib/client/query-client";
import type { KubernetesUpgradePlan } from "@/lib/schemas/kubernetes-upgrades";
import { buildKubernetesPlan } from "@/lib/server/kubernetes-upgrades/plan";

import { KubeUpgradeForm, suggestedTarget } from "./kube-upgrade-form";
import { KubeUpgradeHistory } from "./kube-upgrade-history";
import { KubeUpgradeLive } from "./kube-upgrade-live";
import { KubeUpgradePreview } from "./kube-upgrade-preview";

const preview = buildKubernetesPlan({
  cluster: "prod",
  toVersion: "1.36.3",
  options: { prePullImages: true, upgradeKubelet: true, stepTimeoutSeconds: 300 },
  fromVersion: "1.35.4",
  kubernetesProblem: null,
  removedResources: [],
  nodes: [
    { id: "10.0.0.2@prod", address: "10.0.0.2", hostname: "cp-1", role: "controlplane", talosVersion: "v1.13.2", reachable: true, kubeletVersion: "v1.35.4", kubeletImage: null, args: {} },
    { id: "10.0.0.5@prod", address: "10.0.0.5", hostname: "w-1", role: "worker", talosVersion: "v1.10.0", reachable: true, kubeletVersion: "v1.35.4", kubeletImage: null, args: {} },
  ],
});

const at = "2026-12-06T17:00:00.000Z";
const plan: KubernetesUpgradePlan = {
  id: "0b7c9a4e-0000-4000-8000-000000000001",
  cluster: "prod",
  fromVersion: "1.35.4",
  toVersion: "1.36.3",
  options: preview.options,
  manifestsSync: "server-side-apply",
  state: "failed",
  reason: "kube-apiserver on cp-1: not on the new version within 300 s",
  actor: "user:ada",
  checks: [],
  createdAt: at,
  startedAt: at,
  finishedAt: at,
  updatedAt: at,
  manifestRevision: null,
  progress: { total: 3, done: 1, skipped: 1, failed: 1, inFlight: 0, percent: 33.3, etaSeconds: null },
  steps: preview.steps.slice(0, 3).map((s, i) => ({
    ...s,
    state: (["done", "failed", "skipped"] as const)[i]!,
    startedAt: at,
    finishedAt: at,
    stateChangedAt: at,
    attempts: 1,
    error: i === 1 ? "not on the new version within 300 s" : null,
    messages: [{ at, text: `message ${i}` }],
  })),
};

function render(el: ReturnType<typeof createElement>, role: "admin" | "viewer" = "admin"): string {
  const client = makeQueryClient();
  client.setQueryData(authKeys.session(), { user: { id: "u", name: "ada", role, passkeys: 1 }, setupRequired: false, oidc: { enabled: false, label: "" } });
  client.setQueryData(kubernetesUpgradeQueryOptions(plan.id).queryKey, plan);
  return renderToStaticMarkup(createElement(QueryClientProvider, { client }, el));
}

describe("Kubernetes upgrade components", () => {
  it("the preview lists the checks (a node's Talos too old) and every step, and offers the start to an admin, disabled while a check fails", () => {
    const html = render(createElement(KubeUpgradePreview, { preview, starting: false, onStart: () => {} }));
    expect(html).toContain('aria-label="Kubernetes upgrade preview"');
    expect(html).toContain("version of Kubernetes 1.36.3 is too new to be used with Talos 1.10.0");
    expect(html.match(/<li>/g)).toHaveLength(preview.steps.length);
    expect(html).toMatch(/<button[^>]*disabled[^>]*>.*Start the Kubernetes upgrade/s);
    expect(render(createElement(KubeUpgradePreview, { preview, starting: false, onStart: () => {} }), "viewer")).not.toContain("Start the Kubernetes upgrade");
  });

  it("the live view shows the state in words, the bar, the reason and each step's last message", () => {
    const html = render(createElement(KubeUpgradeLive, { id: plan.id }));
    expect(html).toContain("Failed");
    expect(html).toContain('aria-valuenow="33"');
    expect(html).toContain("The upgrade stopped.");
    expect(html).toContain(plan.reason!);
    expect(html).toContain("message 0");
    expect(html).toContain("Skipped");
  });

  it("the history links each upgrade to its live view", () => {
    const html = render(createElement(KubeUpgradeHistory, { plans: [plan] }));
    expect(html).toContain(`href="/kubernetes-upgrades/${plan.id}"`);
    expect(html).toContain("1.35.4 → 1.36.3");
  });
});

describe("the Kubernetes upgrade form", () => {
  it("suggests the next minor of the selected cluster's control plane, or a fixed example when unknown", () => {
    const html = (currentVersions?: Record<string, string | null>) =>
      renderToStaticMarkup(createElement(KubeUpgradeForm, { clusters: ["prod", "lab"], defaultCluster: "lab", currentVersions, busy: false, onPreview: () => {} }));
    expect(html({ prod: "v1.33.4", lab: "v1.35.2" })).toContain('placeholder="1.36.0"');
    expect(html({ lab: null })).toContain('placeholder="1.34.1"');
    expect(html()).toContain('placeholder="1.34.1"');
    expect(suggestedTarget("1.9.9")).toBe("1.10.0");
  });
});
