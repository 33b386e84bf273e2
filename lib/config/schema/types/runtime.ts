// Field table for the `runtime` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const RUNTIME_TYPES: TypeTable = {
  "runtime.DiskSelectorSpec": {
    fields: {
      match: { t: "string", since: "1.14", doc: "CEL expression choosing the install disk, e.g. `disk.size > 100u * GB`." },
    },
  },
  "runtime.EnvironmentV1Alpha1": {
    fields: {
      variables: { t: "map[string]", since: "1.13", doc: "Environment variables for Talos services, e.g. https_proxy." },
    },
  },
  "runtime.EtcFileConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Path of the file under /etc, e.g. motd." },
      mode: { t: "integer", since: "1.14", doc: "File mode, e.g. 0o644." },
      contents: { t: "string", since: "1.14", doc: "Contents of the file." },
    },
  },
  "runtime.EventSinkV1Alpha1": {
    fields: {
      endpoint: { t: "string", doc: "gRPC receiver of Talos events, host:port." },
    },
  },
  "runtime.InstallerSpec": {
    fields: {
      image: { t: "string", since: "1.14", doc: "Installer image, e.g. factory.talos.dev/metal-installer/<schematic>:v1.14.0." },
    },
  },
  "runtime.KernelModuleConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Kernel module to load, e.g. drbd." },
      parameters: { t: "[]string", since: "1.14", doc: "Module parameters, e.g. [\"max_vfs=8\"]." },
    },
  },
  "runtime.KmsgLogV1Alpha1": {
    fields: {
      name: { t: "string", doc: "Name of the kernel log destination." },
      url: { t: "url(tcp|udp)", doc: "Receiver URL, e.g. udp://10.0.0.1:6050." },
    },
  },
  "runtime.OOMV1Alpha1": {
    fields: {
      triggerExpression: { t: "string", since: "1.12", doc: "CEL expression over memory pressure that triggers the OOM handler." },
      cgroupRankingExpression: { t: "string", since: "1.12", doc: "CEL expression ranking cgroups to pick the victim." },
      strictCgroupClassOrdering: { t: "boolean", since: "1.12", doc: "Never kill a higher-class cgroup while a lower-class one exists." },
      sampleInterval: { t: "duration", since: "1.12", doc: "How often memory pressure is sampled, e.g. 100ms." },
    },
  },
  "runtime.ProvisioningSpec": {
    fields: {
      diskSelector: { t: "runtime.DiskSelectorSpec", since: "1.14", doc: "Selects the disk to install on." },
      wipe: { t: "boolean", since: "1.14", doc: "Wipe the disk before installing." },
    },
  },
  "runtime.SecurityProfileConfigV1Alpha1": {
    fields: {
      workloadIsolation: { t: "boolean", since: "1.14", doc: "Isolate workloads from Talos's own processes more strictly." },
    },
  },
  "runtime.SysctlConfigV1Alpha1": {
    fields: {
      params: { t: "map[string]", since: "1.14", doc: "Kernel parameters, e.g. net.ipv4.ip_forward: \"1\"." },
    },
  },
  "runtime.SysfsConfigV1Alpha1": {
    fields: {
      params: { t: "map[string]", since: "1.14", doc: "sysfs attributes, as path → value." },
    },
  },
  "runtime.UdevRulesConfigV1Alpha1": {
    fields: {
      rules: { t: "[]string", since: "1.14", doc: "udev rules, one rule per string." },
    },
  },
  "runtime.UnattendedInstallConfigV1Alpha1": {
    fields: {
      reboot: { t: "boolean", since: "1.14", doc: "Reboot into the installed system when installation finishes." },
      installer: { t: "runtime.InstallerSpec", since: "1.14", doc: "Installer image to use." },
      provisioning: { t: "runtime.ProvisioningSpec", since: "1.14", doc: "Disk selection and wiping." },
    },
  },
  "runtime.WatchdogTimerV1Alpha1": {
    fields: {
      device: { t: "string", doc: "Watchdog device, e.g. /dev/watchdog0." },
      timeout: { t: "duration", doc: "Reboot the node if the watchdog is not fed within this time, e.g. 5m." },
    },
  },
};
