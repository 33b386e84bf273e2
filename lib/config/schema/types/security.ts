// Field table for the `security` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const SECURITY_TYPES: TypeTable = {
  "security.ImageKeylessVerifier": {
    doc: "",
    fields: {
      issuer: { t: "string", doc: "" },
      subject: { t: "string", doc: "" },
      subjectRegex: { t: "string", doc: "" },
    },
  },
  "security.ImagePublicKeyVerifier": {
    doc: "",
    fields: {
      certificate: { t: "string", doc: "" },
    },
  },
  "security.ImageVerificationConfigV1Alpha1": {
    doc: "",
    fields: {
      rules: { t: "[]security.ImageVerificationRule", doc: "" },
    },
  },
  "security.ImageVerificationRule": {
    doc: "",
    fields: {
      image: { t: "string", doc: "" },
      skip: { t: "boolean", doc: "" },
      deny: { t: "boolean", doc: "" },
      keyless: { t: "security.ImageKeylessVerifier", doc: "" },
      publicKey: { t: "security.ImagePublicKeyVerifier", doc: "" },
    },
  },
  "security.TrustedRootsConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", req: true, doc: "" },
      certificates: { t: "string", doc: "" },
    },
  },
};
