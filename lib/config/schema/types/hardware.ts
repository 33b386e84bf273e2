// Field table for the `hardware` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const HARDWARE_TYPES: TypeTable = {
  "hardware.PCIDriverRebindConfigV1Alpha1": {
    fields: {
      name: { t: "string", req: true, doc: "PCI address of the device, e.g. 0000:04:00.0." },
      targetDriver: { t: "string", req: true, doc: "Driver to bind the device to, e.g. vfio-pci." },
    },
  },
};
