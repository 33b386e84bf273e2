/**
 * machine.LifecycleService/Upgrade and machine.ImageService/Pull (api/machine/lifecycle.proto and image.proto, 1.13+):
 * the installer writes the new version to the boot disk and nothing visible changes until the
 * next Reboot boots it. Nodes older than 1.13 answer UNIMPLEMENTED, as they have no such service.
 */
import type { UntypedServiceImplementation } from "@grpc/grpc-js";

import {
  type ImageServicePullRequest,
  type ImageServicePullResponse,
  ImageServicePullLayerProgress_Status as LayerStatus,
} from "../../third_party/talos-proto/gen/machine/image";
import type {
  LifecycleServiceInstallRequest,
  LifecycleServiceInstallResponse,
  LifecycleServiceUpgradeRequest,
  LifecycleServiceUpgradeResponse,
} from "../../third_party/talos-proto/gen/machine/lifecycle";
import { invalidArgument, SimError, unimplemented } from "../errors";
import type { SimNode } from "../node-state";
import { type HandlerEnv, serverStream, type StreamSink } from "../proxy";
import { hasLifecycleService } from "../../talos/features";
import { versionFromImage } from "../../talos/upgrade";
import { status as grpcStatus } from "@grpc/grpc-js";

function requireService(node: SimNode, service: string): void {
  if (!hasLifecycleService(node.runningVersion)) throw unimplemented(`unknown service machine.${service}`);
}

const wait = (node: SimNode, sink: StreamSink<unknown>, ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    sink.onAbort(() => {
      clearTimeout(t);
      resolve();
    });
  });

const msg = (message: string): LifecycleServiceUpgradeResponse => ({ progress: { response: { $case: "message", message } } });
const exit = (exitCode: number): LifecycleServiceUpgradeResponse => ({ progress: { response: { $case: "exitCode", exitCode } } });

async function runUpgrade(node: SimNode, req: LifecycleServiceUpgradeRequest, sink: StreamSink<LifecycleServiceUpgradeResponse>): Promise<void> {
  requireService(node, "LifecycleService");
  const image = req.source?.imageName ?? "";
  const target = node.beginInstall(image);
  const fails = node.faults.upgradeFails;
  const step = node.timing.upgradeMs / 5;
  let outcome: "ok" | "failed" | "aborted" = "aborted";
  try {
    const steps = [
      `pulling installer image ${image}`,
      `validating installer image ${image}`,
      `running installer for ${target}`,
      "creating boot assets",
      "installing bootloader",
    ];
    for (const [i, line] of steps.entries()) {
      if (sink.aborted) return;
      sink.write(msg(line));
      await wait(node, sink, step);
      if (fails && i === 2) {
        if (fails.mode === "error") {
          outcome = "failed";
          throw new SimError(grpcStatus.INTERNAL, `installer failed: simulated failure (exit status ${fails.exitCode})`);
        }
        sink.write(msg(`installer failed: exit status ${fails.exitCode}`));
        sink.write(exit(fails.exitCode));
        outcome = "failed";
        return;
      }
    }
    if (sink.aborted) return;
    sink.write(msg(`upgrade to ${target} installed; reboot to activate it`));
    sink.write(exit(0));
    outcome = "ok";
  } finally {
    node.finishInstall(target, outcome, fails ? `exit status ${fails.exitCode}` : "");
  }
}

async function runPull(node: SimNode, req: ImageServicePullRequest, sink: StreamSink<ImageServicePullResponse>): Promise<void> {
  requireService(node, "ImageService");
  const ref = req.imageRef.trim();
  if (!ref) throw invalidArgument("image_ref is required");
  if (!/^[a-z0-9]([a-z0-9._\-/:@]*[a-zA-Z0-9._-])?$/.test(ref)) throw invalidArgument(`failed to parse image reference ${JSON.stringify(ref)}`);
  // Installer images carry a Talos version tag; other images are pulled as-is.
  if (ref.includes("installer") && !versionFromImage(ref)) throw new SimError(grpcStatus.NOT_FOUND, `failed to resolve reference ${JSON.stringify(ref)}: not found`);
  const layers = ["sha256:3f1a", "sha256:9b2c", "sha256:c0de"].map((l, i) => `${l}${String(i).repeat(60)}`);
  const total = 48_000_000;
  const steps = 4;
  const stepMs = node.timing.upgradeMs / 2 / (steps + 1);
  for (let s = 1; s <= steps; s++) {
    for (const layerId of layers) {
      if (sink.aborted) return;
      const done = s === steps;
      sink.write({
        response: {
          $case: "pullProgress",
          pullProgress: {
            layerId,
            progress: {
              status: done ? LayerStatus.EXTRACT_COMPLETE : s === steps - 1 ? LayerStatus.EXTRACTING : LayerStatus.DOWNLOADING,
              elapsed: { seconds: String(Math.floor((s * stepMs) / 1000)), nanos: Math.floor(((s * stepMs) % 1000) * 1e6) },
              offset: String(Math.round((total * Math.min(s, steps - 1)) / (steps - 1))),
              total: String(total),
            },
          },
        },
      });
    }
    await wait(node, sink, stepMs);
  }
  if (!sink.aborted) sink.write({ response: { $case: "name", name: ref.includes(":") || ref.includes("@") ? ref : `${ref}:latest` } });
}

export function lifecycleServiceImpl(env: HandlerEnv): UntypedServiceImplementation {
  return {
    upgrade: serverStream<LifecycleServiceUpgradeRequest, LifecycleServiceUpgradeResponse>(env, "/machine.LifecycleService/Upgrade", (_c, n, req, sink) => runUpgrade(n, req, sink)),
    install: serverStream<LifecycleServiceInstallRequest, LifecycleServiceInstallResponse>(env, "/machine.LifecycleService/Install", async (_c, n) => {
      requireService(n, "LifecycleService");
      throw new SimError(grpcStatus.FAILED_PRECONDITION, "the system is already installed");
    }),
  };
}

export function imageServiceImpl(env: HandlerEnv): UntypedServiceImplementation {
  return {
    pull: serverStream<ImageServicePullRequest, ImageServicePullResponse>(env, "/machine.ImageService/Pull", (_c, n, req, sink) => runPull(n, req, sink)),
  };
}
