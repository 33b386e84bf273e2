// Field table for the `extensions` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const EXTENSIONS_TYPES: TypeTable = {
  "extensions.ConfigFile": {
    fields: {
      content: { t: "string", doc: "File contents." },
      mountPath: { t: "string", doc: "Where the file appears inside the extension service." },
    },
  },
  "extensions.ServiceConfigV1Alpha1": {
    fields: {
      name: { t: "string", req: true, doc: "Name of the extension service to configure." },
      configFiles: { t: "[]extensions.ConfigFile", doc: "Configuration files for the service." },
      environment: { t: "[]string", doc: "Environment variables, as NAME=value strings." },
    },
  },
};
