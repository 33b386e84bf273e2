// Field table for the `hardware` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const HARDWARE_TYPES: TypeTable = {
  "hardware.PCIDriverRebindConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", req: true, doc: "" },
      targetDriver: { t: "string", req: true, doc: "" },
    },
  },
};
