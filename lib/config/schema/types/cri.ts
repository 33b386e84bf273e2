// Field table for the `cri` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const CRI_TYPES: TypeTable = {
  "cri.CRIBaseRuntimeSpecConfigV1Alpha1": {
    doc: "",
    fields: {
      overrides: { t: "object", since: "1.14", doc: "" },
    },
  },
  "cri.CRICustomizationConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "" },
      content: { t: "string", since: "1.14", doc: "" },
    },
  },
  "cri.ImageCacheConfigV1Alpha1": {
    doc: "",
    fields: {
      local: { t: "cri.LocalImageCacheConfig", since: "1.14", doc: "" },
    },
  },
  "cri.LocalImageCacheConfig": {
    doc: "",
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "" },
    },
  },
  "cri.RegistryAuthConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      username: { t: "string", since: "1.12", doc: "" },
      password: { t: "string", since: "1.12", doc: "" },
      auth: { t: "string", since: "1.12", doc: "" },
      identityToken: { t: "string", since: "1.12", doc: "" },
    },
  },
  "cri.RegistryEndpoint": {
    doc: "",
    fields: {
      url: { t: "url(http|https)", since: "1.12", req: true, doc: "" },
      overridePath: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "cri.RegistryMirrorConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      endpoints: { t: "[]cri.RegistryEndpoint", since: "1.12", doc: "" },
      skipFallback: { t: "boolean", since: "1.12", doc: "" },
    },
  },
  "cri.RegistryTLSConfigV1Alpha1": {
    doc: "",
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "" },
      clientIdentity: { t: [["1.12", "v1alpha1.PEMEncodedCertificateAndKey"], ["1.14", "k8s.CertificateAndKey"]], since: "1.12", doc: "" },
      ca: { t: "string", since: "1.12", doc: "" },
      insecureSkipVerify: { t: "boolean", since: "1.12", doc: "" },
    },
  },
};
