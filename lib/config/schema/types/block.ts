// Field table for the `block` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const BLOCK_TYPES: TypeTable = {
  "block.DiskSelector": {
    doc: "",
    fields: {
      match: { t: "string", doc: "" },
    },
  },
  "block.EncryptionKey": {
    doc: "",
    fields: {
      slot: { t: "integer", doc: "" },
      static: { t: "block.EncryptionKeyStatic", doc: "" },
      nodeID: { t: "block.EncryptionKeyNodeID", doc: "" },
      kms: { t: "block.EncryptionKeyKMS", doc: "" },
      tpm: { t: "block.EncryptionKeyTPM", doc: "" },
      lockToState: { t: "boolean", since: "1.11", doc: "" },
    },
  },
  "block.EncryptionKeyKMS": {
    doc: "",
    fields: {
      endpoint: { t: "string", doc: "" },
    },
  },
  "block.EncryptionKeyNodeID": {
    doc: "",
    fields: {},
  },
  "block.EncryptionKeyStatic": {
    doc: "",
    fields: {
      passphrase: { t: "string", doc: "" },
    },
  },
  "block.EncryptionKeyTPM": {
    doc: "",
    fields: {
      checkSecurebootStatusOnEnroll: { t: "boolean", doc: "" },
      options: { t: "block.EncryptionKeyTPMOptions", since: "1.12", doc: "" },
    },
  },
  "block.EncryptionKeyTPMOptions": {
    doc: "",
    fields: {
      pcrs: { t: "[]integer", since: "1.12", doc: "" },
    },
  },
  "block.EncryptionSpec": {
    doc: "",
    fields: {
      provider: { t: "enum(luks2)", doc: "" },
      keys: { t: "[]block.EncryptionKey", doc: "" },
      cipher: { t: "enum(aes-xts-plain64|xchacha12,aes-adiantum-plain64|xchacha20,aes-adiantum-plain64)", doc: "" },
      keySize: { t: "integer", doc: "" },
      blockSize: { t: "integer", doc: "" },
      options: { t: [["1.10", "[]enum(no_read_workqueue|no_write_workqueue|same_cpu_crypt)"], ["1.13", "[]string"]], doc: "" },
      allowDiscards: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "block.ExistingMountSpec": {
    doc: "",
    fields: {
      readOnly: { t: "boolean", since: "1.13", doc: "" },
      disableAccessTime: { t: "boolean", since: "1.13", doc: "" },
      secure: { t: "boolean", since: "1.13", doc: "" },
    },
  },
  "block.ExistingVolumeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.11", doc: "" },
      discovery: { t: "block.VolumeDiscoverySpec", since: "1.11", doc: "" },
      mount: { t: [["1.11", "block.MountSpec"], ["1.13", "block.ExistingMountSpec"]], since: "1.11", doc: "" },
      trim: { t: "block.TrimConfig", since: "1.14", doc: "" },
      scrub: { t: "block.ScrubConfig", since: "1.14", doc: "" },
    },
  },
  "block.ExternalMountSpec": {
    doc: "",
    fields: {
      readOnly: { t: "boolean", since: "1.13", doc: "" },
      disableAccessTime: { t: "boolean", since: "1.13", doc: "" },
      secure: { t: "boolean", since: "1.13", doc: "" },
      virtiofs: { t: "block.VirtiofsMountSpec", since: "1.13", doc: "" },
    },
  },
  "block.ExternalVolumeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.13", doc: "" },
      filesystemType: { t: "enum(virtiofs)", since: "1.13", doc: "" },
      mount: { t: "block.ExternalMountSpec", since: "1.13", doc: "" },
    },
  },
  "block.FilesystemScrubConfigV1Alpha1": {
    doc: "",
    fields: {
      interval: { t: "duration", since: "1.14", doc: "" },
    },
  },
  "block.FilesystemSpec": {
    doc: "",
    fields: {
      type: { t: [["1.10", "enum(ext4|xfs)"], ["1.14", "enum(ext4|xfs|btrfs)"]], doc: "" },
      projectQuotaSupport: { t: "boolean", since: "1.11", doc: "" },
      xfs: { t: "block.XFSSpec", since: "1.14", doc: "" },
    },
  },
  "block.FilesystemTrimConfigV1Alpha1": {
    doc: "",
    fields: {
      interval: { t: "duration", since: "1.14", doc: "" },
    },
  },
  "block.MountSpec": {
    doc: "",
    fields: {
      readOnly: { t: "boolean", since: "1.11", until: "1.12", doc: "" },
      secure: { t: "boolean", since: "1.13", doc: "" },
      disableAccessTime: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "block.ProvisioningSpec": {
    doc: "",
    fields: {
      diskSelector: { t: "block.DiskSelector", doc: "" },
      grow: { t: "boolean", doc: "" },
      minSize: { t: "size", doc: "" },
      maxSize: { t: "size", doc: "" },
    },
  },
  "block.RawVolumeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.11", doc: "" },
      provisioning: { t: "block.ProvisioningSpec", since: "1.11", doc: "" },
      encryption: { t: "block.EncryptionSpec", since: "1.11", doc: "" },
    },
  },
  "block.ScrubConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "" },
      interval: { t: "duration", since: "1.14", doc: "" },
    },
  },
  "block.SwapVolumeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.11", doc: "" },
      provisioning: { t: "block.ProvisioningSpec", since: "1.11", doc: "" },
      encryption: { t: "block.EncryptionSpec", since: "1.11", doc: "" },
    },
  },
  "block.SystemVolumeFilesystemSpec": {
    doc: "",
    fields: {
      xfs: { t: "block.XFSSpec", since: "1.14", doc: "" },
    },
  },
  "block.TrimConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "" },
      interval: { t: "duration", since: "1.14", doc: "" },
    },
  },
  "block.UserMountSpec": {
    doc: "",
    fields: {
      disableAccessTime: { t: "boolean", since: "1.13", doc: "" },
      secure: { t: "boolean", since: "1.13", doc: "" },
    },
  },
  "block.UserVolumeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", doc: "" },
      provisioning: { t: "block.ProvisioningSpec", doc: "" },
      filesystem: { t: "block.FilesystemSpec", doc: "" },
      encryption: { t: "block.EncryptionSpec", doc: "" },
      volumeType: { t: "enum(directory|disk|partition)", since: "1.12", doc: "" },
      mount: { t: "block.UserMountSpec", since: "1.13", doc: "" },
      trim: { t: "block.TrimConfig", since: "1.14", doc: "" },
      scrub: { t: "block.ScrubConfig", since: "1.14", doc: "" },
    },
  },
  "block.VirtiofsMountSpec": {
    doc: "",
    fields: {
      tag: { t: "string", since: "1.13", doc: "" },
    },
  },
  "block.VolumeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", doc: "" },
      provisioning: { t: "block.ProvisioningSpec", doc: "" },
      encryption: { t: "block.EncryptionSpec", since: "1.11", doc: "" },
      mount: { t: "block.MountSpec", since: "1.13", doc: "" },
      filesystem: { t: "block.SystemVolumeFilesystemSpec", since: "1.14", doc: "" },
      trim: { t: "block.TrimConfig", since: "1.14", doc: "" },
      scrub: { t: "block.ScrubConfig", since: "1.14", doc: "" },
    },
  },
  "block.VolumeDiscoverySpec": {
    doc: "",
    fields: {
      volumeSelector: { t: "block.VolumeSelector", since: "1.11", doc: "" },
    },
  },
  "block.VolumeSelector": {
    doc: "",
    fields: {
      match: { t: "string", since: "1.11", doc: "" },
    },
  },
  "block.XFSSpec": {
    doc: "",
    fields: {
      minAllocationGroupSize: { t: "string", since: "1.14", doc: "" },
    },
  },
  "block.ZswapConfigV1Alpha1": {
    doc: "",
    fields: {
      maxPoolPercent: { t: "integer", since: "1.11", doc: "" },
      shrinkerEnabled: { t: "boolean", since: "1.11", doc: "" },
    },
  },
};
