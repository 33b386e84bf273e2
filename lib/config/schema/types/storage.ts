// Field table for the `storage` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const STORAGE_TYPES: TypeTable = {
  "storage.LVMLogicalVolumeConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", doc: "Name of the logical volume." },
      type: { t: "text(LVMLogicalVolumeType)", since: "1.14", doc: "Logical volume type: linear, raid0, raid1 or raid10." },
      mirrors: { t: "integer", since: "1.14", doc: "Number of mirrors (raid1)." },
      stripes: { t: "integer", since: "1.14", doc: "Number of stripes." },
      provisioning: { t: "storage.LVMLogicalVolumeProvisioningSpec", since: "1.14", doc: "Volume group and size of the logical volume." },
    },
  },
  "storage.LVMLogicalVolumeProvisioningSpec": {
    fields: {
      volumeGroup: { t: "string", since: "1.14", doc: "Name of the LVM volume group." },
      minSize: { t: "byteSize", since: "1.14", doc: "Minimum size of the volume: bytes or a human size such as 2GiB." },
      maxSize: { t: "volumeSize", since: "1.14", doc: "Maximum size of the volume: bytes, a human size such as 50GiB, or a percentage of the disk." },
    },
  },
  "storage.LVMVolumeGroupConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", doc: "Name of the volume group." },
      provisioning: { t: "storage.ProvisioningSpec", since: "1.14", doc: "Physical volumes that make up the group." },
    },
  },
  "storage.LVMVolumeSelectorSpec": {
    fields: {
      match: { t: "string", since: "1.14", doc: "CEL expression choosing the physical volumes." },
    },
  },
  "storage.ProvisioningSpec": {
    fields: {
      volumeSelector: { t: "storage.LVMVolumeSelectorSpec", since: "1.14", doc: "Selects the physical volumes." },
    },
  },
  "storage.RAIDArrayConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", doc: "Name of the RAID array." },
      level: { t: "text(MDLevel)", since: "1.14", doc: "RAID level: raid1." },
      metadata: { t: "text(MDMetadata)", since: "1.14", doc: "md superblock format: 1.0 or 1.2." },
      provisioning: { t: "storage.RAIDProvisioningSpec", since: "1.14", doc: "Member volumes of the array." },
    },
  },
  "storage.RAIDProvisioningSpec": {
    fields: {
      volumeSelector: { t: "storage.RAIDVolumeSelector", since: "1.14", doc: "Selects the member volumes." },
    },
  },
  "storage.RAIDVolumeSelector": {
    fields: {
      match: { t: "string", since: "1.14", doc: "CEL expression choosing the member volumes." },
    },
  },
};
