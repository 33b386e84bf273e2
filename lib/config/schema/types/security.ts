// Field table for the `security` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const SECURITY_TYPES: TypeTable = {
  "security.ImageKeylessVerifier": {
    fields: {
      issuer: { t: "string", doc: "Expected OIDC issuer of the signing certificate." },
      subject: { t: "string", doc: "Expected signer identity." },
      subjectRegex: { t: "string", doc: "Regular expression the signer identity must match." },
    },
  },
  "security.ImagePublicKeyVerifier": {
    fields: {
      certificate: { t: "string", doc: "PEM public key or certificate of the signer." },
    },
  },
  "security.ImageVerificationConfigV1Alpha1": {
    fields: {
      rules: { t: "[]security.ImageVerificationRule", doc: "Rules matched in order against each image reference; the first match decides." },
    },
  },
  "security.ImageVerificationRule": {
    fields: {
      image: { t: "string", doc: "Image reference pattern, e.g. ghcr.io/siderolabs/*." },
      skip: { t: "boolean", doc: "Allow matching images without verification." },
      deny: { t: "boolean", doc: "Reject matching images." },
      keyless: { t: "security.ImageKeylessVerifier", doc: "Verify a keyless (Sigstore/Fulcio) signature." },
      publicKey: { t: "security.ImagePublicKeyVerifier", doc: "Verify a signature made with a known public key." },
    },
  },
  "security.TrustedRootsConfigV1Alpha1": {
    fields: {
      name: { t: "string", req: true, doc: "Name of the certificate bundle." },
      certificates: { t: "string", doc: "PEM CA certificates added to the system trust store." },
    },
  },
};
