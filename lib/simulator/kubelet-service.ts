/**
 * Talos's KubeletServiceController (internal/app/machined/pkg/controllers/k8s/kubelet_service.go):
 * whenever its inputs change it rewrites the kubelet's PKI and kubeconfig, stops the kubelet if it
 * runs, and starts it again. Of those inputs the simulator follows the Kubernetes accepted CAs of
 * secrets.Kubelet (controllers/secrets/kubelet.go: cluster.ca's certificate first, then
 * cluster.acceptedCAs, v1alpha1_k8s_bridge.go AcceptedCAs), which is what `talosctl rotate-ca`
 * changes and then waits on (PatchNodeConfigWithKubeletRestart). Its other inputs (endpoint,
 * bootstrap token, KubeletSpec) are not followed.
 */
import { isMap, parseAllDocuments } from "yaml";

import { isV1Alpha1Document } from "../talos/documents";
import { type Day2Host, startService, stopService } from "./node-day2";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The accepted Kubernetes CAs a config gives secrets.Kubelet, as a comparable key ("" when unreadable). */
export function kubeletAcceptedCAs(configText: string): string {
  try {
    for (const doc of parseAllDocuments(configText)) {
      if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
      const js = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
      if (!isV1Alpha1Document(js)) continue;
      const cluster = isObject(js.cluster) ? js.cluster : {};
      const ca = isObject(cluster.ca) ? cluster.ca.crt : undefined;
      const accepted = Array.isArray(cluster.acceptedCAs) ? cluster.acceptedCAs.map((a: unknown) => (isObject(a) ? a.crt : a)) : [];
      return JSON.stringify([...(ca ? [ca] : []), ...accepted]);
    }
  } catch {
    // An unreadable running config is refused before it gets here; no restart for it.
  }
  return "";
}

/**
 * The controller's reaction to a changed secrets.Kubelet on a running node: Stop (when running),
 * then Start, through the same ServiceRunner states as an API restart. The stop begins at once,
 * so the apply's reply already finds the kubelet going down. Controller-driven: no actor id.
 */
export function restartKubeletForSecrets(h: Day2Host, reason: string): void {
  const svc = h.node.services().find((s) => s.id === "kubelet");
  if (!svc) return;
  h.node.record({ event: "kubelet-secrets-restart", detail: reason });
  const running = !["Finished", "Failed", "Skipped"].includes(svc.state);
  if (!running) {
    startService(h, "kubelet", "", true);
    return;
  }
  void stopService(h, "kubelet", "").then(() => startService(h, "kubelet", "", true));
}
