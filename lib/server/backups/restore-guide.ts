import "server-only";

import type { Backup, RestoreStep } from "@/lib/schemas/backups";

/**
 * The steps to recover a cluster's control plane from one backup, after Talos's disaster-recovery
 * guide (talos.dev, Advanced › Disaster Recovery): confirm quorum is really lost, wipe the
 * EPHEMERAL partition of every control plane (etcd's data lives there), wait until etcd waits for
 * a bootstrap (service state Preparing), bootstrap ONE control plane from the snapshot with
 * `talosctl bootstrap --recover-from`; the others join by themselves. A snapshot taken with
 * EtcdSnapshot carries etcd's integrity hash, so `--recover-skip-hash-check` is not needed.
 */
export function restoreGuide(b: Backup, controlPlanes: string[]): RestoreStep[] {
  const file = b.fileName ?? "db.snapshot";
  const one = b.node?.split("@")[0] ?? controlPlanes[0] ?? "<IP>";
  const all = controlPlanes.length > 0 ? controlPlanes : ["<IP>"];
  const sha = b.sha256 ? [`sha256sum ${file}   # must print ${b.sha256}`] : [];
  return [
    {
      title: "Download the snapshot and check it",
      text: `Download this backup (${b.sizeBytes ?? "?"} bytes${b.revision !== null ? `, etcd revision ${b.revision}` : ""}, taken from ${b.memberHostname ?? "a member"} at ${b.finishedAt ?? b.startedAt}) to the machine you run talosctl on, and check its sha256.`,
      commands: sha,
    },
    {
      title: "Make sure quorum is really lost",
      text: "Recovery replaces etcd's data with the snapshot's: every change since the snapshot is lost. Only recover when etcd has lost quorum and cannot get it back (members gone for good). Check each control plane:",
      commands: all.flatMap((ip) => [`talosctl -n ${ip} etcd members`, `talosctl -n ${ip} service etcd`]),
    },
    {
      title: "Wipe etcd's data on every control plane",
      text: "Reset the EPHEMERAL partition (where etcd keeps its data) of each control plane that is still up; a node with a lost disk is reinstalled with the same machine config instead. The nodes reboot and wait for etcd to be bootstrapped.",
      commands: all.map((ip) => `talosctl -n ${ip} reset --graceful=false --reboot --system-labels-to-wipe=EPHEMERAL`),
    },
    {
      title: "Wait until etcd waits for a bootstrap",
      text: "On each control plane, the etcd service must be in state Preparing (waiting for bootstrap or recovery) before you go on.",
      commands: all.map((ip) => `talosctl -n ${ip} service etcd`),
    },
    {
      title: "Bootstrap one control plane from the snapshot",
      text: "Run this once, against ONE control plane only. talosctl prints the snapshot's hash and revision, uploads it, and etcd starts from it; the other control planes join it as new members.",
      commands: [`talosctl -n ${one} bootstrap --recover-from=./${file}`],
    },
    {
      title: "Check the cluster",
      text: "When every member is back, Kubernetes comes back with the state of the snapshot.",
      commands: [`talosctl -n ${one} etcd members`, `talosctl -n ${one} health`],
    },
  ];
}
