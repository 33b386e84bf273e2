// Field table for the `cri` Go package of Talos's machine config, one entry per type.
// Structure from the merged 1.10–1.14 schemas plus Talos's Go decoders (see ../table.ts for
// the format); the docs are Minos's own hover text.
import type { TypeTable } from "../table";

export const CRI_TYPES: TypeTable = {
  "cri.CRIBaseRuntimeSpecConfigV1Alpha1": {
    fields: {
      overrides: { t: "object", since: "1.14", doc: "Overrides merged into containerd's base OCI runtime spec." },
    },
  },
  "cri.CRICustomizationConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.14", req: true, doc: "Name of the containerd config drop-in." },
      content: { t: "string", since: "1.14", doc: "containerd TOML configuration fragment." },
    },
  },
  "cri.ImageCacheConfigV1Alpha1": {
    fields: {
      local: { t: "cri.LocalImageCacheConfig", since: "1.14", doc: "Node-local image cache." },
    },
  },
  "cri.LocalImageCacheConfig": {
    fields: {
      enabled: { t: "boolean", since: "1.14", doc: "Serve images from the node-local cache volume." },
    },
  },
  "cri.RegistryAuthConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Registry host these credentials are for, e.g. ghcr.io." },
      username: { t: "string", since: "1.12", doc: "User name for registry authentication." },
      password: { t: "string", since: "1.12", secret: true, doc: "Password for registry authentication." },
      auth: { t: "string", since: "1.12", secret: true, doc: "Base64 of user:password, as in a Docker config.json `auth` entry." },
      identityToken: { t: "string", since: "1.12", secret: true, doc: "Identity token for registry authentication (OAuth refresh token)." },
    },
  },
  "cri.RegistryEndpoint": {
    fields: {
      url: { t: "url(http|https)", since: "1.12", req: true, doc: "Mirror URL, e.g. https://mirror.gcr.io." },
      overridePath: { t: "boolean", since: "1.12", doc: "Use the endpoint URL path as-is instead of appending /v2/." },
    },
  },
  "cri.RegistryMirrorConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Registry host being mirrored, e.g. docker.io (or * for all)." },
      endpoints: { t: "[]cri.RegistryEndpoint", since: "1.12", doc: "Mirror endpoints tried in order." },
      skipFallback: { t: "boolean", since: "1.12", doc: "Do not fall back to the upstream registry when all mirror endpoints fail." },
    },
  },
  "cri.RegistryTLSConfigV1Alpha1": {
    fields: {
      name: { t: "string", since: "1.12", req: true, doc: "Registry host these TLS settings are for." },
      clientIdentity: { t: [["1.12", "v1alpha1.PEMEncodedCertificateAndKey"], ["1.14", "k8s.CertificateAndKey"]], since: "1.12", doc: "Client certificate and key for mutual TLS (1.12–1.13: crt/key base64; 1.14: cert/key PEM)." },
      ca: { t: "string", since: "1.12", doc: "CA certificate (PEM) used to verify the registry." },
      insecureSkipVerify: { t: "boolean", since: "1.12", doc: "Skip TLS certificate verification of the registry (unsafe; for testing)." },
    },
  },
};
