// Field table for the `siderolink` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const SIDEROLINK_TYPES: TypeTable = {
  "siderolink.ConfigV1Alpha1": {
    fields: {
      apiUrl: { t: "url(https|grpc)", secret: "url", doc: "SideroLink (Omni) API URL, e.g. https://omni.example.com?jointoken=…." },
      uniqueToken: { t: "string", secret: true, doc: "Unique token identifying this node to Omni." },
    },
  },
};
