import "server-only";

import { ContainerDriver, ContainerdNamespace } from "@/lib/third_party/talos-proto/gen/common/common";
import { ImageServicePullLayerProgress_Status, ImageServiceService } from "@/lib/third_party/talos-proto/gen/machine/image";
import { MachineServiceService } from "@/lib/third_party/talos-proto/gen/machine/machine";

import type { CallOptions, NodeTarget, StreamOptions, TalosTransport } from "../transport";

import { num } from "./int64";

/** `machine.ImageService` (Talos 1.13+): pulling an image, e.g. the installer before an upgrade. */

/** `system` (default, as talosctl), `cri` or `inmem` (`common.ContainerdNamespace` in api/common/common.proto). */
export type ContainerdTarget = "system" | "cri" | "inmem";

/** The `common.ContainerdInstance` message for a target (ImageService and LifecycleService take one). */
export function containerdInstance(target: ContainerdTarget = "system") {
  switch (target) {
    case "cri":
      return { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_CRI };
    case "inmem":
      return { driver: ContainerDriver.CONTAINERD, namespace: ContainerdNamespace.NS_SYSTEM };
    default:
      return { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_SYSTEM };
  }
}

export type ImagePullEvent =
  | { type: "done"; name: string }
  | {
      type: "progress";
      layerId: string;
      status: "downloading" | "download_complete" | "extracting" | "extract_complete" | "already_exists";
      offset: number;
      total: number;
    };

const pullStatus = {
  [ImageServicePullLayerProgress_Status.DOWNLOADING]: "downloading",
  [ImageServicePullLayerProgress_Status.DOWNLOAD_COMPLETE]: "download_complete",
  [ImageServicePullLayerProgress_Status.EXTRACTING]: "extracting",
  [ImageServicePullLayerProgress_Status.EXTRACT_COMPLETE]: "extract_complete",
  [ImageServicePullLayerProgress_Status.ALREADY_EXISTS]: "already_exists",
} as const;

/** Layer progress while pulling, then one `done` with the resolved image name. */
export async function* imagePull(t: TalosTransport, node: NodeTarget, opts: StreamOptions & { image: string; containerd?: ContainerdTarget }): AsyncGenerator<ImagePullEvent> {
  const req = { containerd: containerdInstance(opts.containerd), imageRef: opts.image };
  const streamOpts = { signal: opts.signal, timeoutMs: opts.timeoutMs ?? t.timeouts.imagePull };
  for await (const m of t.stream(ImageServiceService.pull, req, node, streamOpts)) {
    const r = m.response;
    if (r?.$case === "name") yield { type: "done", name: r.name };
    else if (r?.$case === "pullProgress") {
      const p = r.pullProgress.progress;
      yield {
        type: "progress",
        layerId: r.pullProgress.layerId,
        status: pullStatus[p?.status as keyof typeof pullStatus] ?? "downloading",
        offset: num(p?.offset),
        total: num(p?.total),
      };
    }
  }
}

/**
 * The legacy `MachineService/ImagePull` (operator; every version, deprecated for ImageService/Pull
 * from 1.13 and removed in 1.18): one call that returns when the image is in containerd's `cri`
 * (`k8s.io`) or `system` namespace. What a Kubernetes upgrade pre-pulls with before 1.13.
 */
export async function imagePullLegacy(t: TalosTransport, node: NodeTarget, opts: CallOptions & { image: string; containerd: "system" | "cri" }): Promise<void> {
  const namespace = opts.containerd === "cri" ? ContainerdNamespace.NS_CRI : ContainerdNamespace.NS_SYSTEM;
  await t.one("ImagePull", MachineServiceService.imagePull, { namespace, reference: opts.image }, node, opts, t.timeouts.imagePull, false);
}
