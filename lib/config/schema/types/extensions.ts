// Field table for the `extensions` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const EXTENSIONS_TYPES: TypeTable = {
  "extensions.ConfigFile": {
    doc: "",
    fields: {
      content: { t: "string", doc: "" },
      mountPath: { t: "string", doc: "" },
    },
  },
  "extensions.ServiceConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", req: true, doc: "" },
      configFiles: { t: "[]extensions.ConfigFile", doc: "" },
      environment: { t: "[]string", doc: "" },
    },
  },
};
