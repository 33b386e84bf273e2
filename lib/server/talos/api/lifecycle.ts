import "server-only";

import { LifecycleServiceService } from "@/lib/third_party/talos-proto/gen/machine/lifecycle";

import type { NodeTarget, StreamOptions, TalosTransport } from "../transport";

import { containerdInstance, type ContainerdTarget } from "./image";

/** `machine.LifecycleService` (Talos 1.13+): running the installer of an upgrade. */

export type InstallProgressEvent = { type: "message"; message: string } | { type: "exit"; exitCode: number };

/** The installer's output lines, then one `exit` with its exit code. */
export async function* lifecycleUpgrade(t: TalosTransport, node: NodeTarget, opts: StreamOptions & { image: string; containerd?: ContainerdTarget }): AsyncGenerator<InstallProgressEvent> {
  const req = { containerd: containerdInstance(opts.containerd), source: { imageName: opts.image } };
  const streamOpts = { signal: opts.signal, timeoutMs: opts.timeoutMs ?? t.timeouts.lifecycleUpgrade };
  for await (const m of t.stream(LifecycleServiceService.upgrade, req, node, streamOpts)) {
    const r = m.progress?.response;
    if (r?.$case === "message") yield { type: "message", message: r.message };
    else if (r?.$case === "exitCode") yield { type: "exit", exitCode: r.exitCode };
  }
}
