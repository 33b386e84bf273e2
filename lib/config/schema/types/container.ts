// Field table for the `container` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const CONTAINER_TYPES: TypeTable = {
  "container.ContainerCapabilities": {
    doc: "",
    fields: {
      add: { t: "[]string", since: "1.14", doc: "" },
      drop: { t: "[]string", since: "1.14", doc: "" },
    },
  },
  "container.ContainerConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", doc: "" },
      image: { t: "string", since: "1.14", doc: "" },
      entrypoint: { t: "[]string", since: "1.14", doc: "" },
      args: { t: "[]string", since: "1.14", doc: "" },
      workingDir: { t: "string", since: "1.14", doc: "" },
      runAs: { t: "container.ContainerRunAs", since: "1.14", doc: "" },
      environment: { t: "[]string", since: "1.14", doc: "" },
      mounts: { t: "[]container.ContainerMount", since: "1.14", doc: "" },
      security: { t: "container.ContainerSecurity", since: "1.14", doc: "" },
      network: { t: "container.ContainerNetwork", since: "1.14", doc: "" },
      resources: { t: "container.ContainerResources", since: "1.14", doc: "" },
      dependsOn: { t: "container.ContainerDependsOn", since: "1.14", doc: "" },
    },
  },
  "container.ContainerDependsOn": {
    doc: "",
    fields: {
      paths: { t: "[]string", since: "1.14", doc: "" },
      networks: { t: "[]enum(addresses|connectivity|hostname|etcfiles)", since: "1.14", doc: "" },
      time: { t: "boolean", since: "1.14", doc: "" },
      containers: { t: "[]string", since: "1.14", doc: "" },
    },
  },
  "container.ContainerMount": {
    doc: "",
    fields: {
      userVolume: { t: "container.UserVolumeMount", since: "1.14", doc: "" },
      tmpfs: { t: "container.TmpfsMount", since: "1.14", doc: "" },
      hostPath: { t: "container.HostPathMount", since: "1.14", doc: "" },
    },
  },
  "container.ContainerNetwork": {
    doc: "",
    fields: {
      mode: { t: "string", since: "1.14", doc: "" },
    },
  },
  "container.ContainerResourceLimits": {
    doc: "",
    fields: {
      cpu: { t: "string", since: "1.14", doc: "" },
      memory: { t: "string", since: "1.14", doc: "" },
    },
  },
  "container.ContainerResources": {
    doc: "",
    fields: {
      limits: { t: "container.ContainerResourceLimits", since: "1.14", doc: "" },
    },
  },
  "container.ContainerRunAs": {
    doc: "",
    fields: {
      uid: { t: "integer", since: "1.14", doc: "" },
      gid: { t: "integer", since: "1.14", doc: "" },
    },
  },
  "container.ContainerSecurity": {
    doc: "",
    fields: {
      profile: { t: "string", since: "1.14", doc: "" },
      capabilities: { t: "container.ContainerCapabilities", since: "1.14", doc: "" },
    },
  },
  "container.HostPathMount": {
    doc: "",
    fields: {
      source: { t: "string", since: "1.14", doc: "" },
      destination: { t: "string", since: "1.14", doc: "" },
      options: { t: "[]string", since: "1.14", doc: "" },
    },
  },
  "container.TmpfsMount": {
    doc: "",
    fields: {
      destination: { t: "string", since: "1.14", doc: "" },
      size: { t: "string", since: "1.14", doc: "" },
      options: { t: "[]string", since: "1.14", doc: "" },
    },
  },
  "container.UserVolumeMount": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", doc: "" },
      destination: { t: "string", since: "1.14", doc: "" },
      options: { t: "[]enum(ro|rw|noexec|nosuid|nodev|noatime|rbind|rshared)", since: "1.14", doc: "" },
    },
  },
};
