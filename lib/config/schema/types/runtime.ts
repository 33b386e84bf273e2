// Field table for the `runtime` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const RUNTIME_TYPES: TypeTable = {
  "runtime.DiskSelectorSpec": {
    doc: "",
    fields: {
      match: { t: "string", since: "1.14", doc: "" },
    },
  },
  "runtime.EnvironmentV1Alpha1": {
    doc: "",
    fields: {
      variables: { t: "map[string]", since: "1.13", doc: "" },
    },
  },
  "runtime.EtcFileConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      mode: { t: "integer", since: "1.14", doc: "" },
      contents: { t: "string", since: "1.14", doc: "" },
    },
  },
  "runtime.EventSinkV1Alpha1": {
    doc: "",
    fields: {
      endpoint: { t: "string", doc: "" },
    },
  },
  "runtime.InstallerSpec": {
    doc: "",
    fields: {
      image: { t: "string", since: "1.14", doc: "" },
    },
  },
  "runtime.KernelModuleConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      parameters: { t: "[]string", since: "1.14", doc: "" },
    },
  },
  "runtime.KmsgLogV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", doc: "" },
      url: { t: "url(tcp|udp)", doc: "" },
    },
  },
  "runtime.OOMV1Alpha1": {
    doc: "",
    fields: {
      triggerExpression: { t: "string", since: "1.12", doc: "" },
      cgroupRankingExpression: { t: "string", since: "1.12", doc: "" },
      strictCgroupClassOrdering: { t: "boolean", since: "1.12", doc: "" },
      sampleInterval: { t: "duration", since: "1.12", doc: "" },
    },
  },
  "runtime.ProvisioningSpec": {
    doc: "",
    fields: {
      diskSelector: { t: "runtime.DiskSelectorSpec", since: "1.14", doc: "" },
      wipe: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "runtime.SecurityProfileConfigV1Alpha1": {
    doc: "",
    fields: {
      workloadIsolation: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "runtime.SysctlConfigV1Alpha1": {
    doc: "",
    fields: {
      params: { t: "map[string]", since: "1.14", doc: "" },
    },
  },
  "runtime.SysfsConfigV1Alpha1": {
    doc: "",
    fields: {
      params: { t: "map[string]", since: "1.14", doc: "" },
    },
  },
  "runtime.UdevRulesConfigV1Alpha1": {
    doc: "",
    fields: {
      rules: { t: "[]string", since: "1.14", doc: "" },
    },
  },
  "runtime.UnattendedInstallConfigV1Alpha1": {
    doc: "",
    fields: {
      reboot: { t: "boolean", since: "1.14", doc: "" },
      installer: { t: "runtime.InstallerSpec", since: "1.14", doc: "" },
      provisioning: { t: "runtime.ProvisioningSpec", since: "1.14", doc: "" },
    },
  },
  "runtime.WatchdogTimerV1Alpha1": {
    doc: "",
    fields: {
      device: { t: "string", doc: "" },
      timeout: { t: "duration", doc: "" },
    },
  },
};
