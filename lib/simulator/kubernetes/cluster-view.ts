/**
 * What the simulated cluster's parts (controllers, pod operations, Talos's own drain) need of
 * the cluster: an interface here, so they depend on it and the cluster on them, never in a circle.
 */
import type { Clock } from "../../utils/clock";
import type { TimerSet } from "../clock";
import type { SimNode } from "../node-state";
import type { ConfigImages } from "./config-images";
import type { Pdb, Pod } from "./objects";
import type { ObjectStore } from "./store";

export interface KubeTiming {
  /** A new or restarted pod (or kubelet) takes this long to become Ready. */
  podStartMs: number;
  /** A deleted pod with a grace period stays Terminating this long. */
  terminationMs: number;
  /** Talos's own drain: its timeout (DrainTimeout, 5 min) and the pause after a 429 (5 s). */
  talosDrainMs: number;
  talosEvictRetryMs: number;
}

/** What the cluster keeps per Talos node beyond the Node object. */
export interface NodeKubeState {
  configHash: string;
  images: ConfigImages;
  /** The image the running kubelet started from (lags `images.kubelet` during a restart). */
  kubeletImage: string;
  kubeletRestarting: boolean;
  /** Static pod components restarting after a config change. */
  staticRestarting: Set<string>;
  /** Static pod component → the image its running container has. */
  staticImages: Record<string, string>;
}

export type KubeletState = { status: "True" | "False" | "Unknown"; reason: string; message: string };

export const STATIC_COMPONENTS = [
  ["kube-apiserver", "apiServer"],
  ["kube-controller-manager", "controllerManager"],
  ["kube-scheduler", "scheduler"],
] as const;
export type StaticComponent = (typeof STATIC_COMPONENTS)[number][0];

export interface KubeClusterView {
  readonly name: string;
  readonly clock: Clock;
  readonly timing: KubeTiming;
  readonly store: ObjectStore;
  readonly timers: TimerSet;
  readonly controllers: {
    terminate(p: Pod, graceSeconds: number | undefined): Pod;
    pdbStatus(b: Readonly<Pdb>): Pdb["status"];
  };
  readonly apiDown: boolean;
  nodeState(n: SimNode): NodeKubeState;
  simNode(hostname: string): SimNode | undefined;
  nodeIndex(hostname: string): number;
  nodeReady(hostname: string): boolean;
  scheduleReconcile(): void;
}
