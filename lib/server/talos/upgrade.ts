import "server-only";

import { AppError } from "@/lib/server/platform/errors";

import type { ContainerdTarget, ImagePullEvent } from "./api/image";
import { imagePull } from "./api/image";
import { lifecycleUpgrade } from "./api/lifecycle";
import { reboot, upgradeLegacy, version as readVersion } from "./api/machine";
import { installerExitError, toAppError } from "./errors";
import type { TalosTransport } from "./transport";
import { upgradePathFor, type UpgradePath } from "@/lib/talos/upgrade";

export interface UpgradeOptions {
  /** Installer image, e.g. `factory.talos.dev/metal-installer/<schematic>:v1.14.0`. */
  image: string;
  /** Reboot mode after the install (lifecycle path) or for the legacy upgrade's kexec. */
  rebootMode?: "default" | "powercycle";
  /** Legacy path only: skip the upgrade mutex and etcd health checks on control planes. */
  force?: boolean;
  /** Legacy path only: skip the etcd pre-checks (`preserve`). */
  preserve?: boolean;
  /** Stage the upgrade for the next boot. LifecycleService cannot stage, so this takes the legacy path. */
  stage?: boolean;
  /** Where the installer image is pulled (talosctl's default: `system`). */
  containerd?: ContainerdTarget;
  /** Lifecycle path: install but do not reboot (talosctl `--no-reboot`). */
  noReboot?: boolean;
  /** Cancels whatever step is running; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called for every step and progress message. */
  onProgress?: (event: UpgradeProgress) => void;
  /** Per-step deadlines in ms (defaults: the client's timeouts). */
  timeouts?: { version?: number; pull?: number; install?: number; reboot?: number; legacy?: number };
}

export type UpgradeProgress =
  | { step: "version"; version: string; path: UpgradePath }
  | { step: "pull"; event: ImagePullEvent }
  | { step: "install"; message: string }
  | { step: "installed" }
  | { step: "reboot"; actorId: string }
  | { step: "legacy"; ack: string; actorId: string };

export interface UpgradeResult {
  node: string;
  path: UpgradePath;
  /** The node's version before the upgrade. */
  fromVersion: string;
  image: string;
  /** The actor id of the Reboot (lifecycle) or of the legacy Upgrade: follow it in `events`. */
  actorId: string;
  /** Legacy path: Talos's acknowledgement ("Upgrade request received"). */
  ack?: string;
  /** Lifecycle path: the image name containerd reported after the pull. */
  pulledImage?: string;
  /** Lifecycle path: the installer's progress messages. */
  installerOutput: string[];
  rebooted: boolean;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

/**
 * Upgrades one node as talosctl does (cmd/talosctl/cmd/talos/upgrade.go): reads its Version, then either
 * ImageService/Pull → LifecycleService/Upgrade (stream until `exit_code`; nonzero fails with the
 * installer's meaning) → Reboot, or the legacy MachineService/Upgrade for nodes not newer than
 * v1.13.0-alpha.2 and for staged upgrades. Returns once the reboot (or legacy upgrade) has been
 * accepted; following the node back up is the caller's job (events / MachineStatus / BootID).
 */
export async function upgradeNode(t: TalosTransport, node: string, opts: UpgradeOptions): Promise<UpgradeResult> {
  const { signal, onProgress } = opts;
  if (!opts.image.trim()) throw new AppError("bad_request", "upgrade: an installer image is required", { node });
  throwIfAborted(signal);

  const version = await readVersion(t, node, { signal, timeoutMs: opts.timeouts?.version });
  const path: UpgradePath = opts.stage ? "legacy" : upgradePathFor(version.tag);
  onProgress?.({ step: "version", version: version.tag, path });
  const base = { node, path, fromVersion: version.tag, image: opts.image, installerOutput: [] as string[] };

  if (path === "legacy") {
    const res = await upgradeLegacy(t, node, {
      image: opts.image,
      stage: opts.stage ?? false,
      force: opts.force ?? false,
      preserve: opts.preserve ?? false,
      rebootMode: opts.rebootMode ?? "default",
      signal,
      timeoutMs: opts.timeouts?.legacy,
    });
    onProgress?.({ step: "legacy", ack: res.ack, actorId: res.actorId });
    return { ...base, actorId: res.actorId, ack: res.ack, rebooted: true };
  }

  // 1. Pull the installer image.
  let pulledImage: string | undefined;
  for await (const ev of imagePull(t, node, { image: opts.image, containerd: opts.containerd, signal, timeoutMs: opts.timeouts?.pull })) {
    onProgress?.({ step: "pull", event: ev });
    if (ev.type === "done") pulledImage = ev.name;
  }
  throwIfAborted(signal);
  if (pulledImage === undefined) throw new AppError("internal", `image pull of ${opts.image} ended without the image name`, { node });

  // 2. Run the installer.
  let exitCode: number | undefined;
  for await (const ev of lifecycleUpgrade(t, node, { image: pulledImage || opts.image, containerd: opts.containerd, signal, timeoutMs: opts.timeouts?.install })) {
    if (ev.type === "message") {
      base.installerOutput.push(ev.message);
      onProgress?.({ step: "install", message: ev.message });
    } else {
      exitCode = ev.exitCode;
    }
  }
  throwIfAborted(signal);
  if (exitCode === undefined) throw new AppError("internal", "the installer stream ended without an exit code", { node });
  if (exitCode !== 0) throw installerExitError(exitCode, node, base.installerOutput.at(-1));
  onProgress?.({ step: "installed" });

  if (opts.noReboot) return { ...base, pulledImage, actorId: "", rebooted: false };

  // 3. Reboot into the new image.
  try {
    const { actorId } = await reboot(t, node, { mode: opts.rebootMode ?? "default", signal, timeoutMs: opts.timeouts?.reboot });
    onProgress?.({ step: "reboot", actorId });
    return { ...base, pulledImage, actorId, rebooted: true };
  } catch (err) {
    const e = toAppError(err, node);
    throw new AppError(e.code, `installed, but the reboot failed: ${e.message}`, { node, details: e.details, cause: e });
  }
}
