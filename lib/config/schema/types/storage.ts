// Field table for the `storage` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const STORAGE_TYPES: TypeTable = {
  "storage.LVMLogicalVolumeConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", doc: "" },
      type: { t: "string", since: "1.14", doc: "" },
      mirrors: { t: "integer", since: "1.14", doc: "" },
      stripes: { t: "integer", since: "1.14", doc: "" },
      provisioning: { t: "storage.LVMLogicalVolumeProvisioningSpec", since: "1.14", doc: "" },
    },
  },
  "storage.LVMLogicalVolumeProvisioningSpec": {
    doc: "",
    fields: {
      volumeGroup: { t: "string", since: "1.14", doc: "" },
      minSize: { t: "size", since: "1.14", doc: "" },
      maxSize: { t: "size", since: "1.14", doc: "" },
    },
  },
  "storage.LVMVolumeGroupConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", doc: "" },
      provisioning: { t: "storage.ProvisioningSpec", since: "1.14", doc: "" },
    },
  },
  "storage.LVMVolumeSelectorSpec": {
    doc: "",
    fields: {
      match: { t: "string", since: "1.14", doc: "" },
    },
  },
  "storage.ProvisioningSpec": {
    doc: "",
    fields: {
      volumeSelector: { t: "storage.LVMVolumeSelectorSpec", since: "1.14", doc: "" },
    },
  },
  "storage.RAIDArrayConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", doc: "" },
      level: { t: "enum(raid1)", since: "1.14", doc: "" },
      metadata: { t: "enum(1.0|1.2)", since: "1.14", doc: "" },
      provisioning: { t: "storage.RAIDProvisioningSpec", since: "1.14", doc: "" },
    },
  },
  "storage.RAIDProvisioningSpec": {
    doc: "",
    fields: {
      volumeSelector: { t: "storage.RAIDVolumeSelector", since: "1.14", doc: "" },
    },
  },
  "storage.RAIDVolumeSelector": {
    doc: "",
    fields: {
      match: { t: "string", since: "1.14", doc: "" },
    },
  },
};
