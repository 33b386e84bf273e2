// Field table for the `block` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const BLOCK_TYPES: TypeTable = {
  "block.DiskSelector": {
    fields: {
      match: { t: "string", doc: "CEL expression choosing the disk, e.g. `disk.transport == \"nvme\" && !system_disk`." },
    },
  },
  "block.EncryptionKey": {
    fields: {
      slot: { t: "integer", doc: "LUKS2 key slot number; each key needs its own slot." },
      static: { t: "block.EncryptionKeyStatic", doc: "A static passphrase stored in the config." },
      nodeID: { t: "block.EncryptionKeyNodeID", doc: "Derive the key from the node's UUID (protects against disk theft only)." },
      kms: { t: "block.EncryptionKeyKMS", doc: "Seal the key with a remote KMS server." },
      tpm: { t: "block.EncryptionKeyTPM", doc: "Seal the key with the node's TPM 2.0." },
      lockToState: { t: "boolean", since: "1.11", doc: "Bind the key to the STATE volume so the disk only unlocks on this installation." },
    },
  },
  "block.EncryptionKeyKMS": {
    fields: {
      endpoint: { t: "string", doc: "KMS server address, e.g. https://kms.example.com:443." },
    },
  },
  "block.EncryptionKeyNodeID": {
    fields: {},
  },
  "block.EncryptionKeyStatic": {
    fields: {
      passphrase: { t: "string", secret: true, doc: "The encryption passphrase." },
    },
  },
  "block.EncryptionKeyTPM": {
    fields: {
      checkSecurebootStatusOnEnroll: { t: "boolean", doc: "Refuse to enroll the TPM key unless Secure Boot is enabled." },
      options: { t: "block.EncryptionKeyTPMOptions", since: "1.12", doc: "TPM sealing options." },
    },
  },
  "block.EncryptionKeyTPMOptions": {
    fields: {
      pcrs: { t: "[]integer", since: "1.12", doc: "TPM PCR registers the key is bound to, e.g. [7]." },
    },
  },
  "block.EncryptionSpec": {
    fields: {
      provider: { t: "text(EncryptionProviderType:luks2)", doc: "Encryption provider: luks2." },
      keys: { t: "[]block.EncryptionKey", doc: "Encryption keys, each in its own LUKS2 slot." },
      cipher: { t: "enum(aes-xts-plain64|xchacha12,aes-adiantum-plain64|xchacha20,aes-adiantum-plain64)", doc: "Cipher used for encryption; defaults to aes-xts-plain64." },
      keySize: { t: "integer", doc: "Encryption key length in bits." },
      blockSize: { t: "integer", doc: "Encryption sector size in bytes." },
      options: { t: [["1.10", "[]enum(no_read_workqueue|no_write_workqueue|same_cpu_crypt)"], ["1.13", "[]string"]], doc: "Extra LUKS2 --perf options, e.g. no_read_workqueue." },
      allowDiscards: { t: "boolean", since: "1.14", doc: "Pass TRIM/discard through the encryption layer (faster SSDs; leaks usage patterns)." },
    },
  },
  "block.ExistingMountSpec": {
    fields: {
      readOnly: { t: "boolean", since: "1.13", doc: "Mount the volume read-only." },
      disableAccessTime: { t: "boolean", since: "1.13", doc: "Mount with noatime: do not update file access times." },
      secure: { t: "boolean", since: "1.13", doc: "Mount with nosuid and nodev (no setuid binaries, no device files)." },
    },
  },
  "block.ExistingVolumeConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.11", doc: "Name of the volume; it is mounted at /var/mnt/<name>." },
      discovery: { t: "block.VolumeDiscoverySpec", since: "1.11", doc: "How the existing volume is found." },
      mount: { t: [["1.11", "block.MountSpec"], ["1.13", "block.ExistingMountSpec"]], since: "1.11", doc: "How the volume is mounted." },
      trim: { t: "block.TrimConfig", since: "1.14", doc: "Periodic fstrim of the filesystem (discards unused blocks on SSDs)." },
      scrub: { t: "block.ScrubConfig", since: "1.14", doc: "Periodic filesystem scrub that verifies data integrity." },
    },
  },
  "block.ExternalMountSpec": {
    fields: {
      readOnly: { t: "boolean", since: "1.13", doc: "Mount the volume read-only." },
      disableAccessTime: { t: "boolean", since: "1.13", doc: "Mount with noatime: do not update file access times." },
      secure: { t: "boolean", since: "1.13", doc: "Mount with nosuid and nodev (no setuid binaries, no device files)." },
      virtiofs: { t: "block.VirtiofsMountSpec", since: "1.13", doc: "virtiofs source settings." },
    },
  },
  "block.ExternalVolumeConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.13", doc: "Name of the volume; it is mounted at /var/mnt/<name>." },
      filesystemType: { t: "text(FilesystemType:virtiofs)", since: "1.13", doc: "Filesystem of the external volume: virtiofs." },
      mount: { t: "block.ExternalMountSpec", since: "1.13", doc: "How the external volume is mounted." },
    },
  },
  "block.FilesystemScrubConfigV1Alpha1": {
    fields: {
      interval: { t: "duration", since: "1.14", doc: "How often filesystems are scrubbed, e.g. 168h." },
    },
  },
  "block.FilesystemSpec": {
    fields: {
      type: { t: [["1.10", "text(FilesystemType:none|xfs|ext4)"], ["1.14", "text(FilesystemType:none|xfs|ext4|btrfs)"]], doc: "Filesystem to create: ext4, xfs (default) or btrfs (1.14)." },
      projectQuotaSupport: { t: "boolean", since: "1.11", doc: "Enable project quotas (XFS), used for ephemeral-storage limits." },
      xfs: { t: "block.XFSSpec", since: "1.14", doc: "XFS-specific formatting options." },
    },
  },
  "block.FilesystemTrimConfigV1Alpha1": {
    fields: {
      interval: { t: "duration", since: "1.14", doc: "How often filesystems are trimmed, e.g. 168h." },
    },
  },
  "block.MountSpec": {
    fields: {
      readOnly: { t: "boolean", since: "1.11", until: "1.12", doc: "Mount the volume read-only." },
      secure: { t: "boolean", since: "1.13", doc: "Mount with nosuid and nodev (no setuid binaries, no device files)." },
      disableAccessTime: { t: "boolean", since: "1.14", doc: "Mount with noatime: do not update file access times." },
    },
  },
  "block.ProvisioningSpec": {
    fields: {
      diskSelector: { t: "block.DiskSelector", doc: "CEL expression choosing the disk, e.g. `disk.transport == \"nvme\"`." },
      grow: { t: "boolean", doc: "Grow the volume to fill free space on the disk up to maxSize." },
      minSize: { t: "byteSize", doc: "Minimum size of the volume: bytes or a human size such as 2GiB." },
      maxSize: { t: "volumeSize", doc: "Maximum size of the volume: bytes, a human size such as 50GiB, or a percentage of the disk." },
    },
  },
  "block.RawVolumeConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.11", doc: "Name of the raw volume (an unformatted partition)." },
      provisioning: { t: "block.ProvisioningSpec", since: "1.11", doc: "How and where the volume is allocated: disk selection and size limits." },
      encryption: { t: "block.EncryptionSpec", since: "1.11", doc: "Disk encryption for the volume (LUKS2): keys, cipher and options." },
    },
  },
  "block.ScrubConfig": {
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "Scrub this volume periodically." },
      interval: { t: "duration", since: "1.14", doc: "How often the check or task runs, as a Go duration such as 30s or 168h." },
    },
  },
  "block.SwapVolumeConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.11", doc: "Name of the swap volume." },
      provisioning: { t: "block.ProvisioningSpec", since: "1.11", doc: "How and where the volume is allocated: disk selection and size limits." },
      encryption: { t: "block.EncryptionSpec", since: "1.11", doc: "Disk encryption for the volume (LUKS2): keys, cipher and options." },
    },
  },
  "block.SystemVolumeFilesystemSpec": {
    fields: {
      xfs: { t: "block.XFSSpec", since: "1.14", doc: "XFS-specific formatting options." },
    },
  },
  "block.TrimConfig": {
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "Trim this volume periodically." },
      interval: { t: "duration", since: "1.14", doc: "How often the check or task runs, as a Go duration such as 30s or 168h." },
    },
  },
  "block.UserMountSpec": {
    fields: {
      disableAccessTime: { t: "boolean", since: "1.13", doc: "Mount with noatime: do not update file access times." },
      secure: { t: "boolean", since: "1.13", doc: "Mount with nosuid and nodev (no setuid binaries, no device files)." },
    },
  },
  "block.UserVolumeConfigV1Alpha1": {
    fields: {
      name: { t: "string", doc: "Name of the volume; it is mounted at /var/mnt/<name>." },
      provisioning: { t: "block.ProvisioningSpec", doc: "How and where the volume is allocated: disk selection and size limits." },
      filesystem: { t: "block.FilesystemSpec", doc: "Filesystem the volume is formatted with, and its options." },
      encryption: { t: "block.EncryptionSpec", doc: "Disk encryption for the volume (LUKS2): keys, cipher and options." },
      volumeType: { t: "text(VolumeType:partition|disk|directory)", since: "1.12", doc: "Backing: a partition (default), a whole disk, or a directory on EPHEMERAL." },
      mount: { t: "block.UserMountSpec", since: "1.13", doc: "How the volume is mounted (noatime, nosuid/nodev, read-only)." },
      trim: { t: "block.TrimConfig", since: "1.14", doc: "Periodic fstrim of the filesystem (discards unused blocks on SSDs)." },
      scrub: { t: "block.ScrubConfig", since: "1.14", doc: "Periodic filesystem scrub that verifies data integrity." },
    },
  },
  "block.VirtiofsMountSpec": {
    fields: {
      tag: { t: "string", since: "1.13", doc: "virtiofs tag exported by the hypervisor." },
    },
  },
  "block.VolumeConfigV1Alpha1": {
    fields: {
      name: { t: "string", doc: "System volume to configure: STATE, EPHEMERAL or IMAGECACHE." },
      provisioning: { t: "block.ProvisioningSpec", doc: "How and where the volume is allocated: disk selection and size limits." },
      encryption: { t: "block.EncryptionSpec", since: "1.11", doc: "Disk encryption for the volume (LUKS2): keys, cipher and options." },
      mount: { t: "block.MountSpec", since: "1.13", doc: "How the volume is mounted (noatime, nosuid/nodev, read-only)." },
      filesystem: { t: "block.SystemVolumeFilesystemSpec", since: "1.14", doc: "Filesystem the volume is formatted with, and its options." },
      trim: { t: "block.TrimConfig", since: "1.14", doc: "Periodic fstrim of the filesystem (discards unused blocks on SSDs)." },
      scrub: { t: "block.ScrubConfig", since: "1.14", doc: "Periodic filesystem scrub that verifies data integrity." },
    },
  },
  "block.VolumeDiscoverySpec": {
    fields: {
      volumeSelector: { t: "block.VolumeSelector", since: "1.11", doc: "Selects the existing volume with a CEL expression." },
    },
  },
  "block.VolumeSelector": {
    fields: {
      match: { t: "string", since: "1.11", doc: "CEL expression choosing the existing volume, e.g. `volume.partition_label == \"DATA\"`." },
    },
  },
  "block.XFSSpec": {
    fields: {
      minAllocationGroupSize: { t: "byteSize", since: "1.14", doc: "Minimum XFS allocation group size, e.g. 1GiB." },
    },
  },
  "block.ZswapConfigV1Alpha1": {
    fields: {
      maxPoolPercent: { t: "integer", since: "1.11", doc: "Maximum share of RAM (percent) used for the compressed swap cache." },
      shrinkerEnabled: { t: "boolean", since: "1.11", doc: "Let the kernel shrink the zswap pool under memory pressure." },
    },
  },
};
