// Field table for the `container` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const CONTAINER_TYPES: TypeTable = {
  "container.ContainerCapabilities": {
    fields: {
      add: { t: "[]string", since: "1.14", doc: "Linux capabilities to add, e.g. CAP_NET_ADMIN." },
      drop: { t: "[]string", since: "1.14", doc: "Linux capabilities to drop." },
    },
  },
  "container.ContainerConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", doc: "Name of the container service." },
      image: { t: "string", since: "1.14", doc: "Container image to run." },
      entrypoint: { t: "[]string", since: "1.14", doc: "Command to run, overriding the image entrypoint." },
      args: { t: "[]string", since: "1.14", doc: "Arguments passed to the entrypoint." },
      workingDir: { t: "string", since: "1.14", doc: "Working directory inside the container." },
      runAs: { t: "container.ContainerRunAs", since: "1.14", doc: "User and group the container runs as." },
      environment: { t: "[]string", since: "1.14", doc: "Environment variables, as NAME=value strings." },
      mounts: { t: "[]container.ContainerMount", since: "1.14", doc: "Volumes mounted into the container." },
      security: { t: "container.ContainerSecurity", since: "1.14", doc: "Security profile and Linux capabilities." },
      network: { t: "container.ContainerNetwork", since: "1.14", doc: "Network namespace of the container." },
      resources: { t: "container.ContainerResources", since: "1.14", doc: "Resource limits of the container." },
      dependsOn: { t: "container.ContainerDependsOn", since: "1.14", doc: "Conditions that must hold before the container starts." },
    },
  },
  "container.ContainerDependsOn": {
    fields: {
      paths: { t: "[]string", since: "1.14", doc: "Paths that must exist before starting." },
      networks: { t: "[]enum(addresses|connectivity|hostname|etcfiles)", since: "1.14", doc: "Network conditions to wait for: addresses, connectivity, hostname, etcfiles." },
      time: { t: "boolean", since: "1.14", doc: "Wait for time synchronization." },
      containers: { t: "[]string", since: "1.14", doc: "Other containers that must be running first." },
    },
  },
  "container.ContainerMount": {
    fields: {
      userVolume: { t: "container.UserVolumeMount", since: "1.14", doc: "Mount a user volume." },
      tmpfs: { t: "container.TmpfsMount", since: "1.14", doc: "Mount a tmpfs." },
      hostPath: { t: "container.HostPathMount", since: "1.14", doc: "Bind-mount a host path." },
    },
  },
  "container.ContainerNetwork": {
    fields: {
      mode: { t: "string", since: "1.14", doc: "Network mode, e.g. host." },
    },
  },
  "container.ContainerResourceLimits": {
    fields: {
      cpu: { t: "string", since: "1.14", doc: "CPU limit, e.g. 500m or 2." },
      memory: { t: "string", since: "1.14", doc: "Memory limit, e.g. 256Mi." },
    },
  },
  "container.ContainerResources": {
    fields: {
      limits: { t: "container.ContainerResourceLimits", since: "1.14", doc: "Resource limits." },
    },
  },
  "container.ContainerRunAs": {
    fields: {
      uid: { t: "integer", since: "1.14", doc: "User ID." },
      gid: { t: "integer", since: "1.14", doc: "Group ID." },
    },
  },
  "container.ContainerSecurity": {
    fields: {
      profile: { t: "string", since: "1.14", doc: "Security profile name." },
      capabilities: { t: "container.ContainerCapabilities", since: "1.14", doc: "Linux capabilities to add or drop." },
    },
  },
  "container.HostPathMount": {
    fields: {
      source: { t: "string", since: "1.14", doc: "Path on the host." },
      destination: { t: "string", since: "1.14", doc: "Destination path inside the container or node." },
      options: { t: "[]string", since: "1.14", doc: "Mount options." },
    },
  },
  "container.TmpfsMount": {
    fields: {
      destination: { t: "string", since: "1.14", doc: "Destination path inside the container or node." },
      size: { t: "string", since: "1.14", doc: "Size of the tmpfs, e.g. 64Mi." },
      options: { t: "[]string", since: "1.14", doc: "Mount options." },
    },
  },
  "container.UserVolumeMount": {
    fields: {
      name: { t: "string", since: "1.14", doc: "Name of the user volume." },
      destination: { t: "string", since: "1.14", doc: "Destination path inside the container or node." },
      options: { t: "[]enum(ro|rw|noexec|nosuid|nodev|noatime|rbind|rshared)", since: "1.14", doc: "Mount options: ro, rw, noexec, nosuid, nodev, noatime, rbind, rshared." },
    },
  },
};
